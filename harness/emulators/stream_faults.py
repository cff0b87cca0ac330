"""Faults in a stream's own grammar: a flood of SSE comments, and a mid-stream error event.

Like every injected fault they damage the emulator's real answer (injection.py fetches it), but
in the stream's own terms: SSE comment lines (`: OPENROUTER PROCESSING` is one a real stream
sends) keeping a stream alive that never finishes, and the error event a provider sends when
generation fails mid-stream, in that provider's shape: an emulator app states its shape under
STREAM_ERROR (Groq's `event: error`, OpenRouter's in-chunk `error`); without one, the
OpenAI-style `data: {"error": ...}` chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

# The app's own mid-stream error: real SSE body -> that body broken by the provider's error.
STREAM_ERROR: web.AppKey[Callable[[bytes], bytes]] = web.AppKey("stream_error")
FAULTS: dict[str, str] = {
    "comment_flood": "SSE comment lines before and between the first half of the real "
                     "stream's events, then the stream ends with no terminal event (kept "
                     "alive, never finished); a JSON answer becomes a stream of comments only",
    "stream_error_event": "the first half of the real stream, then the provider's own "
                          "mid-stream error event (Groq's `event: error` with no [DONE], "
                          "OpenRouter's in-chunk `error` then [DONE], else an OpenAI-style "
                          "`error` chunk); a JSON answer becomes an `error` object with HTTP 200",
}
COMMENT = b": keep-alive"
FLOOD = 40  # comment lines before the first event (and a few between the next ones)
ERROR_MESSAGE = "The server had an error while processing your request (injected fault)."
GENERIC_ERROR: dict[str, Any] = {"error": {"message": ERROR_MESSAGE, "type": "server_error",
                                           "param": None, "code": "server_error"}}


def split(body: bytes) -> tuple[list[bytes], bytes]:
    """The SSE blocks of `body` (comments included) and the separator it uses."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in body else b"\n\n"
    return [block for block in body.split(sep) if block.strip()], sep


def _data_lines(block: bytes) -> list[bytes]:
    return [line[5:].strip() for line in block.splitlines() if line.startswith(b"data:")]


def head(body: bytes) -> tuple[list[bytes], bytes]:
    """The first half (at least one) of the stream's data events, without comments or [DONE]."""
    blocks, sep = split(body)
    data = [b for b in blocks if _data_lines(b) and _data_lines(b) != [b"[DONE]"]]
    return data[:max(1, len(data) // 2)], sep


def payloads(blocks: list[bytes]) -> list[dict[str, Any]]:
    """The JSON objects the data events of `blocks` carry."""
    out = []
    for block in blocks:
        for line in _data_lines(block):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
    return out


def _generic_error(body: bytes) -> bytes:
    kept, sep = head(body)
    error = b"data: " + json.dumps(GENERIC_ERROR, separators=(",", ":")).encode()
    return sep.join([*kept, error]) + sep


def _comment_flood(body: bytes) -> bytes:
    kept, sep = head(body)
    flood = sep.join([COMMENT] * FLOOD)
    out = [flood]
    for block in kept:
        out += [block, sep.join([COMMENT] * 3)]
    return sep.join(out) + sep


def damage(fault: str, app: web.Application, ctype: str, body: bytes) -> tuple[str, bytes]:
    """(content type, body): the real answer broken by `fault` in the stream's grammar."""
    streamed = "event-stream" in ctype.lower()
    if fault == "comment_flood":
        if not streamed:
            return "text/event-stream", b"\n\n".join([COMMENT] * FLOOD) + b"\n\n"
        return ctype, _comment_flood(body)
    if not streamed:
        return ctype or "application/json", json.dumps(GENERIC_ERROR).encode()
    return ctype, app.get(STREAM_ERROR, _generic_error)(body)
