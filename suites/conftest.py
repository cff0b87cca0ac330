"""pytest wiring for the conformance suites: one runner per session, results collected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import load
from harness.results import CellResult, RunResults
from harness.run.runner import Runner, RunSettings
from harness.scenarios import SCENARIOS, configure

_RESULTS: dict[str, CellResult] = {}
# The project's scenarios, as `conformance run` loads them ([tool.conformance] scenarios: here
# the beyond pack beside the built-in guide), before test_cells selects its cells.
_PROJECT = load()
configure(_PROJECT.scenarios, _PROJECT.builtin, _PROJECT.root)
_LOADED = SCENARIOS.modules


@pytest.fixture(autouse=True)
def _project_scenarios() -> None:
    """The project's scenarios loaded for each cell (the pytest plugin's session, or a test of
    tests/ in the same worker, may have configured the registry otherwise)."""
    if SCENARIOS.modules != _LOADED:
        configure(_PROJECT.scenarios, _PROJECT.builtin, _PROJECT.root)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption("--conformance-target", default="replay",
                    choices=("replay", "emulator", "live"),
                    help="replay cassettes (default), record against emulators, or live")
    group.addoption("--conformance-results", default=None,
                    help="write the cells' results JSON here (one file per xdist worker: "
                         "the worker id is appended)")


@pytest.fixture(scope="session")
def runner(pytestconfig: pytest.Config) -> Iterator[Runner]:
    """The session's cell runner."""
    r = Runner(RunSettings(target=pytestconfig.getoption("--conformance-target"),
                           project_root=_PROJECT.root, scenario_modules=_PROJECT.scenarios,
                           develop_packs=_PROJECT.develop_packs))
    yield r
    r.close()


@pytest.fixture
def record_result() -> callable:
    """Keep a cell's result for the session's results file."""
    def keep(result: CellResult) -> None:
        _RESULTS[result.cell_id] = result
    return keep


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = session.config.getoption("--conformance-results", default=None)
    if not target or not _RESULTS:
        return
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    path = Path(target)
    if worker:
        path = path.with_name(f"{path.stem}-{worker}{path.suffix}")
    RunResults(run={"target": session.config.getoption("--conformance-target"),
                    "source": "pytest"}, cells=dict(_RESULTS)).write(path)
