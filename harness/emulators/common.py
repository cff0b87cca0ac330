"""Helpers shared by the emulators: deterministic ids, SSE framing, request reading, errors."""

from __future__ import annotations

import hashlib
import json
import string
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from harness.emulators.schemas import SchemaUnservable

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


def hex_id(seed: str, salt: str = "") -> str:
    """32 lowercase hex digits derived from `seed` (OpenAI's and Kong's request ids)."""
    return hashlib.sha256((seed + salt).encode()).hexdigest()[:32]


def uuid_from(seed: str, salt: str = "") -> str:
    """A version-4-shaped UUID derived from `seed` (Azure's and AWS's request ids)."""
    return str(uuid.UUID(bytes=hashlib.sha256((seed + salt).encode()).digest()[:16], version=4))


class Refused(Exception):
    """A request the provider refuses: answered as its own error body by `errors_middleware`."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


# (status, kind, message) -> the provider's error response; kind is one of "invalid_request",
# "not_found", "method_not_allowed", which each provider spells its own way.
ErrorResponse = Callable[[int, str, str], web.Response]


def errors_middleware(error: ErrorResponse) -> Any:
    """Answer refusals, unservable schemas and unserved routes with the provider's JSON error,
    never aiohttp's plain-text pages."""

    @web.middleware
    async def provider_errors(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except Refused as exc:
            return error(exc.status, exc.kind, exc.message)
        except SchemaUnservable as exc:
            return error(400, "invalid_request", f"The response schema cannot be served: {exc}")
        except web.HTTPMethodNotAllowed:
            return error(405, "method_not_allowed",
                         f"Invalid method for URL ({request.method} {request.path})")
        except web.HTTPNotFound:
            return error(404, "not_found", f"Invalid URL ({request.method} {request.path})")

    return provider_errors


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as JSON, or a 400 in the provider's usual shape."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Refused(400, "invalid_request", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Refused(400, "invalid_request", "The request body must be a JSON object.")
    return body


async def start_sse(request: web.Request, content_type: str = "text/event-stream; charset=utf-8",
                    headers: dict[str, str] | None = None) -> web.StreamResponse:
    """Open a chunked streaming response."""
    response = web.StreamResponse(status=200, headers={"Content-Type": content_type,
                                                       **(headers or {})})
    response.enable_chunked_encoding()
    await response.prepare(request)
    return response
