"""What the emulated model answers: an answer valid against the request's schema, from the request.

In order: the answer the harness expects for the running cell (emulators.answers), when it
is valid against the schema; else, with none expected, the built-in scenario's answer when
the prompt is one of theirs (so cassettes recorded before the harness told its answers
re-record unchanged); else a minimal instance generated from the schema itself (sampler).
Every answer is shaped like a model filling that schema would write it: an iterable's items
in the wrapper's array field, keys in the schema's property order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from harness.emulators import answers, sampler
from harness.emulators.schemas import order_like, problems
from harness.scenarios import answer_for_prompt

# Plain prose, for a request that asks for no structure at all (no tool, no format, no schema).
UNKNOWN_PROMPT_REPLY = "The emulator has no answer for this prompt."
# JSON mode without any schema still promises a JSON object.
ANY_OBJECT: dict[str, Any] = {"type": "object"}


@dataclass(frozen=True)
class Intent:
    """How the request asks for structure: a tool call, JSON text, or plain (fenced) text."""

    kind: Literal["tool", "json", "text"]
    schema: dict[str, Any] | None
    tool_name: str | None = None


def find_schema_in_text(text: str) -> dict[str, Any] | None:
    """The first JSON object in `text` that looks like a JSON schema (instructor puts one in a
    prompt)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and ("properties" in obj or "$defs" in obj):
            return obj
        start = text.find("{", start + 1)
    return None


def fit_to_schema(answer: Any, schema: dict[str, Any] | None) -> Any:
    """Shape an answer the way a model filling `schema` would, in the schema's key order."""
    props: dict[str, Any] = (schema or {}).get("properties") or {}
    if isinstance(answer, list):
        # A list answer requested as an object: instructor's Iterable wrapper has one array field.
        for name, prop in props.items():
            if isinstance(prop, dict) and str(prop.get("type")).lower() == "array":
                return order_like({name: answer}, schema)
        return order_like(answer, schema)
    return order_like(answer, schema)


def fits(answer: Any, schema: dict[str, Any] | None, many: bool = False) -> bool:
    """Whether `answer` is valid against `schema`; with `many`, a list of valid items counts
    (parallel calls of one function, one item each)."""
    if schema is None:
        return True
    if not problems(answer, schema):
        return True
    return many and isinstance(answer, list) and bool(answer) and all(
        not problems(item, schema) for item in answer)


def _known(prompts: list[str]) -> Any | None:
    for prompt in prompts:
        answer = answer_for_prompt(prompt)
        if answer is not None:
            return answer
    return None


def answer_for(prompts: list[str], schema: dict[str, Any] | None,
               many: bool = False) -> Any | None:
    """The model's answer for `schema` (None only when there is no schema and nothing known).

    Raises sampler.SchemaUnservable for a schema no instance can be generated for."""
    expected = answers.current()
    candidate = expected.value if expected is not None else _known(prompts)
    if candidate is not None:
        fitted = fit_to_schema(candidate, schema)
        if fits(fitted, schema, many):
            return fitted
    if schema is None:
        return None
    return fit_to_schema(sampler.instance_for(schema), schema)


def text_of(content: Any) -> str:
    """The text of a chat message's content, whether a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict)
        )
    return ""


def tool_result_reply(result: str) -> str:
    """The final text after a tool result: the model reports it instead of calling again."""
    shown = " ".join(result.split())
    return f"The tool returned: {shown[:200]}" if shown else "The tool returned no content."
