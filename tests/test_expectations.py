"""The known-failures table, pinned: which cells each entry covers, and that its evidence bites.

The cell lists are written out here, not computed from the table: a pattern that grows to
cover another cause's cells, or shrinks, fails this test.
"""

from __future__ import annotations

import pytest

from harness.cells import select_cells
from harness.expectations import (
    EXPECTATIONS,
    ExpectationError,
    Expected,
    expectation_for,
    known_failure,
    validate,
)
from harness.results import CellResult
from tests.helpers import scenarios_loaded

_PROVIDERS = ("openai", "anthropic", "azure", "gemini", "vertex", "cohere", "bedrock",
              "mistral", "huggingface", "groq", "openrouter", "deepseek", "xai", "together",
              "llamacpp", "ollama", "openai_responses", "gemini3", "vertex_gemini3")
_MODES = ("tools", "json", "json_schema", "md_json")


def _every(scenario: str) -> set[str]:
    return {f"{p}-{m}-{scenario}" for p in _PROVIDERS for m in _MODES} - {
        f"cohere-json-{scenario}", f"cohere-json_schema-{scenario}",
        f"deepseek-tools-{scenario}", f"deepseek-json_schema-{scenario}"}


# The beyond pack's scenarios (harness/packs/beyond), written out.
_BEYOND = ("reask", "reask_async", "reask_twice", "hooks", "hooks_reask", "ladder_flat",
           "ladder_nested", "ladder_list", "ladder_enum", "ladder_optional", "ladder_union",
           "ladder_recursive", "ladder_wide", "ladder_formats")
_GUIDE = ("sync", "async", "nested", "partial_sync", "partial_async", "iterable_sync",
          "iterable_async", "raw_stream")


