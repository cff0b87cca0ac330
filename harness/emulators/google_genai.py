"""Google's generateContent wire format: the Gemini API and Vertex AI (see ../shared/wire-samples).

Both answer `:generateContent` (one pretty-printed JSON object) and `:streamGenerateContent`:
with `?alt=sse` as `data: {...}` events separated by CRLF CRLF, without it as one JSON array
of pretty-printed chunks separated by `,\\r\\n`. Chunk JSON uses ", " nowhere and ": " after keys.
- A functionCall (name, args object) arrives whole in one chunk; parallel calls are parts of
  that chunk; gemini-2.5 signs the first call (thoughtSignature) and, on the Gemini API, adds a
  finishMessage. Text (JSON or prose) comes in a few coarse chunks cut at token boundaries
  (up to 39 tokens on the Gemini API, ~65 on Vertex, as recorded).
- Gemini API chunks: candidates[{content{parts, role}, finishReason?, index}], full
  usageMetadata on every chunk, modelVersion, responseId.
- Vertex chunks: candidates[{content{role, parts}, finishReason?}], usageMetadata only
  {trafficType} until the last chunk, modelVersion, createTime, responseId; OAuth bearer auth.
- gemini-3: calls carry an `id`, and a final chunk with an empty (signed) text part ends the
  Gemini API stream; Vertex streams partialArgs only when streamFunctionCallArguments is set.
Not reproduced: thought summaries (includeThoughts), safety blocks, grounding, logprobs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from harness.emulators import common, google_oauth
from harness.emulators.fragments import token_fragments
from harness.emulators.google_request import (
    SCHEMA_FIELDS,
    calling_config,
    calls_or_text,
    error,
    get_field,
    invalid_request,
    refused_response,
    spellings,
    unauthorized,
)
from harness.wire import WireFamily

SSE_CONTENT_TYPE = "text/event-stream"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
_HEADERS = {"Content-Disposition": "attachment", "Vary": "Origin",
            "Server": "scaffolding on HTTPServer2", "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN", "X-XSS-Protection": "0"}
_CALLS_FINISH_MESSAGE = "Model generated function call(s)."


@dataclass(frozen=True)
class Flavour:
    """The Gemini API (API key) or Vertex AI (OAuth), with their chunk shapes."""

    name: str
    vertex: bool
    chunk_tokens: int  # most tokens of text one stream chunk carries


# Recorded 2.5-flash streams: Gemini API text chunks of 4-39 tokens (usageMetadata deltas),
# Vertex chunks of ~65 tokens (~270 characters of prose).
GEMINI = Flavour("gemini", vertex=False, chunk_tokens=39)
VERTEX = Flavour("vertex", vertex=True, chunk_tokens=65)
_CONFIG = spellings("generationConfig")
WIRE = WireFamily(
    "google-genai", tool_keys=spellings("tools", "toolConfig"), format_keys=_CONFIG,
    schema_keys=tuple(f"{c}.{k}" for c in _CONFIG for k in SCHEMA_FIELDS),
    mime_keys=tuple(f"{c}.{k}" for c in _CONFIG for k in spellings("responseMimeType")),
    prompt_keys=spellings("systemInstruction"), stream_flag=False,  # the method says it
    success_keys=frozenset({"candidates", "usageMetadata"}), finish_keys=("finishReason",),
    model_keys=("modelVersion",))
VERTEX_WIRE = WireFamily.union("vertex", (WIRE, google_oauth.WIRE))  # token exchange first


def coarse_fragments(text: str, tokens_per_chunk: int) -> list[str]:
    """Cut `text` into chunks of `tokens_per_chunk` tokens (the last one may be shorter)."""
    tokens = token_fragments(text) or [""]
    return ["".join(tokens[i:i + tokens_per_chunk])
            for i in range(0, len(tokens), tokens_per_chunk)]


def _signature(seed: str) -> str:
    """An opaque base64 thoughtSignature (never a real one: derived from the request)."""
    digest = b"".join(hashlib.sha256(f"{seed}{i}".encode()).digest() for i in range(6))
    return base64.b64encode(digest).decode()


class _Response:
    """Builds one response's chunks with the flavour's field order and usage accounting."""

    def __init__(self, flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> None:
        self.f, self.model, self.seed = flavour, model, seed
        self.thinking = not model.startswith(("gemini-1", "gemini-2.0"))
        self.gemini3 = model.startswith("gemini-3")
        self.response_id = common.stable_id(seed + "rid", 23)
        self.create_time = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.prompt_tokens = max(1, len(common.dumps(body)) // 5)
        self.thoughts = 60 + int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 240 \
            if self.thinking else 0
        self.output_tokens = 0

    def usage(self, final: bool) -> dict[str, Any]:
        if self.f.vertex and not final:
            return {"trafficType": "ON_DEMAND"}
        p, c, t = self.prompt_tokens, self.output_tokens, self.thoughts
        out: dict[str, Any] = {"promptTokenCount": p}
        if c:
            out["candidatesTokenCount"] = c
        out["totalTokenCount"] = p + c + t
        if self.f.vertex:
            out["trafficType"] = "ON_DEMAND"
        out["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": p}]
        if self.f.vertex or not self.thinking:
            out["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": c}]
        if t:
            out["thoughtsTokenCount"] = t
        return out

    def chunk(self, parts: list[dict[str, Any]], finish: bool, final_usage: bool,
              calls: bool = False, logprobs: bool = False) -> dict[str, Any]:
        content = ({"role": "model", "parts": parts} if self.f.vertex
                   else {"parts": parts, "role": "model"})
        candidate: dict[str, Any] = {"content": content}
        if finish:
            candidate["finishReason"] = "STOP"
        if logprobs:
            candidate["avgLogprobs"] = -0.0271 - (len(self.seed) % 97) / 1000
        if not self.f.vertex and self.thinking:  # gemini-2.0 chunks carry no index
            candidate["index"] = 0
            if finish and calls and not self.gemini3:
                candidate["finishMessage"] = _CALLS_FINISH_MESSAGE
        out: dict[str, Any] = {"candidates": [candidate],
                               "usageMetadata": self.usage(final_usage),
                               "modelVersion": self.model}
        if self.f.vertex:
            out["createTime"] = self.create_time
        out["responseId"] = self.response_id
        return out

    def call_parts(self, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        parts = []
        for i, (name, args) in enumerate(calls):
            call: dict[str, Any] = {"name": name, "args": args}
            if self.gemini3:
                call["id"] = common.stable_id(f"{self.seed}call{i}", 8).lower()
            part: dict[str, Any] = {"functionCall": call}
            if i == 0 and self.thinking:  # only the first call of a turn is signed
                part["thoughtSignature"] = _signature(self.seed)
            parts.append(part)
        return parts

    def count(self, text: str) -> None:
        self.output_tokens += max(1, len(token_fragments(text)))


def _partial_args_chunks(r: _Response, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Vertex streamFunctionCallArguments: name first, then each argument, then an end marker."""
    chunks = []
    for i, (name, args) in enumerate(calls):
        head: dict[str, Any] = {"functionCall": {"name": name, "willContinue": True}}
        if i == 0 and r.thinking:
            head["thoughtSignature"] = _signature(r.seed)
        chunks.append([head])
        for key, value in (args or {}).items():
            path = f"$.{key}"
            if isinstance(value, str):
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, "stringValue": value, "willContinue": True}],
                    "willContinue": True}}])
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, "stringValue": ""}], "willContinue": True}}])
            else:
                kind = "boolValue" if isinstance(value, bool) else \
                    "numberValue" if isinstance(value, (int, float)) else "structValue"
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, kind: value}], "willContinue": True}}])
        chunks.append([{"functionCall": {}}])
        r.count(common.dumps(args))
    return [r.chunk(parts, finish=n == len(chunks) - 1, final_usage=n == len(chunks) - 1)
            for n, parts in enumerate(chunks)]


