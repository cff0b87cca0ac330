"""The objects of OpenAI's Responses API, field by field as the 2026 recordings send them.

Used by openai_responses, which decides what to answer. Everything here is about shape: the
Response object (its keys in the order of the recorded `response.created`/`completed`
events), the output items (function_call, message with output_text), the ids (a 16-hex
request prefix, `01`, the creation time in hex, 24 more hex digits, as resp_, fc_ and msg_
ids are built in the 2026 samples) and the stream events: `type` first, then the other keys
in alphabetical order, a `sequence_number` counting from 0, and an `obfuscation` beside every
delta padding it to 16 characters (every recorded delta plus its obfuscation makes 16).
"""

from __future__ import annotations

import hashlib
import string
from typing import Any

from harness.emulators import common

_ALNUM = string.ascii_letters + string.digits
_PAD_TO = 16


def object_id(prefix: str, seed: str, created: int, salt: str = "") -> str:
    """`resp_`/`fc_`/`msg_` + 50 hex digits: a prefix shared by one response's ids, `01`, the
    creation time, and 24 digits of its own."""
    shared = common.hex_id(seed, "prefix")[:16]
    own = hashlib.sha256(f"{seed}{prefix}{salt}".encode()).hexdigest()[:24]
    return f"{prefix}_{shared}01{created:08x}{own}"


def call_id(seed: str, index: int) -> str:
    """`call_` + 24 letters and digits."""
    return "call_" + common.stable_id(f"{seed}call{index}", 24)


def obfuscation(delta: str, seed: str) -> str:
    """Random-looking padding that brings a delta to 16 characters (a multiple of 16)."""
    size = (_PAD_TO - len(delta)) % _PAD_TO or _PAD_TO
    return common.stable_id(seed + delta, size)


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The usage object of response.completed."""
    return {"input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens}


def function_call_item(item_id: str, call: str, name: str, arguments: str,
                       done: bool) -> dict[str, Any]:
    """A function_call output item, in progress (empty arguments) or completed."""
    return {"id": item_id, "type": "function_call",
            "status": "completed" if done else "in_progress",
            "arguments": arguments if done else "", "call_id": call, "name": name}


def output_text(text: str) -> dict[str, Any]:
    """An output_text content part."""
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def message_item(item_id: str, text: str | None) -> dict[str, Any]:
    """A message output item: in progress with no content (None), or completed."""
    return {"id": item_id, "type": "message",
            "status": "in_progress" if text is None else "completed",
            "content": [] if text is None else [output_text(text)], "role": "assistant"}


def _strict_schema(schema: Any) -> Any:
    """A schema as the API echoes a function it made strict: additionalProperties false on
    every object that has properties."""
    if isinstance(schema, list):
        return [_strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict_schema(v) for k, v in schema.items()}
    if isinstance(out.get("properties"), dict) and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def echoed_tools(tools: list[Any]) -> list[Any]:
    """The request's function tools as the Response echoes them: `type` first and, for a
    function sent without `strict` (or with null), strict true and a strict schema, as the
    2026 recording shows for a function sent without it."""
    out = []
    for tool in tools:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            out.append(tool)
            continue
        echoed = {"type": "function", **{k: v for k, v in tool.items() if k != "type"}}
        if echoed.get("strict") is None:
            echoed["parameters"] = _strict_schema(echoed.get("parameters"))
            echoed["strict"] = True
        out.append(echoed)
    return out


def response_object(body: dict[str, Any], *, rid: str, model: str, created: int,
                    output: list[Any] | None, usage_: dict[str, Any] | None) -> dict[str, Any]:
    """The Response: in progress (output None) or completed with its output and usage."""
    done = output is not None
    fmt = (body.get("text") or {}).get("format") or {"type": "text"}
    return {
        "id": rid, "object": "response", "created_at": created,
        "status": "completed" if done else "in_progress", "background": False,
        "completed_at": created + 1 if done else None, "error": None,
        "frequency_penalty": 0.0, "incomplete_details": None,
        "instructions": body.get("instructions"), "max_output_tokens":
            body.get("max_output_tokens"), "max_tool_calls": None, "model": model,
        "moderation": None, "output": output or [], "parallel_tool_calls": True,
        "presence_penalty": 0.0, "previous_response_id": None, "prompt_cache_key": None,
        "prompt_cache_retention": None, "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None, "service_tier": "default" if done else "auto",
        "store": body.get("store", True), "temperature": body.get("temperature", 1.0),
        "text": {"format": fmt, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": echoed_tools(body.get("tools") or []), "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0), "truncation": "disabled", "usage": usage_,
        "user": None, "metadata": body.get("metadata") or {}}


class Events:
    """Stream events in order: `type`, then the rest alphabetically, numbered from 0."""

    def __init__(self, seed: str, obfuscate: bool = True) -> None:
        self.seed, self.obfuscate = seed, obfuscate
        self.events: list[tuple[str, dict[str, Any]]] = []

    def add(self, kind: str, **fields: Any) -> None:
        if "delta" in fields and self.obfuscate:
            fields["obfuscation"] = obfuscation(fields["delta"], f"{self.seed}{len(self.events)}")
        fields["sequence_number"] = len(self.events)
        self.events.append((kind, {"type": kind, **dict(sorted(fields.items()))}))

    def sse(self) -> list[bytes]:
        """Each event as `event:` and `data:` lines and a blank line; no [DONE] after them."""
        return [f"event: {kind}\ndata: {common.dumps(data)}\n\n".encode()
                for kind, data in self.events]
