"""Stand-ins for PyPI and uv in the grid's tests: no network, no real environment."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.grid.procs import Finished

INSTRUCTOR = ["1.15.4", "1.16.0", "1.17.0"]
LITELLM = ["1.80.0", "1.82.6", "1.83.0", "1.83.5", "1.83.14", "1.84.0", "1.96.2",
           "1.110.0rc1", "1.110.2"]


def pypi_json(versions: list[str], yanked: dict[str, str] | None = None) -> bytes:
    """A project page of PyPI's JSON API holding `versions` (one wheel each)."""
    yanked = yanked or {}
    return json.dumps({"releases": {v: [{"yanked": v in yanked,
                                         "yanked_reason": yanked.get(v)}] for v in versions}
                       | {"0.0.1": []}}).encode()


def fake_pypi(url: str) -> bytes:
    """PyPI's JSON API for instructor and litellm (litellm 1.83.14 yanked)."""
    if "/instructor/" in url:
        return pypi_json(INSTRUCTOR)
    return pypi_json(LITELLM, {"1.83.14": "broken wheel"})


# What each fake release requires; aiohttp is where instructor 1.17 and litellm 1.83.5 clash.
REQUIRES = {
    ("instructor", "1.16.0"): ["aiohttp>=3.9", "docstring-parser>=0.16"],
    ("instructor", "1.17.0"): ["aiohttp>=3.14.3", "docstring-parser>=0.16"],
    ("litellm", "1.83.0"): ["aiohttp>=3.10"],
    ("litellm", "1.83.5"): ["aiohttp==3.13.5"],
    ("litellm", "1.96.2"): ["aiohttp>=3.10"],
}
CONFLICT = ("error: No solution found when resolving dependencies:\n"
            "  cause: Because litellm==1.83.5 depends on aiohttp==3.13.5 and instructor==1.17.0 "
            "depends on aiohttp>=3.14.3, we can conclude that instructor==1.17.0 and "
            "litellm==1.83.5 are incompatible.\n"
            "         And because you require instructor==1.17.0 and litellm==1.83.5, we can "
            "conclude that your requirements are unsatisfiable.\n")


def write_dist(site: Path, name: str, version: str, requires: list[str]) -> None:
    """An installed distribution's metadata, as importlib.metadata reads it."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n")


class FakeUv:
    """uv's `venv` and `pip install`, writing only metadata; every call is recorded."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_with = fail_with

    def __call__(self, args: list[str]) -> Finished:
        self.calls.append(args)
        if args[0] == "venv":
            venv = Path(args[-1])
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "python").write_text("")
            (venv / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
            return Finished(0, "")
        if self.fail_with is not None:
            return Finished(2, self.fail_with)
        return self._install(Path(args[args.index("--python") + 1]).parent.parent, args)

    def _install(self, venv: Path, args: list[str]) -> Finished:
        site = venv / "lib" / "python3.11" / "site-packages"
        pins = dict(re.fullmatch(r"([a-z-]+)==(.+)", a).groups()  # type: ignore[union-attr]
                    for a in args if re.fullmatch(r"(instructor|litellm)==.+", a))
        if pins.get("instructor") == "1.17.0" and pins.get("litellm") == "1.83.5":
            return Finished(1, CONFLICT)
        for name, version in pins.items():
            write_dist(site, name, version, REQUIRES.get((name, version), []))
        if "--no-deps" in args:
            return Finished(0, "")
        if "litellm" in pins:
            aiohttp = "3.13.5" if pins["litellm"] == "1.83.5" else "3.14.5"
            write_dist(site, "aiohttp", aiohttp, [])
        if any(a.startswith("docstring-parser") for a in args):
            write_dist(site, "docstring-parser", "0.17", [])
        return Finished(0, "")
