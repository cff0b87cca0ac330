"""The live path end to end against a real llama.cpp server and model: record, replay,
validate, and the secret scan of everything written (marker live_local)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from harness.llamacpp import cache_paths

pytestmark = pytest.mark.live_local
_PATHS = cache_paths()
if not (_PATHS.server_binary.is_file() and _PATHS.model.is_file()):
    pytest.skip(f"llama-server or model missing in {_PATHS.root}: run 'conformance llamacpp "
                f"setup'", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server_root() -> Iterator[str]:
    from harness.llamacpp import LlamaServer, running_server

    existing = running_server()
    if existing is not None:  # reuse a server someone started (conformance llamacpp start)
        yield existing.root_url
        return
    with LlamaServer() as server:
        yield server.root_url


def _cli(root: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
           "CONFORMANCE_LLAMACPP_BASE_URL": root}
    return subprocess.run([sys.executable, "-c", "from harness.cli import main; main()", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_record_replay_validate_and_scan(server_root: str, tmp_path: Path) -> None:
    cassettes, live_out, replay_out = tmp_path / "c", tmp_path / "live", tmp_path / "replay"
    cells = ("-p", "llamacpp", "-m", "json_schema", "-s", "sync", "-s", "partial_async")
    recorded = _cli(server_root, "record", "--live", *cells, "--cassettes", str(cassettes),
                    "--out", str(live_out), "--quiet")
    assert recorded.returncode == 0, recorded.stderr
    live = {c["id"]: c for c in json.loads((live_out / "results.json").read_text())["cells"]}
    assert set(live) == {"llamacpp-json_schema-sync", "llamacpp-json_schema-partial_async"}
    assert all(c["target"] == "live" for c in live.values())
    # A real model answered: its JSON is grammar-constrained, so at least the schema holds.
    doc = yaml.safe_load((cassettes / "llamacpp/json_schema/sync.yaml").read_text())
    assert doc["provenance"]["target"] == "live"
    assert doc["provenance"]["reported_model"] == "smollm2-135m-instruct"
    assert doc["provenance"]["measured"]["latency_s"] > 0
    body = doc["interactions"][0]["response"]["parsed_body"]
    assert body["timings"]["predicted_n"] > 0  # real tokens, counted by the server

    # The same cells replay offline, with the live verdicts.
    env_free = _cli("http://replay.invalid", "run", *cells, "--cassettes", str(cassettes),
                    "--out", str(replay_out))
    assert env_free.returncode == 0, env_free.stderr
    replay = {c["id"]: c for c in json.loads((replay_out / "results.json").read_text())["cells"]}
    for cell_id, cell in live.items():
        assert replay[cell_id]["outcome"] == cell["outcome"], cell_id
        assert replay[cell_id]["metrics"]["live_timing"]["generated_tokens"] > 0

    # Pre-deploy validation against the live server: a decision and a machine-readable form.
    validated = _cli(server_root, "validate", "-p", "llamacpp", "-m", "json_schema", "-s", "sync",
                     "--json")
    report = json.loads(validated.stdout)
    assert validated.returncode == (0 if report["go"] else 1)
    assert [c["cell"] for c in report["cells"]] == ["llamacpp-json_schema-sync"]

    # Nothing credential-like was written.
    scanned = _cli(server_root, "scan-secrets", str(cassettes), str(live_out), str(replay_out))
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
