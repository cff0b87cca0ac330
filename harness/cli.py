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


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _execute(target: str, providers: list[str] | None, modes: list[str] | None,
             scenarios: list[str] | None, cassettes: Path | None, out: Path | None,
             model: str | None, drop_params: bool, verbose: bool,
             baseline: Path | None = None, update_baseline: bool = False) -> int:
    from .cells import select_cells
    from .recording.paths import DEFAULT_CASSETTE_DIR, DEFAULT_REPORT_DIR
    from .report_table import cell_text, counts, render_markdown
    from .results import RunResults
    from .runner import Runner, RunSettings
    from .recording.atomic import write_atomic
    from .versions import library_versions
    from . import __version__
    from .baseline import gate, load_baseline
    from .reports import write_all_reports

    if update_baseline and baseline is None:
        raise HarnessError("--update-baseline needs --baseline FILE: the baseline file to write")
    # Read the baseline before running: a bad baseline fails fast, not after every cell.
    old = load_baseline(baseline, may_be_missing=update_baseline) if baseline else None
    cells = select_cells(providers or (), modes or (), scenarios or ())
    out_dir = out or DEFAULT_REPORT_DIR
    _check_writable(out_dir)
    settings = RunSettings(target=target,  # type: ignore[arg-type]
                           cassette_dir=cassettes or DEFAULT_CASSETTE_DIR, model=model,
                           drop_params=drop_params)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    runner = Runner(settings)
    results: dict = {}
    try:
        for i, cell in enumerate(cells, 1):
            result = runner.run_cell(cell)
            results[result.cell_id] = result
            if verbose or result.outcome != "pass":
                console.print(f"[{i}/{len(cells)}] {result.cell_id}: "
                              f"{cell_text(result.outcome, result.layer)}"
                              + (f" — {result.exception_type}" if result.exception_type else ""),
                              highlight=False)
    finally:
        runner.close()
    run = {"target": target, "started_at": started,
           "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "harness": __version__, "versions": library_versions(),
           "drop_params": drop_params,
           "filters": {"provider": providers or [], "mode": modes or [],
                       "scenario": scenarios or []}}
    run_results = RunResults(run=run, cells=results)
    run_results.write(out_dir / "results.json")
    write_atomic(out_dir / "results.md", render_markdown(run_results))
    write_all_reports(run_results, out_dir, baseline=old)
    summary = ", ".join(f"{n} {o}" for o, n in sorted(counts(run_results).items()))
    console.print(f"{len(results)} cells: {summary}. Wrote {out_dir / 'results.json'} and "
                  f"{out_dir / 'results.md'}", highlight=False)
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
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise HarnessError(f"cannot write reports to {folder}: {exc.strerror or exc}; pass a writable "
                           f"folder with --out") from None


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
           verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """Record cassettes against the local emulators (or --live providers)."""
    raise typer.Exit(_execute("live" if live else "emulator", provider, mode, scenario,
                              cassettes, out, model, drop_params, verbose))


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
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
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
