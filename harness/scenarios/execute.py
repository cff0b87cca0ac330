"""Run one scenario through instructor + litellm exactly as a user would."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import instructor
import litellm

from harness.scenarios import hooks
from harness.scenarios.base import Observation, Scenario
from harness.scenarios.probe import ChunkCounter, count_chunks


def _capture_kwargs(observation: Observation) -> Callable[..., None]:
    def hook(*args: Any, **kwargs: Any) -> None:
        # instructor emits completion:kwargs with the exact kwargs handed to litellm.
        first = args[0] if args and isinstance(args[0], dict) else {}
        sent = dict(kwargs) if kwargs else dict(first)
        # Kept in memory only (raw_stream re-sends it); never written to results or logs.
        observation.sent_kwargs.append(copy.deepcopy(sent))
    return hook


class ContractViolation(TypeError):
    """A library returned something other than its documented type: that layer is at fault."""

    def __init__(self, layer: str, message: str) -> None:
        super().__init__(message)
        self.layer = layer


def _sync_iterable(obj: Any, call: str) -> Any:
    # The sync client documents a Generator; a user's `for` loop needs __iter__.
    if not hasattr(obj, "__iter__"):
        raise ContractViolation(
            "instructor", f"sync {call}() returned {type(obj).__name__}, not an iterator: "
                          f"a sync 'for' loop over it fails")
    return obj


def _async_iterable(obj: Any, call: str) -> Any:
    if not hasattr(obj, "__aiter__"):
        raise ContractViolation(
            "instructor", f"async {call}() returned {type(obj).__name__}, not an async "
                          f"iterator: an 'async for' loop over it fails")
    return obj


def _capture_response(observation: Observation) -> Callable[..., None]:
    def hook(response: Any, *args: Any, **kwargs: Any) -> None:
        # Non-streamed answers: keep the payload litellm handed to instructor (the last
        # attempt's, when instructor re-asked).
        try:
            message = response.choices[0].message
        except (AttributeError, IndexError, TypeError):
            return
        parts = [getattr(message, "content", None) or ""]
        for call in getattr(message, "tool_calls", None) or []:
            parts.append(getattr(call.function, "arguments", None) or "")
        observation.delivered_text = "".join(parts)
    return hook


def _call_args(scenario: Scenario, model: str, call_kwargs: dict[str, Any]) -> dict[str, Any]:
    args = dict(model=model, messages=scenario.conversation(),
                response_model=scenario.response_model, **call_kwargs)
    if scenario.max_retries is not None:
        args["max_retries"] = scenario.max_retries
    return args


def _dump(obj: Any) -> Any:
    # JSON values, as the expected answers are written: an enum's value, a date's ISO text.
    return obj.model_dump(mode="json")


def _client(completion: Any, mode: instructor.Mode, observation: Observation) -> Any:
    """instructor's client over `completion`, with every hook recorded as a user would."""
    client = instructor.from_litellm(completion, mode=mode)
    client.on("completion:kwargs", _capture_kwargs(observation))
    client.on("completion:response", _capture_response(observation))
    hooks.register(client, observation.hook_calls)
    return client


def _record(observation: Observation, obj: Any, counter: ChunkCounter, start: float) -> None:
    observation.yielded.append(_dump(obj))
    observation.chunks_at_yield.append(counter.count)
    observation.seconds_at_yield.append(time.perf_counter() - start)


def _finish(observation: Observation, counter: ChunkCounter) -> None:
    if counter.unavailable and counter.unavailable not in observation.notes:
        observation.notes.append(counter.unavailable)
    observation.chunks_total = counter.count
    observation.payload_deltas = counter.payload_deltas
    if counter.delivered and not observation.raw_deltas:
        observation.delivered_text = "".join(counter.delivered)


def _raw_stream(observation: Observation) -> None:
    # Re-send instructor's exact litellm kwargs with stream=True, bypassing instructor, and
    # keep each payload delta litellm yields: does the provider stream the payload itself?
    from harness.scenarios.probe import payload_text_of_delta

    sent = dict(observation.sent_kwargs[-1])
    sent.pop("stream", None)
    for chunk in litellm.completion(**sent, stream=True):
        text = payload_text_of_delta(chunk)
        if text:
            observation.raw_deltas.append(text)


