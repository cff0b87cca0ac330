"""`conformance init`: a starter project in the current folder, never over an existing file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from harness.commands.init import SCENARIO_FILE, WORKFLOW
from harness.config import KEYS, load
from harness.expected_failures import from_config
from tests.helpers import run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = '[project]\nname = "shop"\nversion = "1.0"\n\n[tool.ruff]\nline-length = 99'


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_an_empty_folder_gets_a_config_an_example_and_a_workflow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_cli("init")
    assert outcome.code == 0, outcome.stderr
    assert set(_files(tmp_path)) == {"pyproject.toml", SCENARIO_FILE, WORKFLOW}
    config = load(tmp_path, env={})
    assert config.root == tmp_path.resolve()
    assert config.scenarios == ("conformance_scenarios",)
    assert config.providers == ("openai", "anthropic") and config.builtin is False
    assert config.cassettes == tmp_path.resolve() / "cassettes"
    (entry,) = from_config(config.expected_failures)
    assert entry.cells == ("anthropic-json-*",) and entry.layer == "litellm"
    assert "\\" not in entry.reason and "Claude answers fenced JSON" in entry.reason
    source = (tmp_path / SCENARIO_FILE).read_text()
    compile(source, SCENARIO_FILE, "exec")
    assert "@field_validator" in source and 'scenario("invoice"' in source
    steps = yaml.safe_load((tmp_path / WORKFLOW).read_text())["jobs"]["conformance"]["steps"]
    runs = [s.get("run") for s in steps]
    assert "pip install llm-conformance-harness" in runs and "conformance run" in runs
    upload = next(s for s in steps if str(s.get("uses", "")).startswith(
        "actions/upload-artifact"))
    assert upload["with"]["path"] == "reports/" and upload["if"] == "always()"
    assert "wrote pyproject.toml" in outcome.stderr


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_pyproject_without_the_table_gets_it_appended(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + ending)
    outcome = run_cli("init")
    assert outcome.code == 0, outcome.stderr
    assert "appended [tool.conformance] to pyproject.toml" in outcome.stderr
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT + "\n\n[tool.conformance]\n")
    data = tomllib.loads(text)
    assert data["project"]["name"] == "shop" and data["tool"]["ruff"]["line-length"] == 99
    assert data["tool"]["conformance"]["scenarios"] == ["conformance_scenarios"]


@pytest.mark.parametrize("existing,needle", [
    ({"pyproject.toml": "[tool.conformance]\nreports = 'out'\n"},
     "pyproject.toml already has [tool.conformance]"),
    ({"pyproject.toml": "[tool.conformance.expected_failures]\n"},
     "pyproject.toml already has [tool.conformance]"),
    ({SCENARIO_FILE: "# mine\n"}, f"{SCENARIO_FILE} exists"),
    ({WORKFLOW: "name: mine\n"}, f"{WORKFLOW} exists"),
    ({"pyproject.toml": PYPROJECT, WORKFLOW: "name: mine\n", SCENARIO_FILE: "# mine\n"},
     f"{SCENARIO_FILE} exists; {WORKFLOW} exists"),
])
def test_anything_taken_means_nothing_is_written(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  existing: dict[str, str], needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in existing.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    before = _files(tmp_path)
    outcome = run_cli("init")
    assert outcome.code == 2
    line = _one_error_line(outcome.stderr)
    assert needle in line and "nothing was written" in line
    assert _files(tmp_path) == before


def test_a_dangling_link_counts_as_taken(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / SCENARIO_FILE).symlink_to(tmp_path / "gone.py")
    outcome = run_cli("init")
    assert outcome.code == 2 and f"{SCENARIO_FILE} exists" in outcome.stderr
    assert not (tmp_path / "pyproject.toml").exists()


def test_an_unreadable_pyproject_is_one_line_and_nothing_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project\nname = 1\n")
    outcome = run_cli("init")
    assert outcome.code == 2
    assert "pyproject.toml: unreadable" in _one_error_line(outcome.stderr)
    assert set(_files(tmp_path)) == {"pyproject.toml"}


def test_testpaths_that_leave_the_example_out_are_pointed_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    outcome = run_cli("init")
    assert outcome.code == 0
    assert f"testpaths leaves out {SCENARIO_FILE}" in " ".join(outcome.stderr.split())


def test_the_readme_configuration_table_lists_every_key() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("**Configuration**", 1)[1].split("Precedence:", 1)[0]
    assert sorted(re.findall(r"^\| `(\w+)` \|", table, re.M)) == sorted(KEYS)