COVERS: dict[str, set[str]] = {
    "sync create_partial returns an async generator":
        _every("partial_sync") - {"openai_responses-tools-partial_sync"},
    "sync create_iterable returns an async generator":
        _every("iterable_sync") - {"openai_responses-tools-iterable_sync"},
    "sync create_partial returns an async generator (responses tools)": {
        "openai_responses-tools-partial_sync"},
    "sync create_iterable returns an async generator (responses tools)": {
        "openai_responses-tools-iterable_sync"},
    "responses tool_choice in the chat completions shape": {
        f"openai_responses-tools-{s}" for s in (*_GUIDE, *_BEYOND)},
    "anthropic json_object dropped: strict parse of fenced JSON": {
        "anthropic-json-sync", "anthropic-json-async", "anthropic-json-nested",
        "anthropic-json-raw_stream", *(f"anthropic-json-{s}" for s in _BEYOND)},
    "anthropic json_object dropped: partial JSON of fenced text": {
        "anthropic-json-partial_async"},
    "bedrock json_object dropped: strict parse of fenced JSON": {
        "bedrock-json-sync", "bedrock-json-async", "bedrock-json-nested",
        "bedrock-json-raw_stream", *(f"bedrock-json-{s}" for s in _BEYOND)},
    "bedrock json_object dropped: partial JSON of fenced text": {"bedrock-json-partial_async"},
    "cohere response_format refused": {
        f"cohere-{m}-{s}" for m in ("json", "json_schema") for s in (*_GUIDE, *_BEYOND)},
    "cohere v2 stream unreadable": {
        "cohere-tools-partial_async", "cohere-tools-iterable_async", "cohere-tools-raw_stream",
        "cohere-md_json-partial_async", "cohere-md_json-iterable_async",
        "cohere-md_json-raw_stream"},
    "deepseek thinking mode refuses a forced tool_choice": {
        f"deepseek-tools-{s}" for s in (*_GUIDE, *_BEYOND)},
    "deepseek refuses response_format json_schema": {
        f"deepseek-json_schema-{s}" for s in (*_GUIDE, *_BEYOND)},
    "cohere re-ask: forced tool_choice dropped, one attempt more": {
        "cohere-tools-reask", "cohere-tools-reask_async", "cohere-tools-hooks_reask"},
    "cohere re-ask: forced tool_choice dropped, retries run out": {"cohere-tools-reask_twice"},
    "mistral re-ask: forced tool_choice dropped, one attempt more": {
        "mistral-tools-reask", "mistral-tools-reask_async", "mistral-tools-hooks_reask"},
    "mistral re-ask: forced tool_choice dropped, retries run out": {"mistral-tools-reask_twice"},
    "ollama re-ask: no tool choice, one attempt more": {
        "ollama-tools-reask", "ollama-tools-reask_async", "ollama-tools-hooks_reask"},
    "ollama re-ask: no tool choice, retries run out": {"ollama-tools-reask_twice"},
    "recursive rung: dangling $ref in Anthropic's output_format": {
        "anthropic-json_schema-ladder_recursive"},
    "recursive rung: dangling $ref in Bedrock's tool schema": {"bedrock-tools-ladder_recursive"},
    "recursive rung: Bedrock's JSON schema mode as a tool, dangling $ref": {
        "bedrock-json_schema-ladder_recursive"},
    "recursive rung: Bedrock's structured outputs refuse recursion": {
        "bedrock-json_schema-ladder_recursive"},
    "union rung: Gemini parameter without a type": {"gemini-tools-ladder_union",
                                                     "gemini3-tools-ladder_union"},
    "union rung: Vertex parameter without a type": {"vertex-tools-ladder_union",
                                                     "vertex_gemini3-tools-ladder_union"},
    "formats rung: string length bounds in Bedrock's output schema": {
        "bedrock-json_schema-ladder_formats"},
    "smollm tools: prose until the token limit": {
        "llamacpp-tools-sync", "llamacpp-tools-async", "llamacpp-tools-raw_stream"},
    "smollm tools: nested call never made": {"llamacpp-tools-nested"},
    "smollm tools: no partial": {"llamacpp-tools-partial_async"},
    "smollm tools: no items": {"llamacpp-tools-iterable_async"},
    "smollm prompted JSON: prose or schema until the token limit": {
        "llamacpp-json-sync", "llamacpp-json-async", "llamacpp-json-nested",
        "llamacpp-json-raw_stream", "llamacpp-md_json-sync", "llamacpp-md_json-async",
        "llamacpp-md_json-nested", "llamacpp-md_json-raw_stream"},
    "smollm json_object: a partial that is no object": {"llamacpp-json-partial_async"},
    "smollm json_object: no items": {"llamacpp-json-iterable_async"},
    "smollm md_json: the schema echoed": {
        "llamacpp-md_json-partial_async", "llamacpp-md_json-iterable_async"},
    "smollm json_schema: empty items": {"llamacpp-json_schema-iterable_async"},
}
def _cell_ids() -> list[str]:
    """Every cell of this repository's project: the guide and the beyond pack (its
    [tool.conformance] scenarios), the registry left as it was found."""
    with scenarios_loaded("harness.packs.beyond"):
        return [c.cell_id for c in select_cells()]


CELL_IDS = _cell_ids()


_FLOOR = {"instructor": "1.17.0", "litellm": "1.83.0"}
_MIDDLE = {"instructor": "1.17.0", "litellm": "1.96.2"}
_NEWEST = {"instructor": "1.17.0", "litellm": "1.110.2"}
_BEDROCK_JSON = ("bedrock json_object dropped: strict parse of fenced JSON",
                 "bedrock json_object dropped: partial JSON of fenced text")
_RESPONSES_SYNC = ("sync create_partial returns an async generator (responses tools)",
                   "sync create_iterable returns an async generator (responses tools)")
# Which version-bound entries hold at each measured pair.
_HELD = {
    "floor": {"responses tool_choice in the chat completions shape",
              "mistral re-ask: forced tool_choice dropped, one attempt more",
              "mistral re-ask: forced tool_choice dropped, retries run out",
              "recursive rung: Bedrock's structured outputs refuse recursion",
              "formats rung: string length bounds in Bedrock's output schema"},
    "middle": {*_BEDROCK_JSON, *_RESPONSES_SYNC,
               "mistral re-ask: forced tool_choice dropped, one attempt more",
               "mistral re-ask: forced tool_choice dropped, retries run out",
               "recursive rung: Bedrock's structured outputs refuse recursion"},
    "newest": {*_BEDROCK_JSON, *_RESPONSES_SYNC,
               "recursive rung: Bedrock's JSON schema mode as a tool, dangling $ref"},
}


