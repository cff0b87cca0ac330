"""pytest wiring for the conformance suites: one runner per session, results collected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.config import load
from harness.results import CellResult, RunResults
from harness.scenarios import SCENARIOS, configure

if TYPE_CHECKING:
    from harness.run.runner import Runner

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
                         "the worker id is appended; conformance merge joins them)")
    group.addoption("--conformance-shard", default=None, metavar="I/N",
                    help="run only shard I of N of the cells (by cell id, as conformance "
                         "run --shard): CI jobs split the suite, conformance merge joins "
                         "their --conformance-results")


def _shard(config: pytest.Config) -> tuple[int, int] | None:
    from harness.cells import parse_shard
    from harness.errors import HarnessError

    text = config.getoption("--conformance-shard", default=None)
    try:
        return parse_shard(text, "--conformance-shard") if text else None
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_configure(config: pytest.Config) -> None:
    _shard(config)  # a bad shard is a usage error before anything is collected


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from harness.cells import in_shard

    shard = _shard(config)
    if shard is None:
        return
    kept, dropped = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        cell = spec.params.get("cell") if spec is not None else None
        (kept if cell is None or in_shard(cell.cell_id, shard) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def runner(pytestconfig: pytest.Config) -> Iterator[Runner]:
    """The session's cell runner (litellm is imported here, in the process that runs cells:
    an xdist controller never pays for it)."""
    from harness.run.runner import Runner, RunSettings

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
    shard = session.config.getoption("--conformance-shard", default=None)
    run: dict[str, Any] = {"target": session.config.getoption("--conformance-target"),
                           "source": "pytest"}
    if shard:
        run["filters"] = {"shard": [shard.strip()]}
    RunResults(run=run, cells=dict(_RESULTS)).write(path)
