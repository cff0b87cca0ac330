"""Emulators start once per process (a worker, an xdist worker), never per cell, each on a
port of its own; --emulator-latency makes every answer wait, as a provider would."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from harness.cells import Cell
from harness.emulators import server
from harness.emulators.server import emulator_host, set_latency
from harness.providers import PROVIDERS
from harness.run import worker
from harness.run.settings import RunSettings
from tests.emulator_worker import serve_every_emulator
from tests.helpers import run_cli

EMULATED = [p for p in PROVIDERS if p.emulator is not None]


def test_two_worker_processes_serve_every_emulator_on_ports_of_their_own() -> None:
    context = multiprocessing.get_context("spawn")  # fresh interpreters, like any worker
    with context.Pool(2) as pool:
        a, b = pool.map(serve_every_emulator, [0, 1])
    assert a["pid"] != b["pid"]
    for found in (a, b):
        assert found["again"] == found["first"]  # asked twice, started once
        assert found["started"] == found["first"]
        assert set(found["first"]) == {p.name for p in EMULATED}
        assert all(400 <= code < 500 for code in found["answered"].values())
        assert len(found["answered"]) == len(EMULATED)
    ports = [url.rsplit(":", 1)[1] for found in (a, b) for url in found["first"].values()]
    assert len(ports) == len(set(ports)) == 2 * len(EMULATED)  # no clash, none shared


def test_a_process_recording_many_cells_starts_each_emulator_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[str] = []
    original = server.EmulatorHost._start

    async def counted(self: server.EmulatorHost, name: str, factory: Any) -> str:
        starts.append(name)
        return await original(self, name, factory)

    monkeypatch.setattr(server.EmulatorHost, "_start", counted)
    monkeypatch.setattr(server, "_host", None)  # this test's own host, closed at its end
    worker.close()
    worker.init(RunSettings(target="emulator", cassette_dir=tmp_path, record_mode="rewrite"))
    try:
        results = [worker.attempt(Cell("gemini", mode, scenario), "target")
                   for mode in ("tools", "json") for scenario in ("sync", "async", "nested")]
        started = emulator_host().started()
    finally:
        worker.close()
        emulator_host().close()
    assert [r["outcome"] for r in results] == ["pass"] * 6
    assert starts == ["gemini"]  # six cells, one start
    assert list(started) == ["gemini"]


def test_the_latency_knob_delays_every_answer_but_the_control_route(
        monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float, *args: Any) -> Any:
        waits.append(seconds)
        return await real_sleep(0)

    monkeypatch.setattr(server.asyncio, "sleep", sleep)
    provider = next(p for p in EMULATED if p.name == "openai")
    assert provider.emulator is not None
    root = emulator_host().url("openai", provider.emulator)
    try:
        set_latency(0.35)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{root}/no/such/route", timeout=10)
        body = json.dumps({"fault": "rate_limit", "count": 0}).encode()
        control = urllib.request.Request(f"{root}/__conformance__/faults", data=body,
                                         method="DELETE")
        urllib.request.urlopen(control, timeout=10).read()
        assert waits == [0.35]  # the answer waited; the control route did not
        set_latency(0)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{root}/no/such/route", timeout=10)
        assert waits == [0.35]
    finally:
        set_latency(0)


def test_an_emulator_run_sets_the_latency_of_its_process() -> None:
    try:
        worker.init(RunSettings(target="emulator", emulator_latency=0.25))
        assert server._LATENCY == 0.25
        worker.init(RunSettings(target="emulator"))
        assert server._LATENCY == 0.0
    finally:
        set_latency(0)
        worker.close()


def test_latency_is_for_the_emulators_not_a_live_run() -> None:
    outcome = run_cli("record", "--live", "-p", "openai", "--emulator-latency", "0.2")
    assert outcome.code == 2
    assert "--emulator-latency slows the local emulators" in outcome.stderr
