"""What the emulated model answers: the scenario's expected data, shaped by the request's schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from harness.scenarios import answer_for_prompt

UNKNOWN_PROMPT_REPLY = "The emulator has no answer for this prompt."


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
    """Shape a known answer the way a model filling `schema` would, in the schema's key order."""
    props: dict[str, Any] = (schema or {}).get("properties") or {}
    if isinstance(answer, list):
        # A list answer requested as an object: instructor's Iterable wrapper has one array field.
        for name, prop in props.items():
            if prop.get("type") == "array":
                return {name: answer}
        return answer
    if isinstance(answer, dict) and props:
        ordered = {key: answer[key] for key in props if key in answer}
        ordered.update({k: v for k, v in answer.items() if k not in ordered})
        return ordered
    return answer


def answer_for(prompts: list[str], schema: dict[str, Any] | None) -> Any | None:
    """The answer to the first prompt that is a known scenario prompt, fitted to `schema`."""
    for prompt in prompts:
        answer = answer_for_prompt(prompt)
        if answer is not None:
            return fit_to_schema(answer, schema)
    return None


def text_of(content: Any) -> str:
    """The text of a chat message's content, whether a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict)
        )
    return ""
