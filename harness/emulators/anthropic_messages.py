"""Anthropic Messages API (POST /v1/messages), JSON and SSE, as the real API sends them.

Reproduced from ../shared/wire-samples: `event:` + `data:` SSE with message_start,
content_block_start/delta/stop, message_delta, message_stop; `data:` JSON padded with
trailing spaces; a `ping` inside the first text block but none in a forced tool call;
tool input as input_json_delta fragments cut at arbitrary positions (2-12 chars) after one
empty partial_json; text as text_delta runs of a few tokens. What is answered (tool_use
blocks, JSON text, fenced JSON, prose) is decided in anthropic_content. Authentication is an
API key in x-api-key or a bearer token in Authorization, as the API accepts both.
"""

from __future__ import annotations

import json
import random
from typing import Any

from aiohttp import web

from harness.emulators import common, refusals
from harness.emulators.anthropic_content import blocks_for
from harness.emulators.fragments import byte_fragments, token_fragments
from harness.wire import WireFamily

STRUCTURED_OUTPUTS_BETA = "structured-outputs-2025-11-13"
# Every event and body names its `type`; message_start carries the model inside `message`.
WIRE = WireFamily(
    "anthropic-messages", tool_keys=("tools", "tool_choice"),
    format_keys=("output_format", "output_config"), prompt_keys=("system",),
    success_keys=frozenset({"type", "content"}), terminal_events=frozenset({"message_stop"}),
    finish_keys=("stop_reason",), model_keys=("model",), model_parents=("message",))
# Aliases resolve to a dated snapshot in `model`; other names are echoed back as sent.
_SNAPSHOTS = {
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
}


def _rng(seed: str, salt: str) -> random.Random:
    return random.Random(common.stable_id(seed + salt, 16))


def resolve_model(name: str) -> str:
    """The `model` the API reports for a requested model name."""
    return _SNAPSHOTS.get(name, name)


