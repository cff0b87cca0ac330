"""The command line: exit codes and one-line errors that name the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from harness.cli import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args,needle", [
    (("run", "-p", "nope"), "unknown provider 'nope'; valid providers:"),
    (("run", "-m", "xml"), "unknown mode 'xml'; valid modes:"),
    (("run", "-s", "foo"), "unknown scenario 'foo'; valid scenarios:"),
    (("record", "-p", "nope"), "unknown provider 'nope'"),
])
def test_unknown_names_exit_2_with_choices(args: tuple[str, ...], needle: str) -> None:
    proc = _cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert needle in " ".join(proc.stderr.split())


def test_run_writes_results_and_table(tmp_path: Path) -> None:
    proc = _cli("run", "-p", "openai", "-m", "tools", "-s", "sync", "-s", "partial_sync",
                "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["results_version"] == 1
    assert set(data["run"]["versions"]) == {"instructor", "litellm", "pydantic", "vcrpy", "python"}
    by_id = {c["id"]: c for c in data["cells"]}
    assert by_id["openai-tools-sync"]["outcome"] == "pass"
    assert by_id["openai-tools-partial_sync"]["layer"] == "instructor"
    table = (tmp_path / "results.md").read_text()
    assert "| openai     | tools  | ✅ pass | 💥 error (instructor) |" in table


def test_missing_cassettes_exit_1_and_name_the_command(tmp_path: Path) -> None:
    # A project's own scenario with no cassette recorded yet (the guide pack's replay from
    # the cassettes shipped with the package, so they are never missing).
    (tmp_path / "own_scenarios.py").write_text(
        "from pydantic import BaseModel\nfrom harness.scenarios import scenario\n"
        "class Item(BaseModel):\n    name: str\n"
        "scenario('own_item', model=Item, prompt='Extract: a pen', expected={'name': 'pen'})\n")
    proc = _cli("run", "-p", "mistral", "-s", "own_item", "--scenarios", "own_scenarios",
                "--cassettes", str(tmp_path / "none"), "--out", str(tmp_path / "out"),
                cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [c["layer"] for c in data["cells"]] == ["harness"] * 4
    assert "conformance record --provider mistral" in data["cells"][0]["message"]


def test_unwritable_report_folder_exits_2(tmp_path: Path) -> None:
    # A folder below a regular file cannot be created, even by root.
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = _cli("run", "-p", "openai", "-s", "sync", "--out", str(blocker / "reports"))
    assert proc.returncode == 2
    assert "cannot write reports to" in proc.stderr and "--out" in proc.stderr
    assert not (blocker.parent / "results.json").exists()
