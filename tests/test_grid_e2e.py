"""`conformance grid` for real: one environment built with uv from PyPI, the cassettes replayed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.results import load_results
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.grid,
    pytest.mark.skipif(os.environ.get("CONFORMANCE_GRID_E2E") != "1",
                       reason="builds a real environment from PyPI (slow, network): set "
                              "CONFORMANCE_GRID_E2E=1 to run it"),
]


def test_a_real_pair_replays_like_the_committed_results(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_GRID_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    outcome = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.83.0", "--out",
                      str(out), "-q")
    assert outcome.code == 0, outcome.stderr
    grid = json.loads((out / "grid.json").read_text())
    (pair,) = grid["pairs"]
    assert (pair["status"], pair["env_cached"], pair["forced"]) == ("ok", False, False)
    assert pair["versions"]["instructor"] == "1.17.0" and pair["versions"]["litellm"] == "1.83.0"
    # The isolated environment gives every cell the verdict the floor pair's committed
    # results hold (.ci/run checks the same with an environment of its own).
    replayed = load_results(out / pair["results"])
    committed = load_results(REPO / "reports" / "floor" / "results.json")  # the floor pair
    assert {k: (c.outcome, c.layer) for k, c in replayed.cells.items()} == {
        k: (c.outcome, c.layer) for k, c in committed.cells.items()}
    again = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.83.0", "--out", str(out),
                    "-q")
    assert again.code == 0 and "cached environment" in again.stderr
