"""grid.md: the pairs, where each cell broke, was fixed or drifted, support rows, every cell."""

from __future__ import annotations

from typing import Any

from harness.matrix.levels import Level
from harness.matrix.rows import markdown_table

UNMEASURED = Level.UNMEASURED.symbol


def _md(text: Any) -> str:
    # Pipes and newlines would break a table row.
    return str("" if text is None else text).replace("\n", " ").replace("|", "\\|")


def short(pair: dict[str, Any]) -> str:
    """A pair as a column header: 'instructor / litellm' releases."""
    return f"{pair['instructor']} / {pair['litellm']}"


def change_text(c: dict[str, Any]) -> str:
    """'litellm 1.96.2 (after 1.83.0, with instructor 1.17.0; 89 releases between untested)'."""
    gap = c.get("untested")
    between = ("" if gap is None else "; consecutive releases" if gap == 0
               else f"; {gap} release{'s' if gap != 1 else ''} between untested")
    return (f"{c['library']} {c['after_version']} (after {c['before_version']}, with "
            f"{c['other_library']} {c['other']}{between})")


def changes_text(found: list[dict[str, Any]]) -> str:
    """Several changes (one per library) in one table cell, each with the verdict it led to."""
    return "; ".join(f"{change_text(c)}: {c['after']}" for c in found)


def provenance(data: dict[str, Any]) -> str:
    """One sentence: what was replayed, with which harness and Python, when."""
    sources = f" (sources {data['sources']})" if data.get("sources") else ""
    return (f"Cassettes {data.get('cassettes')} replayed by harness {data.get('harness')}"
            f"{sources} on {data.get('python')}, finished {data.get('finished_at')}."
            + (" Interrupted (Ctrl-C): unfinished pairs are marked." if data.get("interrupted")
               else ""))


def _cells(n: int) -> str:
    return f"{n} cell{'s' if n != 1 else ''}"


def pair_note(p: dict[str, Any]) -> str:
    """What a reader must know about a pair: forced, unmet requirements, why it has no cells."""
    if p["status"] != "ok":
        return p["reason"]
    notes = []
    if p["forced"]:
        notes.append(f"FORCED despite conflicting requirements ({p['conflict']})")
    if p["unmet"]:
        notes.append("unmet: " + "; ".join(p["unmet"]))
    if p.get("harness_errors"):
        notes.append(f"{_cells(p['harness_errors'])} ended in a harness error (no recorded "
                     f"request matched, or no cassette)")
    if p.get("drifted"):
        notes.append(f"{_cells(p['drifted'])} sent a request that drifted from the recording")
    if p["exit_code"] not in (0, 1, None):  # 1: harness errors, said above
        notes.append(f"replay exit code {p['exit_code']}")
    return "; ".join(notes)


def _pairs(data: dict[str, Any]) -> list[str]:
    rows = []
    for p in data["pairs"]:
        tally = ", ".join(f"{n} {o}" for o, n in sorted(p["counts"].items()))
        env = "" if p["env_cached"] is None else "cached" if p["env_cached"] else \
            f"built in {p['build_s']} s"
        rows.append([p["instructor"], p["litellm"], p["status"], tally, env, _md(pair_note(p))])
    return markdown_table(["instructor", "litellm", "status", "cells", "environment", "note"],
                          rows)


FIRST = (("broke", "first broke in"), ("fixed", "first fixed in"),
         ("drifted", "request first drifted in"))


def _first(data: dict[str, Any]) -> list[str]:
    rows = [[f"`{c['id']}`", *(_md(changes_text(c[kind])) for kind, _ in FIRST)]
            for c in data["cells"] if any(c[kind] for kind, _ in FIRST)]
    if not rows:
        return ["No cell broke, was fixed or drifted between the pairs that ran.", ""]
    return [*markdown_table(["cell", *(title for _, title in FIRST)], rows), ""]


def _changes(data: dict[str, Any]) -> list[str]:
    lines = [f"- `{c['cell']}`: {c['kind']}, {c['before']} → {c['after']} in "
             f"{change_text(c)}" for c in data["changes"]]
    return lines + [""] if lines else ["No verdict changed between the pairs that ran.", ""]


FEWER_NOTE = ("\\* computed from fewer cells: some of the column's cells measured nothing under "
              "this pair (skipped, or a harness error); grid.json lists them per column.")


def support_text(row: dict[str, Any], pair: dict[str, Any], column: str) -> str:
    """A support cell: the level's symbol, starred when it rests on fewer cells."""
    # No row for a pair: none of the provider's cells measured anything there.
    verdict = row["by_pair"].get(pair["id"], {}).get(column, {})
    symbol = verdict.get("symbol", UNMEASURED)
    return f"{symbol}\\*" if verdict.get("unmeasured") else symbol


def _support(data: dict[str, Any], pairs: list[dict[str, Any]]) -> list[str]:
    rows = [[row["display"], column, *(support_text(row, p, column) for p in pairs)]
            for row in data["support"] for column in data["columns"]]
    starred = any(v.get("unmeasured") for row in data["support"]
                  for columns in row["by_pair"].values() for v in columns.values())
    return markdown_table(["Provider", "Column", *(short(p) for p in pairs)], rows) + (
        ["", FEWER_NOTE] if starred else [])


def cell_text(entry: dict[str, Any] | None) -> str:
    """A cell under one pair: its verdict, and its drift when the request drifted."""
    if entry is None:
        return ""
    return entry["verdict"] + (f" [drift: {entry['drift']}]" if entry.get("drift") else "")


def _every_cell(data: dict[str, Any], pairs: list[dict[str, Any]]) -> list[str]:
    rows = []
    for c in data["cells"]:
        values = [_md(cell_text(c["by_pair"].get(p["id"]))) for p in pairs]
        rows.append([f"`{c['id']}`" + (" (differs)" if c["differs"] else ""), *values])
    return markdown_table(["cell", *(short(p) for p in pairs)], rows)


def render_markdown(data: dict[str, Any]) -> str:
    """The whole grid.md."""
    ran = [p for p in data["pairs"] if p["status"] == "ok"]
    lines = ["# Conformance grid: instructor × litellm", "", provenance(data), "",
             "## Pairs", "", *_pairs(data), "",
             "## First broke / fixed / drifted", "",
             "For each cell, the earliest release (in version order, the other library held "
             "fixed) whose replay no longer passes, passes again, or sends a request that no "
             "longer matches the recording; 'after' names the last release that ran before "
             "it.", "", *_first(data),
             "## Every change", "", *_changes(data)]
    if ran:
        lines += ["## Streaming support per pair (instructor / litellm)", "",
                  *_support(data, ran), "",
                  "## Every cell per pair (instructor / litellm)", "", *_every_cell(data, ran), ""]
    else:
        lines += ["No pair ran: nothing to compare.", ""]
    return "\n".join(lines)
