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
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from harness.versions import library_versions

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

# The beyond pack (harness/packs/beyond): re-asks, hooks and the schema ladder.
_TOOL_CHOICE_DROPPED = (
    "litellm sends no tool_choice to {0} (instructor asks for the tool by name), so after the "
    "tool result carrying instructor's validation error the model is free not to call the "
    "tool, and the emulated model, unforced after a tool result, reports that result in prose "
    "as the real APIs' agent loops expect: instructor re-asks again (a user turn), one attempt "
    "more than the re-ask needs; with two invalid answers the retries run out first")
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


def _beyond(prefix: str) -> tuple[str, ...]:
    """The beyond pack's cells of a provider and mode: re-asks, hooks and ladder rungs."""
    return tuple(f"{prefix}-{kind}*" for kind in ("reask", "hooks", "ladder_"))


@dataclass(frozen=True)
class Expected:
    """One known failure and the evidence it must show."""

    name: str
    reason: str
    cells: tuple[str, ...]  # cell-id patterns
    outcome: str  # fail, error or unsupported
    layer: str  # the layer at fault; never "harness"
    exception: str  # the exception type
    message: str  # a fragment the message must contain
    unless: tuple[str, ...] = ()  # patterns taken out of `cells`
    # The releases it holds for, e.g. (("litellm", ">=1.96"),); empty: every release.
    when: tuple[tuple[str, str], ...] = ()

    def applies(self, versions: Mapping[str, str]) -> bool:
        """Whether the installed (or a result's) library versions are ones this entry names."""
        for library, spec in self.when:
            version = versions.get(library)
            if version is None:
                continue  # not recorded: the entry is not ruled out
            try:
                if not SpecifierSet(spec).contains(Version(version), prereleases=True):
                    return False
            except InvalidVersion:
                continue
        return True

    def matches(self, cell_id: str, versions: Mapping[str, str] | None = None) -> bool:
        """Whether this entry covers `cell_id` (with these library versions)."""
        return (any(fnmatchcase(cell_id, p) for p in self.cells)
                and not any(fnmatchcase(cell_id, p) for p in self.unless)
                and (versions is None or self.applies(versions)))

    def mismatches(self, result: Any) -> list[str]:
        """How a cell's result differs from this entry's evidence (empty: it fails as known)."""
        got = {"outcome": result.outcome, "layer": result.layer,
               "exception": result.exception_type}
        want = {"outcome": self.outcome, "layer": self.layer, "exception": self.exception}
        out = [f"{key} {got[key]!r} (expected {want[key]!r})" for key in want
               if got[key] != want[key]]
        if self.message not in (result.message or ""):
            out.append(f"message {(result.message or '')[:160]!r} lacks {self.message!r}")
        return out


EXPECTATIONS: tuple[Expected, ...] = (
    Expected("sync create_partial returns an async generator", _ASYNC_GEN,
             ("*-*-partial_sync",), "error", "instructor", "ContractViolation",
             "sync create_partial() returned async_generator",
             unless=("cohere-json-*", "cohere-json_schema-*")),
    Expected("sync create_iterable returns an async generator", _ASYNC_GEN,
             ("*-*-iterable_sync",), "error", "instructor", "ContractViolation",
             "sync create_iterable() returned async_generator",
             unless=("cohere-json-*", "cohere-json_schema-*")),
    Expected("anthropic json_object dropped: strict parse of fenced JSON", _ANTHROPIC_JSON_OBJECT,
             ("anthropic-json-sync", "anthropic-json-async", "anthropic-json-nested",
              "anthropic-json-raw_stream", *_beyond("anthropic-json")), "error", "litellm",
             "ValidationError", "Invalid JSON: expected value at line 1 column 1"),
    Expected("anthropic json_object dropped: partial JSON of fenced text", _ANTHROPIC_JSON_OBJECT,
             ("anthropic-json-partial_async",), "error", "litellm", "ValueError",
             "expected value at line 1 column 1"),
    Expected("bedrock json_object dropped: strict parse of fenced JSON", _BEDROCK_JSON_OBJECT,
             ("bedrock-json-sync", "bedrock-json-async", "bedrock-json-nested",
              "bedrock-json-raw_stream", *_beyond("bedrock-json")), "error", "litellm",
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
             ("gemini-tools-ladder_union",), "unsupported", "provider", "BadRequestError",
             "properties[pet].type: must be specified when not using one_of, any_of"),
    Expected("union rung: Vertex parameter without a type", _UNION_DROPPED,
             ("vertex-tools-ladder_union",), "unsupported", "provider", "BadRequestError",
             "`parameters.pet` schema didn't specify the schema type field"),
    Expected("formats rung: string length bounds in Bedrock's output schema", _BEDROCK_BOUNDS,
             ("bedrock-json_schema-ladder_formats",), "unsupported", "provider",
             "BadRequestError", "'minLength' is not supported", when=(("litellm", "<1.96"),)),
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


class ExpectationError(ValueError):
    """The expectations table itself is wrong."""


def _check_entry(entry: Expected) -> None:
    if not entry.reason.strip():
        raise ExpectationError(f"expectation {entry.name!r} has no reason: write why it fails")
    if entry.outcome not in ("fail", "error", "unsupported"):
        raise ExpectationError(f"expectation {entry.name!r}: outcome {entry.outcome!r} is "
                               f"not a failure (fail, error or unsupported)")
    if entry.layer == "harness" or not entry.exception:
        raise ExpectationError(f"expectation {entry.name!r}: a harness error is never an "
                               f"expected failure; name the layer and exception at fault")
    for library, spec in entry.when:
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise ExpectationError(f"expectation {entry.name!r}: {library} {spec!r} is not a "
                                   f"version specifier (e.g. '>=1.96')") from None


def validate(table: Iterable[Expected], cell_ids: list[str],
             versions: Mapping[str, str] | None = None) -> None:
    """Every entry has a reason and real evidence and matches a cell; under `versions` (the
    installed ones by default) no cell matches two entries."""
    versions = library_versions() if versions is None else versions
    owner: dict[str, str] = {}
    for entry in table:
        _check_entry(entry)
        if not any(entry.matches(c) for c in cell_ids):
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
