"""The grid's model, pure: each cell's verdict per pair, where it broke, was fixed or drifted.

A change is found by walking one library's releases in version order while the other library's
release stays fixed; a pair without results, or a cell missing or skipped in it, is stepped over
(the change is then between the nearest pairs that measured the cell).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from harness.grid.versions import LIBRARIES, Pair, between
from harness.matrix.rows import build_rows
from harness.matrix.rules import COLUMNS
from harness.results import CellResult, RunResults


def verdict(cell: CellResult | None) -> str | None:
    """A cell's verdict as plain words ('pass', 'error (harness)'); None when not measured."""
    if cell is None or cell.outcome == "skipped":
        return None
    return cell.outcome if cell.outcome == "pass" or not cell.layer else \
        f"{cell.outcome} ({cell.layer})"


MATCHES = "matches the recording"


def drift_state(cell: CellResult | None) -> str | None:
    """How a cell's request compares with its recording: MATCHES, or what drifted and how the
    replay resolved it (re-answered by the emulator, not measured, failed); None: no cell."""
    if cell is None:
        return None
    if not cell.drift:
        return MATCHES
    what = "; ".join(cell.drift.get("changes") or []) or "the request differs"
    return f"{what} ({cell.drift.get('resolution', 'unresolved')})"


@dataclass(frozen=True)
class Change:
    """A cell changing from one release of `library` to the next one that has it."""

    cell: str
    # broke (pass → not pass), fixed (not pass → pass), changed (another verdict); drifted
    # (its request no longer matches the recording, or drifts otherwise), matches again
    kind: str
    library: str
    before_version: str
    after_version: str
    other: str  # the other library's release, held fixed
    before: str
    after: str
    untested: int | None = None  # releases in between that the grid did not run

    @property
    def other_library(self) -> str:
        """The library held fixed."""
        return LIBRARIES[1 - LIBRARIES.index(self.library)]


def _verdict_kind(before: str, after: str) -> str:
    if before == "pass":
        return "broke"
    return "fixed" if after == "pass" else "changed"


def _drift_kind(before: str, after: str) -> str:
    return "matches again" if after == MATCHES else "drifted"


# What is compared along a line of pairs, and how a difference is named.
ASPECTS: tuple[tuple[Callable[[CellResult | None], str | None], Callable[[str, str], str]],
               ...] = ((verdict, _verdict_kind), (drift_state, _drift_kind))


def _walk(cell: str, library: str, line: Sequence[tuple[Pair, RunResults]],
          available: Sequence[str] | None) -> list[Change]:
    """Changes of one cell along `line`: pairs that differ only in `library`, in order."""
    out: list[Change] = []
    for state, kind in ASPECTS:
        last: tuple[str, str] | None = None  # (release, state) of the last pair that has it
        for pair, results in line:
            now = state(results.cells.get(cell))
            if now is None:
                continue
            release = pair.version(library)
            if last is not None and last[1] != now:
                other = pair.version(LIBRARIES[1 - LIBRARIES.index(library)])
                gap = between(last[0], release, available) if available is not None else None
                out.append(Change(cell, kind(last[1], now), library, last[0], release, other,
                                  last[1], now, gap))
            last = (release, now)
    return out


def changes(by_pair: Mapping[Pair, RunResults],
            available: Mapping[str, Sequence[str]] | None = None) -> list[Change]:
    """Every change of every cell along both libraries' releases, in a stable order."""
    cells = sorted({cid for results in by_pair.values() for cid in results.cells})
    out: list[Change] = []
    for library in LIBRARIES:
        other = LIBRARIES[1 - LIBRARIES.index(library)]
        lines: dict[str, list[tuple[Pair, RunResults]]] = {}
        for pair in sorted(by_pair, key=lambda p: Version(p.version(library))):
            lines.setdefault(pair.version(other), []).append((pair, by_pair[pair]))
        for fixed in sorted(lines, key=Version):
            for cell in cells:
                out += _walk(cell, library, lines[fixed],
                             available.get(library) if available is not None else None)
    return out


FIRST_KINDS = ("broke", "fixed", "drifted")


def first_changes(found: Sequence[Change]) -> dict[str, dict[str, list[Change]]]:
    """Per cell and kind (broke, fixed, drifted): the earliest such change along each library.

    Earliest in version order of the library that changed, then of the one held fixed; one
    change per library at most, instructor's first.
    """
    out: dict[str, dict[str, list[Change]]] = {}
    order = {name: i for i, name in enumerate(LIBRARIES)}
    for change in sorted(found, key=lambda c: (order[c.library], Version(c.after_version),
                                               Version(c.other))):
        if change.kind not in FIRST_KINDS:
            continue
        kept = out.setdefault(change.cell, {}).setdefault(change.kind, [])
        if all(c.library != change.library for c in kept):
            kept.append(change)
    return out


@dataclass
class SupportRow:
    """One provider row of the streaming-support table, per pair: column → level, symbol, why,
    and the column's cells that measured nothing there (the level rests on fewer cells)."""

    display: str
    rank: int
    providers: set[str]
    by_pair: dict[str, dict[str, dict[str, Any]]]


def support(by_pair: Mapping[Pair, RunResults]) -> list[SupportRow]:
    """The streaming-support row of each provider per pair (build_rows on each pair's results)."""
    rows: dict[str, SupportRow] = {}
    for pair in sorted(by_pair, key=Pair.sort_key):
        for row in build_rows(by_pair[pair]):
            entry = rows.setdefault(row.display, SupportRow(row.display, row.rank, set(), {}))
            entry.providers |= set(row.providers)
            entry.by_pair[pair.id] = {
                c: {"level": v.level.value, "symbol": v.level.symbol, "reason": v.reason,
                    "unmeasured": list(v.unmeasured)}
                for c, v in ((c, row.verdicts[c]) for c in COLUMNS)}
    return sorted(rows.values(), key=lambda r: (r.rank, r.display))
