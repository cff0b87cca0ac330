"""Per-cell result records and the results file: self-contained, mergeable, written atomically."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.errors import ResultsFileError
from harness.recording.atomic import write_atomic
from harness.secrets.record import scrub_record

RESULTS_VERSION = 1
Outcome = Literal["pass", "fail", "unsupported", "error", "skipped"]
Layer = Literal["provider", "litellm", "instructor", "pydantic", "harness", "unknown"]
OUTCOMES: tuple[str, ...] = ("pass", "fail", "unsupported", "error", "skipped")


SYMBOL = {"pass": "✅ pass", "fail": "❌ fail", "error": "💥 error",
          "unsupported": "⛔ unsupported", "skipped": "⏭ skipped"}


def cell_text(outcome: str, layer: str | None) -> str:
    """A table cell: the outcome's symbol and word, with the layer at fault."""
    text = SYMBOL.get(outcome, outcome)
    return f"{text} ({layer})" if layer and outcome != "pass" else text


@dataclass
class CellResult:
    """Everything measured about one provider × mode × scenario cell."""

    provider: str
    mode: str
    scenario: str
    outcome: Outcome
    layer: Layer | None = None  # the layer at fault, for non-pass outcomes
    exception_type: str | None = None
    message: str | None = None
    target: str = "replay"  # replay, emulator or live
    model: str = ""
    cassette: str = ""  # path relative to the repo
    duration_s: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    # What was actually sent on the wire, per HTTP request (structured keys only).
    sent: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    recorded_at: str | None = None  # from the cassette's provenance
    finished_at: str = ""
    # What the traffic came from: 'emulator' or 'live' (a replay: the cassette's provenance).
    recorded_against: str | None = None
    # A replayed request that no longer matched its recording: what changed, and whether the
    # cell was re-answered by the emulator, not measured, or failed (harness.recording.drift).
    drift: dict[str, Any] | None = None

    @property
    def cell_id(self) -> str:
        """The cell's id, e.g. openai-tools-partial_async (the pytest id too)."""
        return f"{self.provider}-{self.mode}-{self.scenario}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the id first, every string scrubbed of secrets."""
        scrubbed: dict[str, Any] = scrub_record({"id": self.cell_id, **asdict(self)})
        return scrubbed

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellResult:
        """Rebuild from `to_dict` output."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class RunResults:
    """A whole run: provenance plus cells keyed by id."""

    run: dict[str, Any]
    cells: dict[str, CellResult]

    def to_json(self) -> str:
        """The results file's text."""
        ordered = [self.cells[k].to_dict() for k in sorted(self.cells)]
        return json.dumps({"results_version": RESULTS_VERSION, "run": scrub_record(self.run),
                           "cells": ordered}, indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        """Write atomically."""
        write_atomic(path, self.to_json())


# A full grid is about 0.5 MB; a results file a hundred times that is not one the harness wrote.
RESULTS_MAX_BYTES = 64 << 20
_REGENERATE = "regenerate it with 'conformance run'"


def _read_results_json(path: Path) -> Any:
    from harness.recording.bounded import BoundedReadError, read_bounded

    try:
        return json.loads(read_bounded(path, RESULTS_MAX_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no such results file; run 'conformance run' "
                               f"first") from None
    except BoundedReadError as exc:
        raise ResultsFileError(f"{path}: {exc}; pass the results.json 'conformance run' "
                               f"writes") from None
    except OSError as exc:
        raise ResultsFileError(f"{path}: unreadable results file ({exc.strerror}); "
                               f"{_REGENERATE}") from None
    except ValueError as exc:  # not JSON, or not UTF-8
        problem = " ".join(str(exc).split())[:120]
        raise ResultsFileError(f"{path}: unreadable results file ({problem}); "
                               f"{_REGENERATE}") from None


def load_results(path: Path) -> RunResults:
    """Read a results file: one clear line if it is unreadable, of another version or invalid.

    Every record is checked against the schema (harness/results_schema.py) before anything
    uses it, so a report is never half-written from a bad file.
    """
    from harness.results_schema import RecordError, cell_label, check_cell, check_run

    data = _read_results_json(path)
    version = data.get("results_version") if isinstance(data, dict) else None
    if version != RESULTS_VERSION:
        raise ResultsFileError(
            f"{path}: results format version {version!r}, this harness reads {RESULTS_VERSION}; "
            f"{_REGENERATE}")
    raw_cells = data.get("cells", [])
    if not isinstance(raw_cells, list):
        raise ResultsFileError(f"{path}: 'cells' is {type(raw_cells).__name__}, not a list; "
                               f"{_REGENERATE}")
    try:
        run = check_run(data.get("run", {}))
    except RecordError as exc:
        raise ResultsFileError(f"{path}: field {exc.field}: {exc.problem}; "
                               f"{_REGENERATE}") from None
    cells = {}
    for index, raw in enumerate(raw_cells):
        try:
            cell = check_cell(raw)
        except RecordError as exc:
            field = f", field {exc.field}" if exc.field else ""
            raise ResultsFileError(f"{path}: cell {cell_label(index, raw)}{field}: "
                                   f"{exc.problem}; {_REGENERATE}") from None
        cells[cell.cell_id] = cell
    return RunResults(run=run, cells=cells)
