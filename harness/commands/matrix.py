"""Commands `matrix` (reports from a results file), `docs` (regenerate a page's table), `diff`."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

ResultsOpt = typer.Option(None, "--results",
                          help="Results file (default: ./reports/results.json).")


def _results_path(results: Path | None) -> Path:
    from harness.config import load

    return results or load().reports / "results.json"


def matrix(results: Path | None = ResultsOpt,
           out: Path | None = typer.Option(None, "--out", help="Report folder (default: "
                                                                  "the results file's folder)."),
           baseline: Path | None = typer.Option(None, "--baseline", help="Show changes "
                                                   "since this baseline results file.")) -> None:
    """Write streaming-support.{md,json,html} and detailed.md from a results file."""
    from harness.baseline import load_baseline
    from harness.reports import FILES, write_all_reports
    from harness.results import load_results
    from harness.run.session import check_writable

    path = _results_path(results)
    loaded = load_results(path)
    old = load_baseline(baseline) if baseline else None
    check_writable(out or path.parent, "reports", "--out", FILES)
    written = write_all_reports(loaded, out or path.parent, baseline=old)
    typer.echo("Wrote " + ", ".join(str(p) for p in written))


def docs(page: Path = typer.Argument(..., help="The markdown page to update in place."),
         results: Path | None = ResultsOpt,
         heading: str | None = typer.Option(None, "--heading", help="Without markers: the "
                                               "first table under this heading is replaced."),
         check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if the "
                                    "page's table differs from the measured one.")) -> None:
    """Rewrite the streaming-support table inside PAGE from measured results."""
    from harness.matrix.rows import build_rows, guide_table, unmeasured
    from harness.reports.docs_page import DocsTableError, read_page, rewrite, write_page
    from harness.results import load_results

    rows = build_rows(load_results(_results_path(results)))
    if not rows:
        raise DocsTableError(f"{_results_path(results)} has no cells: nothing to put in the page")
    missing = unmeasured(rows)
    if missing:
        raise DocsTableError(f"the results do not measure {', '.join(missing[:4])}"
                             f"{' …' if len(missing) > 4 else ''}; run 'conformance run' without "
                             f"--mode/--scenario filters before regenerating docs")
    lost = sorted({c for r in rows for v in r.verdicts.values() for c in v.unmeasured})
    if lost:
        raise DocsTableError(f"{len(lost)} cell(s) could not be measured (e.g. {lost[0]}): a "
                             f"level would rest on fewer cells; re-record them (the cells' "
                             f"messages give the command) before regenerating docs")
    try:
        change = rewrite(read_page(page), guide_table(rows), heading)
    except DocsTableError as exc:
        raise DocsTableError(f"{page}: {exc}" if not str(exc).startswith(str(page)) else
                             str(exc)) from None
    command = ["conformance", "docs", str(page)] + (["--results", str(results)] if results
                                                     else []) + (["--heading", heading]
                                                                 if heading else [])
    if change.same:
        typer.echo(f"{page}: the streaming-support table is up to date.")
        return
    dropped = _dropped_rows(change.old_table, change.new_table)
    if check:
        typer.echo(change.diff(str(page)), nl=False)
        if dropped:
            typer.echo(f"Rows without measured cells (would be removed): {', '.join(dropped)}")
        typer.echo(f"{page}: the streaming-support table differs from the measured one. "
                   f"Fix it with: {shlex.join(command)}")
        raise typer.Exit(1)
    write_page(page, change.new_text)
    typer.echo(f"{page}: rewrote the streaming-support table (found by {change.span.found_by}, "
               f"{len(change.new_table) - 2} rows)."
               + (f" Removed rows without measured cells: {', '.join(dropped)}." if dropped
                  else ""))


def _dropped_rows(old: list[str], new: list[str]) -> list[str]:
    from harness.matrix.rows import parse_table
    kept = {r[0] for r in parse_table(new)[1:]}
    return [r[0] for r in parse_table(old)[1:] if r and r[0] not in kept]


def diff(old: Path = typer.Argument(..., help="The baseline results file."),
         new: Path = typer.Argument(..., help="The new results file.")) -> None:
    """Compare two results files: regressions (exit 1), improvements, changes."""
    from harness.baseline import compare, render
    from harness.results import load_results

    comparison = compare(load_results(old), load_results(new))
    hint = (f"Re-run with --update-baseline to accept (conformance run --baseline {old} "
            f"--update-baseline).")
    for line in render(comparison, hint):
        typer.echo(line)
    raise typer.Exit(1 if comparison.regressed else 0)


def register(app: typer.Typer) -> None:
    """Add the commands."""
    app.command("matrix")(matrix)
    app.command("docs")(docs)
    app.command("diff")(diff)
