"""Faults on demand: an aiohttp middleware on every emulator app, switched on from the server side.

A test calls `emulator_host().inject("openai", "rate_limit", count=1)` (or, from another
process, POSTs {"fault": ..., "count": ..., "params": {...}} to `<root>/__conformance__/faults`);
the next `count` requests to that emulator get the fault instead of (or on top of) the real
answer. Faults that damage a real answer (truncation, a malformed chunk, a mid-stream
disconnect) fetch it from the same app first, so every provider's wire format is damaged the
same way without the emulators knowing about faults. The middleware also keeps the last
requests it saw (`seen`), so a test can prove a credential really crossed the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from harness.emulators import stream_faults

CONTROL_PATH = "/__conformance__/faults"
_BYPASS = "x-conformance-fault-bypass"
_HTML = ("<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>"
         "<h1>Service temporarily unavailable</h1><p>The upstream server is not responding. "
         "Please try again later.</p><hr><address>nginx</address></body></html>\n")
# name -> what it does; `params` tune it (status, seconds, retry_after).
FAULTS: dict[str, str] = {
    "rate_limit": "HTTP 429 with Retry-After (params: retry_after, default 1 s)",
    "server_error": "HTTP 500 with a JSON error body",
    "unavailable": "HTTP 503 with a JSON error body",
    "slow": "the real answer, after `seconds` (default 5): slower than the client's timeout",
    "delay": "the real answer after `seconds` (default 0.3): latency, not a failure",
    "reset": "the connection is reset before any response byte",
    "disconnect_mid_stream": "headers and half the real body, then the connection drops",
    "malformed_chunk": "the real answer with one stream event's JSON cut in half",
    "truncated_stream": "the first half of the real stream, cleanly ended, no terminal event",
    "html": "an HTML error page (params: status, default 200) where JSON or SSE was expected",
    "wrong_shape": "HTTP 200, valid JSON of a shape no provider sends",
    "duplicate_events": "the real stream with every event sent twice",
    **stream_faults.FAULTS,  # comment_flood, stream_error_event: the stream's own grammar
    "cut_mid_line": "the real answer up to the middle of its middle line (an NDJSON stream's "
                    "JSON line cut in half), then cleanly ended",
}


@dataclass
class Seen:
    """One request as it arrived: what a wiretap would capture."""

    method: str
    path_qs: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Pending:
    fault: str
    remaining: int
    params: dict[str, Any] = field(default_factory=dict)


class FaultBoard:
    """Faults waiting for each emulator, and the requests each one saw; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[_Pending]] = {}
        self._seen: dict[str, deque[Seen]] = {}

    def inject(self, emulator: str, fault: str, count: int = 1, **params: Any) -> None:
        """Give the next `count` requests to `emulator` the fault `fault`."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; valid faults: {', '.join(FAULTS)}")
        with self._lock:
            self._pending.setdefault(emulator, []).append(_Pending(fault, count, params))

    def clear(self, emulator: str | None = None) -> None:
        """Drop pending faults (of one emulator, or all) and forget what was seen."""
        with self._lock:
            for name in [emulator] if emulator else list(self._pending):
                self._pending.pop(name, None)
            for name in [emulator] if emulator else list(self._seen):
                self._seen.pop(name, None)

    def pending(self, emulator: str) -> int:
        """How many faulted requests remain for `emulator`."""
        with self._lock:
            return sum(p.remaining for p in self._pending.get(emulator, []))

    def take(self, emulator: str) -> _Pending | None:
        """The fault for the next request to `emulator`, if any (consumes one)."""
        with self._lock:
            queue = self._pending.get(emulator) or []
            while queue and queue[0].remaining <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].remaining -= 1
            return queue[0]

    def record(self, emulator: str, seen: Seen) -> None:
        """Remember a request (the last 500 per emulator)."""
        with self._lock:
            self._seen.setdefault(emulator, deque(maxlen=500)).append(seen)

    def seen(self, emulator: str) -> list[Seen]:
        """The requests `emulator` received, oldest first."""
        with self._lock:
            return list(self._seen.get(emulator, ()))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "fault_injection",
                                        "code": status}}, status=status, headers=headers)


def _reset(request: web.Request) -> None:
    # SO_LINGER 0 turns the close into a TCP RST: the client sees "connection reset".
    sock = request.transport.get_extra_info("socket") if request.transport else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if request.transport is not None:
        request.transport.abort()


async def _real_answer(request: web.Request, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """The emulator's undamaged answer to the same request, fetched over loopback.

    A raw asyncio connection, not an HTTP client library: vcrpy patches those, and this
    internal fetch must never be recorded into the cassette of the cell under test.
    """
    host, _, port = request.host.rpartition(":")
    reader, writer = await asyncio.open_connection(host or "127.0.0.1", int(port or 80))
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")}
    headers.update({_BYPASS: "1", "Content-Length": str(len(body)), "Connection": "close",
                    "Accept-Encoding": "identity"})
    head = f"{request.method} {request.path_qs} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode("latin-1") + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head_bytes, _, payload = raw.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    answer = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if answer.get("Transfer-Encoding", "").lower() == "chunked":
        payload = _dechunk(payload)
    return status, answer, payload


def _dechunk(data: bytes) -> bytes:
    out, offset = bytearray(), 0
    while True:
        end = data.index(b"\r\n", offset)
        size = int(data[offset:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        offset = end + 2 + size + 2


def _split_events(body: bytes) -> tuple[list[bytes], bytes]:
    sep = b"\r\n\r\n" if b"\r\n\r\n" in body else b"\n\n"
    return [e for e in body.split(sep) if e.strip()], sep


def _damage(fault: str, ctype: str, body: bytes) -> bytes:
    """The real body, damaged as `fault` says."""
    if fault == "cut_mid_line":
        lines = body.splitlines(keepends=True) or [body]
        cut = lines[len(lines) // 2]
        return b"".join(lines[: len(lines) // 2]) + cut[: max(1, len(cut.rstrip()) // 2)]
    if "event-stream" not in ctype:
        return body[: max(1, len(body) // 2)]  # JSON cut in half: malformed either way
    events, sep = _split_events(body)
    if fault == "truncated_stream":
        return sep.join(events[: max(1, len(events) // 2)]) + sep
    if fault == "duplicate_events":
        return sep.join(e for event in events for e in (event, event)) + sep
    # malformed_chunk: the middle data event's JSON cut in half.
    middle = len(events) // 2
    lines = events[middle].split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"data:") and len(line) > 12:
            lines[i] = line[: 6 + (len(line) - 6) // 2]
            break
    events[middle] = b"\n".join(lines)
    return sep.join(events) + sep


async def _damaged(request: web.Request, fault: str, body: bytes) -> web.StreamResponse:
    status, headers, real = await _real_answer(request, body)
    ctype = headers.get("Content-Type", "")
    own = fault in stream_faults.FAULTS
    if own:
        ctype, real = stream_faults.damage(fault, request.app, ctype, real)
    response = web.StreamResponse(status=status, headers={"Content-Type": ctype})
    response.enable_chunked_encoding()
    await response.prepare(request)
    if fault == "disconnect_mid_stream":
        await response.write(real[: max(1, len(real) // 2)])
        await asyncio.sleep(0.05)  # let the half reach the client before the drop
        _reset(request)
        return response
    await response.write(real if own else _damage(fault, ctype.lower(), real))
    await response.write_eof()
    return response


async def _control(board: FaultBoard, name: str, request: web.Request) -> web.Response:
    if request.method == "DELETE":
        board.clear(name)
        return web.json_response({"cleared": name})
    spec = await request.json()
    try:
        board.inject(name, spec["fault"], int(spec.get("count", 1)), **spec.get("params", {}))
    except (KeyError, ValueError, TypeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"injected": spec["fault"], "pending": board.pending(name)})


def middleware(board: FaultBoard, name: str) -> Any:
    """The fault-injecting, request-recording middleware for emulator `name`."""

    @web.middleware
    async def inject_faults(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == CONTROL_PATH:
            return await _control(board, name, request)
        if request.headers.get(_BYPASS):
            return await handler(request)
        body = await request.read()
        board.record(name, Seen(request.method, request.path_qs, dict(request.headers), body))
        pending = board.take(name)
        if pending is None:
            return await handler(request)
        fault, params = pending.fault, pending.params
        if fault == "rate_limit":
            wait = str(params.get("retry_after", 1))
            return _error(429, "Rate limit reached for requests (injected fault).",
                          {"Retry-After": wait})
        if fault in ("server_error", "unavailable"):
            status = 500 if fault == "server_error" else 503
            return _error(status, f"The server had an error (injected fault {fault}).")
        if fault in ("slow", "delay"):
            await asyncio.sleep(float(params.get("seconds", 5 if fault == "slow" else 0.3)))
            try:
                return await handler(request)
            except ConnectionError:  # the client gave up waiting (the point of `slow`)
                return web.Response(status=499)
        if fault == "reset":
            _reset(request)
            return web.Response(status=500)  # never sent: the connection is gone
        if fault == "html":
            return web.Response(status=int(params.get("status", 200)), text=_HTML,
                                content_type="text/html")
        if fault == "wrong_shape":
            return web.json_response({"status": "ok", "result": {"answer": 42,
                                                                "note": "not a completion"}})
        return await _damaged(request, fault, body)

    return inject_faults


def control_payload(fault: str, count: int = 1, **params: Any) -> bytes:
    """The JSON body to POST to CONTROL_PATH from another process."""
    return json.dumps({"fault": fault, "count": count, "params": params}).encode()
