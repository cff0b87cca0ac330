"""Per-cell overhead of the harness against the floor, in one process, alternating A and B.

A is a replayed cell as `conformance run` handles it (the attempt, its record, the journal
line); B is the floor (benchmarks.floor): the same call through bare instructor + litellm,
replaying the same recorded bytes through vcrpy. A sample of cells across providers and call
kinds: every provider × scenario once, the mode taken in turn from the provider's modes. Both
are warmed up first; each round runs every sampled cell once each way, the order swapped every
other cell and round. Per cell class and round, the ratio is sum(A) / sum(B).

    python -m benchmarks.overhead [--rounds 5]    # JSON on stdout
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import floor


def sample(cells: list[Any]) -> list[Any]:
    """One cell per provider and scenario, the mode rotating through the provider's modes."""
    modes: dict[str, list[str]] = defaultdict(list)
    scenarios: dict[str, list[str]] = defaultdict(list)
    for cell in cells:
        for found, value in ((modes[cell.provider], cell.mode),
                             (scenarios[cell.provider], cell.scenario)):
            if value not in found:
                found.append(value)
    present = {(c.provider, c.mode, c.scenario): c for c in cells}
    return [present[key] for provider in modes
            for i, scenario in enumerate(scenarios[provider])
            if (key := (provider, modes[provider][i % len(modes[provider])], scenario))
            in present]


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _summary(ratios: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
            "max": round(max(ratios), 3)}


def measure(rounds: int) -> dict[str, Any]:
    """Harness/bare per cell class over `rounds` rounds."""
    from harness.cells import select_cells
    from harness.results import CellResult
    from harness.run import journal, worker

    settings = floor.replay_settings()
    worker.init(settings)
    runner = worker.runner_for("target")
    cells = sample(select_cells())
    with tempfile.TemporaryDirectory() as folder:
        calls = {c.cell_id: c for c in floor.prepare(cells, settings, Path(folder))}
        log = Path(folder) / journal.JOURNAL_NAME
        recorder = floor.bare_vcr()

        def harness_cell(cell: Any) -> None:  # what run_session does with each replayed cell
            journal.append(log, CellResult.from_dict(worker.attempt(cell, "target")),
                           durable=False)

        drifted = []
        for cell in list(cells):  # warm-up; a drifted cell is re-answered: not a replay
            if cell.cell_id not in calls or runner.run_cell(cell).drift is not None:
                drifted.append(cell.cell_id)
                cells.remove(cell)
                continue
            floor.replay(calls[cell.cell_id], recorder, runner.loop)
        times: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0] * 4)
        for r in range(rounds):
            for i, cell in enumerate(cells):
                call = calls[cell.cell_id]
                a = functools.partial(harness_cell, cell)
                b = functools.partial(floor.replay, call, recorder, runner.loop)
                first, second = (a, b) if (i + r) % 2 == 0 else (b, a)
                t1, t2 = _timed(first), _timed(second)
                (ta, tb) = (t1, t2) if first is a else (t2, t1)
                slot = times[(call.cell_class, r)]
                slot[0] += ta[0]
                slot[1] += ta[1]
                slot[2] += tb[0]
                slot[3] += tb[1]
    worker.close()
    return _report(cells, calls, times, rounds, drifted)


def _report(cells: list[Any], calls: dict[str, Any], times: dict[tuple[str, int], list[float]],
            rounds: int, drifted: list[str]) -> dict[str, Any]:
    classes: dict[str, Any] = {}
    for name in dict.fromkeys(calls[c.cell_id].cell_class for c in cells):
        count = sum(1 for c in cells if calls[c.cell_id].cell_class == name)
        per = [times[(name, r)] for r in range(rounds)]
        classes[name] = {
            "cells": count,
            "harness_ms": round(statistics.median(p[0] for p in per) / count * 1000, 2),
            "bare_ms": round(statistics.median(p[2] for p in per) / count * 1000, 2),
            "wall_ratio": _summary([p[0] / p[2] for p in per]),
            "cpu_ratio": _summary([p[1] / p[3] for p in per if p[3] > 0]),
        }
    return {"rounds": rounds, "sampled": [c.cell_id for c in cells],
            "left_out_drifted": drifted, "classes": classes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("\n" + json.dumps(measure(args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
