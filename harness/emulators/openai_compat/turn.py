"""What the OpenAI-compatible dialects share: one answer (a Turn), SSE frames, ids, reasoning."""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from typing import Any

from harness.emulators import common, openai_chat
from harness.emulators.fragments import token_fragments
from harness.emulators.openai_objects import Flavour


@dataclass(frozen=True)
class Turn:
    """One answer to one request: what every dialect's objects carry."""

    body: dict[str, Any]
    model: str
    seed: str
    text: str  # the content, or the tool call's arguments
    tool: str | None  # the called tool's name; None for content
    include_usage: bool  # stream_options.include_usage was asked for
    prompt_tokens: int
    completion_tokens: int
    created: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def finish(self) -> str:
        return "tool_calls" if self.tool else "stop"


def turn_for(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> Turn:
    """The answer to `body` (openai_chat.answer) with its token counts."""
    text, tool = openai_chat.answer(flavour, body)
    prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
    return Turn(body, model, seed, text, tool,
                bool((body.get("stream_options") or {}).get("include_usage")),
                prompt, max(1, len(text) // 4), common.now())


def reasoning_for(turn: Turn) -> str:
    """What a reasoning model thinks before it answers (deterministic, short)."""
    if turn.tool:
        return (f"The user wants the details filled in. I should call {turn.tool} with every "
                f"required field taken from the request.")
    return "The user wants an answer in the requested form. I should give exactly that."


def reasoning_tokens(turn: Turn) -> int:
    return max(1, len(reasoning_for(turn)) // 4)


def frame(payload: dict[str, Any] | str, event: str | None = None) -> str:
    """One SSE frame: an optional event line, then the compact JSON (or [DONE]) data line."""
    data = payload if isinstance(payload, str) else common.dumps(payload)
    return (f"event: {event}\n" if event else "") + f"data: {data}\n\n"


DONE = frame("[DONE]")


def pieces(text: str) -> list[str]:
    """Token-sized pieces of `text` (reasoning and content deltas)."""
    return token_fragments(text)


def chars(seed: str, salt: str, alphabet: str, length: int) -> str:
    """`length` characters of `alphabet` derived from `seed` and `salt`."""
    number = int.from_bytes(hashlib.sha256((seed + salt).encode()).digest() * 2, "big")
    out = []
    for _ in range(length):
        number, rem = divmod(number, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


LOWER = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"


def number(seed: str, salt: str, digits: int) -> int:
    """A `digits`-digit number derived from `seed` and `salt` (seeds, token ids)."""
    return int(hashlib.sha256((seed + salt).encode()).hexdigest(), 16) % 10 ** digits


def uuid(seed: str, salt: str) -> str:
    """A UUID derived from `seed` (DeepSeek's and Groq's ids)."""
    return common.uuid_from(seed, salt)
