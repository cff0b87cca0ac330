"""The benchmark's measurements, one function each; every command runs in a child process.

Each returns a JSON-ready dict. Verdicts are checked, never assumed: the replay against the
committed results, sequential against concurrent recording, one pytest worker against two.
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks import timeline
from benchmarks.measure import REPO, json_output, python, tail, timed

EXPECTED = REPO / "reports" / "results.json"


def _differences(expected: Path, actual: Path) -> list[str]:
    from harness.exact import differences
    from harness.results import load_results

    return differences(load_results(expected), load_results(actual))


def import_litellm(work: Path) -> dict[str, Any]:
    """`import litellm` alone, in a fresh interpreter."""
    found = timed(python("-c", "import litellm"), work / "import.log")
    return found.to_dict()


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def replay(work: Path, repeats: int) -> dict[str, Any]:
    """`conformance run` over every default cell, against the floor of the same cells: the
    two alternate `repeats` times (the order swapped each time); medians compared."""
    out = work / "replay"
    runs: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    for index in range(repeats):
        for which in (("run", "floor") if index % 2 == 0 else ("floor", "run")):
            if which == "floor":
                floors.append(json_output(python("-m", "benchmarks.floor"),
                                          work / "floor.log")[1])
                continue
            found = timed(python("-m", "harness.cli", "run", "--out", str(out)),
                          work / "replay.log")
            if found.code != 0:
                raise RuntimeError(f"conformance run exited {found.code}: "
                                   f"{tail(work / 'replay.log')}")
            runs.append(found.to_dict())
    cells = len(json.loads((out / "results.json").read_text(encoding="utf-8"))["cells"])
    different = _differences(EXPECTED, out / "results.json")
    run = {key: _median([r[key] for r in runs]) for key in ("wall_s", "cpu_s", "peak_rss_mb")}
    floor = {key: _median([f[key] for f in floors])
             for key in ("import_wall_s", "import_cpu_s", "cells_wall_s", "cells_cpu_s")}
    bound = floor["import_wall_s"] + floor["cells_wall_s"]
    return {"cells": cells, "repeats": repeats, "run": run, "floor": floor, "runs": runs,
            "floors": floors, "floor_wall_s": round(bound, 3),
            "ratio": round(run["wall_s"] / bound, 3),
            "cpu_ratio": round(run["cpu_s"] / (floor["import_cpu_s"] + floor["cells_cpu_s"]), 3),
            "identical_to_committed": not different, "differences": different[:20]}


def overhead(work: Path, rounds: int) -> dict[str, Any]:
    """Harness/bare per cell class (benchmarks.overhead)."""
    found, data = json_output(python("-m", "benchmarks.overhead", "--rounds", str(rounds)),
                              work / "overhead.log")
    return {**data, "wall_s": round(found.wall_s, 3)}


def recording(work: Path, latency: float, jobs: int, per_provider: int) -> dict[str, Any]:
    """Every default cell recorded against the emulators, one at a time, then concurrently."""
    runs: dict[str, Any] = {}
    for name, extra in (("sequential", []),
                        ("concurrent", ["--jobs", str(jobs), "--per-provider",
                                        str(per_provider)])):
        folder = work / f"record-{name}"
        args = python("-m", "harness.cli", "record", "--cassettes", str(folder / "cassettes"),
                      "--out", str(folder / "reports"), "--emulator-latency", str(latency),
                      "--quiet", *extra)
        found = timed(args, work / f"record-{name}.log")
        if found.code != 0:
            raise RuntimeError(f"record ({name}) exited {found.code}: "
                               f"{tail(work / f'record-{name}.log')}")
        runs[name] = found.to_dict()
    different = _differences(work / "record-sequential" / "reports" / "results.json",
                             work / "record-concurrent" / "reports" / "results.json")
    return {"latency_s": latency, "jobs": jobs, "per_provider": per_provider, **runs,
            "ratio": round(runs["sequential"]["wall_s"] / runs["concurrent"]["wall_s"], 3),
            "identical_verdicts": not different, "differences": different[:20]}


def _pytest_results(folder: Path) -> Path:
    """One results file from a pytest run's (one per xdist worker), via conformance merge."""
    from harness.commands.outputs import write_outputs
    from harness.merge import merge_runs
    from harness.results import load_results

    files = sorted(folder.glob("results*.json"))
    merged = merge_runs([(str(f), load_results(f)) for f in files])
    out = folder / "merged"
    out.mkdir(exist_ok=True)
    write_outputs(merged.results, out, None)
    return out / "results.json"


