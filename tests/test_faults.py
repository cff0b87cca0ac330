"""Faults injected into the emulators (as a live target) end as `error` at the provider layer,
with the status or the reason, never `fail` or `unsupported`; retries recover what they can."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from harness.cells import Cell
from harness.emulators.families import ANY_WIRE
from harness.emulators.server import emulator_host
from harness.providers import get_provider
from harness.recording import serializer as fmt
from harness.recording.evidence import wire_fault
from harness.recording.paths import DEFAULT_CASSETTE_DIR, cassette_path
from harness.run.retry import RetryBudget, RetryPolicy, backoff
from harness.run.runner import Runner, RunSettings
from harness.run.session import SessionOptions, run_session
from tests import wire_samples
from tests.helpers import emulator_as_live

SYNC, STREAM = "sync", "partial_async"
# fault, params, scenario -> what the result must say (metric, expected prefix).
FAULTS = [
    ("rate_limit", {"retry_after": 1}, SYNC, "http_status", 429),
    ("server_error", {}, SYNC, "http_status", 500),
    ("unavailable", {}, STREAM, "http_status", 503),
    ("html", {"status": 502}, SYNC, "http_status", 502),
    ("slow", {"seconds": 8}, SYNC, "transient", "timeout"),
    ("reset", {}, SYNC, "transient", "connection reset"),
    ("disconnect_mid_stream", {}, STREAM, "transient", "connection dropped mid-response"),
    ("malformed_chunk", {}, STREAM, "wire_fault", "malformed JSON in stream event"),
    ("malformed_chunk", {}, SYNC, "wire_fault", "malformed JSON body"),
    ("truncated_stream", {}, STREAM, "wire_fault", "the stream ended without a terminal event"),
    ("html", {}, SYNC, "wire_fault", "HTTP 200 answered with an HTML page"),
    ("html", {}, STREAM, "wire_fault", "HTTP 200 answered with an HTML page"),
    ("wrong_shape", {}, SYNC, "wire_fault", "valid JSON of the wrong shape"),
    ("wrong_shape", {}, STREAM, "wire_fault", "valid JSON of the wrong shape"),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The emulators as the live target, with planted keys in the real variables."""
    env, _ = emulator_as_live(["openai", "anthropic"], tmp_path_factory.mktemp("keys"))
    return env


@pytest.fixture
def live_env(live: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live.items():
        monkeypatch.setenv(key, value)
    emulator_host().clear_faults()
    yield
    emulator_host().clear_faults()


def _settings(folder: Path) -> RunSettings:
    # A wall-clock bound on the whole call: room for a first call under load, below `slow`.
    return RunSettings(target="live", cassette_dir=folder, timeout=5.0)


@pytest.mark.parametrize("fault,params,scenario,metric,expected", FAULTS,
                         ids=[f"{f[0]}-{f[2]}" + ("-" + str(f[1].get("status")) if "status"
                                                  in f[1] else "") for f in FAULTS])
def test_each_fault_is_a_provider_error_never_a_fail(live_env: None, tmp_path: Path, fault: str,
                                                     params: dict, scenario: str, metric: str,
                                                     expected: object) -> None:
    emulator_host().inject("openai", fault, count=1, **params)
    runner = Runner(_settings(tmp_path))
    result = runner.run_cell(Cell("openai", "tools", scenario))
    runner.close()
    assert (result.outcome, result.layer) == ("error", "provider"), result.message
    value = result.metrics.get(metric)
    assert value == expected if isinstance(expected, int) else str(value).startswith(expected)
    transient = metric != "wire_fault"
    assert bool(result.metrics.get("transient")) is transient
    # Transient attempts are never written; a broken answer is, and replays the same way.
    path = cassette_path(tmp_path, "openai", "tools", scenario)
    assert path.is_file() is not transient
    if not transient:
        replay = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
        again = replay.run_cell(Cell("openai", "tools", scenario))
        replay.close()
        assert (again.outcome, again.layer, again.metrics.get("wire_fault")) == (
            "error", "provider", result.metrics["wire_fault"])


@pytest.mark.parametrize("provider,fault,params,scenario", [
    ("openai", "rate_limit", {"retry_after": 1}, SYNC),
    ("openai", "server_error", {}, STREAM),
    ("openai", "unavailable", {}, SYNC),
    ("openai", "reset", {}, STREAM),
    ("openai", "slow", {"seconds": 8}, SYNC),
    ("openai", "disconnect_mid_stream", {}, STREAM),
    ("anthropic", "unavailable", {}, STREAM),
])
def test_retries_recover_and_the_cassette_holds_only_the_good_attempt(
        live_env: None, tmp_path: Path, provider: str, fault: str, params: dict,
        scenario: str) -> None:
    emulator_host().inject(provider, fault, count=1, **params)
    cell = Cell(provider, "tools", scenario)
    options = SessionOptions(record_mode="rewrite", quiet=True,
                             retry=RetryPolicy(max_retries=2, base_s=0.01, cap_s=0.05))
    from rich.console import Console
    outcome = run_session([cell], _settings(tmp_path), options, tmp_path / "out",
                          Console(file=io.StringIO()), {})
    result = outcome.cells[cell.cell_id]
    assert result.outcome == "pass", result.message
    assert result.metrics["retries"] == 1 and outcome.retries == 1
    assert result.notes[-1].startswith("recovered after 1 retry (")
    if fault == "rate_limit":
        assert result.metrics["retry_reasons"] == ["HTTP 429"]
    doc = fmt.load_yaml(cassette_path(tmp_path, provider, "tools", scenario).read_text(), "c")
    statuses = [i["response"]["status"]["code"] for i in doc["interactions"]]
    assert statuses == [200]


def test_retry_after_is_honoured_and_backoff_is_bounded() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=8.0, max_wait_s=30.0)
    assert backoff(policy, 1, None, rand=0.0) == 0.5 and backoff(policy, 1, None, rand=1.0) == 1.0
    assert backoff(policy, 6, None, rand=1.0) == 8.0  # capped
    assert backoff(policy, 1, 7.0, rand=0.0) == 7.0  # never sooner than Retry-After
    assert backoff(policy, 1, 31.0) is None  # too long to wait: the cell ends in error
    budget = RetryBudget(RetryPolicy(max_retries=5, budget=2))
    metrics = {"transient": "HTTP 503"}
    assert [budget.decide(f"c{i}", metrics, "live") is not None for i in range(3)] == [
        True, True, False]  # the run's budget is shared by every cell
    assert budget.decide("c0", {"transient": None}, "live") is None
    assert budget.decide("c0", metrics, "replay") is None


