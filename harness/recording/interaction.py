"""Reading vcrpy's recorded interactions: a header by name, a response body as bytes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def header(headers: Mapping[str, Any] | None, name: str) -> str:
    """The first value of header `name` (lower-case), whatever the casing or list form."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return ""


def response_body(response: Mapping[str, Any]) -> bytes:
    """A recorded response's body as bytes (vcrpy keeps it under body.string)."""
    body = (response.get("body") or {}).get("string", b"")
    return body.encode() if isinstance(body, str) else (body or b"")
