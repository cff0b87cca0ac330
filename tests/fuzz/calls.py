"""One fuzz call: instructor + litellm against a provider's emulator, exactly as a user calls them.

The emulators run on loopback in the process-wide host (started once per process, not per
example); the emulator is told the generated answer and, for a stream, the drawn chunk plan.
Async calls run on one long-lived event loop, as the harness's runner does (litellm keeps its
async clients per loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import instructor
import litellm
from pydantic import BaseModel

from harness.emulators.chunking import ChunkPlan
from harness.emulators.server import emulator_host
from harness.modes import get_mode
from harness.providers import get_provider
from tests.fuzz.models import Case, build
from tests.fuzz.wires import Target

PROMPT = [{"role": "user", "content": "Fill in the object from this text."}]


@functools.cache
def _route(provider: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    entry = get_provider(provider)
    root = emulator_host().url(provider, entry.emulator)  # type: ignore[arg-type]
    kwargs = {**entry.extra_kwargs, **entry.point_at(root), **entry.fake_credentials(root),
              "num_retries": 0}
    return entry.model_string(), tuple(kwargs.items())


@functools.cache
def loop() -> asyncio.AbstractEventLoop:
    """The event loop every async fuzz call runs on (one per process)."""
    return asyncio.new_event_loop()


@contextlib.contextmanager
def _serving(target: Target, case: Case, plan: ChunkPlan | None) -> Iterator[dict[str, Any]]:
    model, kwargs = _route(target.provider)
    host = emulator_host()
    with host.expecting(target.provider, case.answer()), host.chunked(target.provider, plan):
        yield dict(model=model, messages=PROMPT, response_model=build(case.model),
                   max_retries=0, **dict(kwargs))


def _client(target: Target, is_async: bool) -> Any:
    completion = litellm.acompletion if is_async else litellm.completion
    return instructor.from_litellm(completion, mode=get_mode(target.mode).mode)


def create(target: Target, case: Case) -> BaseModel:
    """`create`, sync or async (target.call 'create' / 'create_async')."""
    with _serving(target, case, None) as args:
        if target.call == "create_async":
            return loop().run_until_complete(_client(target, True).create(**args))
        return _client(target, False).create(**args)


def stream(target: Target, case: Case, plan: ChunkPlan) -> list[BaseModel]:
    """Every object `create_partial` or `create_iterable` yields, in order (sync or async)."""
    with _serving(target, case, plan) as args:
        kind = "create_partial" if target.call.startswith("partial") else "create_iterable"
        if target.call.endswith("_sync"):
            return list(getattr(_client(target, False), kind)(**args))

        async def collect() -> list[BaseModel]:
            return [obj async for obj in getattr(_client(target, True), kind)(**args)]

        return loop().run_until_complete(collect())
