"""The ladder column: the highest rung passed is the last of an unbroken run of passes from the
first; a rung that did not pass, or was not run, ends the climb."""

from __future__ import annotations

from typing import Any

import pytest

from harness.matrix.ladder import Climb, Rung, climb, climbs
from harness.reports.json_report import report_data
from harness.reports.markdown import render_detailed
from harness.results import CellResult, RunResults


def _rungs(*outcomes: str) -> list[Rung]:
    return [Rung(i, f"r{i}", o, None if o == "pass" else "provider",
                 None if o == "pass" else "BadRequestError") for i, o in enumerate(outcomes, 1)]


@pytest.mark.parametrize("outcomes,of,height,highest,stopped", [
    (("pass", "pass", "pass"), 3, 3, "r3", None),
    (("pass", "pass", "unsupported"), 3, 2, "r2",
     "r3 (rung 3): ⛔ unsupported (provider): BadRequestError"),
    (("pass", "error", "pass"), 3, 1, "r1",  # a pass above a break does not count
     "r2 (rung 2): 💥 error (provider): BadRequestError"),
    (("fail", "pass"), 2, 0, None, "r1 (rung 1): ❌ fail (provider): BadRequestError"),
    (("pass", "pass"), 4, 2, "r2", "rung 3 was not run"),  # the ladder has 4 rungs elsewhere
])
def test_the_climb_stops_at_the_first_rung_not_passed(outcomes: tuple[str, ...], of: int,
                                                      height: int, highest: str | None,
                                                      stopped: str | None) -> None:
    reached, top, why = climb(_rungs(*outcomes), of)
    assert (reached, top.scenario if top else None, why) == (height, highest, stopped)


def _cell(provider: str, mode: str, rung: int, outcome: str, **metrics: Any) -> CellResult:
    return CellResult(provider, mode, f"ladder_{rung}", outcome,  # type: ignore[arg-type]
                      layer=None if outcome == "pass" else "provider",
                      exception_type=None if outcome == "pass" else "BadRequestError",
                      metrics={"ladder": "schema", "rung": rung, **metrics})


def _run() -> RunResults:
    cells = [_cell("openai", "tools", 1, "pass"), _cell("openai", "tools", 2, "pass"),
             _cell("openai", "tools", 3, "pass"), _cell("gemini", "tools", 1, "pass"),
             _cell("gemini", "tools", 2, "unsupported"), _cell("gemini", "tools", 3, "pass"),
             _cell("gemini", "json", 2, "pass"),
             CellResult("openai", "tools", "sync", "pass")]  # not a rung: left out
    return RunResults({"target": "replay"}, {c.cell_id: c for c in cells})


def test_climbs_read_the_ladder_from_the_cells_metrics() -> None:
    assert sorted(climbs(_run().cells.values()), key=lambda c: (c.provider, c.mode)) == [
        Climb("gemini", "json", "schema", 0, 3, None, "rung 1 was not run"),
        Climb("gemini", "tools", "schema", 1, 3, "ladder_1",
              "ladder_2 (rung 2): ⛔ unsupported (provider): BadRequestError"),
        Climb("openai", "tools", "schema", 3, 3, "ladder_3", None)]
    assert Climb("o", "m", "schema", 0, 9, None, "x").text() == "none (0/9)"


def test_the_detailed_report_has_the_ladder_column() -> None:
    data = report_data(_run(), lookup=lambda model: ())
    assert [(c["provider"], c["mode"], c["text"]) for c in data["ladders"]] == [
        ("openai", "tools", "ladder_3 (3/3)"), ("gemini", "tools", "ladder_1 (1/3)"),
        ("gemini", "json", "none (0/3)")]
    page = render_detailed(data)
    assert "| provider | mode  | schema ladder: highest rung passed | stopped at" in page
    assert ("| gemini   | tools | ladder_1 (1/3)                     | ladder_2 (rung 2): "
            "⛔ unsupported (provider): BadRequestError |") in page
