"""Compare a run with a baseline results file: cells and support levels, regressions first.

What counts as a regression (exit 1):
- a cell that passed in the baseline and now ends in anything else (fail, error,
  unsupported, skipped);
- a baseline cell that is missing from the new results although the new run's filters
  select it, or that measured the provider before and measures nothing now (skipped, a
  harness error, a drifted live recording): lost coverage hides every later regression;
- a support level that drops (✅ Full → ⚠️ Limited / ❌ None, ⚠️ Limited → ❌ None).
Improvements: a non-pass cell, measured in the baseline, that now passes; a level that rises
over the same measured cells. Nothing is "improved" that was not measured on both sides: a
level that now rests on fewer cells is only "changed".
Neither: a change between two non-pass outcomes, a new cell, a baseline cell outside the
new run's filters. Levels are compared over the same cells: the baseline is first cut down
to the cells the new run has, so a filtered run never looks like a level change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from harness.cells import in_shard, parse_shard
from harness.errors import ResultsFileError
from harness.matrix.levels import Level, measured
from harness.matrix.rows import build_rows
from harness.matrix.rules import COLUMNS
from harness.results import CellResult, RunResults, load_results

Status = Literal["regressed", "improved", "changed", "new", "unmeasured"]


@dataclass(frozen=True)
class Change:
    """One difference between the baseline and the new results."""

    kind: Literal["cell", "level"]
    key: str  # a cell id, or "Row / Column"
    before: str
    after: str
    status: Status


@dataclass
class Comparison:
    """Every change, and how many baseline cells the new run did not select."""

    changes: list[Change] = field(default_factory=list)
    not_compared: int = 0

    def of(self, status: Status, kind: str | None = None) -> list[Change]:
        """The changes with `status` (and `kind`)."""
        return [c for c in self.changes if c.status == status and kind in (None, c.kind)]

    @property
    def regressed(self) -> bool:
        """Whether anything regressed, or a cell measured before measures nothing now."""
        return bool(self.of("regressed") or self.of("unmeasured"))


def _outcome_text(cell: CellResult | None) -> str:
    if cell is None:
        return "missing"
    if cell.outcome == "pass":
        return "pass"
    layer = f" ({cell.layer})" if cell.layer else ""
    return f"{cell.outcome}{layer}" + (f" {cell.exception_type}" if cell.exception_type else "")


def selected(cell: CellResult, filters: dict[str, list[str]]) -> bool:
    """Whether a run with these filters (empty list = all; a shard 'i/n') would run `cell`."""
    shards = filters.get("shard") or []
    if any(not in_shard(cell.cell_id, parse_shard(shard)) for shard in shards):
        return False
    return all(not filters.get(key) or value in filters[key] for key, value in
               (("provider", cell.provider), ("mode", cell.mode), ("scenario", cell.scenario)))


def compare_cells(old: RunResults, new: RunResults) -> Comparison:
    """Cell-by-cell outcome changes."""
    out = Comparison()
    filters = new.run.get("filters") or {}
    for cid in sorted(set(old.cells) | set(new.cells)):
        before, after = old.cells.get(cid), new.cells.get(cid)
        if before is None:
            out.changes.append(Change("cell", cid, "missing", _outcome_text(after), "new"))
        elif after is None:
            if selected(before, filters):
                out.changes.append(Change("cell", cid, _outcome_text(before), "missing",
                                          "regressed"))
            else:
                out.not_compared += 1
        elif measured(before) and not measured(after):
            out.changes.append(Change("cell", cid, _outcome_text(before),
                                      f"not measured: {_outcome_text(after)}", "unmeasured"))
        elif before.outcome == "pass" and after.outcome != "pass":
            out.changes.append(Change("cell", cid, "pass", _outcome_text(after), "regressed"))
        elif before.outcome != "pass" and after.outcome == "pass":
            status: Status = "improved" if measured(before) else "changed"
            out.changes.append(Change("cell", cid, _outcome_text(before), "pass", status))
        elif _outcome_text(before) != _outcome_text(after):
            out.changes.append(Change("cell", cid, _outcome_text(before), _outcome_text(after),
                                      "changed"))
    return out


def compare_levels(old: RunResults, new: RunResults) -> list[Change]:
    """Support-level changes, over the cells both runs have."""
    same = RunResults(old.run, {k: v for k, v in old.cells.items() if k in new.cells})
    before = {r.display: r for r in build_rows(same)}
    changes = []
    for row in build_rows(new):
        if row.display not in before:
            continue  # a new row: its cells are reported as new
        for column in COLUMNS:
            a, b = before[row.display].verdicts[column], row.verdicts[column]
            if Level.UNMEASURED in (a.level, b.level) or a.level is b.level:
                continue
            status: Status = "regressed" if b.level.rank < a.level.rank else "improved"
            fewer = set(b.unmeasured) - set(a.unmeasured)
            if fewer and status == "improved":
                status = "changed"  # measured on fewer cells: never an improvement
            after = f"{b.level.symbol} ({b.reason})" + (
                f"; computed from fewer cells: {len(fewer)} not measured now" if fewer else "")
            changes.append(Change("level", f"{row.display} / {column}", a.level.symbol,
                                  after, status))
    return changes


def compare(old: RunResults, new: RunResults) -> Comparison:
    """Cells and levels."""
    out = compare_cells(old, new)
    out.changes += compare_levels(old, new)
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(comparison: Comparison, hint: str) -> list[str]:
    """Syrupy-style lines: the summary, then each regression, improvement and change."""
    c = comparison
    head = (f"{_count(len(c.of('regressed', 'cell')), 'cell')} regressed, "
            f"{len(c.of('improved', 'cell'))} improved; "
            f"{_count(len(c.of('regressed', 'level')), 'support level')} regressed, "
            f"{len(c.of('improved', 'level'))} improved.")
    lost = c.of("unmeasured")
    if lost:
        head += (f" {_count(len(lost), 'cell')} could not be measured "
                 f"({', '.join(ch.key for ch in lost[:5])}{' …' if len(lost) > 5 else ''}).")
    lines = [head + (f" {hint}" if c.regressed else "")]
    for status in ("regressed", "unmeasured", "improved", "changed"):
        for ch in c.of(status):
            what = "level " if ch.kind == "level" else ""
            lines.append(f"  {status:9} {what}{ch.key}: {ch.before} → {ch.after}")
    new = c.of("new")
    if new:
        lines.append(f"  {_count(len(new), 'new cell')} (not in the baseline): "
                     + ", ".join(ch.key for ch in new[:10]) + (" …" if len(new) > 10 else ""))
    if c.not_compared:
        lines.append(f"  {_count(c.not_compared, 'baseline cell')} outside this run's filters "
                     f"(not compared)")
    return lines


def load_baseline(path: Path, *, may_be_missing: bool = False) -> RunResults | None:
    """The baseline results; None when it does not exist yet and `may_be_missing`."""
    if not path.exists():
        if may_be_missing:
            return None
        raise ResultsFileError(f"{path}: no baseline file; create it with 'conformance run "
                               f"--baseline {path} --update-baseline'")
    return load_results(path)


def updated_baseline(old: RunResults | None, new: RunResults) -> RunResults:
    """The new baseline: the new results plus the old cells the new run did not select."""
    filters = new.run.get("filters") or {}
    kept = {k: v for k, v in (old.cells if old else {}).items()
            if k not in new.cells and not selected(v, filters)}
    return RunResults(new.run, {**kept, **new.cells})


def gate(new: RunResults, old: RunResults | None, path: Path, update: bool,
         echo: Callable[[str], None]) -> int:
    """The CI gate of `conformance run --baseline`: print the comparison, exit 1 on regression."""
    comparison = compare(old, new) if old is not None else None
    if comparison is not None:
        for line in render(comparison, "Re-run with --update-baseline to accept."):
            echo(line)
    if not update:
        return 1 if comparison is not None and comparison.regressed else 0
    broken = [c.cell_id for c in new.cells.values() if c.layer == "harness"]
    if broken:
        echo(f"Not updating {path}: {_count(len(broken), 'cell')} failed in the harness "
             f"(e.g. {broken[0]}); fix the cassettes first.")
        return 1
    baseline = updated_baseline(old, new)
    baseline.write(path)
    echo(f"Baseline updated: {path} ({_count(len(baseline.cells), 'cell')}).")
    return 0
