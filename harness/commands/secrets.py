"""Command `scan-secrets`: fail on anything credential-like in cassettes and reports."""

from __future__ import annotations

from pathlib import Path

import typer

from harness.commands.common import console
from harness.errors import HarnessError


def scan_secrets(paths: list[Path] | None = typer.Argument(
        None, help="Files or folders (default: cassettes/ and reports/).")) -> None:
    """Fail (exit 1) on anything credential-like; print file:line and kind, never the secret."""
    from harness.config import load
    from harness.secrets.scan import scan_paths

    config = load()
    targets = paths or [p for p in (config.cassettes, config.reports) if p.exists()]
    if not targets:
        raise HarnessError("nothing to scan: no cassettes/ or reports/ here; pass paths")
    findings, files = scan_paths(targets)
    for finding in findings:
        typer.echo(str(finding))
    if findings:
        console.print(f"[bold red]{len(findings)} credential-like string(s) in {files} files: "
                   f"remove them (and rotate any real key)[/]", highlight=False)
        raise typer.Exit(1)
    console.print(f"clean: {files} files scanned, nothing credential-like", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `scan-secrets`."""
    app.command("scan-secrets")(scan_secrets)
