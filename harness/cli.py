"""The `conformance` command line."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import HarnessError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Cross-provider conformance harness for structured LLM outputs.")
console = Console(stderr=True)

ProviderOpt = typer.Option(None, "--provider", "-p", help="Provider name (repeatable).")
ModeOpt = typer.Option(None, "--mode", "-m", help="Mode name (repeatable).")
ScenarioOpt = typer.Option(None, "--scenario", "-s", help="Scenario name (repeatable).")
CassetteOpt = typer.Option(None, "--cassettes", help="Cassette folder (default: ./cassettes).")
OutOpt = typer.Option(None, "--out", help="Report folder (default: ./reports).")


def _error_line(message: str) -> None:
    # One line, however narrow the terminal, and the message is never read as rich markup
    # (a cassette path like test[required-bedrock].yaml would be).
    from rich.text import Text
    console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    _error_line(message)
    raise typer.Exit(code)


def _execute(target: str, providers: list[str] | None, modes: list[str] | None,
             scenarios: list[str] | None, cassettes: Path | None, out: Path | None,
             model: str | None, drop_params: bool, verbose: bool,
             baseline: Path | None = None, update_baseline: bool = False, *,
             session: "SessionOptions | None" = None, base_url: str | None = None,
             timeout: float | None = None) -> int:
    from .cells import select_cells
    from .recording.paths import DEFAULT_CASSETTE_DIR, DEFAULT_REPORT_DIR
    from .report_table import counts, render_markdown
    from .results import RunResults
    from .runner import RunSettings
    from .recording.atomic import write_atomic
    from .versions import library_versions
    from . import __version__
    from .baseline import gate, load_baseline
    from .reports import write_all_reports
    from .live.journal import journal_path
    from .live.session import SessionOptions, check_writable, run_session
    from .live.targets import check_model

    if update_baseline and baseline is None:
        raise HarnessError("--update-baseline needs --baseline FILE: the baseline file to write")
    # Read the baseline before running: a bad baseline fails fast, not after every cell.
    old = load_baseline(baseline, may_be_missing=update_baseline) if baseline else None
    cells = select_cells(providers or (), modes or (), scenarios or ())
    session = session or SessionOptions(verbose=verbose)
    check_model(model, list(dict.fromkeys(c.provider for c in cells)))
    if base_url and len({c.provider for c in cells}) != 1:
        raise HarnessError("--base-url needs exactly one --provider; for several, set "
                           "CONFORMANCE_<PROVIDER>_BASE_URL for each")
    out_dir = out or DEFAULT_REPORT_DIR
    _check_writable(out_dir)
    settings = RunSettings(target=target,  # type: ignore[arg-type]
                           cassette_dir=cassettes or DEFAULT_CASSETTE_DIR, model=model,
                           drop_params=drop_params, base_url=base_url, timeout=timeout,
                           record_mode=session.record_mode)
    if target != "replay" and session.record_mode != "none":
        check_writable(settings.cassette_dir, "cassettes", "--cassettes")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    filters = {"provider": providers or [], "mode": modes or [], "scenario": scenarios or []}
    outcome = run_session(cells, settings, session, out_dir, console,
                          {"target": target, "record_mode": session.record_mode,
                           "started_at": started, "filters": filters})
    results = outcome.cells
    run = {"target": target, "started_at": started,
           "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "harness": __version__, "versions": library_versions(),
           "drop_params": drop_params, "filters": filters,
           **({"record_mode": session.record_mode} if target != "replay" else {}),
           "retries": outcome.retries, "resumed_cells": outcome.resumed,
           "interrupted": outcome.interrupted}
    run_results = RunResults(run=run, cells=results)
    run_results.write(out_dir / "results.json")
    write_atomic(out_dir / "results.md", render_markdown(run_results))
    write_all_reports(run_results, out_dir, baseline=old)
    if not outcome.interrupted:  # results.json holds every cell: the journal's job is done
        journal_path(out_dir).unlink(missing_ok=True)
    summary = ", ".join(f"{n} {o}" for o, n in sorted(counts(run_results).items()))
    console.print(f"{len(results)} cells: {summary}. Wrote {out_dir / 'results.json'} and "
                  f"{out_dir / 'results.md'}", highlight=False)
    if outcome.interrupted:
        console.print(f"[bold yellow]interrupted: {len(results)} of {len(cells)} cells finished "
                      f"and kept; continue with the same command and --resume[/]",
                      highlight=False)
        return 130
    gate_code = gate(run_results, old, baseline, update_baseline,
                     lambda line: console.print(line, highlight=False, markup=False,
                                                  soft_wrap=True)) \
        if baseline else 0
    harness_errors = [r for r in results.values() if r.layer == "harness"]
    if harness_errors:
        console.print(f"[bold red]{len(harness_errors)} cell(s) failed in the harness "
                      f"(missing or drifted cassettes): exit 1[/]", highlight=False)
        return 1
    return gate_code


def _check_writable(folder: Path) -> None:
    from .live.session import check_writable

    check_writable(folder, "reports", "--out")


@app.command()
def run(provider: Optional[list[str]] = ProviderOpt, mode: Optional[list[str]] = ModeOpt,
        scenario: Optional[list[str]] = ScenarioOpt, cassettes: Optional[Path] = CassetteOpt,
        out: Optional[Path] = OutOpt,
        drop_params: bool = typer.Option(False, "--drop-params",
                                         help="Run with litellm's drop_params on."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="A line per cell."),
        baseline: Optional[Path] = typer.Option(None, "--baseline", help="Compare with this "
                                                "results file; exit 1 on any regression."),
        update_baseline: bool = typer.Option(False, "--update-baseline", help="Write this "
                                             "run's results as the --baseline file.")) -> None:
    """Replay the recorded cassettes offline, then write results and the table."""
    raise typer.Exit(_execute("replay", provider, mode, scenario, cassettes, out, None,
                              drop_params, verbose, baseline, update_baseline))


@app.command()
def record(provider: Optional[list[str]] = ProviderOpt, mode: Optional[list[str]] = ModeOpt,
           scenario: Optional[list[str]] = ScenarioOpt, cassettes: Optional[Path] = CassetteOpt,
           out: Optional[Path] = OutOpt,
           live: bool = typer.Option(False, "--live", help="Record against the real provider."),
           model: Optional[str] = typer.Option(None, "--model", help="Model id to record."),
           drop_params: bool = typer.Option(False, "--drop-params"),
           verbose: bool = typer.Option(False, "--verbose", "-v"),
           record_mode: Optional[str] = typer.Option(
               None, "--record-mode", help="none|once|new_episodes|all|rewrite (default: once "
                                           "with --live, rewrite otherwise)."),
           resume: bool = typer.Option(False, "--resume", help="Skip the cells already in the "
                                       "journal of an interrupted run (same --out)."),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="Plain lines, no progress bar."),
           jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
           per_provider: int = typer.Option(1, "--per-provider", min=1,
                                            help="Calls in flight per provider."),
           base_url: Optional[str] = typer.Option(None, "--base-url", help="Live: send calls "
                                                  "to this root URL (or set "
                                                  "CONFORMANCE_<PROVIDER>_BASE_URL)."),
           timeout: Optional[float] = typer.Option(None, "--timeout", min=0.1,
                                                   help="Per-request timeout in seconds."),
           retries: int = typer.Option(3, "--retries", min=0, help="Retries per cell on 429, "
                                       "5xx, resets and timeouts."),
           retry_budget: int = typer.Option(30, "--retry-budget", min=0,
                                            help="Retries for the whole run.")) -> None:
    """Record cassettes against the local emulators (or --live providers)."""
    from .live.retry import RetryPolicy
    from .live.session import SessionOptions
    from .live.targets import check_record_mode

    mode_name = check_record_mode(record_mode or ("once" if live else "rewrite"))
    options = SessionOptions(record_mode=mode_name, jobs=jobs, per_provider=per_provider,
                             retry=RetryPolicy(max_retries=retries, budget=retry_budget),
                             resume=resume, quiet=quiet, verbose=verbose)
    raise typer.Exit(_execute("live" if live else "emulator", provider, mode, scenario,
                              cassettes, out, model, drop_params, verbose, session=options,
                              base_url=base_url, timeout=timeout))


@app.command("list")
def list_names() -> None:
    """List the providers, modes and scenarios."""
    from .modes import all_modes
    from .providers import PROVIDERS
    from .scenarios import SCENARIOS

    for p in PROVIDERS:
        print(f"provider {p.name:12} {p.model_string():40} modes: {', '.join(p.modes)}")
    print(f"modes: {', '.join(all_modes())}")
    for s in SCENARIOS:
        print(f"scenario {s.name:16} {s.description}")


from .commands import register_all  # noqa: E402  (after the core commands: help order)

register_all(app)


def main() -> None:
    """Entry point: harness errors become one clear line and exit code 2."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except HarnessError as exc:
        _error_line(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors
        import click
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise
