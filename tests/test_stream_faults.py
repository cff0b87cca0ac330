"""Faults in a stream's own grammar on the OpenAI-compatible wires: a flood of SSE comments that
never finishes, and a mid-stream error event in the provider's own shape (Groq's `event: error`,
OpenRouter's in-chunk `error`, else an OpenAI-style `error` chunk). Each ends as `error` at the
provider layer with a wire fault, never `fail` or `unsupported`, and replays the same; and the
evidence reads the real streams that broke off that way as faults, and no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cells import Cell
from harness.emulators.families import ANY_WIRE
from harness.emulators.server import emulator_host
from harness.recording.evidence import wire_fault
from harness.recording.paths import cassette_path
from harness.run.runner import Runner, RunSettings
from tests import wire_samples
from tests.helpers import emulator_as_live

NEW = ("groq", "openrouter", "deepseek", "xai", "together")
SYNC, STREAM = "sync", "partial_async"
_ERROR_EVENT = "is the provider's error event ("
_UNFINISHED = "the stream ended without a terminal event after "
# provider, fault, mode, scenario -> fragments the wire fault must hold.
CASES = [
    ("groq", "stream_error_event", "tools", STREAM, (_ERROR_EVENT + "tool_use_failed: ",)),
    ("groq", "stream_error_event", "md_json", STREAM, (_ERROR_EVENT + "json_validate_failed",)),
    ("openrouter", "stream_error_event", "tools", STREAM, (_ERROR_EVENT + "502: Upstream",)),
    ("openrouter", "stream_error_event", "json", SYNC, ("HTTP 200 body is the provider's error",)),
    ("xai", "stream_error_event", "tools", STREAM, (_ERROR_EVENT + "server_error: ",)),
    ("together", "stream_error_event", "tools", STREAM, (_ERROR_EVENT + "server_error: ",)),
    ("openrouter", "comment_flood", "tools", STREAM, (_UNFINISHED, " comment line(s)")),
    ("groq", "comment_flood", "tools", STREAM, (_UNFINISHED, " comment line(s)")),
    ("deepseek", "comment_flood", "md_json", STREAM, (_UNFINISHED, " comment line(s)")),
    ("together", "comment_flood", "json", STREAM, (_UNFINISHED, " comment line(s)")),
    ("xai", "comment_flood", "tools", SYNC, (_UNFINISHED + "0 event(s), kept open by 40",)),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env, _ = emulator_as_live(list(NEW), tmp_path_factory.mktemp("keys"))
    return env


@pytest.fixture
def live_env(live: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live.items():
        monkeypatch.setenv(key, value)
    emulator_host().clear_faults()
    yield
    emulator_host().clear_faults()


@pytest.mark.parametrize("provider,fault,mode,scenario,fragments", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_each_stream_fault_is_a_provider_error_with_a_wire_fault(
        live_env: None, tmp_path: Path, provider: str, fault: str, mode: str, scenario: str,
        fragments: tuple[str, ...]) -> None:
    emulator_host().inject(provider, fault)
    runner = Runner(RunSettings(target="live", cassette_dir=tmp_path, timeout=10.0))
    result = runner.run_cell(Cell(provider, mode, scenario))
    runner.close()
    assert (result.outcome, result.layer) == ("error", "provider"), result.message
    found = str(result.metrics.get("wire_fault"))
    assert all(fragment in found for fragment in fragments), found
    assert not result.metrics.get("transient")
    assert cassette_path(tmp_path, provider, mode, scenario).is_file()
    replay = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
    again = replay.run_cell(Cell(provider, mode, scenario))
    replay.close()
    assert (again.outcome, again.layer, again.metrics.get("wire_fault")) == (
        "error", "provider", result.metrics["wire_fault"])


@pytest.mark.parametrize("provider", NEW)
def test_real_streams_that_broke_off_with_an_error_are_faults_and_no_other(
        provider: str) -> None:
    checked = broken = 0
    for ex in wire_samples.load_all(provider):
        if ex.status >= 400 or not ex.content_type:
            continue
        response = {"status": {"code": ex.status}, "body": {"string": ex.body},
                    "headers": {"content-type": [ex.content_type]}}
        fault = wire_fault([(None, response)], ANY_WIRE)
        if wire_samples.broke_off(ex):
            broken += 1
            assert fault is not None and _ERROR_EVENT in fault, ex.source
        else:
            assert fault is None, (ex.source, fault)
        checked += 1
    assert checked
    # Groq's tool_use_failed stream and OpenRouter's token-limit error stream.
    assert broken == (1 if provider in ("groq", "openrouter") else 0)
