"""Grids from several CI jobs (some pairs each, or shards of a pair's cells) merge into the grid
one job would have written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cells import in_shard
from harness.grid import pypi
from harness.grid.data import grid_data, write_grid
from harness.grid.merge import load_part, merge_grids
from harness.grid.pairs import OK, PairOutcome, pair_dir
from harness.reports import write_results
from harness.results import RunResults
from tests.grid_fakes import fake_pypi
from tests.helpers import run_cli
from tests.test_grid_model import AVAILABLE
from tests.test_grid_reports import META, outcomes


def _shard(results: RunResults, index: int) -> RunResults:
    cells = {k: v for k, v in results.cells.items() if in_shard(k, (index, 2))}
    return RunResults({**results.run, "filters": {"shard": [f"{index}/2"]}}, cells)


def _job(folder: Path, parts: list[PairOutcome], shard: str | None = None) -> Path:
    """What `conformance grid --out folder` leaves: grid.json and each pair's results."""
    for outcome in parts:
        if outcome.results is not None:
            where = pair_dir(folder, outcome.pair)
            where.mkdir(parents=True)
            write_results(outcome.results, where)
    write_grid(grid_data(parts, {**META, **({"shard": shard} if shard else {})}, AVAILABLE),
               folder)
    return folder


def _split(whole: list[PairOutcome]) -> tuple[list[PairOutcome], list[PairOutcome]]:
    """Job A: the first two pairs whole and shard 1/2 of the third; job B: the rest and 2/2."""
    ok = [o for o in whole if o.status == OK]
    third = ok[2]
    assert third.results is not None
    halves = [PairOutcome(third.pair, OK, env=third.env, run_s=15.0, exit_code=0,
                          results=_shard(third.results, i)) for i in (1, 2)]
    others = [o for o in whole if o.pair != third.pair]
    return [*others[:2], halves[0]], [*others[2:], halves[1]]


def _same_grid(merged: dict[str, Any], whole: dict[str, Any]) -> None:
    for key in ("columns", "cells", "changes", "support"):
        assert merged[key] == whole[key], key
    assert {p["id"]: (p["status"], p["counts"], p["drifted"]) for p in merged["pairs"]} == \
        {p["id"]: (p["status"], p["counts"], p["drifted"]) for p in whole["pairs"]}


def test_jobs_holding_some_pairs_and_shards_of_one_merge_into_the_whole_grid(
        tmp_path: Path) -> None:
    whole = outcomes()
    first, second = _split(whole)
    parts = [load_part(_job(tmp_path / "a", first)), load_part(_job(tmp_path / "b", second))]
    found, missing = merge_grids(parts, tmp_path / "out", AVAILABLE)
    assert missing == {}
    assert [o.status for o in found] == [o.status for o in sorted(
        whole, key=lambda o: o.pair.sort_key())]
    merged = json.loads((tmp_path / "out" / "grid.json").read_text(encoding="utf-8"))
    _same_grid(merged, grid_data(whole, dict(META), AVAILABLE))
    assert merged["merged_from"] == [str(tmp_path / "a"), str(tmp_path / "b")]
    third = _split(whole)[0][-1].pair
    joined = json.loads((pair_dir(tmp_path / "out", third) / "results.json").read_text())
    original = next(o for o in whole if o.pair == third).results
    assert original is not None
    assert sorted(c["id"] for c in joined["cells"]) == sorted(original.cells)
    assert (tmp_path / "out" / "grid.md").is_file() and (tmp_path / "out" / "grid.html").is_file()


def test_a_missing_shard_of_a_pair_is_named_and_the_cli_exits_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pypi, "http_get", fake_pypi)
    monkeypatch.setenv("CONFORMANCE_GRID_CACHE", str(tmp_path / "cache"))
    first, _ = _split(outcomes())
    job = _job(tmp_path / "a", first)
    outcome = run_cli("merge", str(tmp_path / "out"), str(job))
    assert outcome.code == 1
    assert "shard(s) 2/2 missing" in outcome.stderr
    assert json.loads((tmp_path / "out" / "grid.json").read_text())["pairs"]


def test_grid_folders_and_results_do_not_mix(tmp_path: Path) -> None:
    job = _job(tmp_path / "a", _split(outcomes())[0])
    runs = tmp_path / "run"
    runs.mkdir()
    RunResults({"target": "replay"}, {}).write(runs / "results.json")
    outcome = run_cli("merge", str(tmp_path / "out"), str(job), str(runs))
    assert outcome.code == 2
    assert "grid folders merge with grid folders only" in outcome.stderr
