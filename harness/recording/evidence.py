"""Evidence from the wire: pure functions over the (request, response) pairs of one attempt.

They tell a provider fault (a truncated stream, a malformed chunk, an HTML page, a body of the
wrong shape) from a capability the library lacks, so a fault is never reported as `fail` or
`unsupported`; whether a failure is transient (worth a retry); how long the provider asked us to
wait; and which model the provider says answered.

Which keys say what is the wire family's knowledge (harness/wire.py): each reader takes the
cell's family (its provider's `wire`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from harness.failures import chain, is_replay_miss, transport_failure
from harness.recording.interaction import header, response_body
from harness.recording.sse import sse_events
from harness.recording.stream_evidence import (
    MALFORMED,
    error_event,
    event_json,
    events_fault,
    kept_alive,
    shape_problem,
)
from harness.recording.wire_stats import is_ndjson
from harness.wire import WireFamily

Pair = tuple[Any, Mapping[str, Any]]
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524,
                              529, 598, 599})


def _status(response: Mapping[str, Any]) -> int:
    return int((response.get("status") or {}).get("code", 200))


def http_status(pairs: list[Pair]) -> int | None:
    """The status of the last response, or None when nothing came back."""
    return _status(pairs[-1][1]) if pairs else None


def _eventstream_fault(body: bytes) -> str | None:
    offset = 0
    while offset + 4 <= len(body):
        total = int.from_bytes(body[offset:offset + 4], "big")
        if total < 16 or offset + total > len(body):
            return "a binary body that is not a whole AWS event stream (it ends inside a frame)"
        offset += total
    if offset != len(body):
        return "a binary body that is not a whole AWS event stream (it ends inside a frame)"
    if b"messageStart" in body and b"messageStop" not in body:
        return "the binary event stream ended without a messageStop event"
    return None


def _body_problem(value: Any, wire: WireFamily) -> str | None:
    """A whole JSON body of a successful status that is no answer: an error object, or the
    wrong shape."""
    if isinstance(value, dict) and isinstance(value.get("error"), dict) and not (
            set(value) & (wire.success_keys - {"error"})):
        return f"HTTP 200 body is the provider's error ({error_event('error', value)})"
    return shape_problem(value, wire)


def wire_fault(pairs: list[Pair], wire: WireFamily) -> str | None:
    """What was wrong with a successful-status response, or None if every one looks whole."""
    for _, response in pairs:
        status = _status(response)
        if status >= 400:
            continue  # the status itself is the evidence (classify)
        ctype = header(response.get("headers"), "content-type").lower()
        body = response_body(response)
        if "html" in ctype or body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            return f"HTTP {status} answered with an HTML page ({ctype or 'no content-type'})"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if body[:2] == b"\x1f\x8b":
            # Still gzip after the recorder's decompression: it would not decompress.
            problem: str | None = "a gzip-compressed body that does not decompress (corrupt gzip)"
        elif "vnd.amazon.eventstream" in ctype or text is None:
            # Binary: AWS's event stream (its content-type is sometimes missing or redacted).
            problem = _eventstream_fault(body)
        else:
            if "event-stream" in ctype:
                problem = kept_alive(events_fault(sse_events(text), "event", wire), text)
            elif is_ndjson(ctype):
                lines: list[tuple[str | None, str]] = [
                    (None, line) for line in text.splitlines() if line.strip()]
                problem = events_fault(lines, "line", wire)
            elif not text.strip():
                problem = "an empty body"
            else:
                try:
                    problem = _body_problem(json.loads(text), wire)
                except ValueError:
                    problem = f"malformed JSON body: {text[:60]!r}"
        if problem:
            return problem
    return None


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds to wait from Retry-After-Ms / Retry-After (seconds or an HTTP date)."""
    millis = header(headers, "retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = header(headers, "retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from datetime import datetime, timezone
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def retry_after(pairs: list[Pair], exc: BaseException | None = None) -> float | None:
    """The wait the provider asked for, from the last response or the exception's response."""
    if pairs:
        found = retry_after_seconds(pairs[-1][1].get("headers"))
        if found is not None:
            return found
    for item in chain(exc) if exc is not None else []:
        response = getattr(item, "response", None)
        headers = getattr(response, "headers", None)
        if headers is not None:
            found = retry_after_seconds(dict(headers))
            if found is not None:
                return found
    return None


def transient_reason(exc: BaseException | None, pairs: list[Pair]) -> str | None:
    """Why an attempt failed transiently (a retry may pass), or None."""
    status = http_status(pairs)
    if status in TRANSIENT_STATUS:
        return f"HTTP {status}"
    if exc is None or is_replay_miss(exc):
        return None
    failure = transport_failure(exc)
    if failure:
        return failure
    for item in chain(exc):
        # A status the library saw but vcrpy could not record (it raised first).
        code = getattr(item, "status_code", None)
        if isinstance(code, int) and code in TRANSIENT_STATUS and status is None:
            return f"HTTP {code}"
    return None


def _model_in(value: Any, wire: WireFamily) -> str | None:
    if isinstance(value, list):
        return next((m for m in (_model_in(v, wire) for v in value) if m), None)
    if not isinstance(value, dict):
        return None
    for key in wire.model_keys:
        if isinstance(value.get(key), str) and value[key]:
            return value[key]
    inner = next((value[key] for key in wire.model_parents if value.get(key)), None)
    return _model_in(inner, wire) if isinstance(inner, dict) else None


def reported_model(pairs: list[Pair], wire: WireFamily) -> str | None:
    """The model id the provider says answered (`model`, `modelVersion`...), if it says one."""
    for _, response in pairs:
        if _status(response) >= 400:
            continue
        try:
            text = response_body(response).decode("utf-8")
        except UnicodeDecodeError:
            continue
        candidates: list[Any] = []
        ctype = header(response.get("headers"), "content-type")
        if "event-stream" in ctype or is_ndjson(ctype):
            lines = [d for _, d in sse_events(text)] if "event-stream" in ctype \
                else text.splitlines()
            candidates += [v for data in lines if (v := event_json(data)) is not MALFORMED]
        else:
            try:
                candidates.append(json.loads(text))
            except ValueError:
                continue
        for candidate in candidates:
            found = _model_in(candidate, wire)
            if found:
                return found
    return None


def redirect_text(status: int, url: str, location: str) -> str:
    """A redirect the provider answered with (never followed), named by both origins."""
    source, target = _origin(url), _origin(urljoin(url, location)) if location else ""
    where = "another origin" if target != source else "the same origin"
    return (f"HTTP {status} redirect from {source} to {target or '(no Location)'} ({where}); "
            f"the harness never follows a redirect with credentials")


def redirect(pairs: list[Pair]) -> str | None:
    """The first redirect among recorded interactions, as redirect_text names it."""
    for request, response in pairs:
        status = _status(response)
        if 300 <= status < 400:
            location = header(response.get("headers"), "location")
            return redirect_text(status, str(getattr(request, "uri", "") or ""), location)
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
