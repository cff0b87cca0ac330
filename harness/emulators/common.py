"""Helpers shared by the emulators: deterministic ids, SSE framing, request reading."""

from __future__ import annotations

import hashlib
import json
import string
import time
from typing import Any

from aiohttp import web

_ALPHABET = string.ascii_letters + string.digits


def stable_id(seed: str, length: int) -> str:
    """A provider-looking id derived from `seed`, so re-recordings diff cleanly."""
    digest = hashlib.sha256(seed.encode()).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, rem = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rem])
    return "".join(chars)


def now() -> int:
    """Unix time, as providers stamp `created`."""
    return int(time.time())


def dumps(obj: Any) -> str:
    """Compact JSON with non-ASCII kept, as providers send it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as JSON, or a 400 in the provider's usual shape."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text='{"error":{"message":"invalid JSON body"}}',
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error":{"message":"body must be an object"}}',
                                 content_type="application/json")
    return body


async def start_sse(request: web.Request, content_type: str = "text/event-stream; charset=utf-8",
                    headers: dict[str, str] | None = None) -> web.StreamResponse:
    """Open a chunked streaming response."""
    response = web.StreamResponse(status=200, headers={"Content-Type": content_type,
                                                       **(headers or {})})
    response.enable_chunked_encoding()
    await response.prepare(request)
    return response
