"""The benchmark's own pieces: the pytest timeline, the table rows, the README's copy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import timeline
from benchmarks.performance import readme_lines, table_rows, update_readme

REPO = Path(__file__).resolve().parents[1]


def _timeline_of(tmp_path: Path, workers: str) -> tuple[list[dict[str, Any]], float, float]:
    tests = tmp_path / "t"
    tests.mkdir()
    (tests / "test_few.py").write_text(
        "import time\nimport pytest\n\n\n@pytest.mark.parametrize('n', range(6))\n"
        "def test_sleep(n):\n    time.sleep(0.05)\n")
    lines = tmp_path / f"timeline-{workers}.jsonl"
    env = {**os.environ, timeline.VARIABLE: str(lines),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    launched = time.time()
    done = subprocess.run([sys.executable, "-m", "pytest", str(tests), "-q", "-n", workers,
                           "-p", "no:cacheprovider", "-p", "benchmarks.timeline"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    ended = time.time()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout
    return timeline.read(lines), launched, ended


def test_one_process_writes_its_first_and_last_cell_and_its_exit(tmp_path: Path) -> None:
    lines, launched, ended = _timeline_of(tmp_path, "0")
    assert [(line["process"], line["event"]) for line in lines] == [
        ("controller", "first_cell"), ("controller", "last_cell"), ("controller", "exit")]
    parts = timeline.parts(lines, launched, ended)
    assert parts["cells_s"] >= 6 * 0.05  # six cells of 50 ms each, one after the other
    assert parts["start_s"] > 0 and parts["tail_s"] > 0  # an interpreter starts and ends


def test_under_xdist_only_the_workers_write_their_cells(tmp_path: Path) -> None:
    lines, launched, ended = _timeline_of(tmp_path, "2")
    cells = sorted((line["process"], line["event"]) for line in lines
                   if line["event"] != "exit")
    assert cells == [("gw0", "first_cell"), ("gw0", "last_cell"),
                     ("gw1", "first_cell"), ("gw1", "last_cell")]
    assert sorted(line["process"] for line in lines if line["event"] == "exit") == [
        "controller", "gw0", "gw1"]
    parts = timeline.parts(lines, launched, ended)
    # The cells' part runs from the first worker's first cell to the last worker's last.
    first = min(line["t"] for line in lines if line["event"] == "first_cell")
    last = max(line["t"] for line in lines if line["event"] == "last_cell")
    assert parts["cells_s"] == pytest.approx(last - first, abs=0.001)


def test_a_timeline_without_cells_says_what_is_missing() -> None:
    with pytest.raises(RuntimeError, match=r"was -p benchmarks\.timeline loaded\?"):
        timeline.parts([{"process": "controller", "event": "exit", "t": 1.0}], 0.0, 2.0)


XDIST = {"repeats": 2, "ratio": 1.52, "identical_results": True, "cells_ratio": 1.81,
         "amdahl_bound": 1.71,
         "n0": {"wall_s": 59.5, "cpu_s": 58.0, "start_s": 5.0, "cells_s": 50.4, "tail_s": 4.1},
         "n2": {"wall_s": 39.1, "cpu_s": 76.0, "start_s": 6.0, "cells_s": 27.9, "tail_s": 5.2}}


def test_the_xdist_rows_say_the_ratio_and_where_the_time_goes() -> None:
    rows = table_rows({"xdist": XDIST})
    assert rows == [
        ["pytest suites/: -n 0 / -n 2 (median of 2)",
         "59.5 s / 39.1 s = 1.52×; results identical", "≥ 1.6×", "MISSED"],
        ["pytest suites/: start + cells + tail (-n 0; -n 2)",
         "5.0 s + 50.4 s + 4.1 s; 6.0 s + 27.9 s + 5.2 s (cells 1.81× faster; at best 1.71× "
         "with start and tail in each worker)", "", ""]]
    different = {**XDIST, "ratio": 1.7, "identical_results": False}
    assert table_rows({"xdist": different})[0][1:] == [
        "59.5 s / 39.1 s = 1.70×; results DIFFERENT", "≥ 1.6×", "MISSED"]


def _report() -> dict[str, Any]:
    return {"measured_at": "2026-11-27T17:00:00+00:00",
            "machine": {"cores": 2, "python": "3.11.7", "litellm_compiled": True,
                        "load_average": [0.31, 0.5, 0.6], "load_average_after": [1.02, 1, 1]},
            "versions": {"instructor": "1.17.0", "litellm": "1.110.2"},
            "table": [["import litellm (alone)", "4.1 s wall, 3.7 s CPU", "", ""],
                      ["a | b", "1.0×", "≤ 1.25×", "met"]]}


def test_the_readme_gets_the_table_between_its_markers(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text("# P\n\nbefore\n<!-- benchmark:start -->\n<!-- benchmark:end -->\nafter\n")
    update_readme(page, _report())
    text = page.read_text()
    assert text == (
        "# P\n\nbefore\n<!-- benchmark:start -->\n"
        "Measured 2026-11-27 on 2 cores, Python 3.11.7, instructor 1.17.0 + litellm 1.110.2 "
        "(litellm's bytecode compiled; load average 0.31 before, 1.02 after), by "
        "`python -m benchmarks.performance`:\n\n"
        "| measure | value | target | |\n|---|---|---|---|\n"
        "| import litellm (alone) | 4.1 s wall, 3.7 s CPU |  |  |\n"
        "| a \\| b | 1.0× | ≤ 1.25× | met |\n"
        "<!-- benchmark:end -->\nafter\n")
    update_readme(page, _report())  # again: the same page
    assert page.read_text() == text
    assert readme_lines(_report())[0].startswith("Measured 2026-11-27")


def _performance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks.performance", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_render_measures_nothing_and_rewrites_the_table(tmp_path: Path) -> None:
    import json

    report = {**_report(), "table": [], "sections": {"xdist": XDIST}}
    out, page = tmp_path / "benchmark.json", tmp_path / "README.md"
    out.write_text(json.dumps(report))
    page.write_text("<!-- benchmark:start -->\n<!-- benchmark:end -->\n")
    done = _performance("--render", "--out", str(out), "--readme", str(page))
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert written["table"] == table_rows({"xdist": XDIST})
    assert written["sections"] == {"xdist": XDIST}  # the figures untouched
    assert "| pytest suites/: -n 0 / -n 2 (median of 2) | 59.5 s / 39.1 s = 1.52×; results " \
           "identical | ≥ 1.6× | MISSED |" in page.read_text()


def test_render_without_figures_says_to_measure_first(tmp_path: Path) -> None:
    done = _performance("--render", "--out", str(tmp_path / "none.json"), "--readme", "")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot read {tmp_path / 'none.json'} (")
    assert done.stderr.rstrip().endswith("measure first: python -m benchmarks.performance")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.json").exists()
