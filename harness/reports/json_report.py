"""The report's data, built once: the JSON file is it verbatim; markdown and HTML render it."""

from __future__ import annotations

import json
from typing import Any

from harness.baseline import compare
from harness.matrix.declared import Lookup, declared_capabilities
from harness.matrix.declared import compare as compare_declared
from harness.matrix.ladder import climbs
from harness.matrix.rows import HEADER, build_rows, unmeasured, unmeasured_rows
from harness.matrix.rules import COLUMNS, RULES, legend_lines
from harness.modes import all_modes
from harness.results import CellResult, RunResults
from harness.scenarios import all_scenarios

REPORT_VERSION = 1


def origin_of(cell: CellResult) -> str:
    """Where a cell's HTTP traffic came from: emulator, live, or unknown."""
    if cell.target in ("emulator", "live"):
        return cell.target
    return cell.recorded_against or "unknown"


def cell_record(cell: CellResult, origin: str) -> dict[str, Any]:
    """What the reports show of one cell."""
    m = cell.metrics
    return {"id": cell.cell_id, "provider": cell.provider, "mode": cell.mode,
            "scenario": cell.scenario, "outcome": cell.outcome, "layer": cell.layer,
            "exception_type": cell.exception_type, "message": cell.message,
            "partials": m.get("partials"), "llm_chunks": m.get("llm_chunks"),
            "payload_deltas": m.get("payload_deltas"), "cassette": cell.cassette,
            "target": cell.target, "recorded_against": origin, "model": cell.model,
            "recorded_at": cell.recorded_at, "timing": timing_text(m.get("live_timing"))}


def timing_text(timing: dict[str, Any] | None) -> str:
    """Real timing of a live recording ('43.1 tok/s, 26 tokens, 0.85 s'), or ''."""
    if not timing:
        return ""
    parts = []
    if timing.get("tokens_per_s"):
        parts.append(f"{timing['tokens_per_s']} tok/s")
    if timing.get("generated_tokens"):
        parts.append(f"{timing['generated_tokens']} tokens")
    if timing.get("latency_s") is not None:
        parts.append(f"{timing['latency_s']} s")
    elif timing.get("server_ms"):
        parts.append(f"{timing['server_ms'] / 1000:.2f} s on the server")
    return ", ".join(parts)


def cell_order(cell: CellResult, rank: dict[str, int]) -> tuple[int, str, int, str, int, str]:
    """Table order: rows as in the guide, then modes and scenarios in registry order."""
    modes, scenarios = all_modes(), all_scenarios()
    return (rank.get(cell.provider, len(rank)), cell.provider,
            modes.index(cell.mode) if cell.mode in modes else len(modes), cell.mode,
            scenarios.index(cell.scenario) if cell.scenario in scenarios else len(scenarios),
            cell.scenario)


def provenance(results: RunResults, origins: dict[str, str]) -> dict[str, Any]:
    """Targets, dates and versions behind the table."""
    run = results.run
    recorded = sorted(c.recorded_at for c in results.cells.values() if c.recorded_at)
    counts: dict[str, int] = {}
    for origin in origins.values():
        counts[origin] = counts.get(origin, 0) + 1
    return {"run_target": run.get("target"), "recorded_against": dict(sorted(counts.items())),
            "recorded_from": recorded[0] if recorded else None,
            "recorded_to": recorded[-1] if recorded else None,
            "run_started": run.get("started_at"), "run_finished": run.get("finished_at"),
            "versions": run.get("versions", {}), "harness": run.get("harness"),
            "filters": run.get("filters", {}), "drop_params": run.get("drop_params")}


def records_cells(results: RunResults, records: dict[str, Any]) -> list[CellResult]:
    """The run's cells in the report's table order."""
    return [results.cells[cid] for cid in records]


def report_data(results: RunResults, baseline: RunResults | None = None,
                lookup: Lookup = declared_capabilities) -> dict[str, Any]:
    """Everything the streaming-support reports show, JSON-ready."""
    origins = {cid: origin_of(c) for cid, c in results.cells.items()}
    rows = build_rows(results)
    rank = {p: i for i, r in enumerate(rows) for p in r.providers}
    records = {cid: cell_record(c, origins[cid]) for cid, c in
               sorted(results.cells.items(), key=lambda kv: cell_order(kv[1], rank))}
    data: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "provenance": provenance(results, origins),
        "header": list(HEADER),
        "rules": [{"column": r.column, "measures": r.measures,
                   "criteria": {lvl.symbol: text for lvl, text in r.criteria}} for r in RULES],
        "legend": legend_lines(),
        "rows": [{"display": r.display, "providers": list(r.providers),
                  "columns": {col: {"level": r.verdicts[col].level.value,
                                    "symbol": r.verdicts[col].level.symbol,
                                    "reason": r.verdicts[col].reason,
                                    "unmeasured": list(r.verdicts[col].unmeasured),
                                    "evidence": [{"cell": e.cell_id, "note": e.note}
                                                 for e in r.verdicts[col].evidence]}
                              for col in COLUMNS}} for r in rows],
        "unmeasured": unmeasured(rows),
        "rows_not_measured": unmeasured_rows(results),
        "cells": list(records.values()),
        "ladders": [{"provider": c.provider, "mode": c.mode, "ladder": c.ladder,
                     "highest": c.highest, "height": c.height, "rungs": c.rungs,
                     "text": c.text(), "stopped": c.stopped}
                    for c in climbs(records_cells(results, records))],
        "declared": [{"provider": c.provider, "model": c.model, "capability": c.key,
                      "declared": c.declared, "observed": c.observed, "flag": c.flag,
                      "evidence": list(c.evidence)} for c in compare_declared(results, lookup)],
        "baseline": None,
    }
    if baseline is not None:
        comparison = compare(baseline, results)
        data["baseline"] = {"regressed": comparison.regressed,
                            "not_compared": comparison.not_compared,
                            "changes": [{"kind": ch.kind, "key": ch.key, "before": ch.before,
                                         "after": ch.after, "status": ch.status}
                                        for ch in comparison.changes]}
    return data


def render_json(data: dict[str, Any]) -> str:
    """streaming-support.json's text."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
