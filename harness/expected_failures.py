"""A project's known failures: its [[tool.conformance.expected_failures]] tables, read into
the same `Expected` entries as the harness's own table (harness/expectations.py).

    [[tool.conformance.expected_failures]]
    cells = ["anthropic-json-*"]          # cell-id patterns (`*` wildcards)
    reason = "litellm drops response_format json_object for anthropic/"
    outcome = "error"                     # fail, error or unsupported
    layer = "litellm"                     # the layer at fault (never harness)
    exception = "ValidationError"         # the exception type
    message = "Invalid JSON"              # a fragment of its message
    # optional: name = "...", unless = ["anthropic-json-async"], when = { litellm = ">=1.96" }

Every field of the evidence is required: an entry the cell's failure does not match exactly
is a failing test, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, get_args

from harness.expectations import ExpectationError, Expected, check_entry
from harness.results import Layer

WHERE = "[[tool.conformance.expected_failures]]"
REQUIRED = ("cells", "reason", "outcome", "layer", "exception", "message")
OPTIONAL = ("name", "unless", "when")
# A layer can be blamed for a known failure; the harness never (its errors are never "known").
LAYERS = tuple(layer for layer in get_args(Layer) if layer != "harness")


def _patterns(value: Any, here: str, key: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
        raise ExpectationError(f"{here}: {key} must be a list of cell-id patterns like "
                               f"\"openai-tools-*\", got {value!r}")
    return tuple(items)


def _text(table: Mapping[str, Any], key: str, here: str) -> str:
    value = table[key]
    if not isinstance(value, str):
        raise ExpectationError(f"{here}: {key} must be a string, got {value!r}")
    return value


def _when(value: Any, here: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ExpectationError(f"{here}: when must be a table of library = \"version "
                               f"specifier\" (e.g. when = {{ litellm = \">=1.96\" }}), "
                               f"got {value!r}")
    return tuple(value.items())


def _entry(table: Any, number: int) -> Expected:
    here = f"{WHERE} #{number}"
    if not isinstance(table, Mapping):
        raise ExpectationError(f"{here}: must be a table with {', '.join(REQUIRED)}")
    unknown = sorted(set(table) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ExpectationError(f"{here}: unknown field {unknown[0]!r}; valid fields: "
                               f"{', '.join(REQUIRED + OPTIONAL)}")
    missing = [key for key in REQUIRED if key not in table]
    if missing:
        raise ExpectationError(f"{here}: missing {', '.join(missing)}: an expected failure "
                               f"names its cells, its reason and the evidence it must show")
    cells = _patterns(table["cells"], here, "cells")
    layer = _text(table, "layer", here)
    if layer not in LAYERS:
        raise ExpectationError(f"{here}: layer {layer!r} is not one of {', '.join(LAYERS)}")
    name = table.get("name") or f"expected_failures #{number} ({cells[0]})"
    return Expected(str(name), _text(table, "reason", here), cells,
                    _text(table, "outcome", here), layer, _text(table, "exception", here),
                    _text(table, "message", here),
                    unless=_patterns(table.get("unless", []), here, "unless"),
                    when=_when(table.get("when", {}), here))


def from_config(tables: Iterable[Any]) -> tuple[Expected, ...]:
    """The entries of a project's expected_failures tables; one line on the first bad one."""
    entries = []
    for number, table in enumerate(tables, 1):
        entry = _entry(table, number)
        check_entry(entry)
        entries.append(entry)
    return tuple(entries)
