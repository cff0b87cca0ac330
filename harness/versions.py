"""Exact versions of the libraries under test, recorded in every results file."""

from __future__ import annotations

import functools
import platform
from importlib import metadata

TRACKED = ("instructor", "litellm", "pydantic", "vcrpy")


def library_versions() -> dict[str, str]:
    """Installed versions of instructor, litellm, pydantic, vcrpy and Python (a copy)."""
    return dict(_installed())


@functools.cache
def _installed() -> dict[str, str]:
    # Read once per process: a process runs the libraries it imported, whatever is installed
    # later, and reading package metadata scans sys.path (per cell, it took longer than the
    # cells of pytest suites/: two reads per test, for its expected failure).
    versions: dict[str, str] = {}
    for dist in TRACKED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    versions["python"] = platform.python_version()
    return versions
