"""The grid's report data, built once: grid.json is it verbatim; markdown and HTML render it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness.grid.model import (
    FIRST_KINDS,
    MATCHES,
    Change,
    changes,
    drift_state,
    first_changes,
    support,
    verdict,
)
from harness.grid.pairs import OK, PairOutcome
from harness.grid.versions import Pair
from harness.matrix.rules import COLUMNS
from harness.recording.atomic import write_atomic
from harness.reports.json_report import cell_order
from harness.reports.results_table import counts
from harness.results import CellResult, RunResults

GRID_VERSION = 1
FILES = ("grid.json", "grid.md", "grid.html")


def _pair_record(o: PairOutcome) -> dict[str, Any]:
    results = o.results if o.status == OK else None
    return {"id": o.pair.id, "label": o.pair.label, "instructor": o.pair.instructor,
            "litellm": o.pair.litellm, "status": o.status, "reason": o.reason,
            "forced": o.forced, "conflict": o.conflict, "unmet": list(o.unmet),
            "env": o.env, "env_cached": o.env_cached, "build_s": round(o.build_s, 1),
            "run_s": round(o.run_s, 1), "exit_code": o.exit_code,
            "results": (f"pairs/{o.pair.id}/results.json" if o.results is not None else None),
            "versions": results.run.get("versions", {}) if results else {},
            "counts": counts(results) if results else {},
            "harness_errors": sum(c.layer == "harness" for c in results.cells.values())
            if results else 0,
            "drifted": sum(bool(c.drift) for c in results.cells.values()) if results else 0}


def _cell_entry(cell: CellResult | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    drift = drift_state(cell)
    return {"verdict": verdict(cell) or cell.outcome, "outcome": cell.outcome,
            "layer": cell.layer, "exception_type": cell.exception_type,
            "message": cell.message, "cassette": cell.cassette,
            "drift": None if drift == MATCHES else drift,
            "drift_explanation": (cell.drift or {}).get("explanation") or None}


def _change(change: Change) -> dict[str, Any]:
    return {**asdict(change), "other_library": change.other_library}


def _cells(by_pair: Mapping[Pair, RunResults], pair_ids: list[str],
           rank: dict[str, int], found: list[Change]) -> list[dict[str, Any]]:
    """Every cell (any pair's), in report order, with its verdict per pair and its changes."""
    samples: dict[str, CellResult] = {}
    for results in by_pair.values():
        for cid, cell in results.cells.items():
            samples.setdefault(cid, cell)
    first = first_changes(found)
    ids = {pair.id: pair for pair in by_pair}
    out = []
    for cid, sample in sorted(samples.items(), key=lambda kv: cell_order(kv[1], rank)):
        per = {pid: _cell_entry(by_pair[ids[pid]].cells.get(cid)) if pid in ids else None
               for pid in pair_ids}
        seen = {(e["verdict"], e["drift"]) for e in per.values() if e is not None}
        out.append({"id": cid, "provider": sample.provider, "mode": sample.mode,
                    "scenario": sample.scenario, "by_pair": per, "differs": len(seen) > 1,
                    **{kind: [_change(c) for c in first.get(cid, {}).get(kind, [])]
                       for kind in FIRST_KINDS}})
    return out


def grid_data(outcomes: Sequence[PairOutcome], meta: dict[str, Any],
              available: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """Everything the grid reports show, JSON-ready; `meta` is the run's provenance."""
    by_pair = {o.pair: o.results for o in outcomes if o.status == OK and o.results is not None}
    found = changes(by_pair, available)
    rows = support(by_pair)
    rank = {p: i for i, row in enumerate(rows) for p in sorted(row.providers)}
    pair_ids = [o.pair.id for o in outcomes]
    return {
        "grid_version": GRID_VERSION, **meta,
        "pairs": [_pair_record(o) for o in outcomes],
        "columns": list(COLUMNS),
        "cells": _cells(by_pair, pair_ids, rank, found),
        "changes": [_change(c) for c in found],
        "support": [{"display": r.display, "providers": sorted(r.providers),
                     "by_pair": r.by_pair} for r in rows],
    }


def write_grid(data: dict[str, Any], out: Path) -> list[Path]:
    """Write grid.json, grid.md and grid.html under `out`, each atomically."""
    from harness.grid.html import render_html
    from harness.grid.markdown import render_markdown

    texts = (json.dumps(data, indent=2, ensure_ascii=False) + "\n", render_markdown(data),
             render_html(data))
    paths = []
    for name, text in zip(FILES, texts, strict=True):
        write_atomic(out / name, text)
        paths.append(out / name)
    return paths
