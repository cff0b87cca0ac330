"""Known upstream failures: one table, each entry with its reason (pytest strict xfail).

A pattern is `provider-mode-scenario` with `*` wildcards. A cell listed here is expected to
NOT pass; when upstream fixes it, the strict xfail turns into a failing unexpected pass, which
tells us to delete the entry. An entry without a reason, or matching no cell, is an error.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

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

EXPECTED_FAILURES: dict[str, str] = {
    "*-*-partial_sync": _ASYNC_GEN,
    "*-*-iterable_sync": _ASYNC_GEN,
    "anthropic-json-sync": _ANTHROPIC_JSON_OBJECT,
    "anthropic-json-async": _ANTHROPIC_JSON_OBJECT,
    "anthropic-json-nested": _ANTHROPIC_JSON_OBJECT,
    "anthropic-json-partial_async": _ANTHROPIC_JSON_OBJECT,
    "anthropic-json-raw_stream": _ANTHROPIC_JSON_OBJECT,
    "cohere-json-*": _COHERE_NO_RESPONSE_FORMAT,
    "cohere-json_schema-*": _COHERE_NO_RESPONSE_FORMAT,
    "cohere-*-partial_async": _COHERE_V2_STREAM,
    "cohere-*-iterable_async": _COHERE_V2_STREAM,
    "cohere-*-raw_stream": _COHERE_V2_STREAM,
    "llamacpp-tools-*": _SMOL_TOOLS,
    "llamacpp-json-*": _SMOL_PROMPTED,
    "llamacpp-md_json-*": _SMOL_PROMPTED,
    "llamacpp-json_schema-iterable_async": _SMOL_ITERABLE,
}


class ExpectationError(ValueError):
    """The expectations table itself is wrong."""


def validate(table: dict[str, str], cell_ids: list[str]) -> None:
    """Every entry has a reason and matches at least one cell."""
    for pattern, reason in table.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationError(f"expectation {pattern!r} has no reason: write why it fails")
        if not any(fnmatchcase(cell_id, pattern) for cell_id in cell_ids):
            raise ExpectationError(f"expectation {pattern!r} matches no cell: delete it")


def expected_failure(cell_id: str, table: dict[str, str] | None = None) -> str | None:
    """The reason `cell_id` is expected to fail, or None."""
    for pattern, reason in (EXPECTED_FAILURES if table is None else table).items():
        if fnmatchcase(cell_id, pattern):
            return reason
    return None
