"""Every provider × mode × scenario cell as a test, with ids like openai-tools-partial_async."""

from __future__ import annotations

import pytest

from harness.cells import Cell, select_cells
from harness.expectations import EXPECTED_FAILURES, expected_failure, validate

CELLS = select_cells()
validate(EXPECTED_FAILURES, [c.cell_id for c in CELLS])


def _param(cell: Cell) -> object:
    reason = expected_failure(cell.cell_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(cell, id=cell.cell_id, marks=marks)


@pytest.mark.parametrize("cell", [_param(c) for c in CELLS])
def test_cell(cell: Cell, runner, record_result) -> None:
    result = runner.run_cell(cell)
    record_result(result)
    if result.outcome == "skipped":  # e.g. a live run without this provider's credentials
        pytest.skip(f"{cell.cell_id}: {result.message}")
    assert result.outcome == "pass", (
        f"{cell.cell_id}: {result.outcome} (layer {result.layer}) "
        f"{result.exception_type}: {result.message}")
