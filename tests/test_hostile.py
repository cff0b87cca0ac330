"""A hostile server on loopback: nothing it does hangs a run, turns into a capability verdict,
or gets a credential written to disk."""

from __future__ import annotations

import base64
import gzip
import os
import secrets
import string
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from harness.cells import Cell
from harness.emulators.openai_chat import WIRE
from harness.emulators.server import emulator_host
from harness.recording.evidence import wire_fault
from harness.run.runner import Runner, RunSettings
from harness.secrets.planted import fragments
from tests.helpers import emulator_as_live
from tests.hostile import hostile_roots

_ALNUM = string.ascii_letters + string.digits


def _key(prefix: str, n: int = 40) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(n))


def _run(tmp_path: Path, base: str, cell: Cell, timeout: float | None = None) -> tuple[
        object, float]:
    runner = Runner(RunSettings(target="live", cassette_dir=tmp_path / "cassettes",
                                base_url=base, timeout=timeout))
    start = time.monotonic()
    try:
        return runner.run_cell(cell), time.monotonic() - start
    finally:
        runner.close()


@pytest.fixture
def openai_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = _key("sk-proj-", 60)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    return key


@pytest.mark.parametrize("mode,scenario", [("trickle", "sync"), ("pings", "partial_async"),
                                           ("trickle", "async")])
def test_a_server_that_never_finishes_is_bounded_by_the_wall_clock(
        tmp_path: Path, openai_key: str, mode: str, scenario: str) -> None:
    root, _ = hostile_roots()
    result, took = _run(tmp_path, f"{root}/{mode}", Cell("openai", "tools", scenario), 3.0)
    assert took < 12, f"{mode}: the call ran {took:.1f} s past a 3 s bound"
    assert (result.outcome, result.layer) == ("error", "provider"), result.message
    assert result.metrics["transient"].startswith("timeout")
    assert "the call took longer than --timeout 3 s (a wall-clock bound" in result.message


@pytest.mark.parametrize("scenario", ["sync", "async"])
def test_a_cross_origin_redirect_is_never_followed(tmp_path: Path, openai_key: str,
                                                   scenario: str) -> None:
    root, elsewhere = hostile_roots()
    emulator_host().clear_faults("hostile-elsewhere")
    result, _ = _run(tmp_path, f"{root}/redirect", Cell("openai", "tools", scenario), 10.0)
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "provider", "Redirect")
    assert result.message == (f"HTTP 307 redirect from {root} to {elsewhere} (another origin); "
                              f"the harness never follows a redirect with credentials")
    assert emulator_host().seen("hostile-elsewhere") == []  # the key went nowhere
    text = (tmp_path / "cassettes" / "openai" / "tools" / f"{scenario}.yaml").read_text()
    response = yaml.safe_load(text)["interactions"][0]["response"]
    assert response["status"]["code"] == 307
    location = {k.lower(): v for k, v in response["headers"].items()}["location"]
    assert location == [f"{elsewhere}/echo/v1/chat/completions"]  # the other host stays visible


def test_duplicated_stream_events_are_a_wire_fault(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    env, _ = emulator_as_live(["openai"], tmp_path / "keys")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    emulator_host().inject("openai", "duplicate_events")
    runner = Runner(RunSettings(target="live", cassette_dir=tmp_path / "c", timeout=10))
    try:
        result = runner.run_cell(Cell("openai", "tools", "partial_async"))
    finally:
        runner.close()
        emulator_host().clear_faults("openai")
    # Content deltas may repeat on a real wire; the finish chunk never does: that is where the
    # duplication shows (the OpenAI stream's finish chunk, sent twice).
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "provider", "ProviderFault")
    assert result.metrics["wire_fault"].startswith("stream event ")
    assert result.metrics["wire_fault"].endswith(" repeats the event before it (a finish): "
                                                 "events duplicated")


def test_a_corrupt_gzip_body_is_named_as_such() -> None:
    body = gzip.compress(b'{"choices": []}')[:-6] + b"\x00" * 6
    response = {"status": {"code": 200}, "body": {"string": body},
                "headers": {"content-type": ["application/json"]}}
    assert wire_fault([(None, response)], WIRE) == (
        "a gzip-compressed body that does not decompress (corrupt gzip)")


