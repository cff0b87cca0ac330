"""Grids from several CI jobs as one: each job ran some pairs, or some shards of a pair's cells.

Each input is a grid's output folder (grid.json, and each replayed pair's results under
pairs/<id>/). A pair's results from several inputs (the shards of its replay) are joined as
`conformance merge` joins any run's (harness.merge); then the grid's reports are computed
afresh from the joined pairs, exactly as `conformance grid` computes them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.grid.data import grid_data, write_grid
from harness.grid.pairs import OK, PairOutcome, pair_dir
from harness.grid.versions import Pair
from harness.merge import merge_runs
from harness.reports import write_results
from harness.results import RunResults, load_results

GridPart = tuple[str, dict[str, Any], dict[str, RunResults]]  # name, grid.json, results


def is_grid(folder: Path) -> bool:
    """Whether `folder` is a grid's output (it holds grid.json)."""
    return (folder / "grid.json").is_file()


def load_part(folder: Path) -> GridPart:
    """A grid folder's grid.json and its replayed pairs' results, by pair id."""
    try:
        data = json.loads((folder / "grid.json").read_text(encoding="utf-8"))
        pairs = data["pairs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HarnessError(f"{folder}/grid.json: not a grid's report ({exc}); pass the --out "
                           f"folders of 'conformance grid'") from None
    found = {}
    for record in pairs:
        if record.get("status") == OK and record.get("results"):
            found[record["id"]] = load_results(folder / record["results"])
    return str(folder), data, found


def _outcome(pair: Pair, records: list[dict[str, Any]], results: RunResults | None
             ) -> PairOutcome:
    """One pair's outcome from every input's record of it: not OK if any part was not."""
    failed = next((r for r in records if r.get("status") != OK), None)
    first = failed or records[0]
    return PairOutcome(
        pair, first["status"], first.get("reason", ""), bool(first.get("forced")),
        first.get("conflict", ""), tuple(first.get("unmet") or ()), first.get("env", ""),
        all(bool(r.get("env_cached")) for r in records),
        max(float(r.get("build_s") or 0) for r in records),
        max(float(r.get("run_s") or 0) for r in records),
        max((r["exit_code"] for r in records if r.get("exit_code") is not None), default=None),
        results if failed is None else None)


def _meta(parts: Sequence[GridPart]) -> dict[str, Any]:
    grids = [data for _, data, _ in parts]
    keep = ("harness", "sources", "python", "cassettes", "force")
    meta: dict[str, Any] = {k: grids[0].get(k) for k in keep}
    meta.update(started_at=min(g.get("started_at") or "" for g in grids) or None,
                finished_at=max(g.get("finished_at") or "" for g in grids) or None,
                interrupted=any(bool(g.get("interrupted")) for g in grids),
                instructor=sorted({v for g in grids for v in g.get("instructor", [])}),
                litellm=sorted({v for g in grids for v in g.get("litellm", [])}),
                notes=list(dict.fromkeys(n for g in grids for n in g.get("notes", []))),
                merged_from=[name for name, _, _ in parts])
    return meta


def merge_grids(parts: Sequence[GridPart], out: Path, available: dict[str, list[str]] | None
                ) -> tuple[list[PairOutcome], dict[str, list[str]]]:
    """Join `parts` into one grid under `out` (its reports and each pair's results); the
    outcomes, and the shards missing from each pair that lacks some."""
    records: dict[str, list[dict[str, Any]]] = {}
    pairs: dict[str, Pair] = {}
    for _, data, _ in parts:
        for record in data["pairs"]:
            records.setdefault(record["id"], []).append(record)
            pairs[record["id"]] = Pair(str(record["instructor"]), str(record["litellm"]))
    outcomes, missing = [], {}
    for pid, pair in sorted(pairs.items(), key=lambda kv: kv[1].sort_key()):
        runs = [(f"{name} ({pid})", found[pid]) for name, _, found in parts if pid in found]
        joined = merge_runs(runs) if runs else None
        if joined is not None and joined.missing_shards:
            missing[pid] = joined.missing_shards
        outcome = _outcome(pair, records[pid], joined.results if joined else None)
        if outcome.results is not None:
            folder = pair_dir(out, pair)
            folder.mkdir(parents=True, exist_ok=True)
            write_results(outcome.results, folder)  # what a pair's own replay writes
        outcomes.append(outcome)
    if not outcomes:
        raise HarnessError("the grid folders hold no pair; pass the --out folders of "
                           "'conformance grid'")
    write_grid(grid_data(outcomes, _meta(parts), available), out)
    return outcomes, missing