def stream_chunks(flavour: Flavour, body: dict[str, Any], model: str,
                  seed: str) -> list[dict[str, Any]]:
    """The chunks of a streamed answer, in order."""
    r = _Response(flavour, body, model, seed)
    calls, text = calls_or_text(body)
    if calls:
        if flavour.vertex and get_field(calling_config(body), "streamFunctionCallArguments"):
            return _partial_args_chunks(r, calls)
        r.count(common.dumps([args for _, args in calls]))
        if r.gemini3 and not flavour.vertex:  # the calls, then an empty text part that ends
            return [r.chunk(r.call_parts(calls), False, True),
                    r.chunk([{"text": ""}], True, True)]
        return [r.chunk(r.call_parts(calls), True, True, calls=True)]
    pieces = coarse_fragments(text, flavour.chunk_tokens)
    chunks = []
    for n, piece in enumerate(pieces):
        r.count(piece)
        last = n == len(pieces) - 1 and not (r.gemini3 and not flavour.vertex)
        part: dict[str, Any] = {"text": piece}
        if last and r.gemini3:
            part["thoughtSignature"] = _signature(seed)
        chunks.append(r.chunk([part], last, last))
    if r.gemini3 and not flavour.vertex:
        chunks.append(r.chunk([{"text": "", "thoughtSignature": _signature(seed)}], True, True))
    return chunks


