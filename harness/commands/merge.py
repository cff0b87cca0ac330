"""Command `merge`: results from CI shards, machines or pytest-xdist workers as one run."""

from __future__ import annotations

from pathlib import Path

import typer

from harness.commands.common import console


def _results_file(path: Path) -> Path:
    """A results folder's results.json, or the results file named."""
    return path / "results.json" if path.is_dir() else path


def merge(out: Path = typer.Argument(..., help="Folder for the merged results.json, "
                                               "results.md and streaming-support reports."),
          inputs: list[Path] = typer.Argument(..., help="Results folders (holding "
                                                        "results.json) or results files."),
          baseline: Path | None = typer.Option(None, "--baseline", help="Exit 1 on any "
                                                  "regression from this results file."),
          expect: Path | None = typer.Option(None, "--expect", help="Exit 1 unless every "
                                                "cell's verdict and every support level "
                                                "equals this results file's.")) -> None:
    """Merge the results of several runs (e.g. --shard i/n) into one results file and matrix."""
    from harness.baseline import load_baseline
    from harness.commands.outputs import (
        check_expected,
        gate_code,
        report_names,
        summarise,
        write_outputs,
    )
    from harness.merge import merge_runs
    from harness.results import load_results
    from harness.run.lock import reports_lock
    from harness.run.session import check_writable

    loaded = [(str(path), load_results(_results_file(path))) for path in inputs]
    old = load_baseline(baseline) if baseline else None
    expected = load_results(expect) if expect else None
    merged = merge_runs(loaded)
    check_writable(out, "merged results", "OUT", report_names())
    with reports_lock(out):
        write_outputs(merged.results, out, old)
    summarise(merged.results, out, f" from {len(loaded)} input(s)")
    code = gate_code(merged.results, old, baseline, False)
    if merged.missing_shards:
        console.print(f"[bold red]shard(s) {', '.join(merged.missing_shards)} missing: their "
                      f"cells are not in the merged results: exit 1[/]", highlight=False)
        code = max(code, 1)
    if expected is not None and expect is not None:
        code = max(code, check_expected(expected, expect, out))
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add `merge`."""
    app.command("merge")(merge)
