"""Ladders: per provider and mode, the highest rung passed of each ladder of scenarios.

A ladder's rungs are scenarios declared with `ladder=` (harness.scenarios.declare), in order;
each rung's cell carries its ladder and place in its metrics. The rule, written once:

    the highest rung passed is the last rung of an unbroken run of passes from the first.

A rung that did not pass (fail, error, unsupported, skipped) or was not run at all breaks
the run there: rungs passing above it do not count. No rung passed when the first one did not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.results import CellResult, cell_text


@dataclass(frozen=True)
class Rung:
    """One rung's cell for a provider and mode."""

    place: int
    scenario: str
    outcome: str
    layer: str | None
    exception_type: str | None


@dataclass(frozen=True)
class Climb:
    """How far a provider and mode climbed one ladder."""

    provider: str
    mode: str
    ladder: str
    height: int  # how many rungs were passed from the first without a break
    rungs: int  # the ladder's rungs (the highest place any cell of the run holds)
    highest: str | None  # the scenario of the highest rung passed; None: not even the first
    stopped: str | None  # why the climb stopped: the first rung not passed, and how

    def text(self) -> str:
        """The report's cell, e.g. `ladder_union (6/9)` or `none (0/9)`."""
        return f"{self.highest or 'none'} ({self.height}/{self.rungs})"


def _rung(cell: CellResult) -> tuple[str, Rung] | None:
    ladder, place = cell.metrics.get("ladder"), cell.metrics.get("rung")
    if not isinstance(ladder, str) or not isinstance(place, int) or isinstance(place, bool):
        return None
    return ladder, Rung(place, cell.scenario, cell.outcome, cell.layer, cell.exception_type)


def climb(rungs: Iterable[Rung], of: int) -> tuple[int, Rung | None, str | None]:
    """(height, highest rung passed, why it stopped) for one provider and mode's rungs."""
    by_place = {r.place: r for r in rungs}
    highest: Rung | None = None
    for place in range(1, of + 1):
        rung = by_place.get(place)
        if rung is None:
            return place - 1, highest, f"rung {place} was not run"
        if rung.outcome != "pass":
            how = cell_text(rung.outcome, rung.layer)
            what = f": {rung.exception_type}" if rung.exception_type else ""
            return place - 1, highest, f"{rung.scenario} (rung {place}): {how}{what}"
        highest = rung
    return of, highest, None


def climbs(cells: Iterable[CellResult]) -> list[Climb]:
    """Every provider and mode's climb of every ladder the cells hold, in cell order."""
    groups: dict[tuple[str, str, str], list[Rung]] = {}
    tops: dict[str, int] = {}
    for cell in cells:
        found = _rung(cell)
        if found is None:
            continue
        ladder, rung = found
        groups.setdefault((cell.provider, cell.mode, ladder), []).append(rung)
        tops[ladder] = max(tops.get(ladder, 0), rung.place)
    out = []
    for (provider, mode, ladder), rungs in groups.items():
        height, highest, stopped = climb(rungs, tops[ladder])
        out.append(Climb(provider, mode, ladder, height, tops[ladder],
                         highest.scenario if highest else None, stopped))
    return out
