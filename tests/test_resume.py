"""A recording run killed mid-way keeps every finished cell; --resume completes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.emulators.server import emulator_host
from harness.recording import serializer as fmt
from harness.results import CellResult, load_results
from harness.run import journal
from tests.helpers import emulator_as_live, run_cli

REPO = Path(__file__).resolve().parents[1]
FILTERS = ["-p", "openai", "-m", "json", "-m", "tools", "-s", "sync", "-s", "async",
           "-s", "nested", "-s", "partial_async"]
TOTAL = 8


def _journal_cells(path: Path) -> int:
    try:
        return max(0, path.read_bytes().count(b"\n") - 1)
    except FileNotFoundError:
        return 0


def test_sigkill_keeps_finished_cells_and_resume_completes_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = emulator_as_live(["openai"], tmp_path)
    out, cassettes = tmp_path / "out", tmp_path / "cassettes"
    args = ["record", "--live", *FILTERS, "--out", str(out), "--cassettes", str(cassettes)]
    host = emulator_host()
    host.clear_faults()
    host.inject("openai", "delay", count=1000, seconds=0.4)  # slow enough to kill mid-way
    proc = subprocess.Popen([sys.executable, "-c", "from harness.cli import main; main()",
                             *args], cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = journal.journal_path(out)
    deadline = time.monotonic() + 120
    while _journal_cells(path) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    host.clear_faults()
    assert proc.returncode == -signal.SIGKILL

    # Everything finished before the kill is intact: journal lines and cassettes parse.
    _, kept = journal.load(path)
    assert 3 <= len(kept) < TOTAL
    assert all(c.outcome in ("pass", "error") and c.target == "live" for c in kept.values())
    for yaml_file in cassettes.rglob("*.yaml"):
        text = yaml_file.read_text()
        fmt.from_document(fmt.load_yaml(text, str(yaml_file)), str(yaml_file))
    for cell in kept.values():
        assert (cassettes / "openai" / cell.mode / f"{cell.scenario}.yaml").is_file()
    assert not (out / "results.json").exists()  # the kill came before the final write

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    resumed = run_cli(*args, "--resume")
    assert resumed.code == 0, resumed.stderr
    assert f"resuming: {len(kept)} cell(s) already in" in resumed.stderr
    results = load_results(out / "results.json")
    assert len(results.cells) == TOTAL
    assert results.run["resumed_cells"] == len(kept)
    for cell_id, before in kept.items():  # taken from the journal, not re-run
        assert results.cells[cell_id].finished_at == before.finished_at
    # Complete now: results.json holds every cell and the journal is gone.
    assert not path.exists()
    assert json.loads((out / "results.json").read_text())["run"]["interrupted"] is False


def _cell(scenario: str) -> CellResult:
    return CellResult("openai", "json", scenario, "pass", target="live")


def test_a_line_cut_by_a_kill_is_ignored_and_its_cell_runs_again(tmp_path: Path) -> None:
    path = tmp_path / journal.JOURNAL_NAME
    journal.start(path, {"target": "live"})
    journal.append(path, _cell("sync"))
    with path.open("a") as fh:
        fh.write('{"id": "openai-json-async", "provider": "op')  # no newline: cut mid-write
    run, cells = journal.load(path)
    assert run == {"target": "live"} and list(cells) == ["openai-json-sync"]


@pytest.mark.parametrize("content,expected", [
    ('{"journal_version": 9, "run": {}}\n', "journal format version 9, this harness reads 1"),
    ('{"results_version": 1, "cells": []}\n', "journal format version None"),
    ('{"journal_version": 1, "run": {}}\nnot json\n{}\n', ":2: corrupt journal line"),
])
def test_an_unusable_journal_is_a_clear_error(tmp_path: Path, content: str,
                                              expected: str) -> None:
    path = tmp_path / journal.JOURNAL_NAME
    path.write_text(content)
    with pytest.raises(Exception) as info:
        journal.load(path)
    assert expected in str(info.value) and "run without --resume" in str(info.value)


def test_ctrl_c_keeps_finished_cells_and_never_saves_half_a_cell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.run.runner as runner_module

    real = runner_module.run_scenario
    calls: list[str] = []

    def interrupted_second_cell(scenario, *args):  # type: ignore[no-untyped-def]
        calls.append(scenario.name)
        real(scenario, *args)  # the requests really go out and are recorded...
        if len(calls) == 2:
            raise KeyboardInterrupt  # ...then Ctrl-C lands before the cell ends

    monkeypatch.setattr(runner_module, "run_scenario", interrupted_second_cell)
    out, cassettes = tmp_path / "out", tmp_path / "cassettes"
    outcome = run_cli("record", "-p", "openai", "-m", "json", "-s", "sync", "-s", "async",
                      "-s", "nested", "--out", str(out), "--cassettes", str(cassettes))
    assert outcome.code == 130
    assert "interrupted: 1 of 3 cells finished and kept; continue with the same command " \
           "and --resume" in " ".join(outcome.stderr.split())
    results = load_results(out / "results.json")
    assert list(results.cells) == ["openai-json-sync"] and results.run["interrupted"] is True
    assert sorted(p.name for p in cassettes.rglob("*.yaml")) == ["sync.yaml"]
    assert list(journal.load(journal.journal_path(out))[1]) == ["openai-json-sync"]


def test_the_scheduler_keeps_calls_in_flight_under_the_per_provider_limit(
        tmp_path: Path) -> None:
    import threading
    from collections import Counter
    from concurrent.futures import Future

    from rich.console import Console

    from harness.cells import Cell
    from harness.run.progress import RunProgress
    from harness.run.retry import RetryBudget, RetryPolicy
    from harness.run.session import SessionOptions, _schedule
    from harness.run.settings import RunSettings

    lock = threading.Lock()
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    peak_total = [0]

    class SlowExecutor:
        """Attempts that take 30 ms each, on threads: only the scheduling is under test."""

        def submit(self, cell: Cell, kind: str) -> Future:
            future: Future = Future()
            with lock:
                in_flight[cell.provider] += 1
                peak[cell.provider] = max(peak[cell.provider], in_flight[cell.provider])
                peak_total[0] = max(peak_total[0], sum(in_flight.values()))

            def finish() -> None:
                time.sleep(0.03)
                with lock:
                    in_flight[cell.provider] -= 1
                future.set_result(CellResult(cell.provider, cell.mode, cell.scenario, "pass",
                                             target="emulator").to_dict())
            threading.Thread(target=finish).start()
            return future

    cells = [Cell(p, "json", s) for p in ("openai", "mistral", "azure")
             for s in ("sync", "async", "nested", "partial_async")]
    path = tmp_path / journal.JOURNAL_NAME
    journal.start(path, {})
    results: dict[str, CellResult] = {}
    with RunProgress(len(cells), Console(file=open(os.devnull, "w")), quiet=True) as progress:
        _schedule([(c, "target") for c in cells], SlowExecutor(),
                  SessionOptions(jobs=4, per_provider=2), RunSettings(),
                  RetryBudget(RetryPolicy()), progress, path, results)
    assert len(results) == 12 and len(journal.load(path)[1]) == 12
    assert max(peak.values()) == 2 and peak_total[0] == 4  # never over either limit, and used
