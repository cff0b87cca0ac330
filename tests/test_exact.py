"""The exact gate against committed results: any verdict or level change, in either direction."""

from __future__ import annotations

import json
from pathlib import Path

from harness.exact import differences
from harness.results import CellResult, RunResults, load_results
from tests.helpers import run_cli

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def _cell(scenario: str, outcome: str = "pass", **metrics: object) -> CellResult:
    return CellResult("openai", "tools", scenario, outcome,  # type: ignore[arg-type]
                      layer=None if outcome == "pass" else "instructor",
                      exception_type=None if outcome == "pass" else "ContractViolation",
                      metrics=dict(metrics))


def _run(*cells: CellResult, filters: dict | None = None) -> RunResults:
    return RunResults({"filters": filters or {}}, {c.cell_id: c for c in cells})


def test_identical_runs_have_no_difference() -> None:
    cells = (_cell("sync"), _cell("partial_async", incremental=True, http_streams=1))
    assert differences(_run(*cells), _run(*cells)) == []


def test_an_improvement_is_a_difference_too() -> None:
    before = _run(_cell("sync", "error"))
    after = _run(_cell("sync"))
    assert differences(before, after) == [
        "cell openai-tools-sync: outcome=error, layer=instructor, exception=ContractViolation"
        " → outcome=pass, layer=None, exception=None"]


def test_a_streaming_flag_change_is_named() -> None:
    before = _run(_cell("partial_async", incremental=False, http_streams=1))
    after = _run(_cell("partial_async", incremental=True, http_streams=1))
    found = differences(before, after)
    assert found[0] == ("cell openai-tools-partial_async: outcome=pass, layer=None, "
                        "exception=None, incremental=False → outcome=pass, layer=None, "
                        "exception=None, incremental=True")


def test_a_level_change_is_named() -> None:
    def async_pair(outcome: str) -> RunResults:
        return _run(_cell("sync"), _cell("async", outcome))
    found = differences(async_pair("pass"), async_pair("error"))
    assert "level OpenAI / Async Support: ✅ Full → ❌ None (no async scenario passes)" in found


def test_a_missing_cell_is_named_and_unselected_cells_are_ignored() -> None:
    both = (_cell("sync"), _cell("async"))
    assert differences(_run(*both), _run(both[0])) == [
        "cell openai-tools-async: outcome=pass, layer=None, exception=None → missing",
        "level OpenAI / Async Support: ✅ Full → ➖ Not measured (no async cell was run)"]
    assert differences(_run(*both), _run(both[0], filters={"scenario": ["sync"]})) == []


def test_run_expect_fails_on_a_changed_committed_result(tmp_path: Path) -> None:
    committed = load_results(REPORTS / "results.json")
    cell = committed.cells["openai-tools-sync"]
    cell.outcome, cell.layer, cell.exception_type = "error", "litellm", "APIError"
    expected = tmp_path / "expected" / "results.json"
    committed.write(expected)
    outcome = run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync", "-s", "async",
                      "--out", str(tmp_path / "out"), "--expect", str(expected))
    assert outcome.code == 1
    assert ("cell openai-tools-sync: outcome=error, layer=litellm, exception=APIError → "
            "outcome=pass, layer=None, exception=None") in outcome.stderr
    assert f"accept them: conformance run --out {expected.parent}" in outcome.stderr
    same = run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync",
                   "--out", str(tmp_path / "out2"), "--expect", str(REPORTS / "results.json"))
    assert same.code == 0, same.stderr
    assert "identical to" in same.stderr
    assert json.loads((tmp_path / "out2" / "results.json").read_text())["cells"]
