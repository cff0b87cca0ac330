"""A synthetic drift through replay, diff and --baseline: re-answered, named, never 'improved'.

The drift is made by editing a committed cassette's recorded request (its tool_choice taken
out), as if an older litellm had recorded it: the installed litellm now sends a request no
recorded interaction matches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness.baseline import compare, compare_levels, render
from harness.cells import Cell
from harness.recording.paths import DEFAULT_CASSETTE_DIR
from harness.results import CellResult, RunResults, load_results
from harness.run.runner import Runner, RunSettings
from tests.helpers import run_cli

REPORTS = Path(__file__).resolve().parents[1] / "reports"
CELL = Cell("openai", "tools", "sync")


def _drifted(tmp_path: Path, target: str = "emulator") -> Path:
    """A cassette folder whose openai/tools/sync recording lacks tool_choice."""
    folder = tmp_path / "cassettes"
    source = DEFAULT_CASSETTE_DIR / "openai" / "tools" / "sync.yaml"
    path = folder / "openai" / "tools" / "sync.yaml"
    path.parent.mkdir(parents=True)
    shutil.copyfile(source, path)
    doc = yaml.safe_load(path.read_text())
    del doc["interactions"][0]["request"]["parsed_body"]["tool_choice"]
    doc["provenance"]["target"] = target
    doc["provenance"]["versions"]["litellm"] = "1.79.0"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return folder


def _replay(folder: Path, strict: bool = False) -> CellResult:
    runner = Runner(RunSettings(target="replay", cassette_dir=folder, strict_replay=strict))
    try:
        return runner.run_cell(CELL)
    finally:
        runner.close()


def test_a_drifted_emulator_recording_is_re_answered_with_its_drift(tmp_path: Path) -> None:
    result = _replay(_drifted(tmp_path))
    assert (result.outcome, result.layer, result.recorded_against) == ("pass", None, "emulator")
    drift = result.drift
    assert drift is not None
    assert drift["request"] == "POST /v1/chat/completions"
    assert drift["changes"] == ["tool_choice added"]
    assert drift["explanation"] == "litellm now forces the tool (tool_choice)"
    assert drift["recorded_with"]["litellm"] == "1.79.0"
    assert drift["replayed_with"]["litellm"] == result.versions["litellm"]
    assert drift["resolution"] == "re-answered"
    assert result.notes[0] == ("re-answered by the openai emulator: the request drifted from the "
                               "recording (tool_choice added: litellm now forces the tool "
                               "(tool_choice))")
    assert result.metrics["http_requests"] == 1 and result.target == "replay"


def test_strict_replay_makes_the_drift_a_failure(tmp_path: Path) -> None:
    result = _replay(_drifted(tmp_path), strict=True)
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "harness", "RequestDrift")
    assert result.message.startswith(
        "the request drifted from the recording, and --strict-replay makes that a failure: "
        "POST /v1/chat/completions: tool_choice added: litellm now forces the tool")
    assert "recorded with instructor 1.17.0, litellm 1.79.0" in result.message
    assert result.message.endswith("Re-record: conformance record --record-mode rewrite "
                                   "-p openai -m tools -s sync")


def test_a_drifted_live_recording_is_not_measured_and_says_how_to_re_record(
        tmp_path: Path) -> None:
    result = _replay(_drifted(tmp_path, target="live"))
    assert (result.outcome, result.layer, result.exception_type) == (
        "skipped", None, "RequestDrift")
    assert result.message.startswith("not measured: the request drifted from a live recording")
    assert result.message.endswith("Re-record live: conformance record --live --record-mode "
                                   "rewrite -p openai -m tools -s sync")
    assert result.drift is not None
    assert result.drift["resolution"] == "not measured: re-record live"


def test_diff_and_baseline_count_the_unmeasured_cell_and_call_nothing_improved(
        tmp_path: Path) -> None:
    folder = _drifted(tmp_path, target="live")
    out = tmp_path / "out"
    run = run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync", "--cassettes", str(folder),
                  "--out", str(out), "--baseline", str(REPORTS / "results.json"))
    assert run.code == 1, run.stderr
    assert ("0 cells regressed, 0 improved; 0 support levels regressed, 0 improved. 1 cell "
            "could not be measured (openai-tools-sync).") in " ".join(run.stderr.split())
    assert "improved " not in run.stderr.replace("0 improved", "")
    diff = run_cli("diff", str(REPORTS / "results.json"), str(out / "results.json"))
    assert diff.code == 1
    assert "unmeasured openai-tools-sync: pass → not measured: skipped RequestDrift" in diff.stdout
    comparison = compare(load_results(REPORTS / "results.json"),
                         load_results(out / "results.json"))
    assert comparison.of("improved") == [] and comparison.regressed


def _raw(mode: str, outcome: str, deltas: int = 5) -> CellResult:
    return CellResult("openai", mode, "raw_stream", outcome,  # type: ignore[arg-type]
                      exception_type="RequestDrift" if outcome == "skipped" else None,
                      metrics={"http_streams": 1, "raw_deltas": deltas})


def test_a_level_computed_from_fewer_cells_is_changed_never_improved() -> None:
    def run(*cells: CellResult) -> RunResults:
        return RunResults({}, {c.cell_id: c for c in cells})
    # json streamed its payload in one delta (⚠️ Limited); now json cannot be measured and the
    # level, from tools alone, reads ✅ Full: that is not an improvement.
    before = run(_raw("tools", "pass"), _raw("json", "pass", deltas=1))
    after = run(_raw("tools", "pass"), _raw("json", "skipped"))
    changes = compare_levels(before, after)
    assert [(c.key, c.before, c.status) for c in changes] == [
        ("OpenAI / Full Streaming", "⚠️ Limited", "changed")]
    assert changes[0].after.endswith("; computed from fewer cells: 1 not measured now")
    lines = render(compare(before, after), "hint")
    assert lines[0].startswith("0 cells regressed, 0 improved; 0 support levels regressed, "
                               "0 improved. 1 cell could not be measured (openai-json-raw_stream)")


@pytest.mark.parametrize("outcome", ["skipped"])
def test_the_report_marks_a_level_resting_on_fewer_cells(tmp_path: Path, outcome: str) -> None:
    results = RunResults({}, {c.cell_id: c for c in (_raw("tools", "pass"), _raw("json", outcome))})
    results.write(tmp_path / "results.json")
    assert run_cli("matrix", "--results", str(tmp_path / "results.json")).code == 0
    page = (tmp_path / "streaming-support.md").read_text()
    assert "| OpenAI   | ✅ Full*" in page
    assert ("\\* computed from fewer cells: 1 cell(s) could not be measured (skipped, or a "
            "harness error): `openai-json-raw_stream`.") in page


class _Unreachable:
    """An emulator host whose every emulator is a closed port on loopback: what a run sees
    when its own servers cannot be reached (the loopback interface down, as under
    `unshare -n` without `ip link set lo up`)."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def url(self, name: str, factory: object) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


