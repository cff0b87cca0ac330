"""`conformance validate`: go for a healthy provider, no-go when faults are on; the go rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.emulators.server import emulator_host
from harness.gonogo import decide
from harness.results import CellResult
from tests.helpers import emulator_as_live, run_cli


def _r(scenario: str, outcome: str, layer: str | None = None, mode: str = "tools",
       message: str | None = None, exception: str = "X") -> CellResult:
    return CellResult("openai", mode, scenario, outcome, layer=layer, message=message,
                      exception_type=exception if outcome in ("fail", "error") else None)


_ASYNC_GEN = "sync create_partial() returned async_generator, not an iterator"


@pytest.mark.parametrize("cells,explicit,go,blocking", [
    ([_r("sync", "pass"), _r("async", "pass")], (), True, []),
    # A known upstream bug in a library layer, with its evidence, does not stop a deploy ...
    ([_r("sync", "pass"), _r("partial_sync", "error", "instructor", message=_ASYNC_GEN,
                             exception="ContractViolation")], (), True, []),
    # ... but another failure of the same cell does, even in the same layer ...
    ([_r("partial_sync", "error", "instructor", message="boom")], (), False,
     ["openai-tools-partial_sync"]),
    # ... and so does a provider error.
    ([_r("partial_sync", "error", "provider", message=_ASYNC_GEN,
         exception="ContractViolation")], (), False, ["openai-tools-partial_sync"]),
    ([_r("sync", "fail", "litellm")], (), False, ["openai-tools-sync"]),
    ([_r("sync", "pass"), _r("sync", "unsupported", "litellm", mode="json")], (), True, []),
    ([_r("sync", "unsupported", "litellm", mode="json")], ("json",), False, ["openai-json-sync"]),
    ([_r("sync", "skipped", message="needs credentials")], (), False, ["openai-tools-sync"]),
    ([], (), False, []),  # nothing validated is not a go
])
def test_go_rule(cells: list[CellResult], explicit: tuple[str, ...], go: bool,
                 blocking: list[str]) -> None:
    decided, verdicts = decide(cells, explicit)
    assert decided is go
    assert [v.cell for v in verdicts if v.blocking] == blocking


@pytest.fixture
def live_openai(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = emulator_as_live(["openai"], tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    emulator_host().clear_faults()
    yield
    emulator_host().clear_faults()


ARGS = ("validate", "-p", "openai", "-m", "tools", "-s", "sync", "-s", "partial_async",
        "-s", "partial_sync", "--timeout", "10")


def test_a_healthy_provider_is_a_go_and_nothing_is_written(live_openai: None,
                                                           tmp_path: Path) -> None:
    outcome = run_cli(*ARGS, "--json", "--cassettes", str(tmp_path / "cassettes"))
    assert outcome.code == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["go"] is True and report["blocking"] == []
    assert report["reported_models"] == ["gpt-4o-mini-2024-07-18"]
    assert report["counts"] == {"pass": 2, "error": 1}
    known = next(c for c in report["cells"] if c["scenario"] == "partial_sync")
    assert known["why"].startswith("known upstream failure: instructor 1.17 bug")
    assert not (tmp_path / "cassettes").exists()


def test_faults_switched_on_make_it_a_no_go(live_openai: None, tmp_path: Path) -> None:
    emulator_host().inject("openai", "unavailable", count=100)
    outcome = run_cli(*ARGS, "--retries", "0")
    assert outcome.code == 1
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith("NO-GO: openai openai/gpt-4o-mini — 3 cells: 3 error")
    blocked = [line for line in lines if line.startswith("| BLOCK")]
    assert len(blocked) == 3 and all("error (provider)" in line and "ServiceUnavailableError"
                                     in line for line in blocked)


def test_record_writes_the_cassettes_it_validated(live_openai: None, tmp_path: Path) -> None:
    outcome = run_cli("validate", "-p", "openai", "-m", "json", "-s", "sync", "--record",
                      "--cassettes", str(tmp_path / "c"), "--out", str(tmp_path / "o"))
    assert outcome.code == 0, outcome.stderr
    assert "  target: live\n" in (tmp_path / "c" / "openai" / "json" / "sync.yaml").read_text()
    assert json.loads((tmp_path / "o" / "results.json").read_text())["cells"][0]["outcome"] \
        == "pass"


def test_missing_credentials_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    outcome = run_cli("validate", "-p", "azure")
    assert outcome.code == 2
    assert outcome.stderr == ("error: provider 'azure' needs credentials: set AZURE_API_KEY, "
                              "AZURE_API_BASE, AZURE_API_VERSION\n")
