"""One known failure and the evidence it must show: the `Expected` entry, checked.

The tables of entries are harness/expectations.py (the guide's cells, and the lookups) and
harness/expectations_beyond.py (the beyond pack's cells); a project's own are read by
harness/expected_failures.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Expected:
    """One known failure and the evidence it must show."""

    name: str
    reason: str
    cells: tuple[str, ...]  # cell-id patterns
    outcome: str  # fail, error or unsupported
    layer: str  # the layer at fault; never "harness"
    exception: str  # the exception type
    message: str  # a fragment the message must contain
    unless: tuple[str, ...] = ()  # patterns taken out of `cells`
    # The releases it holds for, e.g. (("litellm", ">=1.96"),); empty: every release.
    when: tuple[tuple[str, str], ...] = ()

    def applies(self, versions: Mapping[str, str]) -> bool:
        """Whether the installed (or a result's) library versions are ones this entry names."""
        for library, spec in self.when:
            version = versions.get(library)
            if version is None:
                continue  # not recorded: the entry is not ruled out
            try:
                if not SpecifierSet(spec).contains(Version(version), prereleases=True):
                    return False
            except InvalidVersion:
                continue
        return True

    def matches(self, cell_id: str, versions: Mapping[str, str] | None = None) -> bool:
        """Whether this entry covers `cell_id` (with these library versions)."""
        return (any(fnmatchcase(cell_id, p) for p in self.cells)
                and not any(fnmatchcase(cell_id, p) for p in self.unless)
                and (versions is None or self.applies(versions)))

    def mismatches(self, result: Any) -> list[str]:
        """How a cell's result differs from this entry's evidence (empty: it fails as known)."""
        got = {"outcome": result.outcome, "layer": result.layer,
               "exception": result.exception_type}
        want = {"outcome": self.outcome, "layer": self.layer, "exception": self.exception}
        out = [f"{key} {got[key]!r} (expected {want[key]!r})" for key in want
               if got[key] != want[key]]
        if self.message not in (result.message or ""):
            out.append(f"message {(result.message or '')[:160]!r} lacks {self.message!r}")
        return out



class ExpectationError(ValueError):
    """The expectations table itself is wrong."""


def check_entry(entry: Expected) -> None:
    """An ExpectationError (one line) unless `entry` has a reason and real evidence."""
    if not entry.reason.strip():
        raise ExpectationError(f"expectation {entry.name!r} has no reason: write why it fails")
    if entry.outcome not in ("fail", "error", "unsupported"):
        raise ExpectationError(f"expectation {entry.name!r}: outcome {entry.outcome!r} is "
                               f"not a failure (fail, error or unsupported)")
    if entry.layer == "harness" or not entry.exception:
        raise ExpectationError(f"expectation {entry.name!r}: a harness error is never an "
                               f"expected failure; name the layer and exception at fault")
    for library, spec in entry.when:
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise ExpectationError(f"expectation {entry.name!r}: {library} {spec!r} is not a "
                                   f"version specifier (e.g. '>=1.96')") from None
