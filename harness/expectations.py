"""Known failures, each pinned to its evidence: which cells, why, and exactly how they fail.

An entry names its cells (`provider-mode-scenario` patterns with `*` wildcards, minus `unless`
patterns), the reason, and the evidence the failure must show: the outcome, the layer at fault,
the exception type and a fragment of its message. A cell listed here passes its test only when
it fails with exactly that evidence: a missing cassette, a harness error or a misclassified
failure fails the test instead of reading as the expected bug, and an upstream fix (the cell now
passes) fails it too, telling us to delete the entry. Each cell matches at most one entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from harness.expectation import ExpectationError, Expected, check_entry
from harness.expectations_beyond import BEYOND, beyond
from harness.versions import library_versions

__all__ = ["EXPECTATIONS", "ExpectationError", "Expected", "check_entry", "expectation_for",
           "known_failure", "unmet", "validate"]

_ASYNC_GEN = (
    "instructor 1.17 bug: its OpenAI-family stream handler takes litellm's CustomStreamWrapper "
    "for an AsyncIterator (it defines __aiter__ too), so sync create_partial/create_iterable "
    "via from_litellm(litellm.completion) return an async generator a 'for' loop cannot iterate"
)

_ANTHROPIC_JSON_OBJECT = (
    "litellm 1.83 silently drops response_format={'type': 'json_object'} for anthropic/ "
    "(no JSON tool, no output_format, no prefill: only an internal json_mode flag), so "
    "Claude answers the schema in instructor's prompt with fenced ```json text; instructor's "
    "JSON mode parses the raw text strictly (model_validate_json / partial JSON) and fails"
)

_COHERE_NO_RESPONSE_FORMAT = (
    "litellm 1.83 refuses response_format for cohere_chat (not in CohereChatConfig's supported "
    "params) with UnsupportedParamsError before any request: JSON and JSON_SCHEMA modes are "
    "unsupported for Cohere through litellm (outcome 'unsupported', litellm's own message)"
)

_COHERE_V2_STREAM = (
    "litellm 1.83 bug: CohereV2ModelResponseIterator json.loads() every raw SSE line, so the "
    "real v2 stream's first line 'event: message-start' raises 'Error parsing chunk' "
    "(MidStreamFallbackError); past that, it reads tool-call deltas from delta.tool_calls "
    "(wire: delta.message.tool_calls), ignores tool-call-start and never sees message-end"
)

_BEDROCK_JSON_OBJECT = (
    "litellm >= 1.96 no longer sends Bedrock's JSON mode without a schema as a forced tool "
    "(toolConfig, as 1.83 did) and sends nothing in its place (no outputConfig): Claude answers "
    "the schema in instructor's prompt with fenced ```json text, which instructor's JSON mode "
    "parses strictly and fails (as for anthropic/ json_object)"
)

_DEEPSEEK_FORCED_TOOL = (
    "DeepSeek V4 in thinking mode (its default, and deepseek-v4-flash's) refuses a forced "
    "tool_choice with HTTP 400 'Thinking mode does not support this tool_choice', as client "
    "projects report of the real API in 2026 (deepseek-ai/DeepSeek-V3#1376; no sample records a "
    "refusal, the emulator reproduces the report): instructor's TOOLS mode always names its "
    "function, and litellm 1.110.2 sends it as is (no downgrade to auto: BerriAI/litellm#37470 "
    "is open). The provider refuses; litellm could route around it"
)

_DEEPSEEK_JSON_SCHEMA = (
    "DeepSeek's chat completions take response_format text or json_object only: json_schema is "
    "refused with HTTP 400 'This response_format type is unavailable now', as client projects "
    "report of the real API (llm-exe/llm-exe#662; no sample records it, the emulator reproduces "
    "the report); litellm 1.110.2 passes instructor's json_schema through because its model map "
    "marks DeepSeek models supports_response_schema (the downgrade to json_object in "
    "BerriAI/litellm#31466 was closed unmerged)"
)

_RESPONSES_TOOL_CHOICE = (
    "litellm < 1.96 sends instructor's forced tool to the Responses API (openai/responses/) in "
    "the Chat Completions shape, tool_choice {'type': 'function', 'function': {'name': ...}}, "
    "instead of the Responses shape {'type': 'function', 'name': ...}; OpenAI refuses the "
    "request with a 400 \"Unknown parameter: 'tool_choice.function'.\" (the text quoted in "
    "BerriAI/litellm#27611); litellm 1.96.2 sends the Responses shape"
)

# Not library bugs: what the real SmolLM2-135M model behind llama-server answered when its
# cassettes were recorded (see the cells' messages for the text). A stronger local model
# re-recorded with 'conformance record --live -p llamacpp' turns these into unexpected passes.
_SMOL_TOOLS = ("llama-server takes tool_choice only as a string and SmolLM2-135M's chat "
               "template has no tool support: no tool call comes back, the model writes prose "
               "until the token limit")
_SMOL_PROMPTED = ("with the schema only in the prompt (json_object / md_json), SmolLM2-135M "
                  "echoes the schema or writes prose until the token limit instead of the object")
_SMOL_ITERABLE = ("under json_schema grammar SmolLM2-135M fills instructor's 'tasks' list with "
                  "empty objects, which are not valid Users")

GUIDE: tuple[Expected, ...] = (
    Expected("sync create_partial returns an async generator", _ASYNC_GEN,
             ("*-*-partial_sync",), "error", "instructor", "ContractViolation",
             "sync create_partial() returned async_generator",
             unless=("cohere-json-*", "cohere-json_schema-*", "deepseek-tools-*",
                     "deepseek-json_schema-*", "openai_responses-tools-*")),
    Expected("sync create_iterable returns an async generator", _ASYNC_GEN,
             ("*-*-iterable_sync",), "error", "instructor", "ContractViolation",
             "sync create_iterable() returned async_generator",
             unless=("cohere-json-*", "cohere-json_schema-*", "deepseek-tools-*",
                     "deepseek-json_schema-*", "openai_responses-tools-*")),
    # Below litellm 1.96 the forced tool's request is refused before the generator exists.
    Expected("sync create_partial returns an async generator (responses tools)", _ASYNC_GEN,
             ("openai_responses-tools-partial_sync",), "error", "instructor",
             "ContractViolation", "sync create_partial() returned async_generator",
             when=(("litellm", ">=1.96"),)),
    Expected("sync create_iterable returns an async generator (responses tools)", _ASYNC_GEN,
             ("openai_responses-tools-iterable_sync",), "error", "instructor",
             "ContractViolation", "sync create_iterable() returned async_generator",
             when=(("litellm", ">=1.96"),)),
    Expected("responses tool_choice in the chat completions shape", _RESPONSES_TOOL_CHOICE,
             ("openai_responses-tools-*",), "error", "litellm", "BadRequestError",
             "Unknown parameter: 'tool_choice.function'", when=(("litellm", "<1.96"),)),
    Expected("anthropic json_object dropped: strict parse of fenced JSON", _ANTHROPIC_JSON_OBJECT,
             ("anthropic-json-sync", "anthropic-json-async", "anthropic-json-nested",
              "anthropic-json-raw_stream", *beyond("anthropic-json")), "error", "litellm",
             "ValidationError", "Invalid JSON: expected value at line 1 column 1"),
    Expected("anthropic json_object dropped: partial JSON of fenced text", _ANTHROPIC_JSON_OBJECT,
             ("anthropic-json-partial_async",), "error", "litellm", "ValueError",
             "expected value at line 1 column 1"),
    Expected("bedrock json_object dropped: strict parse of fenced JSON", _BEDROCK_JSON_OBJECT,
             ("bedrock-json-sync", "bedrock-json-async", "bedrock-json-nested",
              "bedrock-json-raw_stream", *beyond("bedrock-json")), "error", "litellm",
             "ValidationError", "Invalid JSON: expected value at line 1 column 1",
             when=(("litellm", ">=1.96"),)),
    Expected("bedrock json_object dropped: partial JSON of fenced text", _BEDROCK_JSON_OBJECT,
             ("bedrock-json-partial_async",), "error", "litellm", "ValueError",
             "expected value at line 1 column 1", when=(("litellm", ">=1.96"),)),
    Expected("cohere response_format refused", _COHERE_NO_RESPONSE_FORMAT,
             ("cohere-json-*", "cohere-json_schema-*"), "unsupported", "litellm",
             "UnsupportedParamsError",
             "cohere_chat does not support parameters: ['response_format']"),
    Expected("cohere v2 stream unreadable", _COHERE_V2_STREAM,
             ("cohere-tools-partial_async", "cohere-tools-iterable_async",
              "cohere-tools-raw_stream", "cohere-md_json-partial_async",
              "cohere-md_json-iterable_async", "cohere-md_json-raw_stream"),
             "error", "litellm", "MidStreamFallbackError", "Error parsing chunk"),
    Expected("deepseek thinking mode refuses a forced tool_choice", _DEEPSEEK_FORCED_TOOL,
             ("deepseek-tools-*",), "error", "provider", "BadRequestError",
             "Thinking mode does not support this tool_choice"),
    Expected("deepseek refuses response_format json_schema", _DEEPSEEK_JSON_SCHEMA,
             ("deepseek-json_schema-*",), "error", "provider", "BadRequestError",
             "This response_format type is unavailable now"),
    Expected("smollm tools: prose until the token limit", _SMOL_TOOLS,
             ("llamacpp-tools-sync", "llamacpp-tools-async", "llamacpp-tools-raw_stream"),
             "fail", "provider", "IncompleteOutputException",
             "the model's answer is not a valid User"),
    Expected("smollm tools: nested call never made", _SMOL_TOOLS,
             ("llamacpp-tools-nested",), "fail", "provider", "ResponseParsingError",
             "the model's answer is not a valid UserWithAddresses"),
    Expected("smollm tools: no partial", _SMOL_TOOLS,
             ("llamacpp-tools-partial_async",), "fail", "provider", "ContentMismatch",
             "create_partial yielded nothing"),
    Expected("smollm tools: no items", _SMOL_TOOLS,
             ("llamacpp-tools-iterable_async",), "fail", "provider", "ContentMismatch",
             "expected 3 items, got 0"),
    Expected("smollm prompted JSON: prose or schema until the token limit", _SMOL_PROMPTED,
             ("llamacpp-json-sync", "llamacpp-json-async", "llamacpp-json-nested",
              "llamacpp-json-raw_stream", "llamacpp-md_json-sync", "llamacpp-md_json-async",
              "llamacpp-md_json-nested", "llamacpp-md_json-raw_stream"),
             "fail", "provider", "IncompleteOutputException", "the model's answer is not a valid"),
    Expected("smollm json_object: a partial that is no object", _SMOL_PROMPTED,
             ("llamacpp-json-partial_async",), "fail", "provider", "ValueError",
             "the model's answer is not a valid UserProfile"),
    Expected("smollm json_object: no items", _SMOL_PROMPTED,
             ("llamacpp-json-iterable_async",), "fail", "provider", "ContentMismatch",
             "expected 3 items, got 0"),
    Expected("smollm md_json: the schema echoed", _SMOL_PROMPTED,
             ("llamacpp-md_json-partial_async", "llamacpp-md_json-iterable_async"),
             "fail", "provider", "ValidationError", "the model's answer is not a valid"),
    Expected("smollm json_schema: empty items", _SMOL_ITERABLE,
             ("llamacpp-json_schema-iterable_async",), "fail", "provider", "ValidationError",
             "the model's answer is not a valid User: '{}'"),
)


# The harness's own table: the guide's cells, then the beyond pack's.
EXPECTATIONS: tuple[Expected, ...] = (*GUIDE, *BEYOND)


def validate(table: Iterable[Expected], cell_ids: list[str],
             versions: Mapping[str, str] | None = None, complete: bool = True) -> None:
    """Every entry has a reason and real evidence and matches a cell; under `versions` (the
    installed ones by default) no cell matches two entries. `complete=False`: `cell_ids` are
    only some of the cells (a partial collection), so an entry matching none of them is fine."""
    versions = library_versions() if versions is None else versions
    owner: dict[str, str] = {}
    for entry in table:
        check_entry(entry)
        if complete and not any(entry.matches(c) for c in cell_ids):
            raise ExpectationError(f"expectation {entry.name!r} matches no cell: delete it")
        for cell in (c for c in cell_ids if entry.matches(c, versions)):
            if cell in owner:
                raise ExpectationError(f"cell {cell} matches expectations {owner[cell]!r} and "
                                       f"{entry.name!r}: narrow one of them")
            owner[cell] = entry.name


def expectation_for(cell_id: str, table: Iterable[Expected] = EXPECTATIONS,
                    versions: Mapping[str, str] | None = None) -> Expected | None:
    """The entry covering `cell_id` with these library versions (the installed ones), or None."""
    versions = library_versions() if versions is None else versions
    return next((entry for entry in table if entry.matches(cell_id, versions)), None)


def known_failure(result: Any, table: Iterable[Expected] = EXPECTATIONS) -> Expected | None:
    """The entry a failing result is an instance of: it covers the cell with the versions that
    produced it AND the evidence fits."""
    entry = expectation_for(result.cell_id, table, result.versions or None)
    return entry if entry is not None and not entry.mismatches(result) else None


def unmet(entry: Expected, result: Any, where: str) -> str | None:
    """None when `result` fails with exactly `entry`'s evidence; else why its test must fail
    (`where`: the table to edit when the bug is fixed upstream)."""
    problems = entry.mismatches(result)
    if not problems:
        return None
    if result.outcome == "pass":
        return (f"{result.cell_id} now passes: delete or narrow the expectation "
                f"{entry.name!r} in {where}")
    return (f"{result.cell_id} does not fail as expectation {entry.name!r} says: "
            + "; ".join(problems) + f" — message: {(result.message or '')[:300]}")
