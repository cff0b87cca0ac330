"""A pytest plugin for the xdist section: when each process starts, runs its first and last
cell, and exits, so the report can say where a run's time goes.

Loaded with `-p benchmarks.timeline` on both sides of the comparison; it writes only when
CONFORMANCE_BENCHMARK_TIMELINE names a file (one JSON line per event, appended: the
controller and each worker write their own lines). The parts of a run:

- start: from the launch to the call of the first cell of the first process to run one (the
  interpreter, pytest, collection, the runner fixture's import of instructor and litellm);
- cells: from there to the last cell's end (the part pytest-xdist divides among workers);
- tail: from the last cell's end to the command's exit (the session's end, every plugin's
  terminal summary, the interpreters' shutdown).

With N workers the cells part can at best be divided by N; start and tail are paid again in
each worker, at the same time. So a one-process run bounds the speed-up of N workers at
wall / (start + tail + cells / N): Amdahl's law with this run's own figures.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

VARIABLE = "CONFORMANCE_BENCHMARK_TIMELINE"
_SEEN: dict[str, float] = {}  # when this process's first and last cells ran
# Set at configure, from pytest's own config: the environment's PYTEST_XDIST_WORKER may be
# inherited (a benchmark started from inside an xdist worker) and name the wrong process.
_process = "controller"
_runs_cells = False  # whether this process runs cells


def _write(event: str, at: float | None = None) -> None:
    target = os.environ.get(VARIABLE)
    if not target:
        return
    line = json.dumps({"process": _process, "event": event, "t": at or time.time()})
    with open(target, "a", encoding="utf-8") as out:  # one short line per write: whole
        out.write(line + "\n")


def pytest_configure(config: pytest.Config) -> None:
    # The controller of an xdist run relays its workers' reports, and runs no cell: only a
    # process that runs cells writes when its first and last ones ran.
    global _process, _runs_cells
    worker = getattr(config, "workerinput", None)
    _process = worker["workerid"] if worker else "controller"
    _runs_cells = worker is not None or not config.getoption("numprocesses", None)


def pytest_runtest_call(item: pytest.Item) -> None:
    # The first cell's call, after its set-up: the session's runner fixture (the import of
    # instructor and litellm) belongs to the start, paid once per process.
    if _runs_cells and "first_cell" not in _SEEN:
        _SEEN["first_cell"] = time.time()
        _write("first_cell", _SEEN["first_cell"])


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _SEEN["last_cell"] = time.time()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if _runs_cells and "last_cell" in _SEEN:
        _write("last_cell", _SEEN["last_cell"])


atexit.register(_write, "exit")


def parts(lines: list[dict[str, Any]], launched: float, ended: float) -> dict[str, float]:
    """A run's start, cells and tail (seconds) from its timeline lines and its launch/end."""
    firsts = [line["t"] for line in lines if line["event"] == "first_cell"]
    lasts = [line["t"] for line in lines if line["event"] == "last_cell"]
    if not firsts or not lasts:
        raise RuntimeError("the timeline has no cell: was -p benchmarks.timeline loaded?")
    first, last = min(firsts), max(lasts)
    return {"start_s": round(first - launched, 3), "cells_s": round(last - first, 3),
            "tail_s": round(ended - last, 3)}


def read(path: Path) -> list[dict[str, Any]]:
    """The timeline's lines (none when the file is absent)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
