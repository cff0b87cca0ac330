"""A read-only probe that counts the stream chunks litellm hands to instructor.

It wraps CustomStreamWrapper's iteration to count, never to change, what flows through, so
the measured path stays exactly the user's path. It lets a cell tell whether an object was
yielded before the stream ended (incremental delivery), which the final result alone cannot.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()


class ChunkCounter:
    """Counts chunks yielded by every litellm stream while active."""

    def __init__(self) -> None:
        self.count = 0
        self.streams = 0
        self.payload_deltas = 0  # chunks that carried argument or content text
        self.delivered: list[str] = []  # that text, in order
        self.unavailable: str | None = None  # why chunks cannot be counted, if they cannot

    def observe(self, chunk: Any) -> None:
        """Count a chunk and keep the structured payload text it carries."""
        self.count += 1
        text = payload_text_of_delta(chunk)
        if text:
            self.payload_deltas += 1
            self.delivered.append(text)


def payload_text_of_delta(chunk: Any) -> str:
    """Content plus tool-call argument text of a litellm stream chunk."""
    try:
        delta = chunk.choices[0].delta
    except (AttributeError, IndexError):
        return ""
    parts = [getattr(delta, "content", None) or ""]
    for call in getattr(delta, "tool_calls", None) or []:
        fn = getattr(call, "function", None)
        parts.append(getattr(fn, "arguments", None) or "")
    return "".join(parts)


_active: ChunkCounter | None = None


def _wrapper_class() -> Any:
    """litellm's stream wrapper class, or a note saying why it cannot be probed."""
    try:
        from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
    except ImportError as exc:  # another litellm layout: degrade, never crash a cell
        return f"litellm has no CustomStreamWrapper where the probe looks for it ({exc})"
    missing = [name for name in ("__init__", "__next__", "__anext__")
               if not callable(getattr(CustomStreamWrapper, name, None))]
    if missing:
        return f"litellm's CustomStreamWrapper lacks {', '.join(missing)}"
    return CustomStreamWrapper


def _install() -> str | None:
    """Wrap the stream class once; a note (chunks cannot be counted) when it is not there."""
    found = _wrapper_class()
    if isinstance(found, str):
        return f"stream chunks not counted: {found}"
    wrapper = found
    if getattr(wrapper, "_harness_probe", False):
        return None
    original_next = wrapper.__next__
    original_anext = wrapper.__anext__
    original_init = wrapper.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if _active is not None:
            _active.streams += 1

    def __next__(self: Any) -> Any:
        chunk = original_next(self)
        if _active is not None:
            _active.observe(chunk)
        return chunk

    async def __anext__(self: Any) -> Any:
        chunk = await original_anext(self)
        if _active is not None:
            _active.observe(chunk)
        return chunk

    wrapper.__init__ = __init__
    wrapper.__next__ = __next__
    wrapper.__anext__ = __anext__
    wrapper._harness_probe = True
    return None


@contextlib.contextmanager
def count_chunks() -> Iterator[ChunkCounter]:
    """Count litellm stream chunks within the block (cells run one at a time per process)."""
    global _active
    with _lock:
        note = _install()
        counter = ChunkCounter()
        counter.unavailable = note
        _active = counter if note is None else None
        try:
            yield counter
        finally:
            _active = None
