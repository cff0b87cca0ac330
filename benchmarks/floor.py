"""The floor of a replay: bare instructor + litellm, no harness, replaying a cell's cassette.

For each cell the harness is asked once, before any timing, for what a user would have at
hand anyway: the call's model, messages, response model and litellm kwargs, and the cell's
recorded HTTP exchange, written out as an ordinary vcrpy cassette (vcrpy's own YAML, the
same bytes). The floor is then the user's code: `instructor.from_litellm(...)`, the call,
a loop over a stream, under `vcr.use_cassette` matching on method and path.

    python -m benchmarks.floor    # every default cell, once, cold: the floor of `conformance run`
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_WALL, _CPU = time.perf_counter(), time.process_time()
import instructor  # noqa: E402  (timed: what any replay pays first)
import litellm  # noqa: E402
import vcr  # noqa: E402

IMPORT_WALL_S, IMPORT_CPU_S = time.perf_counter() - _WALL, time.process_time() - _CPU


@dataclass(frozen=True)
class BareCall:
    """One cell as a user would write it, with its cassette in vcrpy's own format."""

    cell_id: str
    cell_class: str  # non-streaming, partial, iterable, raw stream
    kind: str  # create, partial, iterable, raw_stream
    is_async: bool
    mode: Any  # instructor.Mode
    args: dict[str, Any]
    cassette: str
    # The provider's per-cell reset of litellm's process caches (Vertex's OAuth token), so
    # every replay makes the recorded requests, exactly as a run does.
    reset: Callable[[], None] | None
    # The instructor hooks the scenario is about (a user checking them registers handlers).
    hooks: tuple[str, ...] = ()


CLASSES = {"create": "non-streaming", "partial": "partial", "iterable": "iterable",
           "raw_stream": "raw stream"}


def replay_settings() -> Any:
    """The settings `conformance run` replays the project's cells with."""
    from harness.commands.project import project_config
    from harness.run.settings import RunSettings

    config = project_config()
    return RunSettings(target="replay", cassette_dir=config.cassettes,
                       project_root=config.root, develop_packs=config.develop_packs)


def prepare(cells: list[Any], settings: Any, folder: Path) -> list[BareCall]:
    """What the floor needs of `cells`, taken from the harness before anything is timed."""
    from vcr.request import Request
    from vcr.serialize import serialize
    from vcr.serializers import yamlserializer

    from harness.modes import get_mode
    from harness.providers import get_provider
    from harness.recording.cassette import CellCassette, read_cassette
    from harness.run.settings import call_kwargs, cell_cassette
    from harness.scenarios import get_scenario

    out = []
    for cell in cells:
        provider, scenario = get_provider(cell.provider), get_scenario(cell.scenario)
        path = cell_cassette(settings, cell.provider, cell.mode, scenario)
        if not path.is_file():
            continue  # nothing recorded: no floor to measure
        recorded, provenance = read_cassette(path)
        state = CellCassette(path)
        state.loaded = provenance
        model, kwargs = call_kwargs(settings, provider, state)
        args = {"model": model, "messages": scenario.conversation(),
                "response_model": scenario.response_model, **kwargs}
        if scenario.max_retries is not None:
            args["max_retries"] = scenario.max_retries
        copy = folder / f"{cell.cell_id}.yaml"
        requests = [Request._from_dict(i["request"]) for i in recorded["interactions"]]
        responses = [i["response"] for i in recorded["interactions"]]
        copy.write_text(serialize({"requests": requests, "responses": responses},
                                  yamlserializer), encoding="utf-8")
        out.append(BareCall(cell.cell_id, CLASSES[scenario.kind], scenario.kind,
                            scenario.is_async, get_mode(cell.mode).mode, args, str(copy),
                            provider.before_cell,
                            tuple(name for name, _ in getattr(scenario, "hooks", ()))))
    return out


def bare_vcr() -> Any:
    """A replay-only VCR, as a user's test suite would configure one."""
    return vcr.VCR(record_mode="none", match_on=["method", "path"])


def _client(completion: Any, call: BareCall) -> Any:
    client = instructor.from_litellm(completion, mode=call.mode)
    seen: list[str] = []
    for name in call.hooks:
        # The scenario names its hooks as strings; instructor types them as a Literal.
        client.on(name, lambda *a, _name=name, **k: seen.append(_name))  # type: ignore[arg-type]
    return client


async def _call_async(call: BareCall) -> None:
    client = _client(litellm.acompletion, call)
    if call.kind == "create":
        await client.create(**call.args)
    elif call.kind == "partial":
        async for _ in client.create_partial(**call.args):
            pass
    else:
        async for _ in client.create_iterable(**call.args):
            pass


def _call_sync(call: BareCall) -> None:
    client = _client(litellm.completion, call)
    if call.kind in ("create", "raw_stream"):
        sent: list[dict[str, Any]] = []
        if call.kind == "raw_stream":
            client.on("completion:kwargs", lambda *a, **k: sent.append(k))
        client.create(**call.args)
        if sent:  # the same request with stream=True, straight through litellm
            again = {k: v for k, v in sent[-1].items() if k != "stream"}
            for _ in litellm.completion(**again, stream=True):
                pass
    elif call.kind == "partial":
        for _ in client.create_partial(**call.args):
            pass
    else:
        for _ in client.create_iterable(**call.args):
            pass


def replay(call: BareCall, recorder: Any, loop: asyncio.AbstractEventLoop) -> str | None:
    """Replay one cell bare; the exception type it ended with, or None."""
    if call.reset is not None:
        call.reset()
    with recorder.use_cassette(call.cassette):
        try:
            if call.is_async:
                loop.run_until_complete(_call_async(call))
            else:
                _call_sync(call)
        except Exception as exc:  # a failing call is the user's result too
            return type(exc).__name__
    return None


def close(loop: asyncio.AbstractEventLoop) -> None:
    """Release the loop as asyncio.run would (litellm leaves its logging worker on it)."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def main() -> int:
    """Every default cell once, cold, in this fresh process; JSON on stdout."""
    from harness.cells import select_cells

    litellm.suppress_debug_info = True
    settings = replay_settings()
    with tempfile.TemporaryDirectory() as folder:
        calls = prepare(select_cells(), settings, Path(folder))
        recorder, loop = bare_vcr(), asyncio.new_event_loop()
        wall, cpu = time.perf_counter(), time.process_time()
        for call in calls:
            replay(call, recorder, loop)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        close(loop)
    print("\n" + json.dumps({"import_wall_s": IMPORT_WALL_S, "import_cpu_s": IMPORT_CPU_S,
                             "cells": len(calls), "cells_wall_s": wall, "cells_cpu_s": cpu}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
