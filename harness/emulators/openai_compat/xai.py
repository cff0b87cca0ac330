"""xAI (api.x.ai/v1), as grok-3-mini answers (../shared/wire-samples/xai).

Choices carry no `finish_reason` key (and no logprobs) until the finish chunk, and every chunk
ends with `system_fingerprint`. The first delta is the first piece of `reasoning_content` with
the role; reasoning follows token by token; then a tool call whole in one delta (id
`call_<8 digits>`, keys id, function, index, type) or the content token by token; then a
chunk with an empty delta and the finish_reason; with include_usage, a chunk with
`choices: []` and usage (reasoning counted apart from completion_tokens but inside
total_tokens, `num_sources_used`, `cost_in_usd_ticks`); then [DONE].
"""

from __future__ import annotations

import string
from typing import Any

from harness.emulators.openai_compat.turn import (
    DONE,
    HEX,
    Turn,
    chars,
    frame,
    pieces,
    reasoning_for,
    reasoning_tokens,
    turn_for,
)
from harness.emulators.openai_objects import Dialect, Flavour

_FINGERPRINT = "fp_2a885414fb"


def _rid(t: Turn) -> str:
    raw = chars(t.seed, "xai", HEX, 32)
    return "-".join((raw[:8], raw[8:12], raw[12:16], raw[16:20], raw[20:]))


def _call_id(t: Turn) -> str:
    return "call_" + chars(t.seed, "call", string.digits, 8)


def _usage(t: Turn) -> dict[str, Any]:
    reasoning = reasoning_tokens(t)
    return {"prompt_tokens": t.prompt_tokens, "completion_tokens": t.completion_tokens,
            "total_tokens": t.total_tokens + reasoning,
            "prompt_tokens_details": {"text_tokens": t.prompt_tokens, "audio_tokens": 0,
                                      "image_tokens": 0, "cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0},
            "num_sources_used": 0,
            "cost_in_usd_ticks": t.prompt_tokens * 3000 + (t.completion_tokens + reasoning) * 5000}


def _call(t: Turn) -> dict[str, Any]:
    return {"id": _call_id(t), "function": {"name": t.tool, "arguments": t.text}, "index": 0,
            "type": "function"}


def _chunks(t: Turn) -> list[dict[str, Any]]:
    rid = _rid(t)

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "model": t.model, "choices": choices, **extra,
                "system_fingerprint": _FINGERPRINT}

    def delta(value: dict[str, Any]) -> dict[str, Any]:
        return chunk([{"index": 0, "delta": value}])

    first, *rest = pieces(reasoning_for(t))
    out = [delta({"reasoning_content": first, "role": "assistant"})]
    out += [delta({"reasoning_content": p}) for p in rest]
    if t.tool:
        out.append(delta({"tool_calls": [_call(t)]}))
    else:
        out += [delta({"content": p}) for p in pieces(t.text)]
    out.append(chunk([{"index": 0, "delta": {}, "finish_reason": t.finish}]))
    if t.include_usage:
        out.append(chunk([], usage=_usage(t)))
    return out


def frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The SSE frames of a streamed answer."""
    return [frame(c) for c in _chunks(turn_for(flavour, body, model, seed))] + [DONE]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed answer: content, reasoning_content, tool_calls without index, refusal."""
    t = turn_for(flavour, body, model, seed)
    message: dict[str, Any] = {"role": "assistant", "content": "" if t.tool else t.text,
                               "reasoning_content": reasoning_for(t)}
    if t.tool:
        message["tool_calls"] = [{"id": _call_id(t),
                                  "function": {"name": t.tool, "arguments": t.text},
                                  "type": "function"}]
    message["refusal"] = None
    return {"id": _rid(t), "object": "chat.completion", "created": t.created, "model": t.model,
            "choices": [{"index": 0, "message": message, "finish_reason": t.finish}],
            "usage": _usage(t), "system_fingerprint": _FINGERPRINT}


FLAVOUR = Flavour("xai", ("/v1/chat/completions",), "Authorization",
                  lambda request, body: str(body.get("model", "")), (",", ":"),
                  dialect=Dialect(frames, completion))
