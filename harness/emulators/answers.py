"""The answer the harness expects from an emulated model, told to the emulator per cell.

The runner knows what the running scenario expects; the emulated model should answer exactly
that, whatever the prompt says. `AnswerBoard.expect("openai", value)` (or `expecting(...)`
around a cell) sets it for one emulator, or for every emulator with `None`; the middleware
each emulator app gets puts it in a context variable for the request, where
`knowledge.answer_for` reads it. Cells run one at a time per process, so one current answer
per emulator is enough; clearing it after the cell keeps one cell's answer out of the next.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web

EVERY = "*"  # the board key of an answer expected from every emulator


@dataclass(frozen=True)
class Expected:
    """An expected answer (a box, so that an expected `None` differs from none set)."""

    value: Any


_CURRENT: ContextVar[Expected | None] = ContextVar("conformance_expected", default=None)


def current() -> Expected | None:
    """The answer expected for the request being served, or None when the harness set none."""
    return _CURRENT.get()


@contextlib.contextmanager
def serving(expected: Expected | None) -> Iterator[None]:
    """Serve what runs inside with `expected` as the current answer (tests, direct calls)."""
    token = _CURRENT.set(expected)
    try:
        yield
    finally:
        _CURRENT.reset(token)


class AnswerBoard:
    """The current expected answer of each emulator; thread-safe (set from the runner's thread,
    read from the emulators' loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expected: dict[str, Expected] = {}

    def expect(self, emulator: str | None, value: Any) -> None:
        """Emulator `emulator` (every emulator for None) answers `value` until cleared."""
        with self._lock:
            self._expected[emulator or EVERY] = Expected(value)

    def clear(self, emulator: str | None = None) -> None:
        """Forget the expected answer of `emulator` (None: every answer on the board)."""
        with self._lock:
            if emulator is None:
                self._expected.clear()
            else:
                self._expected.pop(emulator, None)

    def get(self, emulator: str) -> Expected | None:
        """The answer `emulator` is expected to give: its own, else the one for every emulator."""
        with self._lock:
            return self._expected.get(emulator) or self._expected.get(EVERY)

    @contextlib.contextmanager
    def expecting(self, emulator: str | None, value: Any) -> Iterator[None]:
        """`expect` for the duration of the block, cleared after it even when it fails."""
        self.expect(emulator, value)
        try:
            yield
        finally:
            self.clear(emulator)


def middleware(board: AnswerBoard, name: str) -> Any:
    """The middleware that serves each request of emulator `name` with its expected answer."""

    @web.middleware
    async def expected_answer(request: web.Request, handler: Any) -> web.StreamResponse:
        with serving(board.get(name)):
            return await handler(request)

    return expected_answer
