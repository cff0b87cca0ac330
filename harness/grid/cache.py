"""Where the grid's environments live and what names one: the cache key and its inputs."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import sysconfig
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

import harness
from harness.grid.versions import GridInputError, Pair

ENV_CACHE_DIR = "CONFORMANCE_GRID_CACHE"
DIST_NAME = "llm-conformance-harness"
# Pinned per pair instead; uv drives the build and is not needed inside an environment.
NOT_FROM_METADATA = frozenset({"instructor", "litellm", "uv", DIST_NAME})


def cache_root() -> Path:
    """~/.cache/conformance-harness/grid (XDG_CACHE_HOME honoured; $CONFORMANCE_GRID_CACHE wins)."""
    explicit = os.environ.get(ENV_CACHE_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return (base / "conformance-harness" / "grid").resolve()


def package_dir() -> Path:
    """The running harness package (a checkout's harness/ or site-packages/harness)."""
    return Path(harness.__file__).resolve().parent


def is_dev_checkout(package: Path) -> bool:
    """Whether the harness runs from a source tree rather than an installed wheel."""
    installed = {Path(p).resolve() for p in (sysconfig.get_paths()["purelib"],
                                              sysconfig.get_paths()["platlib"])}
    return not any(root in package.parents for root in installed)


def sources_hash(package: Path) -> str:
    """A digest of every .py file of the package: any edit to the harness changes it."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def harness_requirements(dist: str = DIST_NAME) -> list[str]:
    """The harness's own third-party requirements, from its installed metadata.

    Extras (dev tools) are left out, and so are instructor and litellm: each pair pins them.
    """
    try:
        declared = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        raise GridInputError(f"the harness's package metadata ({dist}) is not installed, so "
                             f"its requirements are unknown; install it: pip install -e .") \
            from None
    out = []
    for text in declared:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and "extra" in str(req.marker):
            continue
        if canonicalize_name(req.name) not in NOT_FROM_METADATA:
            out.append(str(req))
    return sorted(set(out))


@dataclass(frozen=True)
class EnvSpec:
    """Everything an environment's contents depend on; its digest is the cache key."""

    instructor: str
    litellm: str
    python: str  # implementation, version, platform: the wheels uv picks depend on them
    harness: str  # the harness version
    sources: str | None  # a development checkout: the digest of its sources
    requirements: tuple[str, ...]
    strategy: str = "resolved"  # or "forced": a conflicting pair installed anyway
    # How environments are built: a change of recipe builds them anew (2: bytecode compiled
    # at install, harness/grid/build.py).
    recipe: int = 2

    @property
    def pair(self) -> Pair:
        """The release pair."""
        return Pair(self.instructor, self.litellm)

    def key(self) -> str:
        """The cache key: a digest of every field."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def dir_name(self) -> str:
        """A readable, unique folder name for the environment."""
        py = self.python.split("-")[1]
        return f"{self.pair.id}_py{py}_{self.strategy}_{self.key()}"


def python_tag() -> str:
    """The running interpreter: implementation, version, platform and machine."""
    return (f"{sys.implementation.name}-{platform.python_version()}-{sys.platform}-"
            f"{platform.machine()}")


def spec_for(pair: Pair, requirements: list[str], strategy: str = "resolved") -> EnvSpec:
    """The spec of `pair`'s environment for the running interpreter and harness."""
    package = package_dir()
    sources = sources_hash(package) if is_dev_checkout(package) else None
    return EnvSpec(pair.instructor, pair.litellm, python_tag(), harness.__version__, sources,
                   tuple(requirements), strategy)
