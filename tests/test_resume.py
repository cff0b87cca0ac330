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
from harness.live import journal
from harness.live.testing import emulator_as_live, run_cli
from harness.recording import serializer as fmt
from harness.results import CellResult, load_results

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
    _, final = journal.load(path)
    assert len(final) == TOTAL
    lines = path.read_text().splitlines()
    assert len(lines) == TOTAL + 1 and all(json.loads(line) for line in lines)


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
