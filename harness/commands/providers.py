"""Command `providers-table`: regenerate (or check) the README's provider table."""

from __future__ import annotations

from pathlib import Path

import typer


def providers_table(
        page: Path = typer.Argument(Path("README.md"), help="The page holding the table."),
        check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if the "
                                   "page's table differs from the provider registry.")) -> None:
    """Rewrite the provider table between the conformance:providers markers from the registry."""
    from harness.reports.docs_page import read_page, rewrite, write_page
    from harness.reports.providers_table import COMMAND, MARKERS, table_lines

    change = rewrite(read_page(page), table_lines(), None, MARKERS)
    if change.same:
        typer.echo(f"{page}: the provider table is up to date.")
        return
    if check:
        typer.echo(change.diff(str(page)), nl=False)
        typer.echo(f"{page}: the provider table differs from the registry. Fix it with: "
                   f"{COMMAND}")
        raise typer.Exit(1)
    write_page(page, change.new_text)
    typer.echo(f"{page}: rewrote the provider table ({len(change.new_table) - 2} providers).")


def register(app: typer.Typer) -> None:
    """Add the command."""
    app.command("providers-table")(providers_table)
