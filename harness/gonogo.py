"""Pre-deploy validation: the go / no-go rule over a live run's cells, and its table and JSON.

The rule (also in the README):

- GO when no selected cell is blocking. A cell blocks when it ends in `fail` or `error`,
  unless it is a known upstream failure of a library (listed with its reason and evidence in
  harness/expectations.py), it fails with exactly that evidence, AND it failed in a library
  layer (instructor, litellm, pydantic):
  a known instructor bug is not a reason to stop a deploy, but a provider error on the same
  cell is.
- `unsupported` cells are listed, not blocking: the provider or litellm does not offer that
  mode, which is information, not a regression. They block when the mode was selected
  explicitly with --mode: then the deploy depends on it.
- `skipped` cells block (nothing was validated).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from tabulate import tabulate

from harness.expectations import known_failure
from harness.results import CellResult

_LIBRARY_LAYERS = frozenset({"instructor", "litellm", "pydantic"})
GO_RULE = ("go when no cell is fail/error (known upstream library failures excepted), "
           "no cell was skipped, and no explicitly selected mode is unsupported")


@dataclass(frozen=True)
class CellVerdict:
    """One cell's part in the decision."""

    cell: str
    mode: str
    scenario: str
    outcome: str
    layer: str | None
    blocking: bool
    why: str
    reported_model: str | None = None


def judge_cell(result: CellResult, explicit_modes: Iterable[str] = ()) -> CellVerdict:
    """Whether `result` blocks a deploy, and why."""
    outcome, layer = result.outcome, result.layer
    if outcome == "pass":
        blocking, why = False, "passed"
    elif outcome == "unsupported":
        blocking = result.mode in set(explicit_modes)
        why = ("mode selected with --mode but unsupported" if blocking
               else "mode not supported here (not blocking)")
    elif outcome == "skipped":
        blocking, why = True, f"not run: {result.message or 'skipped'}"
    else:
        known = known_failure(result)
        if known and layer in _LIBRARY_LAYERS:
            blocking, why = False, f"known upstream failure: {known.reason[:90]}"
        else:
            blocking = True
            first = (result.message or "").splitlines()[0][:120] if result.message else ""
            why = f"{result.exception_type or outcome}: {first}" if result.message \
                else (result.exception_type or outcome)
    return CellVerdict(result.cell_id, result.mode, result.scenario, outcome, layer, blocking,
                       why, result.metrics.get("reported_model"))


def decide(results: Iterable[CellResult],
           explicit_modes: Iterable[str] = ()) -> tuple[bool, list[CellVerdict]]:
    """(go?, every cell's verdict, blocking ones first)."""
    verdicts = [judge_cell(r, explicit_modes) for r in results]
    verdicts.sort(key=lambda v: (not v.blocking, v.cell))
    return bool(verdicts) and not any(v.blocking for v in verdicts), verdicts


def render_table(go: bool, verdicts: list[CellVerdict], provider: str, model: str) -> str:
    """The human go/no-go report."""
    rows = [[("BLOCK" if v.blocking else "ok"), v.mode, v.scenario,
             v.outcome + (f" ({v.layer})" if v.layer and v.outcome != "pass" else ""), v.why]
            for v in verdicts]
    reported = sorted({v.reported_model for v in verdicts if v.reported_model})
    counts = Counter(v.outcome for v in verdicts)
    head = (f"{'GO' if go else 'NO-GO'}: {provider} {model}"
            + (f" (provider reported: {', '.join(reported)})" if reported else "")
            + f" — {len(verdicts)} cells: "
            + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    table = tabulate(rows, headers=["", "mode", "scenario", "outcome", "why"],
                     tablefmt="github")
    return f"{head}\n\n{table}\n\nrule: {GO_RULE}\n"


def to_json(go: bool, verdicts: list[CellVerdict], provider: str, model: str) -> dict[str, Any]:
    """The machine-readable report (`conformance validate --json`)."""
    return {"go": go, "provider": provider, "model": model,
            "reported_models": sorted({v.reported_model for v in verdicts if v.reported_model}),
            "rule": GO_RULE, "counts": dict(Counter(v.outcome for v in verdicts)),
            "blocking": [v.cell for v in verdicts if v.blocking],
            "cells": [asdict(v) for v in verdicts]}
