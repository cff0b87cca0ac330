"""Command `repro`: standalone reproduction scripts for failing cells, for upstream issues."""

from __future__ import annotations

from pathlib import Path

import typer

from harness.errors import HarnessError


def repro(cells: list[str] | None = typer.Argument(None, help="Cell ids (default: one per "
                                                   "failing library class)."),
          results: Path | None = typer.Option(None, "--results", help="Results file "
                                              "(default: the reports folder's results.json)."),
          out: Path | None = typer.Option(None, "--out", help="Folder (default: "
                                          "<reports>/repros).")) -> None:
    """Write a self-contained script (and a markdown summary) reproducing each failing cell."""
    import harness
    from harness.commands.project import project_config
    from harness.repro.build import write
    from harness.results import load_results

    config = project_config()
    path = results or config.reports / "results.json"
    loaded = load_results(path)
    unknown = [c for c in cells or [] if c not in loaded.cells]
    if unknown:
        raise HarnessError(f"{path} has no cell {unknown[0]!r}; pass a cell id from it "
                           f"(e.g. {next(iter(loaded.cells), 'openai-tools-sync')})")
    roots = [config.root, Path(harness.__file__).resolve().parents[1]]

    def cassette_root(relative: str) -> Path:
        return next((r for r in roots if (r / relative).is_file()), roots[0])

    folder = out or config.reports / "repros"
    first = next(iter(loaded.cells.values()), None)
    written = write(loaded, folder, cassette_root(first.cassette) if first else roots[0],
                    list(cells or []))
    if not written:
        typer.echo("no failing cell of a library layer in these results: nothing to reproduce")
        return
    typer.echo(f"Wrote {len(written) // 2} reproduction(s) to {folder}: " +
               ", ".join(p.name for p in written if p.suffix == ".py"))


def register(app: typer.Typer) -> None:
    """Add `repro`."""
    app.command("repro")(repro)
