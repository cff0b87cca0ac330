"""Google's generateContent wire format: the Gemini API and Vertex AI (see ../shared/wire-samples).

Both answer `:generateContent` (one pretty-printed JSON object) and `:streamGenerateContent`:
with `?alt=sse` as `data: {...}` events separated by CRLF CRLF, without it as one JSON array
of pretty-printed chunks separated by `,\\r\\n`. Chunk JSON uses ", " nowhere and ": " after keys.
- A functionCall (name, args object) arrives whole: on gemini-2.x every call of a turn in
  one chunk with the finish, on gemini-3.x each call in a chunk of its own, the Gemini API then
  sending a separate finish chunk (google_chunks builds the chunks of each generation). Text
  (JSON or prose) comes in a few coarse chunks cut at token boundaries (up to 39 tokens on the
  Gemini API, ~65 on Vertex, as recorded).
- Gemini API chunks: candidates[{content{parts, role}, finishReason?, index}], full
  usageMetadata on every chunk, modelVersion, responseId.
- Vertex chunks: candidates[{content{role, parts}, finishReason?}], usageMetadata only
  {trafficType} until the last chunk, modelVersion, createTime, responseId; OAuth bearer auth.
- Vertex streams partialArgs only when streamFunctionCallArguments is set.
Not reproduced: thought summaries (includeThoughts), safety blocks, grounding, logprobs.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from harness.emulators import common, google_oauth
from harness.emulators.google_chunks import GEMINI, VERTEX, Flavour, generate, stream_chunks
from harness.emulators.google_request import (
    SCHEMA_FIELDS,
    error,
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
_CONFIG = spellings("generationConfig")
WIRE = WireFamily(
    "google-genai", tool_keys=spellings("tools", "toolConfig"), format_keys=_CONFIG,
    schema_keys=tuple(f"{c}.{k}" for c in _CONFIG for k in SCHEMA_FIELDS),
    mime_keys=tuple(f"{c}.{k}" for c in _CONFIG for k in spellings("responseMimeType")),
    prompt_keys=spellings("systemInstruction"), stream_flag=False,  # the method says it
    success_keys=frozenset({"candidates", "usageMetadata"}), finish_keys=("finishReason",),
    model_keys=("modelVersion",))
VERTEX_WIRE = WireFamily.union("vertex", (WIRE, google_oauth.WIRE))  # token exchange first
__all__ = ["GEMINI", "VERTEX", "VERTEX_WIRE", "WIRE", "Flavour", "make_app"]


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
        invalid = invalid_request(body, flavour.vertex, model)
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
