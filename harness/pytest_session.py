"""One pytest session of conformance cells: the project, its scenario module files, the cell
runners, the expected failures and the results written when the session ends.

Registered by harness.pytest_plugin's pytest_configure when the project names scenario
modules; its methods are that session's hooks.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.config import Config
from harness.errors import HarnessError
from harness.expectations import ExpectationError, Expected, expectation_for, unmet, validate
from harness.pytest_plugin import CellItem, ScenarioFile
from harness.scenarios import SCENARIOS, configure
from harness.scenarios.registry import BUILTIN

if TYPE_CHECKING:
    from harness.cells import Cell
    from harness.results import CellResult
    from harness.run.settings import RunSettings

# A test report's extra attribute carrying the cell's record (xdist serialises it too).
REPORT_ATTRIBUTE = "conformance_cell"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def module_file(module: str, root: Path) -> Path:
    """The file of scenario module `module`, found as an import would find it (the project
    root first), without running it: its own errors belong to its collection."""
    try:
        spec = importlib.util.find_spec(module)
    except Exception as exc:  # a parent package that fails to import, or no such package
        raise HarnessError(f"[tool.conformance] scenarios: cannot import {module!r}: "
                           f"{type(exc).__name__}: {exc}") from None
    if spec is None or not spec.has_location or not spec.origin:
        raise HarnessError(f"[tool.conformance] scenarios: no module {module!r} under {root} "
                           f"or among the installed packages; fix the name")
    return Path(spec.origin).resolve()


class CellSession:
    """The cells of a project's scenario modules, run as tests."""

    def __init__(self, project: Config, record_mode: str,
                 shard: tuple[int, int] | None = None) -> None:
        from harness.cells import select_cells
        from harness.expected_failures import from_config

        self.project, self.record_mode, self.shard = project, record_mode, shard
        self.target = "replay" if record_mode == "none" else "emulator"
        self.before = SCENARIOS.modules  # what the registry held: restored at the end
        self.where = f"{self._shown(project.root / 'pyproject.toml')} " \
                     f"[[tool.conformance.expected_failures]]"
        try:
            configure((), project.builtin, project.root)  # the root on sys.path, the guide
            select_cells(project.providers, project.modes, [])  # unknown names: one line now
            self.expected: tuple[Expected, ...] = from_config(project.expected_failures)
            self.files = {module_file(m, project.root): m for m in project.scenarios}
        except (HarnessError, ExpectationError) as exc:
            self.restore()
            raise pytest.UsageError(str(exc)) from None
        self.collected: dict[str, list[Cell]] = {}  # module -> its cells
        self.results: dict[str, CellResult] = {}
        self.versions: dict[str, str] | None = None
        self.started, self.started_at, self.summary = False, _now(), ""

    def restore(self) -> None:
        """Put the scenario registry back as it was (an in-process session must not leave
        the project's scenarios behind it)."""
        for module in self.project.scenarios:
            if module not in self.before:
                SCENARIOS.unload(module)
        configure(tuple(m for m in self.before if m != BUILTIN), BUILTIN in self.before, None)

    def _shown(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.project.root))
        except ValueError:
            return str(path)

    # Collection ---------------------------------------------------------------------------

    def pytest_collect_file(self, file_path: Path,
                            parent: pytest.Collector) -> pytest.Collector | None:
        if file_path.suffix == ".py" and file_path.resolve() in self.files:
            found: pytest.Collector = ScenarioFile.from_parent(parent, path=file_path)
            return found
        return None

    def load(self, path: Path) -> list[Cell]:
        """The cells of the scenario module at `path` (imported now: errors are one line)."""
        from harness.cells import select_cells

        module = self.files[path.resolve()]
        found = SCENARIOS.extend(module)
        cells = select_cells(self.project.providers, self.project.modes, [s.name for s in found])
        self.collected[module] = cells
        return cells

    def expectation(self, cell_id: str) -> Expected | None:
        """The project's expected failure covering `cell_id` with the installed libraries."""
        from harness.versions import library_versions

        if not self.expected:
            return None
        if self.versions is None:
            self.versions = library_versions()
        return expectation_for(cell_id, self.expected, self.versions)

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        from harness.run.session import check_writable

        ids = [c.cell_id for cells in self.collected.values() for c in cells]
        if not ids:
            return
        self._keep_shard(config, items)
        # Every entry must match a cell, unless only some of the modules were collected.
        complete = set(self.collected) == set(self.project.scenarios)
        try:
            validate(self.expected, ids, self.versions, complete=complete)
            if config.getoption("collectonly", default=False):
                return  # nothing will be written: no folder made for it
            check_writable(self.project.reports, "reports",
                           "reports in [tool.conformance] (or CONFORMANCE_REPORTS)")
            if self.target != "replay":
                check_writable(self.project.cassettes, "cassettes",
                               "cassettes in [tool.conformance] (or CONFORMANCE_CASSETTES)")
        except (HarnessError, ExpectationError) as exc:
            raise pytest.UsageError(f"{exc} ({self.where})" if isinstance(
                exc, ExpectationError) else str(exc)) from None

    def _keep_shard(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Deselect the cells outside --conformance-shard (expected failures are still
        checked against every collected cell: the shards share one configuration)."""
        from harness.cells import in_shard

        if self.shard is None:
            return
        shard = self.shard
        out = [i for i in items if isinstance(i, CellItem) and not in_shard(i.cell.cell_id,
                                                                             shard)]
        if out:
            config.hook.pytest_deselected(items=out)
            gone = {id(i) for i in out}
            items[:] = [i for i in items if id(i) not in gone]

    def pytest_report_header(self) -> str:
        what = "replay, network blocked" if self.target == "replay" else \
            "recording against the local emulators"
        return (f"conformance: {len(self.files)} scenario module(s) of {self.project.root}; "
                f"record mode {self.record_mode} ({what}); cassettes "
                f"{self._shown(self.project.cassettes)}, reports "
                f"{self._shown(self.project.reports)}")

    # Running ------------------------------------------------------------------------------

    def settings(self) -> RunSettings:
        from harness.run.settings import RunSettings

        p = self.project
        return RunSettings(target=self.target,  # type: ignore[arg-type]
                           cassette_dir=p.cassettes, timeout=p.timeout,
                           record_mode=self.record_mode, strict_replay=p.strict_replay,
                           project_root=p.root, scenario_modules=p.scenarios,
                           builtin=p.builtin)

    def run(self, cell: Cell) -> CellResult:
        """Run `cell` as `conformance run` / `record` would: never raises for a bad cell."""
        from harness.results import CellResult
        from harness.run import worker
        from harness.run.session import SessionOptions, plan

        settings = self.settings()
        if not self.started:
            worker.init(settings)
            self.started = True
        try:
            ((_, kind),) = plan([cell], settings, SessionOptions(record_mode=self.record_mode))
        except HarnessError as exc:  # a corrupt cassette that the record mode would read
            return CellResult(cell.provider, cell.mode, cell.scenario, "error",
                              layer="harness", exception_type=type(exc).__name__,
                              message=str(exc), target=self.target)
        result = CellResult.from_dict(worker.attempt(cell, kind))
        if kind == "replay":
            result.notes.append(f"kept the existing cassette (record mode "
                                f"{self.record_mode}): replayed, not re-recorded")
        return result

    def judge(self, result: CellResult) -> tuple[str, str]:
        """(pass | known | skip | fail, why) for a cell's result."""
        cell_id = result.cell_id
        if result.outcome == "skipped":
            return "skip", f"{cell_id}: {result.message}"
        entry = self.expectation(cell_id)
        if entry is not None:
            problem = unmet(entry, result, self.where)
            return ("known", f"{cell_id}: {entry.name}") if problem is None \
                else ("fail", problem)
        if result.outcome == "pass":
            return "pass", ""
        hint = "; or record it: pytest --record-mode once" \
            if result.exception_type == "CassetteMissingError" else ""
        return "fail", (f"{cell_id}: {result.outcome} (layer {result.layer}) "
                        f"{result.exception_type}: {result.message}{hint}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        # The cell's record rides on its report: under xdist the controller, which writes
        # the results, gets it with the report (extra report attributes are serialised).
        if isinstance(item, CellItem) and call.when == "call" and item.result is not None:
            setattr(report, REPORT_ATTRIBUTE, item.result)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from harness.results import CellResult

        found = getattr(report, REPORT_ATTRIBUTE, None)
        if isinstance(found, dict):
            self.results[str(found.get("id"))] = CellResult.from_dict(found)

    # Results ------------------------------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.started:
            from harness.run import worker

            worker.close()
        if hasattr(session.config, "workerinput") or not self.results:
            return  # an xdist worker: the controller writes the session's results
        try:
            self.summary = self.write()
        except (HarnessError, OSError) as exc:
            self.summary = f"conformance: no results written: {exc}"
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def write(self) -> str:
        """Write results.json, results.md and the streaming-support reports; a summary."""
        from harness import __version__
        from harness.recording.atomic import write_atomic
        from harness.reports import write_all_reports
        from harness.reports.results_table import counts, render_markdown
        from harness.results import RunResults
        from harness.run.lock import reports_lock
        from harness.versions import library_versions

        out, p = self.project.reports, self.project
        # A shard names the scenarios of every collected cell: each shard of a split then
        # records the same selection, as conformance merge requires.
        ran = [c for cells in self.collected.values() for c in cells] if self.shard \
            else list(self.results.values())
        scenarios = sorted({r.scenario for r in ran})
        run = {"target": self.target, "source": "pytest", "started_at": self.started_at,
               "finished_at": _now(), "harness": __version__, "versions": library_versions(),
               "filters": {"provider": list(p.providers), "mode": list(p.modes),
                           "scenario": scenarios,
                           **({"shard": [f"{self.shard[0]}/{self.shard[1]}"]}
                              if self.shard else {})},
               **({"record_mode": self.record_mode} if self.target != "replay" else {})}
        results = RunResults(run=run, cells=dict(self.results))
        with reports_lock(out):
            results.write(out / "results.json")
            write_atomic(out / "results.md", render_markdown(results))
            write_all_reports(results, out)
        tally = ", ".join(f"{n} {o}" for o, n in sorted(counts(results).items()))
        return (f"conformance: {len(results.cells)} cells ({tally}); wrote "
                f"{self._shown(out / 'results.json')}, results.md and the streaming-support "
                f"reports")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.summary:
            terminalreporter.write_line(self.summary)
