"""What `run` and `merge` write and gate alike: results, reports, the summary, the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.commands.common import console, say

if TYPE_CHECKING:
    from harness.results import RunResults


def report_names() -> tuple[str, ...]:
    """Every file a run writes in its report folder."""
    from harness.reports import FILES
    from harness.run.journal import JOURNAL_NAME

    return ("results.json", "results.md", JOURNAL_NAME, *FILES)


def write_outputs(results: RunResults, out_dir: Path, old: RunResults | None) -> None:
    """results.json, results.md and the streaming-support reports, each written atomically."""
    from harness.reports import write_results

    write_results(results, out_dir, old)


def summarise(results: RunResults, out_dir: Path, origin: str = "") -> None:
    """One line: the cells by outcome, and where they were written."""
    from harness.reports.results_table import counts

    summary = ", ".join(f"{n} {o}" for o, n in sorted(counts(results).items()))
    say(f"{len(results.cells)} cells{origin}: {summary}. Wrote {out_dir / 'results.json'} and "
        f"{out_dir / 'results.md'}")


def gate_code(results: RunResults, old: RunResults | None, baseline: Path | None,
              update_baseline: bool) -> int:
    """The exit code of a finished run: 1 on a harness error or a baseline regression."""
    from harness.baseline import gate

    code = gate(results, old, baseline, update_baseline, say) if baseline else 0
    harness_errors = [r for r in results.cells.values() if r.layer == "harness"]
    if harness_errors:
        console.print(f"[bold red]{len(harness_errors)} cell(s) failed in the harness "
                      f"(missing or drifted cassettes): exit 1[/]", highlight=False)
        return 1
    return code


def check_expected(expected: RunResults, path: Path, out_dir: Path) -> int:
    """Exit 1 when this run differs from the committed results `path` in any verdict."""
    from harness.exact import differences
    from harness.results import load_results

    found = differences(expected, load_results(out_dir / "results.json"))
    if not found:
        say(f"identical to {path}: every cell's verdict and every support level")
        return 0
    say(f"{len(found)} difference(s) from {path}:")
    for line in found:
        say(f"  {line}")
    say(f"If intended, accept them: conformance run --out {path.parent} (then commit "
        f"{path.parent}/)")
    return 1