def _written(*folders: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for folder in folders
                     for p in sorted(folder.rglob("*")) if p.is_file())


def test_echoed_credentials_never_reach_disk(tmp_path: Path) -> None:
    root, _ = hostile_roots()
    planted = {"OPENAI_API_KEY": _key("sk-proj-", 60), "AWS_SESSION_TOKEN": _key("IQoJb3Jp", 120),
               "PERPLEXITYAI_API_KEY": _key("pplx-", 48), "CEREBRAS_API_KEY": _key("csk-", 48),
               "FIREWORKS_AI_API_KEY": _key("fw_", 24), "STRIPE_API_KEY": _key("sk_live_", 24),
               "GITLAB_TOKEN": _key("glpat-", 20)}
    gateway = _key("gk", 32)
    env = {**os.environ, **planted, "ECHO_VARIABLES": ",".join(planted)}
    base = f"{root}/echo/gw/{gateway}"
    cli = [sys.executable, "-c", "from harness.cli import main; main()"]
    record = subprocess.run([*cli, "record", "--live", "-p", "openai", "-m", "tools", "-s", "sync",
                             "-s", "async", "--base-url", base, "--timeout", "20",
                             "--out", str(tmp_path / "out"), "--cassettes",
                             str(tmp_path / "cassettes")],
                            env=env, capture_output=True, text=True, timeout=180)
    validate = subprocess.run([*cli, "validate", "-p", "openai", "-m", "tools", "-s", "sync",
                               "--base-url", base, "--json", "--out", str(tmp_path / "validate")],
                              env=env, capture_output=True, text=True, timeout=180)
    written = _written(tmp_path / "out", tmp_path / "cassettes", tmp_path / "validate")
    written += record.stdout + record.stderr + validate.stdout + validate.stderr
    assert "gw/" in written and len(written) > 5_000  # the echo really came back and was kept
    values = [*planted.values(), gateway]
    forms = {v: [v, base64.b64encode(v.encode()).decode()[:-4], v.encode().hex(),
                 quote(v, safe="")] for v in values}
    leaks = sorted({f"{value[:6]}…:{form[:12]}" for value, found in forms.items()
                    for form in found if form in written})
    assert leaks == []
    pieces = sorted({piece for value in values for piece in fragments(value[8:])
                     if piece in written})
    assert pieces == []


def test_a_second_run_on_the_same_reports_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    from harness.run.lock import reports_lock
    from tests.helpers import run_cli

    with reports_lock(tmp_path / "out"):
        outcome = run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync",
                          "--out", str(tmp_path / "out"))
    assert outcome.code == 2
    assert outcome.stderr.strip() == (f"error: another conformance run (pid {os.getpid()}) is "
                                      f"writing to {tmp_path / 'out'}: wait for it to end, or "
                                      f"pass another --out")
    assert not (tmp_path / "out" / "results.journal.jsonl").exists()
    # Once the first run is over, the folder is free again.
    assert run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync",
                   "--out", str(tmp_path / "out")).code == 0


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def test_workers_end_with_a_killed_run(tmp_path: Path) -> None:
    env, _ = emulator_as_live(["openai"], tmp_path / "keys")
    emulator_host().inject("openai", "delay", count=100, seconds=2.0)
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", "from harness.cli import main; main()", "record", "--live",
             "-p", "openai", "--jobs", "3", "--per-provider", "3", "-q",
             "--out", str(tmp_path / "out"), "--cassettes", str(tmp_path / "c")],
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 3:
            time.sleep(0.5)
            workers = _descendants(process.pid)
        assert len(workers) >= 3, "the run never started its workers"
        process.kill()
        process.wait()
        killed_at, alive = time.monotonic(), workers
        while alive and time.monotonic() - killed_at < 15:  # seconds, not the 30+ it was
            time.sleep(0.25)
            alive = {pid for pid in workers if _running(pid)}
        assert alive == set()
    finally:
        emulator_host().clear_faults("openai")
