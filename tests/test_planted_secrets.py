"""Record every registered provider live (the emulators standing in) with planted realistic keys:
no key, no 8-character piece of one, and no credential seen on the wire reaches any file written,
and the cassettes replay with no credentials set at all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from harness.cells import Cell
from harness.emulators.server import emulator_host
from harness.providers import PROVIDERS
from harness.results import load_results
from harness.run.runner import Runner, RunSettings
from harness.run.targets import base_url_var
from harness.secrets.planted import fragments
from harness.secrets.variables import is_secret_variable
from tests.helpers import emulator_as_live

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = ("sync", "partial_async")
# Every provider with a secret to plant and an emulator to stand in for it live (and a tools
# mode to record).
PLANTED = [p.name for p in PROVIDERS if p.emulator is not None and "tools" in p.modes
           and any(is_secret_variable(v) for v in p.credentials)]
_WIRE_HEADERS = ("authorization", "api-key", "x-api-key", "x-goog-api-key",
                 "x-amz-security-token")


@dataclass
class Planted:
    """What the planted run used and left behind."""

    folder: Path
    secrets: list[str]
    providers: list[str]
    written: str  # every byte of every file written, and the run's whole output


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    folder = tmp_path_factory.mktemp("planted")
    emulator_host().clear_faults()
    names = PLANTED
    (folder / "keys").mkdir()
    env, secrets = emulator_as_live(names, folder / "keys")
    args = [sys.executable, "-c", "from harness.cli import main; main()", "record", "--live",
            "--record-mode", "rewrite", "--timeout", "30", "--verbose", "--jobs", "3",
            "--out", str(folder / "out"), "--cassettes", str(folder / "cassettes")]
    for name in names:
        args += ["-p", name]
    for scenario in SCENARIOS:
        args += ["-s", scenario]
    args += ["-m", "tools"]  # credentials travel the same way whatever the mode
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env, "COLUMNS": "200"})
    (folder / "out" / "run.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode in (0, 1), proc.stderr
    written = "".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*"))
                      if p.is_file() and "keys" not in p.parts)
    return Planted(folder, secrets, names, written)


def _wire_credentials(provider: str) -> list[str]:
    """Credentials as they crossed the wire: keys, bearer tokens, SigV4 parts, assertions."""
    found = []
    for seen in emulator_host().seen(provider):
        headers = {k.lower(): v for k, v in seen.headers.items()}
        for name in _WIRE_HEADERS:
            value = headers.get(name, "")
            if value.startswith("AWS4-HMAC-SHA256"):
                found += re.findall(r"Credential=([A-Z0-9]{16,})/", value)
                found += re.findall(r"Signature=([0-9a-f]{64})", value)
            elif value:
                found.append(value.split(" ", 1)[-1])
        found += [v for k, v in parse_qsl(urlsplit(seen.path_qs).query) if k == "key"]
        if b"assertion=" in seen.body:
            found += [v for k, v in parse_qsl(seen.body.decode()) if k == "assertion"]
    return [v for v in found if len(v) >= 12]


def test_every_provider_with_a_key_is_planted() -> None:
    # Left out: the local servers with no key. llamacpp has no emulator either (its live test,
    # tests/test_live_local.py, scans what it writes for secrets); ollama's only credential is
    # where the server listens.
    assert sorted({p.name for p in PROVIDERS} - set(PLANTED)) == ["llamacpp", "ollama"]


@pytest.mark.parametrize("provider", PLANTED)
def test_the_planted_credentials_really_crossed_the_wire(planted: Planted, provider: str) -> None:
    wire = _wire_credentials(provider)
    assert wire, f"{provider}: the emulator saw no credential: the live run did not reach it"
    results = load_results(planted.folder / "out" / "results.json")
    ours = [c for c in results.cells.values() if c.provider == provider]
    assert len(ours) == len(SCENARIOS) and all(c.target == "live" for c in ours)
    assert all(c.outcome != "skipped" for c in ours)


def test_no_planted_key_nor_any_8_character_piece_is_written(planted: Planted) -> None:
    assert planted.secrets and len(planted.written) > 10_000
    leaks = sorted({piece for secret in planted.secrets for piece in fragments(secret)
                    if piece in planted.written})
    assert leaks == []


def test_no_credential_seen_on_the_wire_is_written(planted: Planted) -> None:
    # Derived credentials too: SigV4 signatures, OAuth assertions, tokens the emulator issued.
    wire = {v for name in planted.providers for v in _wire_credentials(name)}
    assert len(wire) >= len(planted.providers)
    assert sorted(v[:6] + "…" for v in wire if v in planted.written) == []


def test_the_cassettes_carry_live_provenance_and_replay_with_no_credentials(
        planted: Planted, monkeypatch: pytest.MonkeyPatch) -> None:
    for provider in PROVIDERS:
        for name in provider.credentials:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(base_url_var(provider.name), raising=False)
    recorded = load_results(planted.folder / "out" / "results.json")
    runner = Runner(RunSettings(target="replay", cassette_dir=planted.folder / "cassettes"))
    try:
        for name in planted.providers:
            for scenario in SCENARIOS:
                cell = Cell(name, "tools", scenario)
                before = recorded.cells[cell.cell_id]
                text = (planted.folder / "cassettes" / name / cell.mode /
                        f"{scenario}.yaml").read_text()
                assert "  target: live\n" in text and "  recorded_at: '" in text
                again = runner.run_cell(cell)
                assert (again.outcome, again.layer) == (before.outcome, before.layer), \
                    f"{cell.cell_id}: {again.message}"
    finally:
        runner.close()
