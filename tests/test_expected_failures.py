"""A project's [[tool.conformance.expected_failures]] tables, read into `Expected` entries."""

from __future__ import annotations

from typing import Any

import pytest

from harness.expectations import ExpectationError, validate
from harness.expected_failures import from_config
from harness.results import CellResult

EVIDENCE = {"cells": ["anthropic-json-*"], "reason": "litellm drops json_object",
            "outcome": "error", "layer": "litellm", "exception": "ValidationError",
            "message": "Invalid JSON"}


def test_a_full_entry_reads_every_field() -> None:
    (entry,) = from_config([{**EVIDENCE, "name": "json dropped",
                             "unless": ["anthropic-json-async"],
                             "when": {"litellm": ">=1.83"}}])
    assert (entry.name, entry.cells, entry.unless, entry.when) == (
        "json dropped", ("anthropic-json-*",), ("anthropic-json-async",),
        (("litellm", ">=1.83"),))
    assert entry.matches("anthropic-json-sync", {"litellm": "1.90.0"})
    assert not entry.matches("anthropic-json-async", {"litellm": "1.90.0"})
    assert not entry.matches("anthropic-json-sync", {"litellm": "1.82.0"})
    failing = CellResult("anthropic", "json", "sync", "error", layer="litellm",
                         exception_type="ValidationError", message="1 error: Invalid JSON")
    assert entry.mismatches(failing) == []


def test_an_unnamed_entry_is_named_by_its_place_and_first_pattern() -> None:
    entries = from_config([EVIDENCE, {**EVIDENCE, "cells": "openai-json-sync"}])
    assert [e.name for e in entries] == ["expected_failures #1 (anthropic-json-*)",
                                         "expected_failures #2 (openai-json-sync)"]


@pytest.mark.parametrize("change,needle", [
    ({"cells": None}, "#1: cells must be a list of cell-id patterns"),
    ({"cells": [""]}, "#1: cells must be a list of cell-id patterns"),
    ({"outcome": "pass"}, "outcome 'pass' is not a failure"),
    ({"layer": "harness"}, "#1: layer 'harness' is not one of provider, litellm"),
    ({"layer": "litelm"}, "#1: layer 'litelm' is not one of"),
    ({"exception": 3}, "#1: exception must be a string, got 3"),
    ({"reason": "  "}, "has no reason: write why it fails"),
    ({"when": {"litellm": "about 1.9"}}, "litellm 'about 1.9' is not a version specifier"),
    ({"when": ">=1.9"}, "#1: when must be a table of library = \"version specifier\""),
    ({"severity": "high"}, "#1: unknown field 'severity'; valid fields: cells, reason"),
])
def test_a_bad_entry_is_one_line_naming_it(change: dict[str, Any], needle: str) -> None:
    with pytest.raises(ExpectationError) as caught:
        from_config([{**EVIDENCE, **change}])
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_missing_evidence_is_named() -> None:
    with pytest.raises(ExpectationError, match=r"#2: missing layer, message: an expected "):
        from_config([EVIDENCE, {k: v for k, v in EVIDENCE.items()
                                if k not in ("layer", "message")}])
    with pytest.raises(ExpectationError, match=r"#1: must be a table with cells, reason"):
        from_config(["anthropic-json-*"])


def test_a_partial_collection_does_not_need_every_entry_to_match() -> None:
    entries = from_config([EVIDENCE, {**EVIDENCE, "cells": ["openai-json-*"]}])
    cells = ["anthropic-json-invoice"]
    with pytest.raises(ExpectationError, match="matches no cell: delete it"):
        validate(entries, cells, {})
    validate(entries, cells, {}, complete=False)
    with pytest.raises(ExpectationError, match="matches expectations"):  # overlaps still count
        validate(entries + entries[:1], cells, {}, complete=False)