def generate(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed generateContent answer."""
    r = _Response(flavour, body, model, seed)
    calls, text = calls_or_text(body)
    r.count(common.dumps([a for _, a in calls]) if calls else text)
    parts = r.call_parts(calls) if calls else [{"text": text}]
    return r.chunk(parts, True, True, calls=bool(calls), logprobs=flavour.vertex)


def _dumps(obj: Any) -> str:
    # Google's stream JSON: ': ' after keys, no space after commas.
    return json.dumps(obj, separators=(",", ": "), ensure_ascii=False)


def sse_body(chunks: list[dict[str, Any]]) -> bytes:
    """The `?alt=sse` framing: one data event per chunk, CRLF CRLF after each."""
    return "".join(f"data: {_dumps(c)}\r\n\r\n" for c in chunks).encode()


def json_array_body(chunks: list[dict[str, Any]]) -> bytes:
    """The framing without `alt=sse`: a JSON array of pretty chunks, separated by ',\\r\\n'."""
    items = [json.dumps(c, indent=2, ensure_ascii=False) + "\n" for c in chunks]
    return ("[" + ",\r\n".join(items) + "]").encode()


def make_app(flavour: Flavour) -> web.Application:
    """An aiohttp app serving `flavour` on its real paths (and, for Vertex, the token URI)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["model_method"].rpartition(":")
        if method not in ("generateContent", "streamGenerateContent") or not model:
            return error(404, "NOT_FOUND", f"Method not found: {method}")
        refused = unauthorized(flavour.vertex, request)
        if refused is not None:
            return refused
        body = await common.read_json(request)
        invalid = invalid_request(body, flavour.vertex)
        if invalid is not None:
            message, violations = invalid
            details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": violations}] if violations else None
            return error(400, "INVALID_ARGUMENT", message, details)
        seed = common.dumps(body)
        if method == "generateContent":
            text = json.dumps(generate(flavour, body, model, seed), indent=2, ensure_ascii=False)
            return web.Response(text=text, headers={**_HEADERS, "Content-Type": JSON_CONTENT_TYPE})
        chunks = stream_chunks(flavour, body, model, seed)
        sse = request.query.get("alt") == "sse"
        response = await common.start_sse(
            request, SSE_CONTENT_TYPE if sse else JSON_CONTENT_TYPE, _HEADERS)
        if sse:
            for chunk in chunks:  # one write per event: each event is its own network chunk
                await response.write(sse_body([chunk]))
        else:
            await response.write(json_array_body(chunks))
        await response.write_eof()
        return response

    app = web.Application(middlewares=[common.errors_middleware(refused_response)])
    if flavour.vertex:
        google_oauth.add_routes(app)
        for version in ("v1", "v1beta1"):
            app.router.add_post(f"/{version}/projects/{{project}}/locations/{{location}}/"
                                f"publishers/google/models/{{model_method}}", handle)
    else:
        for version in ("v1beta", "v1alpha", "v1"):
            app.router.add_post(f"/{version}/models/{{model_method}}", handle)
    return app
