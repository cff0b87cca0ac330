"""Command `merge`: results from CI shards, machines or pytest-xdist workers as one run."""

from __future__ import annotations

from pathlib import Path

import typer

from harness.commands.common import console, say
from harness.errors import HarnessError


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
    """Merge the results of several runs (e.g. --shard i/n) into one results file and matrix,
    or the --out folders of several `conformance grid` jobs into one grid."""
    from harness.grid.merge import is_grid

    grids = [path for path in inputs if path.is_dir() and is_grid(path)]
    if grids:
        if len(grids) != len(inputs) or baseline or expect:
            raise HarnessError("grid folders merge with grid folders only, without --baseline "
                               "or --expect; merge the runs' results and the grids apart")
        raise typer.Exit(_merge_grids(out, inputs))
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


def _merge_grids(out: Path, inputs: list[Path]) -> int:
    """One grid from the parts; exit 1 when a pair failed or lacks a shard, like the grid."""
    from harness.grid.merge import load_part, merge_grids
    from harness.grid.pairs import OK
    from harness.run.session import check_writable

    parts = [load_part(path) for path in inputs]
    check_writable(out, "the merged grid", "OUT")
    outcomes, missing = merge_grids(parts, out, _releases())
    ran = sum(o.status == OK for o in outcomes)
    say(f"{ran} of {len(outcomes)} pairs replayed, from {len(parts)} grid folder(s). Wrote "
        f"{out / 'grid.json'}, grid.md and grid.html")
    for pid, shards in missing.items():
        console.print(f"[bold red]{pid}: shard(s) {', '.join(shards)} missing: exit 1[/]",
                      highlight=False)
    failed = [o for o in outcomes if o.status not in (OK, "not installable")]
    return 1 if failed or missing else 0


def _releases() -> dict[str, list[str]] | None:
    """The release lists that say which releases between two pairs went untested (PyPI, or
    its cached answer); None, said, when neither is at hand."""
    from harness.grid import pypi
    from harness.grid.cache import cache_root

    try:
        return {lib: pypi.releases(lib, cache_root()).available()
                for lib in ("instructor", "litellm")}
    except HarnessError as exc:
        say(f"release lists unavailable ({exc}): the grid cannot count untested releases")
        return None


def register(app: typer.Typer) -> None:
    """Add `merge`."""
    app.command("merge")(merge)
