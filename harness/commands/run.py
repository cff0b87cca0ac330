"""Commands `run` (replay offline), `record` (emulators or --live) and `list`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from harness.commands.common import (
    CassetteOpt,
    ModeOpt,
    ModulesOpt,
    OutOpt,
    ProviderOpt,
    ScenarioOpt,
    ShardOpt,
    console,
)
from harness.commands.outputs import (
    check_expected,
    gate_code,
    report_names,
    summarise,
    write_outputs,
)
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.cells import Cell
    from harness.results import RunResults
    from harness.run.session import SessionOptions
    from harness.run.settings import RunSettings


@dataclass
class Selection:
    """What a run covers and where it reads and writes."""

    target: str
    providers: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    cassettes: Path | None = None
    out: Path | None = None
    model: str | None = None
    drop_params: bool = False
    base_url: str | None = None
    timeout: float | None = None
    strict_replay: bool = False
    modules: list[str] = field(default_factory=list)  # --scenarios: scenario modules
    shard: tuple[int, int] | None = None  # --shard i/n: this job's part of the selection
    emulator_latency: float = 0.0  # seconds each emulator waits before answering

    @property
    def filters(self) -> dict[str, list[str]]:
        """The filters as results files record them."""
        found = {"provider": self.providers, "mode": self.modes, "scenario": self.scenarios}
        if self.shard is not None:
            found["shard"] = [f"{self.shard[0]}/{self.shard[1]}"]
        return found


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def execute(sel: Selection, session: SessionOptions | None = None,
            baseline: Path | None = None, update_baseline: bool = False,
            verbose: bool = False, expect: Path | None = None) -> int:
    """Run the selected cells, write results and reports; the exit code."""
    from harness.baseline import load_baseline
    from harness.cells import select_cells, shard_cells
    from harness.commands.project import project_config
    from harness.results import load_results
    from harness.run.lock import reports_lock
    from harness.run.session import SessionOptions, check_writable
    from harness.run.settings import RunSettings
    from harness.run.targets import check_model

    if update_baseline and baseline is None:
        raise HarnessError("--update-baseline needs --baseline FILE: the baseline file to write")
    # Read the baseline before running: a bad baseline fails fast, not after every cell.
    old = load_baseline(baseline, may_be_missing=update_baseline) if baseline else None
    expected = load_results(expect) if expect else None
    config = project_config(cassettes=sel.cassettes, reports=sel.out, scenarios=sel.modules,
                            providers=sel.providers, modes=sel.modes, timeout=sel.timeout,
                            strict_replay=sel.strict_replay or None)
    sel.providers, sel.modes = list(config.providers), list(config.modes)
    cells = shard_cells(select_cells(sel.providers, sel.modes, sel.scenarios), sel.shard)
    options = session or SessionOptions(verbose=verbose)
    check_model(sel.model, list(dict.fromkeys(c.provider for c in cells)))
    if sel.base_url and len({c.provider for c in cells}) != 1:
        raise HarnessError("--base-url needs exactly one --provider; for several, set "
                           "CONFORMANCE_<PROVIDER>_BASE_URL for each")
    out_dir = config.reports
    check_writable(out_dir, "reports", "--out", report_names())
    settings = RunSettings(target=sel.target,  # type: ignore[arg-type]
                           cassette_dir=config.cassettes, model=sel.model,
                           drop_params=sel.drop_params, base_url=sel.base_url,
                           timeout=config.timeout, record_mode=options.record_mode,
                           strict_replay=config.strict_replay, project_root=config.root,
                           scenario_modules=config.scenarios, builtin=config.builtin,
                           develop_packs=config.develop_packs,
                           emulator_latency=sel.emulator_latency)
    if sel.target != "replay" and options.record_mode != "none":
        check_writable(settings.cassette_dir, "cassettes", "--cassettes")
    with reports_lock(out_dir):
        code = _run_and_report(sel, cells, settings, options, out_dir, old, baseline,
                               update_baseline)
    if expected is not None and expect is not None and code != 130:
        code = max(code, check_expected(expected, expect, out_dir))
    return code


def _run_and_report(sel: Selection, cells: list[Cell], settings: RunSettings,
                    options: SessionOptions, out_dir: Path, old: RunResults | None,
                    baseline: Path | None,
                    update_baseline: bool) -> int:
    from harness import __version__
    from harness.results import RunResults
    from harness.run.journal import journal_path
    from harness.run.session import run_session
    from harness.versions import library_versions

    started = _now()
    record_mode = options.record_mode
    outcome = run_session(cells, settings, options, out_dir, console,
                          {"target": sel.target, "record_mode": record_mode,
                           "started_at": started, "filters": sel.filters})
    run = {"target": sel.target, "started_at": started, "finished_at": _now(),
           "harness": __version__, "versions": library_versions(),
           "drop_params": sel.drop_params, "filters": sel.filters,
           **({"record_mode": record_mode} if sel.target != "replay" else {}),
           "retries": outcome.retries, "resumed_cells": outcome.resumed,
           "interrupted": outcome.interrupted}
    results = RunResults(run=run, cells=outcome.cells)
    write_outputs(results, out_dir, old)
    if not outcome.interrupted:  # results.json holds every cell: the journal's job is done
        journal_path(out_dir).unlink(missing_ok=True)
    summarise(results, out_dir)
    if outcome.interrupted:
        console.print(f"[bold yellow]interrupted: {len(results.cells)} of {len(cells)} cells "
                      f"finished and kept; continue with the same command and --resume[/]",
                      highlight=False)
        return 130
    return gate_code(results, old, baseline, update_baseline)


def run(provider: list[str] | None = ProviderOpt, mode: list[str] | None = ModeOpt,
        scenario: list[str] | None = ScenarioOpt, scenarios: list[str] | None = ModulesOpt,
        cassettes: Path | None = CassetteOpt,
        out: Path | None = OutOpt,
        drop_params: bool = typer.Option(False, "--drop-params",
                                         help="Run with litellm's drop_params on."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="A line per cell."),
        baseline: Path | None = typer.Option(None, "--baseline", help="Compare with this "
                                                "results file; exit 1 on any regression."),
        update_baseline: bool = typer.Option(False, "--update-baseline", help="Write this "
                                             "run's results as the --baseline file."),
        expect: Path | None = typer.Option(None, "--expect", help="Exit 1 unless every "
                                              "cell's verdict and every support level equals "
                                              "this results file's."),
        strict_replay: bool = typer.Option(False, "--strict-replay", help="A request that "
                                           "no longer matches its recording fails the cell "
                                           "instead of being re-answered by the emulator."),
        shard: str | None = ShardOpt) -> None:
    """Replay the recorded cassettes offline, then write results and the table."""
    from harness.cells import parse_shard

    sel = Selection("replay", provider or [], mode or [], scenario or [], cassettes, out,
                    drop_params=drop_params, strict_replay=strict_replay,
                    modules=scenarios or [], shard=parse_shard(shard) if shard else None)
    raise typer.Exit(execute(sel, None, baseline, update_baseline, verbose, expect))


def record(provider: list[str] | None = ProviderOpt, mode: list[str] | None = ModeOpt,
           scenario: list[str] | None = ScenarioOpt,
           scenarios: list[str] | None = ModulesOpt, cassettes: Path | None = CassetteOpt,
           out: Path | None = OutOpt,
           live: bool = typer.Option(False, "--live", help="Record against the real provider."),
           model: str | None = typer.Option(None, "--model", help="Model id to record."),
           drop_params: bool = typer.Option(False, "--drop-params"),
           verbose: bool = typer.Option(False, "--verbose", "-v"),
           record_mode: str | None = typer.Option(
               None, "--record-mode", help="none|once|new_episodes|all|rewrite (default: once "
                                           "with --live, rewrite otherwise)."),
           resume: bool = typer.Option(False, "--resume", help="Skip the cells already in the "
                                       "journal of an interrupted run (same --out)."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="Plain lines, no progress bar."),
           jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
           per_provider: int = typer.Option(1, "--per-provider", min=1,
                                            help="Calls in flight per provider."),
           base_url: str | None = typer.Option(None, "--base-url", help="Live: send calls "
                                                  "to this root URL (or set "
                                                  "CONFORMANCE_<PROVIDER>_BASE_URL)."),
           timeout: float | None = typer.Option(None, "--timeout", min=0.1,
                                                   help="Per-request timeout in seconds."),
           retries: int = typer.Option(3, "--retries", min=0, help="Retries per cell on 429, "
                                       "5xx, resets and timeouts."),
           retry_budget: int = typer.Option(30, "--retry-budget", min=0,
                                            help="Retries for the whole run."),
           shard: str | None = ShardOpt,
           emulator_latency: float = typer.Option(
               0.0, "--emulator-latency", min=0.0, help="Emulators wait this many seconds "
                                                       "before each response (a provider's "
                                                       "latency, for timing runs).")) -> None:
    """Record cassettes against the local emulators (or --live providers)."""
    from harness.cells import parse_shard
    from harness.run.retry import RetryPolicy
    from harness.run.session import SessionOptions
    from harness.run.targets import check_record_mode

    mode_name = check_record_mode(record_mode or ("once" if live else "rewrite"))
    options = SessionOptions(record_mode=mode_name, jobs=jobs, per_provider=per_provider,
                             retry=RetryPolicy(max_retries=retries, budget=retry_budget),
                             resume=resume, quiet=quiet, verbose=verbose)
    if emulator_latency and live:
        raise HarnessError("--emulator-latency slows the local emulators; a --live run "
                           "waits on the real provider: drop one of them")
    sel = Selection("live" if live else "emulator", provider or [], mode or [], scenario or [],
                    cassettes, out, model, drop_params, base_url, timeout,
                    modules=scenarios or [], shard=parse_shard(shard) if shard else None,
                    emulator_latency=emulator_latency)
    raise typer.Exit(execute(sel, options))


def list_names() -> None:
    """List the providers, modes and scenarios (the project's scenario modules included)."""
    from harness.commands.project import project_config
    from harness.modes import all_modes
    from harness.providers import PROVIDERS
    from harness.scenarios import SCENARIOS

    project_config()

    for p in PROVIDERS:
        print(f"provider {p.name:12} {p.model_string():40} modes: {', '.join(p.modes)}")
    print(f"modes: {', '.join(all_modes())}")
    for s in SCENARIOS:
        print(f"scenario {s.name:16} {s.description}")


def register(app: typer.Typer) -> None:
    """Add `run`, `record` and `list`."""
    app.command("run")(run)
    app.command("record")(record)
    app.command("list")(list_names)