UNREACHED_END = "): it is the harness's own server, not the provider; is the loopback interface up?"


def test_a_re_answer_that_cannot_reach_its_emulator_is_the_harness(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.run.settings.emulator_host", _Unreachable)
    result = _replay(_drifted(tmp_path))
    assert (result.outcome, result.layer) == ("error", "harness")
    assert result.message is not None and result.message.startswith(
        "the emulator on loopback could not be reached (ConnectionRefusedError: [Errno 111] "
        "Connection refused")
    assert result.message.endswith(UNREACHED_END)
    assert result.drift is not None and result.drift["resolution"] == "re-answered"


@pytest.mark.parametrize(("scenario", "transport"), [("sync", "ConnectionRefusedError"),
                                                      ("async", "ClientConnectorError")])
def test_an_emulator_run_that_cannot_reach_its_emulator_is_the_harness(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, transport: str) -> None:
    monkeypatch.setattr("harness.run.settings.emulator_host", _Unreachable)
    runner = Runner(RunSettings(target="emulator", cassette_dir=tmp_path, record_mode="none"))
    try:
        result = runner.run_cell(Cell("openai", "tools", scenario))
    finally:
        runner.close()
    assert (result.outcome, result.layer) == ("error", "harness"), result.message
    assert result.message is not None
    assert result.message.startswith(f"the emulator on loopback could not be reached "
                                     f"({transport}: ")
    assert result.message.endswith(UNREACHED_END)


def test_a_live_run_that_cannot_connect_is_still_the_provider(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    closed = _Unreachable().url("openai", None).rsplit("/", 1)[0] + "/v1"
    runner = Runner(RunSettings(target="live", cassette_dir=tmp_path, record_mode="none",
                                base_url=closed, timeout=5.0))
    try:
        result = runner.run_cell(CELL)
    finally:
        runner.close()
    assert (result.outcome, result.layer) == ("error", "provider"), result.message