def xdist(work: Path, repeats: int) -> dict[str, Any]:
    """`pytest suites/` on one process, then on two pytest-xdist workers, alternating
    `repeats` times (the order swapped each time); medians compared. Each run's timeline
    (benchmarks/timeline.py) splits it into start, cells and tail: the one-process run's parts
    bound what two workers can gain."""
    runs: dict[str, list[dict[str, Any]]] = {"n0": [], "n2": []}
    for index in range(repeats):
        for workers in (("0", "2") if index % 2 == 0 else ("2", "0")):
            folder = work / f"pytest-n{workers}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            args = python("-m", "pytest", "suites/", "-n", workers, "-q", "-p",
                          "no:cacheprovider", "-p", "benchmarks.timeline",
                          "--conformance-results", str(folder / "results.json"))
            line_file = folder / "timeline.jsonl"
            launched = time.time()
            found = timed(args, work / f"pytest-n{workers}.log",
                          env={timeline.VARIABLE: str(line_file)})
            split = timeline.parts(timeline.read(line_file), launched, launched + found.wall_s)
            runs[f"n{workers}"].append({**found.to_dict(), **split, "summary": tail(
                work / f"pytest-n{workers}.log", 1)})
    different = _differences(_pytest_results(work / "pytest-n0"),
                             _pytest_results(work / "pytest-n2"))
    codes = {r["code"] for rs in runs.values() for r in rs}
    keys = ("wall_s", "cpu_s", "start_s", "cells_s", "tail_s")
    medians = {name: {key: _median([r[key] for r in rs]) for key in keys}
               for name, rs in runs.items()}
    one = medians["n0"]
    bound = one["wall_s"] / (one["start_s"] + one["tail_s"] + one["cells_s"] / 2)
    return {**medians, "repeats": repeats, "runs": runs,
            "ratio": round(medians["n0"]["wall_s"] / medians["n2"]["wall_s"], 3),
            "cells_ratio": round(one["cells_s"] / medians["n2"]["cells_s"], 3),
            "amdahl_bound": round(bound, 3),
            "identical_results": not different and len(codes) == 1,
            "differences": different[:20]}


GRID = ("1.17.0", "1.83.0,1.96.2,1.110.2")


def grid(work: Path) -> dict[str, Any]:
    """`conformance grid` of 1 instructor × 3 litellm releases with warm environment caches
    (a first run builds whatever environment is missing and is not the measurement)."""
    out = work / "grid"
    args = python("-m", "harness.cli", "grid", "--instructor", GRID[0], "--litellm", GRID[1],
                  "--out", str(out), "--quiet")
    warmed = False
    for _ in range(2):
        found = timed(args, work / "grid.log")
        if found.code != 0:
            raise RuntimeError(f"grid exited {found.code}: {tail(work / 'grid.log')}")
        pairs = json.loads((out / "grid.json").read_text(encoding="utf-8"))["pairs"]
        if all(p.get("env_cached") for p in pairs):
            return {**found.to_dict(), "pairs": [
                {"pair": p["label"], "run_s": p.get("run_s"), "status": p["status"]}
                for p in pairs], "warm_up_run_first": warmed}
        warmed = True
    raise RuntimeError("the grid's environments were built twice: the cache is not kept "
                       "(CONFORMANCE_GRID_CACHE?)")
