"""OpenRouter (openrouter.ai/api/v1), as the samples show deepseek-chat-v3 there
(../shared/wire-samples/openrouter).

A stream opens with an `: OPENROUTER PROCESSING` comment. Every chunk names the upstream
`provider`, and every choice has `native_finish_reason` beside finish_reason (no logprobs).
The upstream differs by answer, as recorded: a tool call comes from BaseTen (no
system_fingerprint): a header chunk with id `chatcmpl-tool-<hex>`, name and empty arguments,
then one chunk with the whole arguments, each delta keeping `content: null, role`; text comes
from SambaNova (`system_fingerprint`) in chunks of several tokens, each delta with content
and role. The finish chunk has `content: ""`; usage (`cost`, `is_byok`, `cost_details`)
comes in an extra chunk with no choices, then [DONE]. A failed generation is a chunk with a
top-level `error{code, message}`, still followed by [DONE] (the `stream_error_event` fault).
"""

from __future__ import annotations

import string
from typing import Any

from harness.emulators import stream_faults
from harness.emulators.openai_compat.turn import (
    DONE,
    HEX,
    Turn,
    chars,
    frame,
    pieces,
    turn_for,
)
from harness.emulators.openai_objects import Dialect, Flavour

PROCESSING = ": OPENROUTER PROCESSING\n\n"
_TOKENS_PER_CHUNK = 8  # SambaNova sends text in runs of several tokens


def _rid(t: Turn) -> str:
    return f"gen-{t.created}-" + chars(t.seed, "gen", string.ascii_letters + string.digits, 20)


def usage(t: Turn) -> dict[str, Any]:
    """OpenRouter's usage with its cost accounting (deepseek-chat-v3's prices)."""
    prompt_cost = round(t.prompt_tokens * 0.00000077, 10)
    completion_cost = round(t.completion_tokens * 0.00000077, 10)
    cost = round(prompt_cost + completion_cost, 10)
    return {"prompt_tokens": t.prompt_tokens, "completion_tokens": t.completion_tokens,
            "total_tokens": t.total_tokens, "cost": cost, "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0,
                                      "audio_tokens": 0, "video_tokens": 0},
            "cost_details": {"upstream_inference_cost": cost,
                             "upstream_inference_prompt_cost": prompt_cost,
                             "upstream_inference_completions_cost": completion_cost},
            "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0,
                                          "audio_tokens": 0}}


def _upstream(t: Turn) -> dict[str, Any]:
    """The upstream's fields, between model and choices."""
    if t.tool:
        return {"provider": "BaseTen"}
    return {"provider": "SambaNova", "system_fingerprint": "fastcoe"}


def _chunks(t: Turn) -> list[dict[str, Any]]:
    rid = _rid(t)

    def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "model": t.model, **_upstream(t), "choices": choices}

    def delta(value: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return chunk([{"index": 0, "delta": value, "finish_reason": finish,
                       "native_finish_reason": finish}])

    if t.tool:
        head = {"index": 0, "id": "chatcmpl-tool-" + chars(t.seed, "call", HEX, 32),
                "type": "function", "function": {"name": t.tool, "arguments": ""}}
        body = [delta({"content": None, "role": "assistant", "tool_calls": [head]}),
                delta({"content": None, "role": "assistant", "tool_calls": [
                    {"index": 0, "function": {"arguments": t.text}}]})]
    else:
        tokens = pieces(t.text)
        runs = ["".join(tokens[i:i + _TOKENS_PER_CHUNK])
                for i in range(0, len(tokens), _TOKENS_PER_CHUNK)]
        body = [delta({"content": run, "role": "assistant"}) for run in runs]
    finish = delta({"content": "", "role": "assistant"}, t.finish)
    return [*body, finish, {**chunk([]), "usage": usage(t)}]


def frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The SSE frames of a streamed answer: the processing comment, the chunks, [DONE]."""
    t = turn_for(flavour, body, model, seed)
    return [PROCESSING, *(frame(c) for c in _chunks(t)), DONE]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed answer: provider, native_finish_reason, message.reasoning null."""
    t = turn_for(flavour, body, model, seed)
    message: dict[str, Any] = {"role": "assistant", "content": "" if t.tool else t.text,
                               "refusal": None, "reasoning": None}
    if t.tool:
        message["tool_calls"] = [{"index": 0, "id": "chatcmpl-tool-" + chars(t.seed, "call",
                                                                             HEX, 32),
                                  "type": "function",
                                  "function": {"name": t.tool, "arguments": t.text}}]
    return {"id": _rid(t), "object": "chat.completion", "created": t.created, "model": t.model,
            **_upstream(t),
            "choices": [{"logprobs": None, "finish_reason": t.finish,
                         "native_finish_reason": t.finish, "index": 0, "message": message}],
            "usage": usage(t)}


def stream_error(body: bytes) -> bytes:
    """The real stream's first half, then a chunk with OpenRouter's `error` (and the usage so
    far, as recorded), then [DONE]."""
    kept, sep = stream_faults.head(body)
    first = (stream_faults.payloads(kept) or [{}])[0]
    usage = next((c["usage"] for c in stream_faults.payloads(stream_faults.split(body)[0])
                  if c.get("usage")), None)
    error = {"id": first.get("id", ""), "provider": first.get("provider", ""),
             "error": {"code": 502, "message": "Upstream error from provider (injected fault)"},
             "model": first.get("model", ""), "object": "chat.completion.chunk",
             "created": first.get("created", 0),
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                          "finish_reason": None, "native_finish_reason": None,
                          "logprobs": None}], "usage": usage}
    tail = [frame(error).rstrip("\n").encode(), DONE.rstrip("\n").encode()]
    return sep.join([PROCESSING.rstrip("\n").encode(), *kept, *tail]) + sep


FLAVOUR = Flavour("openrouter", ("/api/v1/chat/completions",), "Authorization",
                  lambda request, body: str(body.get("model", "")), (",", ":"),
                  dialect=Dialect(frames, completion, stream_error))
