"""Known failures of the beyond pack's cells (harness/packs/beyond): re-asks, hooks and the
schema ladder, each pinned to its evidence as in harness/expectations.py, which joins them to
the guide's table. A cause shared with the guide's cells (a mode litellm breaks for every
call) stays with the guide's entry, its patterns widened by `beyond`.
"""

from __future__ import annotations

from harness.expectation import Expected

_TOOL_CHOICE_DROPPED = (
    "litellm sends no tool_choice to {0} (instructor asks for the tool by name), so after the "
    "tool result carrying instructor's validation error the model is free not to call the "
    "tool, and the emulated model, unforced after a tool result, reports that result in prose "
    "as the real APIs' agent loops expect: instructor re-asks again (a user turn), one attempt "
    "more than the re-ask needs; with two invalid answers the retries run out first")
_NO_TOOL_CHOICE = (
    "Ollama's /api/chat has no tool choice (its API reference offers `tools` only; litellm "
    "sends none), so after the tool result carrying instructor's validation error the model "
    "is free not to call the tool, and the emulated model, unforced after a tool result, "
    "reports that result in prose: instructor re-asks again (a user turn), one attempt more "
    "than the re-ask needs; with two invalid answers the retries run out first. The API "
    "lacks what instructor's TOOLS re-ask relies on: the provider's")
_DANGLING_REF = (
    "litellm inlines a recursive model's $defs one level deep for this request and drops them, "
    "leaving a $ref to #/$defs/Node that points nowhere: the provider refuses the schema as "
    "invalid JSON Schema (a 400: unsupported, layer provider); its structured outputs also "
    "document recursive schemas as unsupported")
_UNION_DROPPED = (
    "litellm's Gemini schema conversion drops the discriminated union's oneOf (the Schema "
    "object has no oneOf) and leaves the property with only a title; the API refuses a schema "
    "without a type (a 400: unsupported, layer provider)")
_BEDROCK_BOUNDS = (
    "litellm before 1.96 sends minLength/maxLength in Bedrock's outputConfig JSON schema, which "
    "Claude's structured outputs do not support (a 400: unsupported, layer provider); from 1.96 "
    "it moves them into the description")


def beyond(prefix: str) -> tuple[str, ...]:
    """The beyond pack's cells of a provider and mode: re-asks, hooks and ladder rungs."""
    return tuple(f"{prefix}-{kind}*" for kind in ("reask", "hooks", "ladder_"))


BEYOND: tuple[Expected, ...] = (
    Expected("cohere re-ask: forced tool_choice dropped, one attempt more",
             _TOOL_CHOICE_DROPPED.format("cohere_chat"),
             ("cohere-tools-reask", "cohere-tools-reask_async", "cohere-tools-hooks_reask"),
             "fail", "litellm", "ContentMismatch", "3 attempt(s) where 2 were expected"),
    Expected("cohere re-ask: forced tool_choice dropped, retries run out",
             _TOOL_CHOICE_DROPPED.format("cohere_chat"), ("cohere-tools-reask_twice",),
             "error", "litellm", "ValidationError", "an age cannot be negative"),
    Expected("mistral re-ask: forced tool_choice dropped, one attempt more",
             _TOOL_CHOICE_DROPPED.format("mistral before 1.110.2"),
             ("mistral-tools-reask", "mistral-tools-reask_async", "mistral-tools-hooks_reask"),
             "fail", "litellm", "ContentMismatch", "3 attempt(s) where 2 were expected",
             when=(("litellm", "<1.110.2"),)),
    Expected("mistral re-ask: forced tool_choice dropped, retries run out",
             _TOOL_CHOICE_DROPPED.format("mistral before 1.110.2"),
             ("mistral-tools-reask_twice",), "error", "litellm", "ValidationError",
             "an age cannot be negative", when=(("litellm", "<1.110.2"),)),
    Expected("ollama re-ask: no tool choice, one attempt more", _NO_TOOL_CHOICE,
             ("ollama-tools-reask", "ollama-tools-reask_async", "ollama-tools-hooks_reask"),
             "fail", "provider", "ContentMismatch", "3 attempt(s) where 2 were expected"),
    Expected("ollama re-ask: no tool choice, retries run out", _NO_TOOL_CHOICE,
             ("ollama-tools-reask_twice",), "error", "provider", "ValidationError",
             "an age cannot be negative"),
    Expected("recursive rung: dangling $ref in Anthropic's output_format", _DANGLING_REF,
             ("anthropic-json_schema-ladder_recursive",), "unsupported", "provider",
             "BadRequestError", "output_format.schema: JSON schema is invalid"),
    Expected("recursive rung: dangling $ref in Bedrock's tool schema", _DANGLING_REF,
             ("bedrock-tools-ladder_recursive",), "unsupported", "provider", "BadRequestError",
             "tools.0.custom.input_schema: JSON schema is invalid"),
    Expected("recursive rung: Bedrock's JSON schema mode as a tool, dangling $ref",
             _DANGLING_REF + " (from 1.110.2 litellm sends this json_schema request as a tool)",
             ("bedrock-json_schema-ladder_recursive",), "unsupported", "provider",
             "BadRequestError", "tools.0.custom.input_schema: JSON schema is invalid",
             when=(("litellm", ">=1.110.2"),)),
    Expected("recursive rung: Bedrock's structured outputs refuse recursion",
             "before 1.110.2 litellm sends the recursive schema whole in outputConfig, and "
             "Claude's structured outputs document recursive schemas as unsupported (a 400: "
             "unsupported, layer provider)", ("bedrock-json_schema-ladder_recursive",),
             "unsupported", "provider", "BadRequestError",
             "recursive schemas are not supported", when=(("litellm", "<1.110.2"),)),
    Expected("union rung: Gemini parameter without a type", _UNION_DROPPED,
             ("gemini-tools-ladder_union", "gemini3-tools-ladder_union"), "unsupported",
             "provider", "BadRequestError",
             "properties[pet].type: must be specified when not using one_of, any_of"),
    Expected("union rung: Vertex parameter without a type", _UNION_DROPPED,
             ("vertex-tools-ladder_union", "vertex_gemini3-tools-ladder_union"), "unsupported",
             "provider", "BadRequestError",
             "`parameters.pet` schema didn't specify the schema type field"),
    Expected("formats rung: string length bounds in Bedrock's output schema", _BEDROCK_BOUNDS,
             ("bedrock-json_schema-ladder_formats",), "unsupported", "provider",
             "BadRequestError", "'minLength' is not supported", when=(("litellm", "<1.96"),)),
)
