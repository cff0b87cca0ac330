"""Reading server-sent events: the one splitter every reader of recorded streams uses."""

from __future__ import annotations

import functools
import re

_EVENT_SPLIT = re.compile(r"\r?\n\r?\n")


@functools.lru_cache(maxsize=64)
def sse_events(text: str) -> tuple[tuple[str | None, str], ...]:
    """(event name, joined data) of each SSE event carrying data, in order.

    Cached: a cell's verdict reads each recorded stream several times (its wire faults, the
    model that answered, its chunks).
    """
    out = []
    for block in _EVENT_SPLIT.split(text):
        name, data = None, []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            out.append((name, "\n".join(data)))
    return tuple(out)


def count_sse_events(body: bytes) -> int:
    """SSE events carrying data, not counting a terminal [DONE]."""
    text = body.decode("utf-8", errors="replace")
    return sum(1 for _, data in sse_events(text) if data.strip() != "[DONE]")
