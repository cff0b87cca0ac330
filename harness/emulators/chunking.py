"""Chunk plans: where a streamed answer is cut, when a test chooses it instead of the emulator.

Each emulator cuts a streamed payload (tool arguments, JSON or prose text) by its provider's
rule (fragments.py and the wire modules). A test may hand an emulator a `ChunkPlan` for the
requests it serves (`emulator_host().chunked(name, plan)`); the plan then decides the cuts
where the wire streams the payload incrementally, and only there: a wire that delivers a
payload whole (Gemini's functionCall, Mistral's and Amazon Nova's tool arguments) keeps
delivering it whole, whatever the plan says. With no plan, nothing changes. The OpenAI chat
(OpenAI, Azure, Mistral, Hugging Face), Anthropic, Google, Bedrock and Cohere emulators take
both kinds of cut; the OpenAI-compatible dialects (openai_compat/) take write cuts only, and
the Responses and Ollama emulators none yet.

What a plan can cut, and why (the fidelity rule: only what the real wire can carry):
- `sizes` cut the payload text in characters (Unicode code points), anywhere, including
  inside a JSON escape sequence: the real Anthropic stream splits `\\n` into a fragment
  ending with the backslash and one starting with `n` (wire-samples anthropic/
  mirascope__test_refusal_..._stream.yaml, fragments 68-69). A delta cannot end inside a
  multi-byte character: every delta is a JSON string inside the event's JSON, which holds
  whole code points (a UTF-8 fragment is not representable, and the APIs do not send lone
  surrogate escapes), so the providers hold a token's incomplete bytes back until the
  character is whole.
- `transport` cuts the HTTP response body in bytes, anywhere, including inside a multi-byte
  UTF-8 character or a binary event-stream frame: TCP segments, TLS records and proxies cut
  any provider's body wherever they like, and a client has to put the bytes back together.
  Each cut is its own write, flushed before the next one: its own chunk of the chunked body,
  which an HTTP client hands on as it comes (TCP may still join the writes, as a real
  network may).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class ChunkPlan:
    """The cuts a test chose: delta sizes in characters, then write sizes in bytes.

    After the last size, the emulator's own rule cuts the rest (of each payload text, or of
    the body), so an empty plan is the default behaviour and a shrunk plan names only the cuts
    that matter.
    """

    sizes: tuple[int, ...] = ()
    transport: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in ("sizes", "transport"):
            bad = [size for size in getattr(self, name) if not isinstance(size, int) or size < 1]
            if bad:
                raise ValueError(f"ChunkPlan {name} must be positive ints, got {bad!r}")


_CURRENT: ContextVar[ChunkPlan | None] = ContextVar("conformance_chunk_plan", default=None)


def current() -> ChunkPlan | None:
    """The plan of the request being served, or None (the emulator's own cuts)."""
    return _CURRENT.get()


@contextlib.contextmanager
def serving(plan: ChunkPlan | None) -> Iterator[None]:
    """Serve what runs inside with `plan` (tests calling a wire module directly)."""
    token = _CURRENT.set(plan)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _cut(whole: Any, sizes: tuple[int, ...]) -> tuple[list[Any], int]:
    out, i = [], 0
    for size in sizes:
        if i >= len(whole):
            break
        out.append(whole[i:i + size])
        i += size
    return out, i


def fragments(text: str, default: Callable[[str], list[str]]) -> list[str]:
    """`text` cut by the current plan's sizes, then the rest by `default` (the wire's rule)."""
    plan = current()
    if plan is None or not plan.sizes:
        return default(text)
    out, i = _cut(text, plan.sizes)
    return out + (default(text[i:]) if i < len(text) else [])


async def write(response: web.StreamResponse, pieces: list[bytes]) -> None:
    """Write a streamed body: one write per piece, or as the current plan's transport cuts it
    (then, after its last cut, at the pieces' own boundaries)."""
    plan = current()
    if plan is None or not plan.transport:
        for piece in pieces:
            await response.write(piece)
        return
    body = b"".join(pieces)
    planned, done = _cut(body, plan.transport)
    for chunk in planned:
        await response.write(chunk)
        await asyncio.sleep(0)  # each its own send: the loop runs between the writes
    end = 0
    for piece in pieces:
        start, end = end, end + len(piece)
        if end > done:
            await response.write(piece[max(0, done - start):])


class PlanBoard:
    """The plan each emulator cuts with; thread-safe (set by a test, read by the emulators)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str, ChunkPlan] = {}

    def set(self, emulator: str, plan: ChunkPlan | None) -> None:
        """Emulator `emulator` cuts its streams by `plan` (None: by its own rule again)."""
        with self._lock:
            if plan is None:
                self._plans.pop(emulator, None)
            else:
                self._plans[emulator] = plan

    def get(self, emulator: str) -> ChunkPlan | None:
        """The plan of `emulator`, or None."""
        with self._lock:
            return self._plans.get(emulator)


def middleware(board: PlanBoard, name: str) -> Any:
    """The middleware that serves each request of emulator `name` with its plan."""

    @web.middleware
    async def chunk_plan(request: web.Request, handler: Any) -> web.StreamResponse:
        with serving(board.get(name)):
            return await handler(request)

    return chunk_plan
