"""A results file is input: a damaged or crafted one is one line naming the file, the cell and
the field, exit 2, and no report written from it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ResultsFileError
from harness.results import RESULTS_MAX_BYTES, load_results
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "reports" / "results.json"
REGENERATE = "; regenerate it with 'conformance run'"
_GUIDE = ("sync", "async", "nested", "partial_sync", "partial_async", "iterable_sync",
          "iterable_async", "raw_stream")


def _crafted(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    # Three of the guide's cells (the committed file holds the beyond pack's too).
    data["cells"] = [c for c in data["cells"] if c["scenario"] in _GUIDE][:3]
    change(data)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _cell(data: dict[str, Any]) -> dict[str, Any]:
    return data["cells"][1]


CELL = "cell anthropic-json-iterable_async (cells[1])"


@pytest.mark.parametrize("change,message", [
    (lambda d: _cell(d).update(outcome="bogus"),
     f"{CELL}, field outcome: Input should be 'pass', 'fail', 'unsupported', 'error' or "
     f"'skipped', not 'bogus'"),
    (lambda d: _cell(d).update(layer="network"),
     f"{CELL}, field layer: Input should be 'provider', 'litellm', 'instructor', 'pydantic', "
     f"'harness' or 'unknown', not 'network'"),
    (lambda d: _cell(d).update(duration_s="fast"),
     f"{CELL}, field duration_s: Input should be a valid number, not 'fast'"),
    (lambda d: _cell(d).update(notes="one note"),
     f"{CELL}, field notes: Input should be a valid list, not 'one note'"),
    (lambda d: _cell(d).update(provider=7), f"{CELL}, field provider: Input should be a valid "
                                           f"string, not 7"),
    (lambda d: _cell(d).pop("scenario"), f"{CELL}, field scenario: Field required"),
    (lambda d: _cell(d)["metrics"].update(raw_deltas="5"),
     f"{CELL}, field metrics.raw_deltas: Input should be a valid integer, not '5'"),
    (lambda d: _cell(d)["metrics"].update(incremental=1),
     f"{CELL}, field metrics.incremental: Input should be a valid boolean, not 1"),
    (lambda d: _cell(d)["metrics"].update(live_timing={"server_ms": "slow"}),
     f"{CELL}, field metrics.live_timing.server_ms: Input should be a valid number, not "
     f"'slow'"),
    (lambda d: _cell(d).update(metrics=[]),
     f"{CELL}, field metrics: Input should be a valid dictionary or instance of Metrics, "
     f"not []"),
    (lambda d: _cell(d).update(cassette="/etc/passwd"),
     f"{CELL}, field cassette: '/etc/passwd' is an absolute path; a cassette path is relative "
     f"to the cassette folder"),
    (lambda d: _cell(d).update(cassette="C:\\cassettes\\x.yaml"),
     f"{CELL}, field cassette: 'C:\\\\cassettes\\\\x.yaml' is an absolute path"),
    (lambda d: _cell(d).update(cassette="cassettes/../../home/me/.ssh/id_rsa"),
     f"{CELL}, field cassette: 'cassettes/../../home/me/.ssh/id_rsa' climbs out of the "
     f"cassette folder with '..'"),
    (lambda d: _cell(d).update(cassette="cassettes/a\nb.yaml"),
     f"{CELL}, field cassette: 'cassettes/a\\nb.yaml' contains control characters"),
    (lambda d: d["cells"].__setitem__(1, "openai-tools-sync"),
     "cell cells[1]: must be an object, not str"),
    (lambda d: d.update(cells={"a": 1}), "'cells' is dict, not a list"),
    (lambda d: d.update(run=[]), "field run: an object, not list"),
    (lambda d: d["run"].update(filters={"provider": "openai"}),
     "field run.filters.provider: Input should be a valid list, not 'openai'"),
    (lambda d: d["run"].update(versions={"litellm": 1.8}),
     "field run.versions.litellm: Input should be a valid string, not 1.8"),
], ids=["outcome", "layer", "duration", "notes", "provider", "missing", "metric-count",
        "metric-flag", "live-timing", "metrics", "absolute-cassette", "windows-cassette",
        "dotdot-cassette", "control-cassette", "cell-not-object", "cells-not-list",
        "run-not-object", "filters", "versions"])
def test_a_crafted_results_file_is_refused_naming_cell_and_field(
        tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str) -> None:
    path = _crafted(tmp_path, change)
    with pytest.raises(ResultsFileError) as caught:
        load_results(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: {message}") and text.endswith(REGENERATE), text
    assert "\n" not in text


def test_valid_values_still_load(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _cell(d).update(layer=None, cassette="", duration_s=1)  # an int is a number
        _cell(d)["metrics"].update(new_metric={"any": ["shape"]})  # unknown keys are kept
        d["run"]["added_later"] = [1]
    loaded = load_results(_crafted(tmp_path, change))
    cell = loaded.cells["anthropic-json-iterable_async"]
    assert cell.layer is None and cell.metrics["new_metric"] == {"any": ["shape"]}
    assert len(load_results(COMMITTED).cells) > 300
    assert load_results(REPO / "reports" / "floor" / "results.json").cells


@pytest.mark.parametrize("command", ["matrix", "diff", "docs", "expect", "baseline"])
def test_every_command_reading_results_refuses_them_in_one_line(
        tmp_path: Path, command: str) -> None:
    path = _crafted(tmp_path, lambda d: _cell(d).update(outcome="bogus"))
    out = tmp_path / "out"
    page = tmp_path / "page.md"
    page.write_text("# page\n")
    args = {"matrix": ["matrix", "--results", str(path), "--out", str(out)],
            "diff": ["diff", str(COMMITTED), str(path)],
            "docs": ["docs", str(page), "--results", str(path)],
            "expect": ["run", "-p", "openai", "-s", "sync", "--expect", str(path),
                       "--out", str(out)],
            "baseline": ["run", "-p", "openai", "-s", "sync", "--baseline", str(path),
                         "--out", str(out)]}[command]
    outcome = run_cli(*args)
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {CELL}, field outcome"), lines
    assert page.read_text() == "# page\n"


@pytest.mark.parametrize("what", ["device", "fifo", "directory"])
def test_a_results_path_that_is_no_regular_file(tmp_path: Path, what: str) -> None:
    if what == "device":
        path = Path("/dev/zero")  # endless: read whole, it ends in MemoryError
    elif what == "fifo":
        path = tmp_path / "results.json"
        os.mkfifo(path)  # opened for reading it would wait for a writer forever
    else:
        path = tmp_path / "results.json"
        path.mkdir()
    outcome = run_cli("matrix", "--results", str(path), "--out", str(tmp_path / "out"))
    kind = {"device": "a character device", "fifo": "a FIFO", "directory": "a directory"}[what]
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: {path}: {kind}, not a regular file; pass the results.json 'conformance run' "
        f"writes"]), outcome.stderr
    assert not (tmp_path / "out").exists()


def test_a_results_file_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    with path.open("wb") as handle:
        handle.truncate(RESULTS_MAX_BYTES + (1 << 20))  # sparse: no time or disk spent
    outcome = run_cli("diff", str(path), str(COMMITTED))
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: {path}: 65 MiB, over the 64 MiB limit; pass the results.json "
        f"'conformance run' writes"]), outcome.stderr


def test_results_written_with_cassettes_outside_the_repository_load_back(
        tmp_path: Path) -> None:
    # A cell's cassette path is recorded relative to the cassette folder, never absolute, so
    # the results a run writes pass the reader's own check.
    cassettes = tmp_path / "my-cassettes"
    outcome = run_cli("record", "-p", "mistral", "-m", "tools", "-s", "sync",
                      "--cassettes", str(cassettes), "--out", str(tmp_path))
    assert outcome.code == 0, outcome.stderr  # recorded against the emulator, outside the repo
    cell = load_results(tmp_path / "results.json").cells["mistral-tools-sync"]
    assert cell.cassette == "my-cassettes/mistral/tools/sync.yaml"
    assert run_cli("matrix", "--results", str(tmp_path / "results.json")).code == 0


def test_a_journal_line_breaking_the_schema_is_refused_on_resume(tmp_path: Path) -> None:
    from harness.run import journal

    out = tmp_path / "out"
    out.mkdir()
    path = journal.journal_path(out)
    journal.start(path, {"target": "emulator"})
    record = json.loads(COMMITTED.read_text(encoding="utf-8"))["cells"][0]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**record, "outcome": "bogus"}) + "\n")
    outcome = run_cli("record", "-p", "openai", "-s", "sync", "--resume", "--out", str(out),
                      "--cassettes", str(tmp_path / "c"))
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: {path}:2: corrupt journal line; run without --resume to start over"])
