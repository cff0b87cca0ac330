"""A run against the committed results, exactly: every cell's verdict and every support level.

The CI gate of the repository itself (`conformance run --expect reports/results.json`): any
change of a cell's outcome, layer, exception type or streaming flags, or of a support level,
fails the build and names the command that accepts it. Unlike the baseline gate it has no
direction: an improvement is a change too, to be looked at and committed on purpose.
"""

from __future__ import annotations

from typing import Any

from harness.baseline import selected
from harness.matrix.levels import iterable_incremental, partial_incremental, raw_grade
from harness.matrix.rows import build_rows
from harness.matrix.rules import COLUMNS
from harness.results import CellResult, RunResults


def fingerprint(cell: CellResult) -> dict[str, Any]:
    """What the gate compares of one cell."""
    out: dict[str, Any] = {"outcome": cell.outcome, "layer": cell.layer,
                           "exception": cell.exception_type}
    if cell.scenario.startswith("partial"):
        out["incremental"] = partial_incremental(cell)
    elif cell.scenario.startswith("iterable"):
        out["incremental"] = iterable_incremental(cell)
    elif cell.scenario == "raw_stream":
        out["raw_stream"] = raw_grade(cell)
    return out


def _text(value: dict[str, Any] | None) -> str:
    if value is None:
        return "missing"
    return ", ".join(f"{k}={v}" for k, v in value.items())


def differences(expected: RunResults, actual: RunResults) -> list[str]:
    """One line per cell or support level that differs (empty: identical).

    A filtered run is compared with the expected cells its filters select, and its levels
    with the levels those cells give.
    """
    filters = actual.run.get("filters") or {}
    expected = RunResults(expected.run, {k: c for k, c in expected.cells.items()
                                         if selected(c, filters)})
    lines = []
    for cid in sorted(set(expected.cells) | set(actual.cells)):
        before = fingerprint(expected.cells[cid]) if cid in expected.cells else None
        after = fingerprint(actual.cells[cid]) if cid in actual.cells else None
        if before != after:
            lines.append(f"cell {cid}: {_text(before)} → {_text(after)}")
    levels = {r.display: r for r in build_rows(expected)}
    for row in build_rows(actual):
        old = levels.pop(row.display, None)
        for column in COLUMNS:
            was = old.verdicts[column].level.symbol if old else "missing"
            now = row.verdicts[column].level.symbol
            if was != now:
                lines.append(f"level {row.display} / {column}: {was} → {now} "
                             f"({row.verdicts[column].reason})")
    lines += [f"level row {display}: present → missing" for display in levels]
    return lines
