"""Every provider × mode × scenario cell as a test, with ids like openai-tools-partial_async.

A cell with a known failure (harness/expectations.py; the beyond pack's cells in
harness/expectations_beyond.py) is a strict xfail that only counts as expected when the cell
fails with exactly the evidence the entry names; any other result (a pass, another exception,
another layer, a harness error) fails the test and says why.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.cells import Cell, select_cells
from harness.config import load
from harness.expectations import EXPECTATIONS, Expected, expectation_for, unmet, validate
from harness.expectations_beyond import BEYOND
from harness.scenarios import configure

# The project's scenarios (the guide and the beyond pack), as `conformance run` loads them:
# loaded here too, at collection, since the pytest plugin's session configures the registry
# after the conftests it loads first.
_PROJECT = load()
configure(_PROJECT.scenarios, _PROJECT.builtin, _PROJECT.root)
CELLS = select_cells()
validate(EXPECTATIONS, [c.cell_id for c in CELLS])


class KnownFailure(AssertionError):
    """The cell failed exactly as its expectation says."""


def _param(cell: Cell) -> Any:
    entry = expectation_for(cell.cell_id)
    marks = [pytest.mark.xfail(strict=True, raises=KnownFailure, reason=entry.reason)] \
        if entry else []
    return pytest.param(cell, id=cell.cell_id, marks=marks)


def check_known(entry: Expected, result: Any) -> None:
    """Raise KnownFailure when `result` shows `entry`'s evidence; fail the test otherwise."""
    table = "harness/expectations_beyond.py" if entry in BEYOND else "harness/expectations.py"
    problem = unmet(entry, result, table)
    if problem is None:
        raise KnownFailure(f"{result.cell_id}: {entry.name}")
    pytest.fail(problem)


@pytest.mark.parametrize("cell", [_param(c) for c in CELLS])
def test_cell(cell: Cell, runner: Any, record_result: Any) -> None:
    result = runner.run_cell(cell)
    record_result(result)
    if result.outcome == "skipped":  # e.g. a live run without this provider's credentials
        pytest.skip(f"{cell.cell_id}: {result.message}")
    entry = expectation_for(cell.cell_id)
    if entry is not None:
        check_known(entry, result)
    assert result.outcome == "pass", (
        f"{cell.cell_id}: {result.outcome} (layer {result.layer}) "
        f"{result.exception_type}: {result.message}")
