"""Results from several processes or machines (CI shards, pytest-xdist workers) as one run.

Each results record is self-contained, so a merge is the union of the cells plus one run
header; what makes inputs unmergeable is checked first and reported in one line: two inputs
holding the same cell, runs of different targets, libraries or filters, shards of different
splits. Shards that never arrived are reported, not hidden: the merged run claims the whole
selection, so a baseline or --expect gate names every cell they should have measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.cells import parse_shard
from harness.errors import HarnessError
from harness.results import RunResults

# What every input must agree on: a merge of runs of other libraries or targets is no run.
_SAME = ("target", "drop_params", "record_mode", "source", "harness")
_LIBRARIES = ("instructor", "litellm")


@dataclass
class Merged:
    """The merged run, and what the merge has to say about its inputs."""

    results: RunResults
    missing_shards: list[str] = field(default_factory=list)


def _shard_of(name: str, run: dict[str, Any]) -> tuple[int, int] | None:
    shards = (run.get("filters") or {}).get("shard") or []
    if len(shards) > 1:
        raise HarnessError(f"{name}: a run of several shards ({', '.join(shards)}); merge the "
                           f"runs of single shards")
    return parse_shard(shards[0], f"{name}: shard") if shards else None


def _selection(run: dict[str, Any]) -> dict[str, list[str]]:
    filters = run.get("filters") or {}
    return {k: sorted(v) for k, v in sorted(filters.items()) if k != "shard" and v}


def _check_same(inputs: list[tuple[str, RunResults]]) -> None:
    first_name, first = inputs[0]
    for name, results in inputs[1:]:
        for key in _SAME:
            if first.run.get(key) != results.run.get(key):
                raise HarnessError(f"{first_name} and {name} differ in {key} "
                                   f"({first.run.get(key)!r} vs {results.run.get(key)!r}); "
                                   f"merge the parts of one run")
        for lib in _LIBRARIES:
            a, b = (r.run.get("versions", {}).get(lib) for r in (first, results))
            if a != b:
                raise HarnessError(f"{first_name} ran {lib} {a}, {name} ran {lib} {b}; merge "
                                   f"the parts of one run (compare versions with "
                                   f"'conformance grid')")
        if _selection(first.run) != _selection(results.run):
            raise HarnessError(f"{first_name} and {name} select different cells (filters "
                               f"{_selection(first.run)} vs {_selection(results.run)}); merge "
                               f"the shards of one selection")


def _check_shards(inputs: list[tuple[str, RunResults]]) -> list[str]:
    """The shards that never arrived ('i/n'); one line for inputs that cannot be joined."""
    shards = [(name, _shard_of(name, r.run)) for name, r in inputs]
    given = [(name, s) for name, s in shards if s is not None]
    if not given:
        return []
    if len(given) != len(shards):
        plain = next(name for name, s in shards if s is None)
        raise HarnessError(f"{plain} is not a shard, the other inputs are; merge either whole "
                           f"runs or the shards of one")
    counts = {n for _, (_, n) in given}
    if len(counts) > 1:
        splits = ", ".join(f"i/{n}" for n in sorted(counts))
        raise HarnessError(f"shards of different splits ({splits}); merge the shards of one "
                           f"split")
    count = counts.pop()
    # One shard may come in several files (its pytest-xdist workers'): a shard run twice
    # shows as a cell in two inputs, refused with the cells.
    seen = {index for _, (index, _) in given}
    return [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]


def _header(inputs: list[tuple[str, RunResults]]) -> dict[str, Any]:
    runs = [r.run for _, r in inputs]
    run = {k: v for k, v in runs[0].items() if k not in ("filters", "started_at", "finished_at")}
    started = [r["started_at"] for r in runs if r.get("started_at")]
    finished = [r["finished_at"] for r in runs if r.get("finished_at")]
    if started:
        run["started_at"] = min(started)
    if finished:
        run["finished_at"] = max(finished)
    run["filters"] = {k: v for k, v in (runs[0].get("filters") or {}).items() if k != "shard"}
    for key in ("retries", "resumed_cells"):
        if any(key in r for r in runs):
            run[key] = sum(int(r.get(key) or 0) for r in runs)
    if any("interrupted" in r for r in runs):
        run["interrupted"] = any(bool(r.get("interrupted")) for r in runs)
    run["merged_from"] = [name for name, _ in inputs]
    return run


def merge_runs(inputs: list[tuple[str, RunResults]]) -> Merged:
    """One run holding every input's cells (`inputs`: a name for messages, and its results)."""
    if not inputs:
        raise HarnessError("nothing to merge: name at least one results folder or file")
    _check_same(inputs)
    missing = _check_shards(inputs)
    cells: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for name, results in inputs:
        for cid, cell in results.cells.items():
            if cid in cells:
                raise HarnessError(f"cell {cid} is in both {owner[cid]} and {name}; each cell "
                                   f"must come from one input (the shards of one run)")
            cells[cid], owner[cid] = cell, name
    return Merged(RunResults(run=_header(inputs), cells=cells), missing)