def test_each_expectation_covers_exactly_its_cells() -> None:
    # 608 guide cells (19 providers x 4 modes x 8), 1008 beyond (18 emulated x 4 x 14)
    assert len(CELL_IDS) == 1616
    assert {e.name for e in EXPECTATIONS} == set(COVERS)
    for entry in EXPECTATIONS:
        assert {c for c in CELL_IDS if entry.matches(c)} == COVERS[entry.name], entry.name
    assert sum(len(cells) for cells in COVERS.values()) == 338


@pytest.mark.parametrize("versions,pair,count", [(_FLOOR, "floor", 316),
                                                 (_MIDDLE, "middle", 314),
                                                 (_NEWEST, "newest", 310)])
def test_which_entries_hold_depends_on_the_releases(versions: dict, pair: str,
                                                    count: int) -> None:
    validate(EXPECTATIONS, CELL_IDS, versions)
    held = [e for e in EXPECTATIONS if e.applies(versions)]
    assert sum(len(COVERS[e.name]) for e in held) == count
    assert {e.name for e in EXPECTATIONS if e.when} & {e.name for e in held} == _HELD[pair]
    found = expectation_for("bedrock-json-sync", versions=versions)
    assert (found.name if found else None) == (_BEDROCK_JSON[0] if versions is not _FLOOR
                                               else None)


def test_a_bad_version_specifier_is_refused() -> None:
    with pytest.raises(ExpectationError, match="'soon' is not a version specifier"):
        validate([_entry(when=(("litellm", "soon"),))], ["openai-tools-partial_sync"])


def test_the_table_is_valid_and_no_cell_has_two_causes() -> None:
    validate(EXPECTATIONS, CELL_IDS)


def _entry(**changes: object) -> Expected:
    base = {"name": "e", "reason": "why", "cells": ("*-partial_sync",), "outcome": "error",
            "layer": "instructor", "exception": "ContractViolation", "message": "async_gen"}
    return Expected(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("changes,error", [
    ({"reason": "  "}, "has no reason"),
    ({"cells": ("cohere-*",)}, "matches no cell"),
    ({"layer": "harness"}, "a harness error is never an expected failure"),
    ({"outcome": "pass"}, "is not a failure"),
    ({"exception": ""}, "name the layer and exception"),
])
def test_a_bad_entry_is_refused(changes: dict, error: str) -> None:
    with pytest.raises(ExpectationError, match=error):
        validate([_entry(**changes)], ["openai-tools-sync", "openai-tools-partial_sync"])


def test_two_entries_on_one_cell_are_refused() -> None:
    with pytest.raises(ExpectationError, match="openai-tools-partial_sync matches expectations"):
        validate([_entry(name="a"), _entry(name="b", cells=("openai-*",))],
                 ["openai-tools-partial_sync"])


def _result(**fields: object) -> CellResult:
    base = {"provider": "openai", "mode": "tools", "scenario": "partial_sync",
            "outcome": "error", "layer": "instructor", "exception_type": "ContractViolation",
            "message": "sync create_partial() returned async_generator, not an iterator"}
    return CellResult(**{**base, **fields})  # type: ignore[arg-type]


def test_only_the_named_evidence_is_a_known_failure() -> None:
    entry = expectation_for("openai-tools-partial_sync")
    assert entry is not None and entry.name == "sync create_partial returns an async generator"
    assert known_failure(_result()) is entry
    assert entry.mismatches(_result(layer="harness", exception_type="CassetteMissingError",
                                    message="no cassette")) == [
        "layer 'harness' (expected 'instructor')",
        "exception 'CassetteMissingError' (expected 'ContractViolation')",
        "message 'no cassette' lacks 'sync create_partial() returned async_generator'"]
    assert entry.mismatches(_result(outcome="pass", layer=None, exception_type=None,
                                    message=None))[0] == "outcome 'pass' (expected 'error')"
    assert known_failure(_result(layer="litellm")) is None
    assert expectation_for("openai-tools-sync") is None
    assert expectation_for("cohere-json-partial_sync").name == "cohere response_format refused"
    # A result is judged with the releases that produced it.
    assert known_failure(_result(versions={"litellm": "1.110.2"})) is entry
