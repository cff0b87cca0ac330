"""The provider × mode × scenario markdown table of a results file, rendered with tabulate."""

from __future__ import annotations

from tabulate import tabulate

from harness.results import RunResults, cell_text
from harness.scenarios import all_scenarios


def counts(results: RunResults) -> dict[str, int]:
    """How many cells ended in each outcome."""
    out: dict[str, int] = {}
    for cell in results.cells.values():
        out[cell.outcome] = out.get(cell.outcome, 0) + 1
    return out


def render_markdown(results: RunResults) -> str:
    """The results as a markdown page: provenance, the table, then each non-pass cell."""
    scenarios = [s for s in all_scenarios()
                 if any(c.scenario == s for c in results.cells.values())]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for cell in results.cells.values():
        rows.setdefault((cell.provider, cell.mode), {})[cell.scenario] = cell_text(
            cell.outcome, cell.layer)
    table = [[provider, mode] + [row.get(s, "") for s in scenarios]
             for (provider, mode), row in rows.items()]
    run = results.run
    versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
    summary = ", ".join(f"{n} {o}" for o, n in sorted(counts(results).items()))
    lines = [
        "# Conformance results",
        "",
        f"- target: {run.get('target', '?')}; finished {run.get('finished_at', '?')}",
        f"- versions: {versions}",
        f"- cells: {len(results.cells)} ({summary})",
        "",
        tabulate(table, headers=["provider", "mode"] + scenarios, tablefmt="github"),
        "",
    ]
    failing = [c for _, c in sorted(results.cells.items()) if c.outcome != "pass"]
    if failing:
        lines += ["## Cells that did not pass", ""]
        for cell in failing:
            message = (cell.message or "").replace("\n", " ")[:400]
            lines.append(f"- `{cell.cell_id}`: {cell.outcome}, layer {cell.layer}: "
                         f"{cell.exception_type}: {message}")
        lines.append("")
    return "\n".join(lines)
