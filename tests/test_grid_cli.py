"""`conformance grid` end to end with stand-ins for PyPI, uv and each pair's replay."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from harness.grid import pypi
from harness.grid.build import Env
from harness.grid.pairs import GridSettings
from harness.grid.procs import Children, Finished, Interrupted
from harness.results import RunResults
from tests.grid_fakes import FakeUv, fake_pypi
from tests.helpers import run_cli
from tests.test_support_levels import make_cell

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


@pytest.fixture
def offline_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache, the fake PyPI and the fake uv; returns the --out folder."""
    monkeypatch.setenv("CONFORMANCE_GRID_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(pypi, "http_get", fake_pypi)
    monkeypatch.setattr("harness.grid.build.uv_runner", lambda children: FakeUv())
    return tmp_path / "out"


def _one_line(outcome, needle: str) -> None:
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    assert needle in lines[0], lines[0]


def test_an_unknown_version_is_one_line_naming_the_nearest(offline_world: Path) -> None:
    outcome = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.83.0,1.90.0",
                      "--out", str(offline_world))
    _one_line(outcome, "unknown litellm version 1.90.0; nearest released: 1.84.0, 1.96.2")
    assert not (offline_world / "grid.json").exists()


def test_the_compromised_releases_are_refused_without_a_network_call(
        offline_world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(url: str) -> bytes:
        raise AssertionError("PyPI was asked")
    monkeypatch.setattr(pypi, "http_get", no_network)
    outcome = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.82.8", "--force",
                      "--out", str(offline_world))
    _one_line(outcome, "litellm 1.82.8 is refused: yanked after a supply-chain compromise")


def _fake_replay(env: Env, folder: Path, settings: GridSettings,
                 children: Children) -> Finished:
    """What a replay writes: results whose mistral cell drifts on litellm 1.96.2."""
    drift = env.spec.litellm == "1.96.2"
    cells = [make_cell("openai", "tools", "sync"),
             make_cell("mistral", "tools", "sync", *(("error", "harness") if drift else ()))]
    run = {"versions": {"instructor": env.spec.instructor, "litellm": env.spec.litellm}}
    RunResults(run, {c.cell_id: c for c in cells}).write(folder / "results.json")
    return Finished(1 if drift else 0, "")


def test_a_grid_with_a_pair_that_is_not_installable(offline_world: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.grid.pairs.replay", _fake_replay)
    outcome = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.96.2,1.83.0,1.83.5",
                      "--out", str(offline_world), "-q")
    assert outcome.code == 0, outcome.stderr
    assert ("instructor 1.17.0 × litellm 1.83.5: not installable: Because litellm==1.83.5 "
            "depends on aiohttp==3.13.5") in outcome.stderr
    grid = json.loads((offline_world / "grid.json").read_text())
    assert [(p["litellm"], p["status"]) for p in grid["pairs"]] == [
        ("1.83.0", "ok"), ("1.83.5", "not installable"), ("1.96.2", "ok")]
    mistral = next(c for c in grid["cells"] if c["id"] == "mistral-tools-sync")
    assert [(c["library"], c["before_version"], c["after_version"], c["after"], c["untested"])
            for c in mistral["broke"]] == [("litellm", "1.83.0", "1.96.2", "error (harness)", 2)]
    for p in ("instructor-1.17.0_litellm-1.83.0", "instructor-1.17.0_litellm-1.96.2"):
        assert (offline_world / "pairs" / p / "results.json").is_file()
    assert {f.name for f in offline_world.iterdir()} == {"grid.json", "grid.md", "grid.html",
                                                        "pairs"}


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_writes_the_finished_pairs_and_exits_130(offline_world: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def replay(env: Env, folder: Path, settings: GridSettings, children: Children) -> Finished:
        if env.spec.litellm == "1.96.2":
            os.kill(os.getpid(), signal.SIGINT)
            assert children.stopping.wait(10)
            raise Interrupted
        return _fake_replay(env, folder, settings, children)

    monkeypatch.setattr("harness.grid.pairs.replay", replay)
    outcome = run_cli("grid", "--instructor", "1.17.0", "--litellm", "1.83.0,1.96.2,1.110.2",
                      "--out", str(offline_world), "-q", "--jobs", "1")
    assert outcome.code == 130, outcome.stderr
    assert "interrupted: the finished pairs are in the grid" in outcome.stderr
    grid = json.loads((offline_world / "grid.json").read_text())
    assert grid["interrupted"] is True
    assert [(p["litellm"], p["status"]) for p in grid["pairs"]] == [
        ("1.83.0", "ok"), ("1.96.2", "interrupted"), ("1.110.2", "not run")]
