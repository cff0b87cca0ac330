"""What an environment holds, read from its site-packages by the host (no process started)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def site_packages(venv: Path) -> Path:
    """A virtual environment's site-packages folder."""
    found = sorted(venv.glob("lib/python*/site-packages")) or sorted(venv.glob("Lib/site-packages"))
    return found[0] if found else venv / "lib" / "site-packages"


def installed_versions(site: Path) -> dict[str, str]:
    """{canonical name: version} of every distribution installed in `site`."""
    return {canonicalize_name(d.metadata["Name"]): d.version
            for d in metadata.distributions(path=[str(site)]) if d.metadata["Name"]}


def requirements_of(site: Path, name: str) -> list[Requirement]:
    """`name`'s own requirements for this interpreter (extras left out)."""
    dist = next((d for d in metadata.distributions(path=[str(site)])
                 if canonicalize_name(d.metadata["Name"] or "") == canonicalize_name(name)),
                None)
    out = []
    for text in (dist.requires or []) if dist else []:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        # The grid builds for the running interpreter, so its markers decide here too.
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.append(req)
    return out


def unmet_of(wanted: list[Requirement], have: dict[str, str]) -> tuple[list[str], list[str]]:
    """(requirements installed at a version outside their range, requirements not installed)."""
    unmet, missing = [], []
    for req in wanted:
        name = canonicalize_name(req.name)
        if name not in have:
            missing.append(str(req))
        elif not req.specifier.contains(have[name], prereleases=True):
            # The marker already held for this interpreter: only the range is news.
            unmet.append(f"{req.name}{req.specifier} (installed: {have[name]})")
    return unmet, missing
