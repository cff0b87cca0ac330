"""Groq (api.groq.com/openai/v1), as gpt-oss-120b answers there (../shared/wire-samples/groq).

A stream opens with the role and empty content and `x_groq{id, seed}`; the model's
`reasoning` follows token by token with `channel: "analysis"`; then a tool call whole in one
chunk (id `fc_<uuid>`, arguments compact) or the content token by token; then a chunk with an
empty delta, the finish_reason, `x_groq{id, usage}` and the same usage at the top (queue,
prompt, completion and total times beside the tokens); then [DONE]. A generation that fails
mid-stream ends with `event: error` carrying the error and its `failed_generation`, and no
[DONE] (the `stream_error_event` fault).
"""

from __future__ import annotations

import json
from typing import Any

from harness.emulators import stream_faults
from harness.emulators.openai_compat.turn import (
    DONE,
    HEX,
    Turn,
    chars,
    frame,
    number,
    pieces,
    reasoning_for,
    reasoning_tokens,
    turn_for,
    uuid,
)
from harness.emulators.openai_objects import Dialect, Flavour

_ULID = "0123456789abcdefghjkmnpqrstvwxyz"


def _ids(t: Turn) -> tuple[str, str, str]:
    """(response id, x_groq request id, system fingerprint)."""
    return ("chatcmpl-" + uuid(t.seed, "groq"), "req_01" + chars(t.seed, "req", _ULID, 24),
            "fp_" + chars(t.seed, "fp", HEX, 10))


def _usage(t: Turn, details: bool) -> dict[str, Any]:
    reasoning = reasoning_tokens(t)
    completion = t.completion_tokens + reasoning
    prompt_time = round(t.prompt_tokens * 0.0000481, 8)
    completion_time = round(completion * 0.00229, 8)
    usage: dict[str, Any] = {
        "queue_time": 0.00491786, "prompt_tokens": t.prompt_tokens, "prompt_time": prompt_time,
        "completion_tokens": completion, "completion_time": completion_time,
        "total_tokens": t.prompt_tokens + completion,
        "total_time": round(prompt_time + completion_time, 8)}
    if details:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _chunks(t: Turn) -> list[dict[str, Any]]:
    rid, req, fp = _ids(t)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "model": t.model, "system_fingerprint": fp,
                "choices": [{"index": 0, "delta": delta, "logprobs": None,
                             "finish_reason": finish}]}

    first = {**chunk({"role": "assistant", "content": ""}),
             "x_groq": {"id": req, "seed": number(t.seed, "seed", 9)}}
    out = [first, *(chunk({"reasoning": p, "channel": "analysis"})
                    for p in pieces(reasoning_for(t)))]
    if t.tool:
        out.append(chunk({"tool_calls": [{
            "id": "fc_" + uuid(t.seed, "call"), "type": "function",
            "function": {"name": t.tool, "arguments": t.text}, "index": 0}]}))
    else:
        out += [chunk({"content": p}) for p in pieces(t.text)]
    usage = _usage(t, details=True)
    return [*out, {**chunk({}, t.finish), "x_groq": {"id": req, "usage": usage}, "usage": usage}]


def frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The SSE frames of a streamed answer."""
    return [frame(c) for c in _chunks(turn_for(flavour, body, model, seed))] + [DONE]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed answer (usage with times, usage_breakdown, x_groq, service_tier)."""
    t = turn_for(flavour, body, model, seed)
    rid, req, fp = _ids(t)
    message: dict[str, Any] = {"role": "assistant"}
    if t.tool:
        message["reasoning"] = reasoning_for(t)
        message["tool_calls"] = [{"id": "fc_" + uuid(t.seed, "call"), "type": "function",
                                  "function": {"name": t.tool, "arguments": t.text}}]
    else:
        message.update({"content": t.text, "reasoning": reasoning_for(t)})
    return {"id": rid, "object": "chat.completion", "created": t.created, "model": t.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": t.finish}],
            "usage": _usage(t, details=False), "usage_breakdown": None, "system_fingerprint": fp,
            "x_groq": {"id": req, "seed": number(t.seed, "seed", 9)}, "service_tier": "on_demand"}


def _failed(chunks: list[dict[str, Any]]) -> tuple[str, str]:
    """(error code, failed_generation) for what the real stream generated."""
    content = []
    for chunk in chunks:
        delta = ((chunk.get("choices") or [{}])[0]).get("delta") or {}
        for call in delta.get("tool_calls") or []:
            fn = call.get("function") or {}
            arguments = json.dumps(json.loads(fn.get("arguments") or "{}"), indent=2)
            return "tool_use_failed", f'{{"name": "{fn.get("name")}", "arguments": {arguments}}}'
        content.append(delta.get("content") or "")
    return "json_validate_failed", "".join(content)


def stream_error(body: bytes) -> bytes:
    """The real stream's first half, then Groq's `event: error`; no [DONE] follows."""
    kept, sep = stream_faults.head(body)
    code, generation = _failed(stream_faults.payloads(stream_faults.split(body)[0]))
    message = ("Tool call validation failed: the generated call did not match the tool's "
               "schema (injected fault)" if code == "tool_use_failed" else
               "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' "
               "for more details. (injected fault)")
    error = {"error": {"message": message, "type": "invalid_request_error", "code": code,
                       "failed_generation": generation, "status_code": 400}}
    event = frame(error, event="error").rstrip("\n").encode()
    return sep.join([*kept, event]) + sep


FLAVOUR = Flavour("groq", ("/openai/v1/chat/completions",), "Authorization",
                  lambda request, body: str(body.get("model", "")), (",", ":"),
                  dialect=Dialect(frames, completion, stream_error))
