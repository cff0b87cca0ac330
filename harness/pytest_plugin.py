"""The pytest plugin: a project's scenarios as tests, one per provider × mode × scenario cell.

Registered through the `pytest11` entry point, so plain `pytest` in a project whose
[tool.conformance] table names scenario modules collects their cells, with ids like
`openai-tools-invoice`, from those module files (wherever pytest walks them: pytest calls
`pytest_collect_file` for every file, not only test_*.py). Each test runs its cell exactly as
`conformance run` does (replay by default, network blocked) and passes when the cell passes.
`--record-mode` (pytest-recording's option and modes) records against the local emulators;
the project's [[tool.conformance.expected_failures]] are strict xfails pinned to their
evidence. The session's results go to the project's reports folder, as `conformance run`
writes them. Without scenario modules configured the plugin does nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from harness.recording import RECORD_MODES

if TYPE_CHECKING:
    from harness.cells import Cell
    from harness.pytest_session import CellSession

SESSION = "conformance-cells"  # the name the session's state is registered under
# pytest-recording's options, with its names and meaning. When it is installed too, its own
# options are used (both plugins read the same values); registering them twice would crash.
OPTIONS: dict[str, dict[str, Any]] = {
    "--record-mode": {
        "action": "store", "default": "none", "choices": RECORD_MODES,
        "help": "conformance cells: none (default) replays the cassettes with the network "
                "blocked; once records the cells without a cassette against the local "
                "emulators; new_episodes, all and rewrite as in pytest-recording"},
    "--block-network": {
        "action": "store_true", "default": False,
        "help": "accepted for pytest-recording's sake: conformance cells never reach the "
                "outside network (replays block it; recordings talk to loopback emulators)"},
}
# The harness's own options (no pytest-recording counterpart).
OWN_OPTIONS: dict[str, dict[str, Any]] = {
    "--conformance-shard": {
        "action": "store", "default": None, "metavar": "I/N",
        "help": "conformance cells: run only shard I of N (by cell id, as conformance run "
                "--shard); conformance merge joins the shards' reports folders"},
}


def _taken(parser: pytest.Parser) -> set[str]:
    """Every option name registered so far, in any group (conflicts across groups only
    surface when pytest builds its argument parser, as a crash)."""
    groups = [parser._anonymous, *parser._groups]
    return {name for group in groups for option in group.options for name in option.names()}


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser,
                                  args: list[str]) -> Generator[None, object, object]:
    # Added once every plugin (pytest-recording included, whatever the entry points' order)
    # and the initial conftests have added theirs: only the options still absent.
    result = yield
    taken = _taken(parser)
    group = parser.getgroup("conformance", "conformance cells (harness.pytest_plugin)")
    for name, attrs in {**OPTIONS, **OWN_OPTIONS}.items():
        if name not in taken:  # this repository's suites/conftest.py has its own shard option
            group.addoption(name, **attrs)
    return result


def record_mode(config: pytest.Config) -> str:
    """The session's record mode: pytest-recording's default is None, meaning none."""
    return str(config.getoption("record_mode", default=None) or "none")


def pytest_configure(config: pytest.Config) -> None:
    from harness.config import ConfigError, load

    try:
        project = load(config.invocation_params.dir)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if not project.scenarios:
        return  # not a conformance project (or one with only the built-in pack): stay out
    from harness.pytest_session import CellSession

    config.pluginmanager.register(CellSession(project, record_mode(config), shard(config)),
                                  SESSION)


def shard(config: pytest.Config) -> tuple[int, int] | None:
    """--conformance-shard as (i, n), or None; a usage error when it is no shard."""
    from harness.cells import parse_shard
    from harness.errors import HarnessError

    text = config.getoption("conformance_shard", default=None)
    try:
        return parse_shard(str(text), "--conformance-shard") if text else None
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.pluginmanager.get_plugin(SESSION)
    if session is not None:
        session.restore()


def cell_session(config: pytest.Config) -> CellSession:
    """The session's state (registered by pytest_configure)."""
    return cast("CellSession", config.pluginmanager.get_plugin(SESSION))


class KnownFailure(AssertionError):
    """The cell failed exactly as its expected failure says (what the strict xfail expects)."""


class CellFailed(AssertionError):
    """The cell did not pass (or did not fail as expected): the message says how."""


class ScenarioFile(pytest.File):
    """A scenario module of the project: its scenarios × providers × modes."""

    def collect(self) -> Iterator[pytest.Item]:
        session = cell_session(self.config)
        try:
            cells = session.load(self.path)
        except Exception as exc:  # a bad module is one line, never an import traceback
            raise self.CollectError(str(exc)) from None
        for cell in cells:
            item = CellItem.from_parent(self, name=cell.cell_id, cell=cell)
            entry = session.expectation(cell.cell_id)
            if entry is not None:
                item.add_marker(pytest.mark.xfail(strict=True, raises=KnownFailure,
                                                  reason=entry.reason))
            yield item


class CellItem(pytest.Item):
    """One cell as a test: run it, then judge its result."""

    def __init__(self, *, cell: Cell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.result: dict[str, Any] | None = None  # the cell's record, for the results file

    def runtest(self) -> None:
        session = cell_session(self.config)
        result = session.run(self.cell)
        self.result = result.to_dict()
        verdict, message = session.judge(result)
        if verdict == "skip":
            pytest.skip(message)
        if verdict == "known":
            raise KnownFailure(message)
        if verdict == "fail":
            raise CellFailed(message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, CellFailed):
            return str(excinfo.value)  # the verdict says it all; the traceback is the harness's
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"conformance cell {self.cell.cell_id}"
