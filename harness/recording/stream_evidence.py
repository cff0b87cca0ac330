"""Evidence from a stream's events: whether each is whole, well-shaped and no error, and
whether the stream reached its end (the stream half of evidence.wire_fault)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from harness.wire import WireFamily


def says_finished(value: Any, wire: WireFamily) -> bool:
    """Whether a stream event's JSON says the answer is complete."""
    if isinstance(value, dict):
        if value.get("type") in wire.terminal_events:
            return True
        if any(value.get(key) for key in wire.finish_keys):
            return True
        return any(says_finished(v, wire) for v in value.values() if isinstance(v, (dict, list)))
    if isinstance(value, list):
        return any(says_finished(v, wire) for v in value)
    return False


def shape_problem(value: Any, wire: WireFamily) -> str | None:
    """Why a body or event is no answer of this wire (no success key), or None."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict) or not (set(item) & wire.success_keys):
            keys = sorted(item)[:6] if isinstance(item, dict) else type(item).__name__
            return f"valid JSON of the wrong shape (keys {keys})"
    return None


def error_event(name: str | None, value: Any) -> str | None:
    """What an in-stream error event says (Groq's `event: error`, OpenRouter's chunk with a
    top-level `error`, Anthropic's `type: error`), or None for any other event."""
    error = value.get("error") if isinstance(value, dict) else None
    if name != "error" and not isinstance(error, dict):
        return None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") or error.get("type") or "no code"
    message = " ".join(str(error.get("message") or "").split())
    return f"{code}: {message[:160]}" if message else str(code)


MALFORMED = object()  # what event_json returns for data that is not JSON


@functools.lru_cache(maxsize=1024)
def event_json(data: str) -> Any:
    """An event's data parsed as JSON (MALFORMED if it is not), once: a verdict reads each
    recorded event several times (its faults, the model that answered). Readers never change
    the value, which is shared."""
    try:
        return json.loads(data)
    except ValueError:
        return MALFORMED


def events_fault(events: Sequence[tuple[str | None, str]], unit: str,
                 wire: WireFamily) -> str | None:
    """Malformed or wrong-shaped events, or no terminal event, in a stream's data payloads."""
    finished = False
    previous: tuple[str | None, str] | None = None
    for index, (name, data) in enumerate(events, 1):
        repeated, previous = (name, data) == previous, (name, data)
        if data.strip() == "[DONE]" or name in wire.terminal_events:
            if repeated:
                return f"stream {unit} {index} repeats the end of the stream: events duplicated"
            finished = True
            continue
        value = event_json(data)
        if value is MALFORMED:
            return f"malformed JSON in stream {unit} {index}: {data[:60]!r}"
        error = error_event(name, value)
        if error:
            return f"stream {unit} {index} is the provider's error event ({error})"
        problem = shape_problem(value, wire)
        if problem:
            return f"stream {unit} {index} is {problem}"
        if repeated and _structural(name, value, wire):
            return (f"stream {unit} {index} repeats the {unit} before it "
                    f"({name or value.get('type') or 'a finish'}): events duplicated")
        finished = finished or says_finished(value, wire)
    if not finished:
        return f"the stream ended without a terminal event after {len(events)} {unit}(s)"
    return None


_BOUNDARY = ("start", "stop", "end", "created", "completed")


def _structural(name: str | None, value: Any, wire: WireFamily) -> bool:
    """An event that happens once per stream or block: repeated, it was duplicated.

    Content deltas may legitimately repeat (a real OpenRouter stream sends two identical
    empty-delta chunks); a start, a stop or a finish never does.
    """
    kind = name or (value.get("type") if isinstance(value, dict) else None) or ""
    if isinstance(kind, str) and kind.replace("-", "_").replace(".", "_").endswith(
            tuple("_" + b for b in _BOUNDARY)):
        return True
    return says_finished(value, wire)


def kept_alive(problem: str | None, text: str) -> str | None:
    """An unfinished stream's problem, naming the comment lines that kept it open."""
    comments = sum(1 for line in text.splitlines() if line.startswith(":"))
    if problem and problem.startswith("the stream ended") and comments:
        return f"{problem}, kept open by {comments} comment line(s)"
    return problem
