"""Command `validate`: pre-deploy go/no-go of a provider and model, run live."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer

from harness.commands.common import console
from harness.errors import MissingCredentialsError


def validate(provider: str = typer.Option(..., "--provider", "-p", help="The provider."),
             model: str | None = typer.Option(None, "--model",
                                                 help="Model id (default: the provider's)."),
             mode: list[str] | None = typer.Option(None, "--mode", "-m", help="Mode "
                                                      "(repeatable; default: all it offers)."),
             scenario: list[str] | None = typer.Option(None, "--scenario", "-s",
                                                          help="Scenario (repeatable; "
                                                               "default: the guide's)."),
             as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
             record: bool = typer.Option(False, "--record", help="Also write the cassettes."),
             cassettes: Path | None = typer.Option(None, "--cassettes"),
             out: Path | None = typer.Option(None, "--out", help="Also write results.json "
                                                "and the journal here."),
             base_url: str | None = typer.Option(None, "--base-url", help="Call this root "
                                                    "URL (a proxy, a gateway, an emulator)."),
             timeout: float = typer.Option(120.0, "--timeout", min=0.1,
                                           help="Per-request timeout in seconds."),
             retries: int = typer.Option(3, "--retries", min=0),
             jobs: int = typer.Option(1, "--jobs", "-j", min=1),
             quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Run the scenarios live against a provider and model; exit 0 = go, 1 = no-go."""
    from harness.cells import select_cells
    from harness.commands.project import project_config
    from harness.gonogo import decide, render_table, to_json
    from harness.providers import get_provider
    from harness.results import RunResults
    from harness.run.journal import journal_path
    from harness.run.lock import reports_lock
    from harness.run.retry import RetryPolicy
    from harness.run.session import SessionOptions, check_writable, run_session
    from harness.run.settings import RunSettings
    from harness.run.targets import check_model, missing_credentials
    from harness.scenarios import SCENARIOS

    entry = get_provider(provider)
    check_model(model, [provider])
    config = project_config(cassettes=cassettes)  # the project's own scenarios, loaded
    guide = [s.name for s in SCENARIOS if s.from_guide]
    cells = select_cells([provider], mode or (), scenario or guide)
    missing = missing_credentials(entry)
    if missing:
        raise MissingCredentialsError(provider, missing)
    settings = RunSettings(target="live", cassette_dir=config.cassettes,
                           project_root=config.root, scenario_modules=config.scenarios,
                           builtin=config.builtin, develop_packs=config.develop_packs,
                           model=model, base_url=base_url, timeout=timeout,
                           record_mode="rewrite" if record else "none")
    if record:
        check_writable(settings.cassette_dir, "cassettes", "--cassettes")
    if out:
        check_writable(out, "results", "--out")
    options = SessionOptions(record_mode=settings.record_mode, jobs=jobs, quiet=quiet or as_json,
                             retry=RetryPolicy(max_retries=retries))
    with tempfile.TemporaryDirectory(prefix="conformance-validate-") as scratch:
        folder = out or Path(scratch)  # the journal lives somewhere; kept only with --out
        with reports_lock(folder):
            outcome = run_session(cells, settings, options, folder, console,
                                  {"target": "live", "command": "validate",
                                   "provider": provider})
            if out:
                RunResults(run={"target": "live", "command": "validate"},
                           cells=outcome.cells).write(out / "results.json")
                if not outcome.interrupted:
                    journal_path(out).unlink(missing_ok=True)
    if outcome.interrupted:
        raise typer.Exit(130)
    go, verdicts = decide(outcome.cells.values(), mode or ())
    shown = entry.model_string(model)
    if as_json:
        typer.echo(json.dumps(to_json(go, verdicts, provider, shown), indent=2))
    else:
        typer.echo(render_table(go, verdicts, provider, shown))
    raise typer.Exit(0 if go else 1)


def register(app: typer.Typer) -> None:
    """Add `validate`."""
    app.command("validate")(validate)
