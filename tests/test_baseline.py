"""The CI gate: cells and levels vs a baseline; diff and run --baseline exit 1 on regression."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.baseline import compare, gate, render, updated_baseline
from harness.results import RunResults, load_results
from tests.test_matrix_reports import _main, synthetic_results
from tests.test_support_levels import make_cell

REPO = Path(__file__).resolve().parents[1]
HINT = "Re-run with --update-baseline to accept."


def _flip(results: RunResults, cell_id: str, **changes: object) -> RunResults:
    new = copy.deepcopy(results)
    cell = new.cells[cell_id]
    for key, value in changes.items():
        if key in cell.metrics:
            cell.metrics[key] = value
        else:
            setattr(cell, key, value)
    return new


def test_pass_to_error_regresses_and_fail_to_pass_improves() -> None:
    old = synthetic_results()
    old = _flip(old, "openai-json-nested", outcome="fail", layer="litellm")
    new = _flip(old, "openai-tools-sync", outcome="error", layer="provider",
                exception_type="BadRequestError")
    new = _flip(new, "openai-json-nested", outcome="pass", layer=None)
    lines = render(compare(old, new), HINT)
    assert lines[0] == ("1 cell regressed, 1 improved; 0 support levels regressed, 0 improved. "
                        + HINT)
    assert "  regressed openai-tools-sync: pass → error (provider) BadRequestError" in lines
    assert "  improved  openai-json-nested: fail (litellm) → pass" in lines


def test_a_level_drop_regresses_and_is_named() -> None:
    old = synthetic_results()
    new = _flip(old, "openai-json-raw_stream", raw_deltas=1)
    comparison = compare(old, new)
    assert comparison.regressed
    assert render(comparison, HINT) == [
        "0 cells regressed, 0 improved; 1 support level regressed, 0 improved. " + HINT,
        "  regressed level OpenAI / Full Streaming: ✅ Full → ⚠️ Limited (streams in tools; "
        "payload in a single delta in json)"]
    assert render(compare(new, old), HINT)[0] == ("0 cells regressed, 0 improved; 0 support "
                                                 "levels regressed, 1 improved.")


def test_non_pass_changes_and_new_cells_are_not_regressions() -> None:
    old = synthetic_results()
    new = _flip(old, "azure-json_schema-raw_stream", outcome="fail")
    extra = make_cell("openai", "md_json", "sync")
    new.cells[extra.cell_id] = extra
    comparison = compare(old, new)
    assert not comparison.regressed
    lines = render(comparison, HINT)
    assert "  changed   azure-json_schema-raw_stream: error (litellm) APIError → fail (litellm) " \
           "APIError" in lines
    assert "  1 new cell (not in the baseline): openai-md_json-sync" in lines


def test_a_missing_cell_regresses_only_when_the_run_selects_it() -> None:
    old = synthetic_results()
    new = copy.deepcopy(old)
    del new.cells["mistral-json-sync"]
    assert "  regressed mistral-json-sync: pass → missing" in render(compare(old, new), HINT)
    new.run["filters"] = {"provider": ["openai"], "mode": [], "scenario": []}
    new.cells = {k: v for k, v in new.cells.items() if v.provider == "openai"}
    comparison = compare(old, new)
    assert not comparison.regressed and comparison.not_compared == 33


def test_a_filtered_run_is_compared_over_the_same_cells() -> None:
    # Only json cells: partial streaming is judged on json alone in both runs, no level change.
    old = synthetic_results()
    new = copy.deepcopy(old)
    new.run["filters"] = {"provider": [], "mode": ["json"], "scenario": []}
    new.cells = {k: v for k, v in new.cells.items() if v.mode == "json"}
    assert compare(old, new).changes == []


def test_update_keeps_baseline_cells_outside_the_filters() -> None:
    old = synthetic_results()
    new = RunResults({"filters": {"provider": ["openai"], "mode": [], "scenario": []}},
                     {k: v for k, v in old.cells.items() if v.provider == "openai"})
    del new.cells["openai-json-sync"]
    merged = updated_baseline(old, new)
    assert "mistral-json-sync" in merged.cells and "openai-json-sync" not in merged.cells


# --- the commands -----------------------------------------------------------------------------

def test_diff_command_exits_1_and_names_the_flipped_cell(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    synthetic_results().write(tmp_path / "old.json")
    data = json.loads((tmp_path / "old.json").read_text())
    cell = next(c for c in data["cells"] if c["id"] == "azure-tools-partial_async")
    cell.update(outcome="error", layer="litellm", exception_type="APIConnectionError")
    (tmp_path / "new.json").write_text(json.dumps(data))
    assert _main("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")) == 1
    out = capsys.readouterr().out
    assert out.startswith("1 cell regressed, 0 improved; 1 support level regressed, 0 improved."
                          " Re-run with --update-baseline to accept")
    assert "  regressed azure-tools-partial_async: pass → error (litellm) APIConnectionError" in out
    assert "  regressed level Azure / Async Support: ✅ Full → ⚠️ Limited" in out
    assert "Partial Streaming" not in out  # still ⚠️ Limited: json streams partials
    assert _main("diff", str(tmp_path / "old.json"), str(tmp_path / "old.json")) == 0


def test_diff_with_a_corrupt_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.json").write_text("[1, 2")
    assert _main("diff", str(tmp_path / "bad.json"), str(tmp_path / "bad.json")) == 2
    assert "unreadableresultsfile" in "".join(capsys.readouterr().err.split())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from harness.cli import main; main()", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_gate_updates_the_baseline_and_refuses_broken_cells(tmp_path: Path) -> None:
    lines: list[str] = []
    path = tmp_path / "baseline.json"
    assert gate(synthetic_results(), None, path, True, lines.append) == 0
    assert lines == [f"Baseline updated: {path} (49 cells)."]
    assert load_results(path).cells.keys() == synthetic_results().cells.keys()
    broken = _flip(synthetic_results(), "openai-tools-sync", outcome="error", layer="harness")
    lines.clear()
    assert gate(broken, load_results(path), path, True, lines.append) == 1
    assert lines[-1] == (f"Not updating {path}: 1 cell failed in the harness "
                         f"(e.g. openai-tools-sync); fix the cassettes first.")
    assert load_results(path).cells["openai-tools-sync"].outcome == "pass"


@pytest.mark.parametrize("extra,needle", [
    (("--baseline", "{tmp}/none.json"), "no baseline file; create it with 'conformance run "
                                        "--baseline {tmp}/none.json --update-baseline'"),
    (("--update-baseline",), "--update-baseline needs --baseline FILE"),
    (("--baseline", "{tmp}/bad.json"), "unreadable results file"),
])
def test_bad_baseline_options_exit_2_before_running(tmp_path: Path, extra: tuple[str, ...],
                                                    needle: str,
                                                    capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.json").write_text("{")
    args = [a.format(tmp=tmp_path) for a in extra]
    assert _main("run", "-p", "openai", "--out", str(tmp_path / "out"), *args) == 2
    # Rich wraps long lines anywhere, even inside a path: compare without whitespace.
    assert "".join(needle.format(tmp=tmp_path).split()) in "".join(capsys.readouterr().err.split())
    assert not (tmp_path / "out" / "results.json").exists()  # failed fast: nothing ran


def test_run_baseline_gate_end_to_end(tmp_path: Path) -> None:
    # A deliberately broken baseline: it claims the sync partial cell passed.
    cells = [make_cell("openai", "tools", "sync"), make_cell("openai", "tools", "partial_sync")]
    base = tmp_path / "baseline.json"
    RunResults({"filters": {}}, {c.cell_id: c for c in cells}).write(base)
    out = tmp_path / "out"
    proc = _cli("run", "-p", "openai", "-m", "tools", "-s", "sync", "-s", "partial_sync",
                "--out", str(out), "--baseline", str(base))
    assert proc.returncode == 1, proc.stderr
    err = " ".join(proc.stderr.split())
    assert "1 cell regressed, 0 improved; 1 support level regressed, 0 improved. " + HINT in err
    assert "regressed openai-tools-partial_sync: pass → error (instructor) ContractViolation" in err
    assert "regressed level OpenAI / Partial Streaming: ⚠️ Limited → ❌ None" in err
    for name in ("streaming-support.md", "streaming-support.html", "streaming-support.json",
                 "detailed.md"):
        assert (out / name).is_file(), name
    assert json.loads((out / "streaming-support.json").read_text())["baseline"]["regressed"]
