"""Which releases a grid may use: parsing the options, refusals, the nearest released versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

from harness.errors import HarnessError

LIBRARIES = ("instructor", "litellm")

# litellm 1.82.7 and 1.82.8 were published through a supply-chain compromise and then yanked.
# A mirror, a proxy or a stale cache may still serve them, so they are refused by name, before
# any network call and whatever --force says: nothing of theirs is ever installed.
REFUSED: dict[tuple[str, str], str] = {
    ("litellm", "1.82.7"): "yanked after a supply-chain compromise",
    ("litellm", "1.82.8"): "yanked after a supply-chain compromise",
}
# What to pick instead of a refused release (named without a network call).
REFUSED_ALTERNATIVES = {"litellm": "1.82.6 or 1.83.0"}


class GridInputError(HarnessError):
    """A version option the grid cannot use (exit code 2, one line)."""


@dataclass(frozen=True)
class Pair:
    """One (instructor, litellm) release pair: one environment, one replay."""

    instructor: str
    litellm: str

    @property
    def id(self) -> str:
        """The pair's folder name and key in grid.json."""
        return f"instructor-{self.instructor}_litellm-{self.litellm}"

    @property
    def label(self) -> str:
        """How reports name the pair."""
        return f"instructor {self.instructor} × litellm {self.litellm}"

    def version(self, library: str) -> str:
        """This pair's release of `library`."""
        return self.instructor if library == "instructor" else self.litellm

    def sort_key(self) -> tuple[Version, Version]:
        """Pairs in release order: instructor first, then litellm."""
        return Version(self.instructor), Version(self.litellm)


@dataclass(frozen=True)
class Releases:
    """A library's installable releases on the index, and the yanked ones with their reason."""

    library: str
    versions: tuple[str, ...]
    yanked: dict[str, str] = field(default_factory=dict)
    note: str = ""  # e.g. "PyPI unreachable: using the list cached at …"

    def available(self) -> list[str]:
        """Final releases that may be installed, in version order."""
        return sorted((v for v in self.versions if _usable(self.library, v, self.yanked)),
                      key=Version)


def _usable(library: str, version: str, yanked: dict[str, str]) -> bool:
    parsed = Version(version)
    return (not parsed.is_prerelease and not parsed.is_devrelease and version not in yanked
            and refusal(library, version) is None)


def refusal(library: str, version: str) -> str | None:
    """Why `version` of `library` is never installed, or None."""
    for (name, refused), why in REFUSED.items():
        if name == library and _same(version, refused):
            return why
    return None


def _same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return False


def parse_versions(library: str, values: Iterable[str]) -> list[str]:
    """The option's versions (comma-separated, repeatable), de-duplicated, refusals raised."""
    option = f"--{library}"
    found: list[str] = []
    for value in values:
        for text in (part.strip() for part in value.split(",")):
            if not text:
                continue
            try:
                Version(text)
            except InvalidVersion:
                raise GridInputError(f"{option} {text!r} is not a version; pass released "
                                     f"versions separated by commas, e.g. {option} "
                                     f"{'1.16.0,1.17.0' if library == 'instructor' else '1.83.0'}"
                                     ) from None
            why = refusal(library, text)
            if why:
                raise GridInputError(f"{library} {text} is refused: {why}; it is never "
                                     f"installed, even with --force; use "
                                     f"{REFUSED_ALTERNATIVES[library]}")
            if not any(_same(text, seen) for seen in found):
                found.append(text)
    if not found:
        raise GridInputError(f"{option} is empty; pass one or more released versions, e.g. "
                             f"{option} {'1.17.0' if library == 'instructor' else '1.83.0'}")
    return found


def nearest(version: str, available: Sequence[str]) -> list[str]:
    """The released versions either side of `version` (the one below, the one above)."""
    target = Version(version)
    below = [v for v in available if Version(v) < target]
    above = [v for v in available if Version(v) > target]
    return ([max(below, key=Version)] if below else []) + ([min(above, key=Version)]
                                                          if above else [])


def resolve(requested: Sequence[str], releases: Releases) -> list[str]:
    """Each requested version as the index spells it; an unknown or yanked one is an error."""
    available = releases.available()
    out = []
    for text in requested:
        match = next((v for v in releases.versions if _same(text, v)), None)
        near = ", ".join(nearest(text, available)) or "none"
        where = f"https://pypi.org/project/{releases.library}/#history"
        if match is None:
            raise GridInputError(f"unknown {releases.library} version {text}; nearest "
                                 f"released: {near} (all: {where})")
        if match in releases.yanked:
            raise GridInputError(f"{releases.library} {match} was yanked from PyPI "
                                 f"({releases.yanked[match] or 'no reason given'}); nearest "
                                 f"released: {near}")
        out.append(match)
    return out


def make_pairs(instructors: Sequence[str], litellms: Sequence[str]) -> list[Pair]:
    """Every (instructor, litellm) pair, in release order."""
    return sorted((Pair(i, v) for i in instructors for v in litellms), key=Pair.sort_key)


def between(low: str, high: str, available: Sequence[str]) -> int:
    """How many released versions lie strictly between `low` and `high`."""
    lo, hi = Version(low), Version(high)
    return sum(1 for v in available if lo < Version(v) < hi)
