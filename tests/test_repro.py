"""`conformance repro`: standalone scripts that reproduce each failing library class with only
instructor and litellm installed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from harness.repro.build import classes
from harness.results import load_results
from tests.helpers import run_cli

REPORTS = Path(__file__).resolve().parents[1] / "reports"


def test_one_reproduction_per_failing_library_class() -> None:
    chosen = classes(load_results(REPORTS / "results.json"))
    assert [(entry.name, cell.cell_id) for entry, cell in chosen] == [
        ("sync create_partial returns an async generator", "openai-json-partial_sync"),
        ("sync create_iterable returns an async generator", "openai-json-iterable_sync"),
        ("anthropic json_object dropped: strict parse of fenced JSON", "anthropic-json-async"),
        ("anthropic json_object dropped: partial JSON of fenced text",
         "anthropic-json-partial_async"),
        ("bedrock json_object dropped: strict parse of fenced JSON", "bedrock-json-async"),
        ("bedrock json_object dropped: partial JSON of fenced text",
         "bedrock-json-partial_async"),
        ("cohere response_format refused", "cohere-json-async"),
        ("cohere v2 stream unreadable", "cohere-md_json-iterable_async"),
        # A `fail` (cohere's re-ask taking one attempt more) shows no exception: no script.
        ("cohere re-ask: forced tool_choice dropped, retries run out",
         "cohere-tools-reask_twice")]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("repros")
    outcome = run_cli("repro", "--results", str(REPORTS / "results.json"), "--out", str(folder))
    assert outcome.code == 0, outcome.stderr
    return folder


def test_a_script_imports_nothing_of_the_harness(scripts: Path) -> None:
    for path in scripts.glob("*.py"):
        imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in (node.names if isinstance(node, ast.Import)
                                  else [ast.alias(node.module or "")])}
        assert imported <= {"base64", "json", "os", "sys", "threading", "traceback", "http",
                            "typing", "instructor", "litellm", "pydantic", "asyncio"}, path
        summary = path.with_suffix(".md").read_text()
        assert summary.startswith("## ") and f"python {path.name}" in summary


def test_an_unknown_cell_is_one_line() -> None:
    outcome = run_cli("repro", "nope-tools-sync", "--results", str(REPORTS / "results.json"))
    assert outcome.code == 2
    assert "has no cell 'nope-tools-sync'" in outcome.stderr


def test_the_scripts_reproduce_with_only_instructor_and_litellm(scripts: Path,
                                                                tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", "--python", sys.executable,
                    str(venv)], check=True, timeout=120)
    pins = [f"instructor=={metadata.version('instructor')}",
            f"litellm=={metadata.version('litellm')}"]
    subprocess.run([sys.executable, "-m", "uv", "pip", "install", "-q", "--python",
                    str(venv / "bin" / "python"), *pins], check=True, timeout=600)
    found = {}
    for name in ("openai_json_partial_sync", "cohere_md_json_iterable_async"):
        run = subprocess.run([str(venv / "bin" / "python"), str(scripts / f"{name}.py")],
                             capture_output=True, text=True, timeout=180,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                             cwd=tmp_path)
        found[name] = (run.returncode, run.stdout.strip().splitlines()[-1])
    assert found == {
        "openai_json_partial_sync": (1, "REPRODUCED: TypeError: 'async_generator' object is "
                                        "not iterable"),
        "cohere_md_json_iterable_async": (1, "REPRODUCED: MidStreamFallbackError: "
                                             "litellm.MidStreamFallbackError: "
                                             "litellm.APIConnectionError: Error parsing chunk: "
                                             "Expecting value: line 1 column 1 (char 0),")}


def test_a_class_only_an_unranked_provider_shows_gets_its_reproduction() -> None:
    # At the floor (litellm 1.83.0) the Responses API's forced tool is refused: only the
    # openai_responses cells show it, and it still gets a script; the async-generator entries
    # split by release (the Responses tools cells') add none of their own.
    chosen = classes(load_results(REPORTS / "floor" / "results.json"))
    assert [(entry.name, cell.cell_id) for entry, cell in chosen] == [
        ("sync create_partial returns an async generator", "openai-json-partial_sync"),
        ("sync create_iterable returns an async generator", "openai-json-iterable_sync"),
        ("responses tool_choice in the chat completions shape", "openai_responses-tools-async"),
        ("anthropic json_object dropped: strict parse of fenced JSON", "anthropic-json-async"),
        ("anthropic json_object dropped: partial JSON of fenced text",
         "anthropic-json-partial_async"),
        ("cohere response_format refused", "cohere-json-async"),
        ("cohere v2 stream unreadable", "cohere-md_json-iterable_async"),
        ("cohere re-ask: forced tool_choice dropped, retries run out",
         "cohere-tools-reask_twice"),
        # litellm sends Mistral no tool_choice before 1.110.2: its re-ask runs out too.
        ("mistral re-ask: forced tool_choice dropped, retries run out",
         "mistral-tools-reask_twice")]
