"""streaming-support.md (the guide's table, legend, evidence) and detailed.md, from report data."""

from __future__ import annotations

from typing import Any

from harness.matrix.declared import CAPABILITIES, yes_no
from harness.matrix.rows import markdown_table

START = "<!-- conformance:streaming-support:start -->"
END = "<!-- conformance:streaming-support:end -->"


def _cell(text: Any) -> str:
    # Pipes and newlines would break a table row.
    return str("" if text is None else text).replace("\n", " ").replace("|", "\\|")


def provenance_line(p: dict[str, Any]) -> str:
    """One sentence: what was measured, when, with which versions."""
    against = ", ".join(f"{k} ({n} cells)" for k, n in p.get("recorded_against", {}).items())
    versions = p.get("versions", {})
    return (f"Recorded against: {against or 'nothing'}; recorded {p.get('recorded_from')} → "
            f"{p.get('recorded_to')}; {p.get('run_target')} run finished "
            f"{p.get('run_finished')}; instructor {versions.get('instructor', '?')}, "
            f"litellm {versions.get('litellm', '?')}.")


def table_lines(data: dict[str, Any]) -> list[str]:
    """The guide's table for the report data."""
    rows = [[r["display"]] + [marked(r["columns"][c]) for c in data["header"][1:]]
            for r in data["rows"]]
    return markdown_table(data["header"], rows)


def marked(verdict: dict[str, Any]) -> str:
    """A level's symbol, with * when it rests on fewer cells than the run selected."""
    return verdict["symbol"] + ("*" if verdict.get("unmeasured") else "")


def unmeasured_lines(data: dict[str, Any]) -> list[str]:
    """The note under the table naming every cell a marked level could not count."""
    cells = sorted({c for r in data["rows"] for v in r["columns"].values()
                    for c in v.get("unmeasured", [])})
    if not cells:
        return []
    shown = ", ".join(f"`{c}`" for c in cells[:12]) + (" …" if len(cells) > 12 else "")
    return [f"\\* computed from fewer cells: {len(cells)} cell(s) could not be measured "
            f"(skipped, or a harness error): {shown}.", ""]


def render_support(data: dict[str, Any]) -> str:
    """streaming-support.md."""
    lines = ["# Provider-Specific Streaming Support (measured)", "",
             provenance_line(data["provenance"]), "", START, *table_lines(data), END, "",
             *unmeasured_lines(data)]
    if data["unmeasured"]:
        lines += ["Not measured (a filtered run): " + ", ".join(data["unmeasured"]) + ".", ""]
    if data["rows_not_measured"]:
        lines += ["Not shown, no cell measured anything (harness errors such as missing "
                  "cassettes, or skipped): " + ", ".join(data["rows_not_measured"]) + ".", ""]
    lines += ["## Legend", "", *data["legend"], "", "## Evidence", "",
              "Each symbol, why, and the cells that decided it.", ""]
    for row in data["rows"]:
        lines += [f"### {row['display']} ({', '.join(row['providers'])})", ""]
        for column, verdict in row["columns"].items():
            lines.append(f"- **{column}: {marked(verdict)}**: {verdict['reason']}")
            if verdict.get("unmeasured"):
                lines.append(f"  - not measured: {', '.join(verdict['unmeasured'])}")
            lines += [f"  - `{e['cell']}`: {e['note']}" for e in verdict["evidence"]]
        lines.append("")
    base = data.get("baseline")
    if base is not None:
        lines += ["## Changes since the baseline", ""]
        changes = [c for c in base["changes"] if c["status"] != "new"]
        lines += [f"- {c['status']}: {c['kind']} `{c['key']}`: {c['before']} → {c['after']}"
                  for c in changes] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def render_detailed(data: dict[str, Any]) -> str:
    """detailed.md: every cell with its layer and counts, footnotes, declared versus observed."""
    rows, notes = [], []
    for c in data["cells"]:  # already in table order
        mark = ""
        if c["outcome"] != "pass":
            notes.append(c)
            mark = f" [^{len(notes)}]"
        rows.append([c["provider"], c["mode"], c["scenario"], c["outcome"] + mark,
                     c["layer"] or "", _cell(c["partials"]), _cell(c["llm_chunks"]),
                     c.get("timing") or ""])
    lines = ["# Conformance cells in detail", "", provenance_line(data["provenance"]), "",
             *markdown_table(["provider", "mode", "scenario", "outcome", "layer at fault",
                              "partials", "chunks", "live timing"], rows), ""]
    lines += _ladder_lines(data.get("ladders") or [])
    lines += ["## Declared (litellm.get_model_info) versus observed", "",
              "Each column is `declared / observed`: yes, no, or unknown (the model is not in "
              "litellm's map, the flag is absent, or no cell measured it).", ""]
    lines += _declared_table(data["declared"])
    if notes:
        lines += ["", "## Footnotes", ""]
        for i, c in enumerate(notes, 1):
            quote = _cell(c["message"]) or "(no message)"
            lines.append(f"[^{i}]: `{c['id']}` ({c['cassette']}): {c['exception_type']}: "
                         f"{quote}")
    return "\n".join(lines) + "\n"


def _ladder_lines(climbs: list[dict[str, Any]]) -> list[str]:
    """Each provider and mode's highest rung passed, one column per ladder."""
    if not climbs:
        return []
    ladders = list(dict.fromkeys(c["ladder"] for c in climbs))
    rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for c in climbs:
        rows.setdefault((c["provider"], c["mode"]), {})[c["ladder"]] = c
    table = [[provider, mode] + [by[name]["text"] if name in by else "" for name in ladders]
             + ["; ".join(_cell(by[n]["stopped"]) for n in ladders if n in by and
                          by[n]["stopped"])] for (provider, mode), by in rows.items()]
    return ["## Ladders: the highest rung passed", "",
            "The last rung of an unbroken run of passes from the first (rungs in declaration "
            "order; `height/rungs`); the last column says where and how the climb stopped.",
            "", *markdown_table(["provider", "mode", *(f"{n} ladder: highest rung passed"
                                                       for n in ladders), "stopped at"],
                                table), ""]


def _declared_table(entries: list[dict[str, Any]]) -> list[str]:
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for e in entries:
        groups.setdefault((e["provider"], e["model"]), {})[e["capability"]] = e
    rows = []
    for (provider, model), caps in groups.items():
        flags = [f"{key}: {caps[key]['flag']}" for key in CAPABILITIES if caps[key]["flag"]]
        rows.append([provider, model] + [f"{yes_no(caps[k]['declared'])} / "
                                         f"{yes_no(caps[k]['observed'])}" for k in CAPABILITIES]
                    + ["; ".join(flags)])
    return markdown_table(["provider", "model", *CAPABILITIES, "flags"], rows)
