"""Reads the real provider recordings in ../shared/wire-samples, whatever their recorder's format.

Formats met there: vcrpy/pytest-recording YAML (`interactions`), pydantic-ai's (`parsed_body`),
langchain-aws's (`requests:`/`responses:`), dd-trace JSON (`request`/`response`), gzip bodies
(`!!binary`), and a body-only fixture of one JSON event per line. Nothing is copied from them.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

# The project's shared data sits beside the clone: ../shared (samples, the guide).
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
SAMPLES_DIR = SHARED_DIR / "wire-samples"
GUIDE = SHARED_DIR / "docs-sample" / "litellm-guide.md"
SKIP_REASON = (f"real wire samples not found at {SAMPLES_DIR}: the fidelity tests compare the "
               f"emulators with them (clone the project beside its shared/ folder)")


def require_shared(path: Path, what: str) -> Path:
    """`path` under ../shared; skip without it, but fail under CI (no silent skip there)."""
    if path.exists():
        return path
    message = f"{what} not found at {path}: clone the project beside its shared/ folder"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


@dataclass
class Exchange:
    """One recorded HTTP request and its response."""

    uri: str
    request: Any  # parsed JSON when possible, else bytes
    status: int
    headers: dict[str, str]
    body: bytes = b""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def require_samples(provider: str) -> Path:
    """The provider's sample folder, or skip the calling test with a clear reason."""
    return require_shared(SAMPLES_DIR / provider, f"the real wire samples of {provider}")


def _flat_headers(headers: Any) -> dict[str, str]:
    out = {}
    for key, value in (headers or {}).items():
        out[str(key).lower()] = str(value[0] if isinstance(value, list) and value else value)
    return out


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, dict):
        if "string" in value:
            return _bytes(value["string"])
        return json.dumps(value).encode()
    else:
        raw = str(value).encode()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw


def _request_body(req: dict[str, Any]) -> Any:
    if "parsed_body" in req:
        return req["parsed_body"]
    raw = _bytes(req.get("body"))
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw


def _response_body(resp: dict[str, Any]) -> bytes:
    if "parsed_body" in resp:
        return json.dumps(resp["parsed_body"]).encode()
    return _bytes(resp.get("body"))


def load(path: Path) -> list[Exchange]:
    """Every exchange recorded in one sample file."""
    if path.suffix == ".txt":
        body = path.read_bytes()
        return [Exchange("", None, 200, {"content-type": "application/x-ndjson"}, body,
                         source=path.name)]
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.Loader)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if isinstance(data, dict) and "interactions" in data:
        pairs = [(i["request"], i["response"]) for i in data["interactions"]]
    elif isinstance(data, dict) and "requests" in data:
        pairs = list(zip(data["requests"], data["responses"], strict=False))
    elif isinstance(data, dict) and "request" in data:
        pairs = [(data["request"], data["response"])]
    out = []
    for req, resp in pairs:
        status = resp.get("status", {})
        code = status.get("code", 200) if isinstance(status, dict) else int(status or 200)
        out.append(Exchange(uri=str(req.get("uri") or req.get("url") or ""),
                            request=_request_body(req), status=code,
                            headers=_flat_headers(resp.get("headers")),
                            body=_response_body(resp), source=path.name))
    return out


def load_all(provider: str) -> tuple[Exchange, ...]:
    """Every exchange of every sample of `provider` (skips the test if samples are absent)."""
    return _load_folder(require_samples(provider))


@functools.cache
def _load_folder(folder: Path) -> tuple[Exchange, ...]:
    # Parsing the YAML recordings is the slow part of the fidelity tests: once per session.
    return tuple(ex for path in sorted(folder.iterdir()) for ex in load(path))


def sample(provider: str, name_part: str, index: int = 0) -> Exchange:
    """The `index`-th exchange of the sample file whose name contains `name_part`."""
    return [e for e in load_all(provider) if name_part in e.source][index]


_SPLIT = re.compile(rb"\r?\n\r?\n")


def sse_events(body: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) of each server-sent event in `body`, in order."""
    events = []
    for block in _SPLIT.split(body):
        name, data = None, []
        for line in block.decode("utf-8", "replace").splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data or name:
            events.append((name, "\n".join(data)))
    return events


def sse_json(body: bytes) -> list[Any]:
    """The JSON payloads of the SSE events in `body` ([DONE] and non-JSON data skipped)."""
    out = []
    for _, data in sse_events(body):
        try:
            out.append(json.loads(data))
        except ValueError:
            continue
    return out


def is_sse(exchange: Exchange) -> bool:
    """Whether the response is a server-sent event stream."""
    return "event-stream" in exchange.content_type or exchange.body.lstrip().startswith(
        (b"data:", b"event:"))


def broke_off(exchange: Exchange) -> bool:
    """Whether a stream ended in the provider's own error event (Groq's `event: error`, a chunk
    with a top-level `error` object as OpenRouter sends)."""
    if not is_sse(exchange):
        return False
    return any(name == "error" for name, _ in sse_events(exchange.body)) or any(
        isinstance(chunk, dict) and isinstance(chunk.get("error"), dict)
        for chunk in sse_json(exchange.body))
