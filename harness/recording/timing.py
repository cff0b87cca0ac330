"""Real streaming timing of live recordings: what the server measured and what the client saw.

Only a live target has real timing (an emulator answers instantly and a replay is instant), so
these figures come from the recording: llama.cpp-style `timings` objects in the recorded
bodies, and the client-side latency and time to first partial kept in the cassette's
provenance. Replays report them as evidence; they are never asserted in tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.recording.interaction import response_body

_TIMINGS = re.compile(rb'"timings"\s*:\s*(\{[^{}]*\})')


def server_timings(bodies: list[bytes]) -> dict[str, float] | None:
    """Generated tokens, tokens/s and server time summed over the responses, if reported."""
    found = []
    for body in bodies:
        for match in _TIMINGS.finditer(body or b""):
            try:
                found.append(json.loads(match.group(1)))
            except ValueError:
                continue
    if not found:
        return None
    tokens = sum(t.get("predicted_n", 0) for t in found)
    predicted_ms = sum(t.get("predicted_ms", 0.0) for t in found)
    server_ms = predicted_ms + sum(t.get("prompt_ms", 0.0) for t in found)
    return {"generated_tokens": tokens,
            "tokens_per_s": round(tokens / (predicted_ms / 1000), 2) if predicted_ms else 0.0,
            "server_ms": round(server_ms, 1)}


def client_timing(duration_s: float, first_yield_s: float | None) -> dict[str, float]:
    """The latency and time to first partial the client measured while recording."""
    out = {"latency_s": round(duration_s, 3)}
    if first_yield_s is not None:
        out["first_partial_s"] = round(first_yield_s, 3)
    return out


def response_bodies(pairs: list[tuple[Any, Any]]) -> list[bytes]:
    """The response bodies of (request, response) pairs, as bytes."""
    return [response_body(response) for _, response in pairs]