def test_a_cell_out_of_retries_ends_in_error_with_the_status(live_env: None,
                                                            tmp_path: Path) -> None:
    emulator_host().inject("openai", "unavailable", count=5)
    cell = Cell("openai", "json", SYNC)
    options = SessionOptions(record_mode="rewrite", quiet=True,
                             retry=RetryPolicy(max_retries=2, base_s=0.01, cap_s=0.02))
    from rich.console import Console
    outcome = run_session([cell], _settings(tmp_path), options, tmp_path / "out",
                          Console(file=io.StringIO()), {})
    result = outcome.cells[cell.cell_id]
    assert (result.outcome, result.layer, result.metrics["http_status"]) == (
        "error", "provider", 503)
    assert result.metrics["retries"] == 2
    assert result.notes[-1] == ("transient failure, not retried further: 2 retries per cell "
                                "spent")
    assert not cassette_path(tmp_path, "openai", "json", SYNC).exists()
    assert emulator_host().faults.pending("openai") == 2  # 1 attempt + 2 retries used 3


def test_truncated_stream_of_another_wire_family_is_a_provider_error(live_env: None,
                                                                    tmp_path: Path) -> None:
    emulator_host().inject("anthropic", "truncated_stream")
    runner = Runner(_settings(tmp_path))
    result = runner.run_cell(Cell("anthropic", "tools", STREAM))
    runner.close()
    assert (result.outcome, result.layer) == ("error", "provider")
    assert result.metrics["wire_fault"].startswith("the stream ended without a terminal event")


@pytest.mark.parametrize("scenario,expected", [
    (STREAM, "malformed JSON in stream line 2"), (SYNC, "malformed JSON body")])
def test_an_ndjson_stream_cut_mid_line_is_a_provider_wire_fault(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, expected: str) -> None:
    # Ollama's native stream (NDJSON): its second and last line cut in half, the connection
    # then closed cleanly. litellm skips a line it cannot parse; the evidence does not.
    env, _ = emulator_as_live(["ollama"], tmp_path / "keys")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    emulator_host().clear_faults("ollama")
    emulator_host().inject("ollama", "cut_mid_line")
    runner = Runner(_settings(tmp_path))
    result = runner.run_cell(Cell("ollama", "tools", scenario))
    runner.close()
    emulator_host().clear_faults("ollama")
    assert (result.outcome, result.layer) == ("error", "provider"), result.message
    assert result.metrics["wire_fault"].startswith(expected)
    assert not result.metrics.get("transient")


def test_no_committed_cassette_looks_like_a_fault() -> None:
    # The fault evidence must not fire on any whole answer our emulators or a live model sent.
    committed = 0
    for path in sorted(DEFAULT_CASSETTE_DIR.rglob("*.yaml")):
        doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        vcr_dict, _ = fmt.from_document(doc, str(path))
        pairs = [(i["request"], i["response"]) for i in vcr_dict["interactions"]]
        wire = get_provider(path.relative_to(DEFAULT_CASSETTE_DIR).parts[0]).wire
        assert wire_fault(pairs, wire) is None, path
        committed += 1
    assert committed > 100


def test_no_real_recording_looks_like_a_fault() -> None:
    # Nor on any whole answer a real provider sends: every real sample with a success status.
    real = 0
    for provider in ("openai", "azure", "mistral", "anthropic", "bedrock", "cohere", "gemini",
                     "vertex"):
        for ex in wire_samples.load_all(provider):
            if ex.status < 400:
                real += 1
                response = {"status": {"code": ex.status}, "body": {"string": ex.body},
                            "headers": {"content-type": [ex.content_type]}}
                # A provider's folder may hold several of its wires (Cohere v1 and v2): the union.
                assert wire_fault([(None, response)], ANY_WIRE) is None, ex.source
    assert real > 50
