"""Run emulator apps on 127.0.0.1 in a background thread: one server per provider, per process."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aiohttp import web

from harness.emulators import answers, chunking
from harness.emulators.injection import CONTROL_PATH, FaultBoard, Seen, middleware

AppFactory = Callable[[], web.Application]
# Seconds every emulator of this process waits before each answer: a provider's latency, so
# a timing run (benchmarks/performance.py) measures waiting on a provider, not only CPU.
_LATENCY = 0.0


def set_latency(seconds: float) -> None:
    """Make every emulator of this process wait `seconds` before each answer (0: none)."""
    global _LATENCY
    _LATENCY = max(0.0, float(seconds))


@web.middleware
async def _with_latency(request: web.Request, handler: Any) -> web.StreamResponse:
    if _LATENCY and request.path != CONTROL_PATH:
        await asyncio.sleep(_LATENCY)
    return await handler(request)


class EmulatorHost:
    """An event loop in a daemon thread that serves emulator apps on free loopback ports."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="emulators",
                                        daemon=True)
        self._thread.start()
        self._runners: dict[str, web.AppRunner] = {}
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()
        self.faults = FaultBoard()
        self.answers = answers.AnswerBoard()
        self.plans = chunking.PlanBoard()

    def url(self, name: str, factory: AppFactory) -> str:
        """The root URL of emulator `name`, starting it on first use."""
        with self._lock:
            if name not in self._urls:
                future = asyncio.run_coroutine_threadsafe(self._start(name, factory), self._loop)
                self._urls[name] = future.result(timeout=30)
            return self._urls[name]

    def started(self) -> dict[str, str]:
        """The emulators serving in this process: name -> root URL (each started once)."""
        with self._lock:
            return dict(self._urls)

    def inject(self, name: str, fault: str, count: int = 1, **params: object) -> None:
        """Give the next `count` requests to emulator `name` the fault `fault` (see faults.py)."""
        self.faults.inject(name, fault, count, **params)

    def expect(self, name: str | None, value: Any, first: Sequence[Any] = ()) -> None:
        """Emulator `name` (every emulator for None) answers `first` in order, one per
        request, then `value` until `clear_expected`."""
        self.answers.expect(name, value, first)

    def clear_expected(self, name: str | None = None) -> None:
        """Forget the expected answer of emulator `name` (None: of every emulator)."""
        self.answers.clear(name)

    @contextlib.contextmanager
    def expecting(self, name: str | None, value: Any,
                  first: Sequence[Any] = ()) -> Iterator[None]:
        """Emulator `name` answers `first` then `value` inside the block (one cell), and
        only there; the script starts afresh each time."""
        with self.answers.expecting(name, value, first):
            yield

    @contextlib.contextmanager
    def chunked(self, name: str, plan: chunking.ChunkPlan | None) -> Iterator[None]:
        """Emulator `name` cuts its streams by `plan` inside the block (chunking.py)."""
        self.plans.set(name, plan)
        try:
            yield
        finally:
            self.plans.set(name, None)

    def clear_faults(self, name: str | None = None) -> None:
        """Drop pending faults and recorded requests (of emulator `name`, or all)."""
        self.faults.clear(name)

    def seen(self, name: str) -> list[Seen]:
        """The requests emulator `name` received (headers and bodies as they arrived)."""
        return self.faults.seen(name)

    async def _start(self, name: str, factory: AppFactory) -> str:
        app = factory()
        # Every emulator gets fault injection the same way, whatever its wire format.
        app.middlewares.insert(0, middleware(self.faults, name))
        # Then the harness's expected answer (a fault fetching the real answer passes here too).
        app.middlewares.insert(1, answers.middleware(self.answers, name))
        app.middlewares.insert(2, chunking.middleware(self.plans, name))
        app.middlewares.insert(0, _with_latency)  # outermost: a fault's answer waits too
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)  # port 0: the OS picks a free port
        await site.start()
        self._runners[name] = runner
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    def close(self) -> None:
        """Stop every server and the loop."""
        async def _stop() -> None:
            for runner in self._runners.values():
                await runner.cleanup()
        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


_host: EmulatorHost | None = None
_host_lock = threading.Lock()


def emulator_host() -> EmulatorHost:
    """The process-wide emulator host (emulators start once per process, not once per cell)."""
    global _host
    with _host_lock:
        if _host is None:
            _host = EmulatorHost()
        return _host
