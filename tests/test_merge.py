"""conformance merge: shards (or xdist workers' files) joined give exactly the single run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cells import in_shard
from harness.results import CellResult, RunResults
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
# Real cassettes: a passing provider, one whose replays drift and are re-answered by its
# emulator (bedrock), one whose streams fail in litellm (cohere); each call kind.
SUBSET = ("-p", "openai", "-p", "bedrock", "-p", "cohere",
          "-s", "sync", "-s", "partial_async", "-s", "iterable_sync", "-s", "raw_stream")
# What differs between any two runs of the same cells: when and how long.
VOLATILE = ("duration_s", "finished_at")
VOLATILE_METRICS = ("first_yield_s",)


def _cells(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((path / "results.json").read_text(encoding="utf-8"))
    out = {}
    for cell in data["cells"]:
        kept = {k: v for k, v in cell.items() if k not in VOLATILE}
        kept["metrics"] = {k: v for k, v in cell["metrics"].items() if k not in VOLATILE_METRICS}
        out[cell["id"]] = kept
    return out


def _matrix(path: Path) -> dict[str, Any]:
    data = json.loads((path / "streaming-support.json").read_text(encoding="utf-8"))
    provenance = {k: v for k, v in data.pop("provenance").items()
                  if k not in ("run_started", "run_finished")}
    records = data.pop("cells")
    for record in records.values() if isinstance(records, dict) else records:
        for key in VOLATILE:
            record.pop(key, None)
        for key in VOLATILE_METRICS:
            (record.get("metrics") or {}).pop(key, None)
    return {**data, "provenance": provenance, "cells": records}


def test_two_shards_merged_are_exactly_the_single_run(tmp_path: Path) -> None:
    whole, merged = tmp_path / "whole", tmp_path / "merged"
    assert run_cli("run", *SUBSET, "--out", str(whole)).code == 0
    shards = []
    for i in (1, 2):
        folder = tmp_path / f"shard-{i}"
        outcome = run_cli("run", *SUBSET, "--shard", f"{i}/2", "--out", str(folder),
                          "--expect", str(REPO / "reports" / "results.json"))
        assert outcome.code == 0, outcome.stderr  # a shard's gate answers for its cells only
        cells = _cells(folder)
        assert cells and all(in_shard(cid, (i, 2)) for cid in cells)
        shards.append(folder)
    outcome = run_cli("merge", str(merged), *map(str, shards),
                      "--expect", str(REPO / "reports" / "results.json"))
    assert outcome.code == 0, outcome.stderr
    single, joined = _cells(whole), _cells(merged)
    assert len(single) == 4 * 3 * 4  # 3 providers × their 4 modes × 4 scenarios
    assert any(c["drift"] for c in single.values())  # re-answered cells are in it too
    for cid in single:
        assert joined[cid] == single[cid], cid
    assert set(joined) == set(single)
    assert _matrix(merged) == _matrix(whole)
    run = json.loads((merged / "results.json").read_text(encoding="utf-8"))["run"]
    assert run["filters"] == json.loads((whole / "results.json").read_text())["run"]["filters"]
    assert run["merged_from"] == [str(s) for s in shards]


def _write(folder: Path, cells: list[str], **run: Any) -> Path:
    folder.mkdir(parents=True)
    records = {}
    for cid in cells:
        provider, mode, scenario = cid.split("-")
        records[cid] = CellResult(provider, mode, scenario, "pass", model=f"{provider}/m")
    header = {"target": "replay", "versions": {"instructor": "1.17.0", "litellm": "1.110.2"},
              "filters": {"provider": [], "mode": [], "scenario": []}, **run}
    RunResults(run=header, cells=records).write(folder / "results.json")
    return folder


def _split(ids: list[str], count: int) -> list[list[str]]:
    return [[c for c in ids if in_shard(c, (i, count))] for i in range(1, count + 1)]


IDS = [f"openai-{m}-{s}" for m in ("tools", "json") for s in ("sync", "async", "nested")]


def test_a_missing_shard_is_named_and_exits_1(tmp_path: Path) -> None:
    parts = _split(IDS, 3)
    one = _write(tmp_path / "a", parts[0], filters={"shard": ["1/3"]})
    three = _write(tmp_path / "c", parts[2], filters={"shard": ["3/3"]})
    outcome = run_cli("merge", str(tmp_path / "out"), str(one), str(three))
    assert outcome.code == 1
    assert "shard(s) 2/3 missing" in outcome.stderr
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert sorted(c["id"] for c in written["cells"]) == sorted(parts[0] + parts[2])
    assert "shard" not in written["run"]["filters"]  # it claims the whole selection


def test_one_shard_in_several_worker_files_merges(tmp_path: Path) -> None:
    # pytest-xdist writes one results file per worker; all of a shard's carry its filter.
    first, second = _split(IDS, 2)
    files = [_write(tmp_path / f"w{i}", part, filters={"shard": ["1/2"]}, source="pytest")
             for i, part in enumerate((first[:1], first[1:]))]
    other = _write(tmp_path / "w9", second, filters={"shard": ["2/2"]}, source="pytest")
    outcome = run_cli("merge", str(tmp_path / "out"),
                      *(str(f / "results.json") for f in [*files, other]))
    assert outcome.code == 0, outcome.stderr
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert sorted(c["id"] for c in written["cells"]) == sorted(IDS)
    assert written["run"]["source"] == "pytest"


@pytest.mark.parametrize(("first", "second", "message"), [
    ({}, {}, "cell openai-tools-sync is in both"),
    ({"filters": {"shard": ["1/2"]}}, {}, "is not a shard, the other inputs are"),
    ({"filters": {"shard": ["1/2"]}}, {"filters": {"shard": ["1/3"]}},
     "shards of different splits"),
    ({"versions": {"instructor": "1.17.0", "litellm": "1.83.0"}}, {},
     "ran litellm 1.83.0"),
    ({"target": "live"}, {}, "differ in target"),
    ({"filters": {"provider": ["openai"]}}, {}, "select different cells"),
])
def test_inputs_that_are_not_parts_of_one_run_are_refused_in_one_line(
        tmp_path: Path, first: dict[str, Any], second: dict[str, Any], message: str) -> None:
    a = _write(tmp_path / "a", ["openai-tools-sync"], **first)
    b = _write(tmp_path / "b", ["openai-tools-sync" if not (first or second)
                                else "openai-json-sync"], **second)
    outcome = run_cli("merge", str(tmp_path / "out"), str(a), str(b))
    assert outcome.code == 2
    assert message in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "results.json").exists()


def test_a_missing_input_is_one_line(tmp_path: Path) -> None:
    outcome = run_cli("merge", str(tmp_path / "out"), str(tmp_path / "nowhere"))
    assert outcome.code == 2
    assert "no such results file" in outcome.stderr