def run_sync(scenario: Scenario, mode: instructor.Mode, model: str,
             call_kwargs: dict[str, Any], observation: Observation) -> Observation:
    """The sync scenarios: from_litellm(litellm.completion); fills `observation` as it goes."""
    client = _client(litellm.completion, mode, observation)
    args = _call_args(scenario, model, call_kwargs)
    start = time.perf_counter()
    with count_chunks() as counter:
        try:
            if scenario.kind in ("create", "raw_stream"):
                observation.final = _dump(client.create(**args))
                if scenario.kind == "raw_stream":
                    _raw_stream(observation)
            elif scenario.kind == "partial":
                for partial in _sync_iterable(client.create_partial(**args), "create_partial"):
                    _record(observation, partial, counter, start)
                observation.final = observation.yielded[-1] if observation.yielded else None
            else:
                for item in _sync_iterable(client.create_iterable(**args), "create_iterable"):
                    _record(observation, item, counter, start)
                observation.final = list(observation.yielded)
        finally:
            _finish(observation, counter)
    return observation


async def run_async(scenario: Scenario, mode: instructor.Mode, model: str,
                    call_kwargs: dict[str, Any], observation: Observation) -> Observation:
    """The async scenarios: from_litellm(litellm.acompletion); fills `observation` as it goes."""
    client = _client(litellm.acompletion, mode, observation)
    args = _call_args(scenario, model, call_kwargs)
    start = time.perf_counter()
    with count_chunks() as counter:
        try:
            if scenario.kind == "create":
                observation.final = _dump(await client.create(**args))
            elif scenario.kind == "partial":
                partials = _async_iterable(client.create_partial(**args), "create_partial")
                async for partial in partials:
                    _record(observation, partial, counter, start)
                observation.final = observation.yielded[-1] if observation.yielded else None
            else:
                items = _async_iterable(client.create_iterable(**args), "create_iterable")
                async for item in items:
                    _record(observation, item, counter, start)
                observation.final = list(observation.yielded)
        finally:
            _finish(observation, counter)
    return observation


class CallTimeout(Exception):
    """The whole call, streams included, outlived its wall-clock bound (--timeout)."""


def _timed_out(seconds: float) -> CallTimeout:
    return CallTimeout(f"the call took longer than --timeout {seconds:g} s (a wall-clock bound "
                       f"on the whole call, streams included)")


@contextlib.contextmanager
def wall_clock(seconds: float | None, fired: list[bool] | None = None) -> Iterator[None]:
    """Raise CallTimeout in this (main) thread once `seconds` have passed, whatever it waits on.

    A socket read timeout bounds one read; a server trickling a byte every second, or sending
    keep-alive pings forever, never trips it. SIGALRM interrupts the blocked read itself.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        if fired is not None:
            fired.append(True)  # libraries rewrap what we raise ("Connection error"): say it
        raise _timed_out(seconds)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_scenario(scenario: Scenario, mode: instructor.Mode, model: str,
                 call_kwargs: dict[str, Any], loop: asyncio.AbstractEventLoop,
                 observation: Observation, timeout: float | None = None) -> Observation:
    """Run a scenario; async ones on the runner's long-lived event loop.

    `observation` is filled as the call proceeds, so it keeps what was seen when it raises.
    `timeout` bounds the whole call in wall-clock seconds (CallTimeout).
    """
    if scenario.is_async:
        coro = run_async(scenario, mode, model, call_kwargs, observation)
        start = time.monotonic()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, timeout) if timeout else coro)
        except (Exception, asyncio.CancelledError):
            # wait_for cancels the call at the deadline; libraries rewrap the cancellation.
            if timeout and time.monotonic() - start >= timeout:
                raise _timed_out(timeout) from None
            raise
    fired: list[bool] = []
    try:
        with wall_clock(timeout, fired):
            return run_sync(scenario, mode, model, call_kwargs, observation)
    except Exception as exc:
        if fired and timeout and not isinstance(exc, CallTimeout):
            # `from None`: the library's rewrap is kept as context, not named the cause.
            raise _timed_out(timeout) from None
        raise
