"""The answers the harness expects from an emulated model, told to the emulator per cell.

The runner knows what the running scenario expects; the emulated model should answer exactly
that, whatever the prompt says. `AnswerBoard.expect("openai", value)` (or `expecting(...)`
around a cell) sets it for one emulator, or for every emulator with `None`; the middleware
each emulator app gets hands each request a ticket in a context variable, and
`knowledge.answer_for` reads the answer through it. Cells run one at a time per process, so
one script per emulator is enough; clearing it after the cell keeps one cell's answers out
of the next.

A script may hold answers to give first (`first=`: a re-ask scenario's invalid answers): the
emulator serves them in order, one per request that reads an answer, then the expected answer
for every request after. A request reads its answer at most once, and only when it asks for
one: a token exchange, or a request refused before the model answers, takes none. Each
`expect` (each cell) starts its script from the first answer again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web

EVERY = "*"  # the board key of an answer expected from every emulator


@dataclass(frozen=True)
class Expected:
    """An expected answer (a box, so that an expected `None` differs from none set)."""

    value: Any


class _Ticket:
    """One request's claim on its emulator's script: the answer is taken on first read."""

    def __init__(self, take: Callable[[], Expected | None]) -> None:
        self._take = take
        self._read = False
        self._answer: Expected | None = None

    def answer(self) -> Expected | None:
        if not self._read:
            self._answer, self._read = self._take(), True
        return self._answer


_CURRENT: ContextVar[_Ticket | None] = ContextVar("conformance_expected", default=None)


def current() -> Expected | None:
    """The answer expected for the request being served, or None when the harness set none."""
    ticket = _CURRENT.get()
    return ticket.answer() if ticket is not None else None


@contextlib.contextmanager
def serving(expected: Expected | None) -> Iterator[None]:
    """Serve what runs inside with `expected` as the current answer (tests, direct calls)."""
    token = _CURRENT.set(_Ticket(lambda: expected))
    try:
        yield
    finally:
        _CURRENT.reset(token)


@dataclass
class _Script:
    """What one emulator answers in a cell: `answers` in order, the last one from then on."""

    answers: tuple[Expected, ...]
    served: int = 0

    def take(self) -> Expected:
        answer = self.answers[min(self.served, len(self.answers) - 1)]
        self.served += 1
        return answer


class AnswerBoard:
    """The current expected answer of each emulator; thread-safe (set from the runner's thread,
    read from the emulators' loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, _Script] = {}

    def expect(self, emulator: str | None, value: Any, first: Sequence[Any] = ()) -> None:
        """Emulator `emulator` (every emulator for None) answers `first` in order, one per
        request, then `value` until cleared; the script starts afresh."""
        answers = tuple(Expected(v) for v in (*first, value))
        with self._lock:
            self._scripts[emulator or EVERY] = _Script(answers)

    def clear(self, emulator: str | None = None) -> None:
        """Forget the script of `emulator` (None: every script on the board)."""
        with self._lock:
            if emulator is None:
                self._scripts.clear()
            else:
                self._scripts.pop(emulator, None)

    def _script(self, emulator: str) -> _Script | None:
        return self._scripts.get(emulator) or self._scripts.get(EVERY)

    def get(self, emulator: str) -> Expected | None:
        """The answer `emulator`'s next request would get (nothing is taken)."""
        with self._lock:
            script = self._script(emulator)
            return script.answers[min(script.served, len(script.answers) - 1)] \
                if script is not None else None

    def take(self, emulator: str) -> Expected | None:
        """The answer for `emulator`'s request now reading one: the next of its script."""
        with self._lock:
            script = self._script(emulator)
            return script.take() if script is not None else None

    def served(self, emulator: str) -> int:
        """How many answers `emulator` has served from its current script."""
        with self._lock:
            script = self._script(emulator)
            return script.served if script is not None else 0

    @contextlib.contextmanager
    def expecting(self, emulator: str | None, value: Any,
                  first: Sequence[Any] = ()) -> Iterator[None]:
        """`expect` for the duration of the block, cleared after it even when it fails."""
        self.expect(emulator, value, first)
        try:
            yield
        finally:
            self.clear(emulator)


def middleware(board: AnswerBoard, name: str) -> Any:
    """The middleware that gives each request of emulator `name` a ticket to its script."""

    @web.middleware
    async def expected_answer(request: web.Request, handler: Any) -> web.StreamResponse:
        token = _CURRENT.set(_Ticket(lambda: board.take(name)))
        try:
            return await handler(request)
        finally:
            _CURRENT.reset(token)

    return expected_answer
