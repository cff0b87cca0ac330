"""Release lists from PyPI's JSON API, cached briefly so a re-run makes no network call."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.grid.versions import GridInputError, Releases
from harness.recording.atomic import write_atomic

PYPI_JSON = "https://pypi.org/pypi/{name}/json"
# Long enough for a grid and its re-run, short enough that a new release shows up the same day.
FRESH_SECONDS = 15 * 60
Fetch = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """GET `url` (PyPI's JSON API), with a timeout so an unreachable index fails fast."""
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "conformance-harness grid"})
    with urllib.request.urlopen(request, timeout=20) as response:
        body: bytes = response.read()
        return body


def parse_project(library: str, data: dict[str, Any]) -> Releases:
    """A project's JSON as Releases: versions that have files, yanked ones with their reason."""
    versions, yanked = [], {}
    for version, files in (data.get("releases") or {}).items():
        if not files:  # a release without files cannot be installed
            continue
        versions.append(version)
        if all(f.get("yanked") for f in files):
            yanked[version] = next((f.get("yanked_reason") or "" for f in files), "")
    return Releases(library, tuple(versions), yanked)


def _cached(path: Path) -> tuple[float, Releases] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return float(data["fetched_at"]), Releases(data["library"], tuple(data["versions"]),
                                                   dict(data["yanked"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def releases(library: str, cache_dir: Path, fetch: Fetch | None = None,
             now: Callable[[], float] = time.time) -> Releases:
    """`library`'s releases: the cached list when fresh, PyPI otherwise, a stale list offline."""
    fetch = fetch or http_get  # looked up at call time, so tests can stand in for PyPI
    path = cache_dir / "pypi" / f"{library}.json"
    cached = _cached(path)
    if cached and now() - cached[0] < FRESH_SECONDS:
        return cached[1]
    try:
        found = parse_project(library, json.loads(fetch(PYPI_JSON.format(name=library))))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if cached:  # offline, but this list was right when fetched: better than nothing
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached[0]))
            return Releases(library, cached[1].versions, cached[1].yanked,
                            note=f"PyPI unreachable ({reason}): checked {library} versions "
                                 f"against the list cached at {when}")
        raise GridInputError(f"cannot reach PyPI to check the {library} versions ({reason}); "
                             f"the grid installs from PyPI, so connect to the network and "
                             f"retry") from None
    write_atomic(path, json.dumps({"library": library, "fetched_at": now(),
                                   "versions": list(found.versions), "yanked": found.yanked}))
    return found