def _usage(body: dict[str, Any], output_tokens: int, cache_creation: bool = True) -> dict[str, Any]:
    usage: dict[str, Any] = {"input_tokens": max(1, len(common.dumps(body)) // 4),
                             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    if cache_creation:
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
    usage["output_tokens"] = output_tokens
    return usage


def _output_tokens(blocks: list[dict[str, Any]]) -> int:
    return max(1, sum(len(b.get("text") or b.get("input_json") or "") for b in blocks) // 3)


def _ids(seed: str) -> tuple[str, str]:
    return "msg_01" + common.stable_id(seed, 22), "toolu_01" + common.stable_id(seed + "tool", 22)


def message(body: dict[str, Any], seed: str) -> dict[str, Any]:
    """A non-streamed Messages response, fields in the API's order."""
    blocks, _ = blocks_for(body)
    msg_id, tool_id = _ids(seed)
    content = []
    for block in blocks:
        if block["type"] == "text":
            content.append({"type": "text", "text": block["text"]})
        else:
            content.append({"type": "tool_use", "id": tool_id, "name": block["name"],
                            "input": json.loads(block["input_json"])})
    has_tool = any(b["type"] == "tool_use" for b in blocks)
    usage = _usage(body, _output_tokens(blocks))
    usage["service_tier"] = "standard"
    return {"model": resolve_model(str(body.get("model", ""))), "id": msg_id, "type": "message",
            "role": "assistant", "content": content,
            "stop_reason": "tool_use" if has_tool else "end_turn", "stop_sequence": None,
            "usage": usage}


def _merge_fences(tokens: list[str]) -> list[str]:
    # A code fence is one token for Claude's tokenizer, not three backticks.
    out: list[str] = []
    for token in tokens:
        if token == "`" and out and set(out[-1]) == {"`"}:
            out[-1] += token
        else:
            out.append(token)
    return out


def text_fragments(text: str, rng: random.Random) -> list[str]:
    """Runs of 1-6 tokens, the first a single token, as Claude streams text_delta."""
    tokens = _merge_fences(token_fragments(text))
    out, i, size = [], 0, 1
    while i < len(tokens):
        out.append("".join(tokens[i:i + size]))
        i, size = i + size, rng.randint(1, 6)
    return out


def json_fragments(text: str, rng: random.Random) -> list[str]:
    """input_json_delta pieces: cut every 2-12 characters, regardless of JSON tokens."""
    sizes = tuple(rng.randint(2, 12) for _ in range(len(text) // 2 + 1))
    return byte_fragments(text, sizes)


def stream_events(body: dict[str, Any], seed: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, payload) of a streamed answer, in order."""
    blocks, forced = blocks_for(body)
    msg_id, tool_id = _ids(seed)
    rng = _rng(seed, "fragments")
    start_usage = _usage(body, 11 if forced else 1)
    start_usage["service_tier"] = "standard"
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {
        "type": "message_start",
        "message": {"model": resolve_model(str(body.get("model", ""))), "id": msg_id,
                    "type": "message", "role": "assistant", "content": [],
                    "stop_reason": None, "stop_sequence": None, "usage": start_usage}})]
    pinged = False
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "text", "text": ""}}))
            pieces = text_fragments(block["text"], rng)
            for n, piece in enumerate(pieces):
                # The API pings once, early in the first text block (after 0-2 deltas).
                if n == min(2, len(pieces) - 1) and not pinged:
                    events.append(("ping", {"type": "ping"}))
                    pinged = True
                events.append(("content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "text_delta", "text": piece}}))
        else:
            events.append(("content_block_start", {
                "type": "content_block_start", "index": index,
                "content_block": {"type": "tool_use", "id": tool_id, "name": block["name"],
                                  "input": {}}}))
            for piece in ["", *json_fragments(block["input_json"], rng)]:
                events.append(("content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": piece}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    has_tool = any(b["type"] == "tool_use" for b in blocks)
    events.append(("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use" if has_tool else "end_turn", "stop_sequence": None},
        "usage": _usage(body, _output_tokens(blocks), cache_creation=False)}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def encode_event(name: str, payload: dict[str, Any], pad: int) -> bytes:
    """One SSE event; the API pads `data:` JSON with trailing spaces (ping excepted)."""
    data = '{"type": "ping"}' if name == "ping" else common.dumps(payload) + " " * pad
    return f"event: {name}\ndata: {data}\n\n".encode()


def _error(status: int, kind: str, text: str, seed: str) -> web.Response:
    body = {"type": "error", "error": {"type": kind, "message": text},
            "request_id": "req_011C" + common.stable_id(seed, 20)}
    return web.Response(status=status, body=common.dumps(body).encode(),
                        headers={"Content-Type": "application/json"})


def _check(request: web.Request, body: dict[str, Any]) -> web.Response | None:
    """The API's refusals for a malformed request, or None."""
    seed = common.dumps(body)
    # An API key in x-api-key, or a bearer token (OAuth; the SDKs' auth_token) in Authorization.
    bearer = request.headers.get("Authorization", "")
    if not request.headers.get("x-api-key") and not (
            bearer.startswith("Bearer ") and bearer[7:].strip()):
        return _error(401, "authentication_error",
                      "x-api-key or Authorization: Bearer header is required", seed)
    if not request.headers.get("anthropic-version"):
        return _error(400, "invalid_request_error", "anthropic-version: header is required", seed)
    for field in ("model", "max_tokens", "messages"):
        if field not in body:
            return _error(400, "invalid_request_error", f"{field}: Field required", seed)
    betas = {b.strip() for b in request.headers.get("anthropic-beta", "").split(",")}
    if "output_format" in body and STRUCTURED_OUTPUTS_BETA not in betas:
        return _error(400, "invalid_request_error",
                      "output_format: Extra inputs are not permitted", seed)
    refused = refusals.anthropic(body)  # tool turns, tool and output schemas
    return _error(400, "invalid_request_error", refused, seed) if refused else None


_KINDS = {"invalid_request": "invalid_request_error", "not_found": "not_found_error",
          "method_not_allowed": "invalid_request_error"}


def _refused(status: int, kind: str, message: str) -> web.Response:
    return _error(status, _KINDS.get(kind, kind), message, message)


def make_app() -> web.Application:
    """An aiohttp app serving POST /v1/messages."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await common.read_json(request)
        refusal = _check(request, body)
        if refusal is not None:
            return refusal
        seed = common.dumps(body)
        headers = {"request-id": "req_011C" + common.stable_id(seed, 20)}
        if body.get("stream"):
            events = stream_events(body, seed)  # a refusal is answered before any byte
            response = await common.start_sse(request, headers={**headers,
                                                                "Cache-Control": "no-cache"})
            pads = _rng(seed, "padding")
            for name, payload in events:
                await response.write(encode_event(name, payload, pads.randint(0, 15)))
            await response.write_eof()
            return response
        return web.Response(body=common.dumps(message(body, seed)).encode(),
                            headers={**headers, "Content-Type": "application/json"})

    app = web.Application(middlewares=[common.errors_middleware(_refused)])
    app.router.add_post("/v1/messages", handle)
    return app
