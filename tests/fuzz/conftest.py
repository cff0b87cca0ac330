"""The fuzz suite: property-based tests through instructor + litellm against the emulators."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/fuzz is marked `fuzz` (`pytest -m fuzz` runs the suite alone)."""
    for item in items:
        if "tests/fuzz/" in item.nodeid:
            item.add_marker(pytest.mark.fuzz)
