"""Exact versions of the libraries under test, recorded in every results file."""

from __future__ import annotations

import platform
from importlib import metadata

TRACKED = ("instructor", "litellm", "pydantic", "vcrpy")


def library_versions() -> dict[str, str]:
    """Installed versions of instructor, litellm, pydantic, vcrpy and Python."""
    versions: dict[str, str] = {}
    for dist in TRACKED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    versions["python"] = platform.python_version()
    return versions
