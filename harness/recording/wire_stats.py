"""What crossed the wire in a cell: requests, real HTTP streams and their chunks."""

from __future__ import annotations

import json
import struct
from typing import Any

from harness.recording.interaction import header, response_body
from harness.recording.sse import count_sse_events
from harness.wire import VALUE_KEYS, WireFamily


def count_eventstream_frames(body: bytes) -> int:
    """Frames of an application/vnd.amazon.eventstream body (length-prefixed)."""
    count, offset = 0, 0
    while offset + 4 <= len(body):
        (total,) = struct.unpack(">I", body[offset:offset + 4])
        if total < 16:
            break
        offset, count = offset + total, count + 1
    return count


def is_ndjson(content_type: str) -> bool:
    """Whether a content type names a stream of JSON lines (application/x-ndjson and kin)."""
    ctype = content_type.lower()
    return "ndjson" in ctype or "stream+json" in ctype or "jsonl" in ctype


def _tool_names(tools: Any) -> list[Any]:
    names: list[Any] = []
    for tool in tools or []:
        # Gemini/Vertex group their functions in one tool's functionDeclarations.
        decls = tool.get("functionDeclarations", tool.get("function_declarations")) \
            if isinstance(tool, dict) else None
        if isinstance(decls, list):
            names.extend(d.get("name") if isinstance(d, dict) else None for d in decls)
            continue
        fn = tool.get("function") if isinstance(tool, dict) else None
        names.append((fn or tool).get("name") if isinstance(fn or tool, dict) else None)
    return names


def _summary(key: str, value: Any) -> Any:
    """What a report needs of one structured key: names, a value, a type or the inner keys."""
    if key == "tools":
        return _tool_names(value)
    if key in VALUE_KEYS:
        return value
    if isinstance(value, dict):
        return value.get("type") if key == "response_format" else sorted(value)
    return True


def summarize_request(body: bytes | str | None, wire: WireFamily) -> dict[str, Any]:
    """The structured-output parts of a request body: what mode was really sent."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    stream = ("stream",) if wire.stream_flag else ()
    # Prompt keys are left out: a system prompt says nothing about the mode.
    keys = dict.fromkeys((*wire.tool_keys, *stream, *wire.format_keys))
    return {key: _summary(key, data[key]) for key in keys if key in data}


def is_token_exchange(body: Any) -> bool:
    """Whether a request body is an OAuth token request (Vertex's service-account flow)."""
    if isinstance(body, str):
        body = body.encode()
    return isinstance(body, bytes) and b"grant_type=" in body and not body.lstrip().startswith(
        (b"{", b"["))


def interactions_stats(pairs: list[tuple[Any, dict[str, Any]]],
                       wire: WireFamily) -> dict[str, Any]:
    """Counts over (vcr Request, response dict) pairs actually used in a cell.

    OAuth token exchanges are not calls to the model: they count in no statistic except
    `error_status` (a refused token is the provider's error) and `error_body` (the text of
    that first refusal).
    """
    streams = chunks = 0
    error_status = None
    error_body = ""
    sent = []
    calls = 0
    for request, response in pairs:
        status = (response.get("status") or {}).get("code", 200)
        if status >= 400 and error_status is None:
            error_status = status
            error_body = response_body(response)[:4000].decode("utf-8", "replace")
        if is_token_exchange(request.body):
            continue
        calls += 1
        sent.append(summarize_request(request.body, wire))
        body = response_body(response)
        ctype = header(response.get("headers", {}), "content-type")
        if "event-stream" in ctype:
            streams += 1
            chunks += count_sse_events(body)
        elif "eventstream" in ctype:
            streams += 1
            chunks += count_eventstream_frames(body)
        elif is_ndjson(ctype):  # Ollama's native stream: one JSON object per line
            streams += 1
            chunks += sum(1 for line in body.splitlines() if line.strip())
    return {"http_requests": calls, "http_streams": streams, "wire_chunks": chunks,
            "error_status": error_status, "error_body": error_body, "sent": sent}
