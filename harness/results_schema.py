"""What a results file's records must be: field types, enum values, safe paths.

A results file is input: `matrix`, `docs`, `diff`, `--baseline` and `--expect` read files a
user names. A damaged or crafted one must be refused with one line naming the cell and the
field, not crash a report half-way (a traceback) nor slip an unknown outcome into a table.
Pydantic in strict mode: nothing is coerced ("3" is not a count, 1 is not true); unknown keys
are allowed (a newer harness may add metrics), only the keys the harness computes with are
typed. The schema of a cell is CellResult's own annotations, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from harness.results import CellResult


class RecordError(ValueError):
    """A record that breaks the schema: `field` (dotted) and `problem` (one line)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}" if field else problem)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class LiveTiming(_Strict):
    generated_tokens: int | None = None
    tokens_per_s: float | None = None
    server_ms: float | None = None
    latency_s: float | None = None


class Metrics(_Strict):
    # The metrics the support levels, the gates and the reports count, compare or divide.
    yielded: int | None = None
    items: int | None = None
    partials: int | None = None
    llm_chunks: int | None = None
    payload_deltas: int | None = None
    raw_deltas: int | None = None
    http_requests: int | None = None
    http_streams: int | None = None
    http_status: int | None = None
    wire_chunks: int | None = None
    first_yield_chunk: int | None = None
    retries: int | None = None
    first_yield_s: float | None = None
    retry_after_s: float | None = None
    incremental: bool | None = None
    faked_stream: bool | None = None
    first_before_last_chunk: bool | None = None
    stream_requested: bool | None = None
    raw_exact: bool | None = None
    raw_matches: bool | None = None
    live_timing: LiveTiming | None = None
    # A re-ask's attempts, the hooks a scenario counts, a ladder rung's ladder and place
    # (the ladder column is computed from these).
    attempts: int | None = None
    hooks: dict[str, int] | None = None
    ladder: str | None = None
    rung: int | None = None


class _RunHeader(_Strict):
    target: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    harness: str | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    drop_params: bool | None = None
    interrupted: bool | None = None
    retries: int | None = None
    resumed_cells: int | None = None


@functools.cache
def _cell_model() -> type[BaseModel]:
    """A strict model of CellResult's fields, from its annotations (metrics typed deeper)."""
    hints = get_type_hints(CellResult)
    hints["metrics"] = Metrics
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(CellResult):
        if f.default is not dataclasses.MISSING:
            default = Field(default=f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=f.default_factory)
        else:
            default = Field()
        fields[f.name] = (hints[f.name], default)
    model: type[BaseModel] = create_model(
        "CellRecord", __config__=ConfigDict(strict=True, extra="ignore"), **fields)
    return model


def shown(value: object, width: int = 40) -> str:
    """A value from the file as a short, printable, single-line text."""
    text = value if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _first_problem(exc: ValidationError) -> RecordError:
    error = exc.errors()[0]
    field = ".".join(shown(part) for part in error["loc"])
    problem = error["msg"]
    if error["type"] == "literal_error" or error["type"].endswith("_type"):
        problem += f", not {shown(repr(error['input']))}"
    if len(exc.errors()) > 1:
        problem += f" (and {len(exc.errors()) - 1} more)"
    return RecordError(field, problem)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def cassette_problem(value: str) -> str | None:
    """Why `value` is not a cassette path inside the cassette folder (None: it is, or empty)."""
    if not value:
        return None  # a cell that used no cassette (skipped, or refused before any call)
    if _CONTROL.search(value):
        return "contains control characters"
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).anchor:
        return "is an absolute path; a cassette path is relative to the cassette folder"
    if ".." in re.split(r"[\\/]", value):
        return "climbs out of the cassette folder with '..'"
    return None


def check_cell(raw: object) -> CellResult:
    """The CellResult a record describes; RecordError naming the field if it breaks the schema."""
    if not isinstance(raw, dict):
        raise RecordError("", f"must be an object, not {type(raw).__name__}")
    try:
        _cell_model().model_validate(raw)
    except ValidationError as exc:
        raise _first_problem(exc) from None
    problem = cassette_problem(raw.get("cassette", ""))
    if problem:
        raise RecordError("cassette", f"{shown(repr(raw['cassette']))} {problem}")
    return CellResult.from_dict(raw)


def check_run(raw: object) -> dict[str, Any]:
    """The run header as it is; RecordError naming the field if it breaks the schema."""
    if not isinstance(raw, dict):
        raise RecordError("run", f"an object, not {type(raw).__name__}")
    try:
        _RunHeader.model_validate(raw)
    except ValidationError as exc:
        found = _first_problem(exc)
        raise RecordError(f"run.{found.field}", found.problem) from None
    return raw


def cell_label(index: int, raw: object) -> str:
    """How an error line names a cell: its id when it has a plain one, and its position."""
    name = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(name, str) and name and len(name) <= 80 and name.isprintable():
        return f"{name} (cells[{index}])"
    return f"cells[{index}]"
