"""The pytest plugin in a project of its own: pytest run inside the test (pytester).

Each run loads the plugin explicitly (`-p harness.pytest_plugin`) and blocks the entry-point
copy (`-p no:conformance`), so the code under test is this checkout's whatever is installed.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

# Imported here, before any inline run: pytester drops the modules a run imported when the
# run ends, and litellm must not be imported afresh by every run.
import harness.pytest_plugin
import harness.pytest_session
import harness.reports
import harness.run.worker  # noqa: F401  (litellm, instructor, the runners)
from harness.scenarios import SCENARIOS
from tests.helpers import run_cli

PLUGIN = ("-p", "no:conformance", "-p", "harness.pytest_plugin", "-p", "no:cacheprovider",
          # imported above, so pytest cannot rewrite its asserts (it has none): not news;
          # and pytest-asyncio would warn that the temporary project does not configure it
          "-W", "ignore::pytest.PytestAssertRewriteWarning", "-p", "no:asyncio")

SCENARIOS_PY = '''
from pydantic import BaseModel, field_validator

from harness.scenarios import scenario


class Product(BaseModel):
    name: str
    price: float

    @field_validator("price")
    @classmethod
    def positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("a price is positive")
        return value


scenario("product", model=Product, prompt="Extract: the Widget costs 9.99 dollars",
         expected={"name": "Widget", "price": 9.99})
scenario("product_async", model=Product, prompt="Extract: the Gadget costs 19.5 dollars",
         expected={"name": "Gadget", "price": 19.5}, is_async=True)
'''

# What litellm does to anthropic json mode (harness/expectations.py has the full story).
ANTHROPIC_JSON = dict(outcome="error", layer="litellm", exception="ValidationError",
                      message="Invalid JSON: expected value at line 1 column 1")


def _toml(value: object) -> str:
    return json.dumps(value)  # a JSON string or list of strings is TOML too


def project(pytester: pytest.Pytester, providers: list[str], modes: list[str],
            expected: list[dict[str, object]] = (), module: str = SCENARIOS_PY) -> Path:
    """A project: [tool.conformance] naming one scenario module, and that module."""
    lines = ["[tool.conformance]", 'scenarios = ["conformance_scenarios"]',
             f"providers = {_toml(providers)}", f"modes = {_toml(modes)}", "builtin = false"]
    for entry in expected:
        lines += ["", "[[tool.conformance.expected_failures]]"]
        lines += [f"{key} = {_toml(value)}" for key, value in entry.items()]
    pytester.makefile(".toml", pyproject="\n".join(lines) + "\n")
    pytester.makepyfile(conformance_scenarios=textwrap.dedent(module))
    return pytester.path


def results_of(root: Path) -> dict[str, dict[str, object]]:
    data = json.loads((root / "reports" / "results.json").read_text())
    return {cell["id"]: cell for cell in data["cells"]} | {"run": data["run"]}


@pytest.fixture(autouse=True)
def _registry_restored() -> None:
    # Every inline session must leave the scenario registry as it found it.
    before = [s.name for s in SCENARIOS]
    yield
    assert [s.name for s in SCENARIOS] == before


def test_recorded_against_the_emulators_then_replayed_offline(pytester: pytest.Pytester) -> None:
    root = project(pytester, ["openai", "anthropic"], ["tools", "json_schema"])
    recorded = pytester.runpytest(*PLUGIN, "--record-mode", "once", "-v")
    recorded.assert_outcomes(passed=8)
    recorded.stdout.fnmatch_lines([
        "conformance: 1 scenario module(s) of *; record mode once (recording against the "
        "local emulators)*",
        "conformance_scenarios.py::openai-tools-product PASSED*",
        "conformance_scenarios.py::anthropic-json_schema-product_async PASSED*",
        "conformance: 8 cells (8 pass); wrote reports/results.json*"])
    cassettes = sorted(str(p.relative_to(root)) for p in (root / "cassettes").rglob("*.yaml"))
    assert len(cassettes) == 8 and "cassettes/openai/tools/product.yaml" in cassettes
    assert results_of(root)["run"]["target"] == "emulator"

    replayed = pytester.runpytest(*PLUGIN, "--record-mode", "none", "-v")
    replayed.assert_outcomes(passed=8)
    replayed.stdout.fnmatch_lines(["*record mode none (replay, network blocked)*"])
    cells = results_of(root)
    assert cells["run"]["target"] == "replay" and cells["run"]["source"] == "pytest"
    assert cells["openai-tools-product"]["cassette"] == "cassettes/openai/tools/product.yaml"
    assert sorted(k for k in cells if k != "run") == sorted(
        f"{p}-{m}-{s}" for p in ("openai", "anthropic") for m in ("tools", "json_schema")
        for s in ("product", "product_async"))

    # A replay is a replay: without its cassette a cell fails and says how to record it.
    (root / "cassettes/openai/tools/product.yaml").unlink()
    missing = pytester.runpytest(*PLUGIN, "conformance_scenarios.py::openai-tools-product")
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no cassette for openai/tools/product*--record-mode once*"])


def test_expected_failures_are_strict_xfails_pinned_to_their_evidence(
        pytester: pytest.Pytester) -> None:
    root = project(pytester, ["anthropic"], ["tools", "json"], [
        {"cells": ["anthropic-json-product"], "reason": "json_object dropped", **ANTHROPIC_JSON},
        {"cells": ["anthropic-json-product_async"], "reason": "blamed on the wrong layer",
         **(ANTHROPIC_JSON | {"layer": "instructor"})},
        {"name": "tools broken", "cells": ["anthropic-tools-product"], "reason": "it is not",
         **ANTHROPIC_JSON}])
    result = pytester.runpytest(*PLUGIN, "--record-mode", "once", "-rxX")
    result.assert_outcomes(passed=1, failed=2, xfailed=1)
    result.stdout.fnmatch_lines_random([
        "XFAIL conformance_scenarios.py::anthropic-json-product - json_object dropped"])
    out = " ".join(result.stdout.str().split())
    assert ("anthropic-json-product_async does not fail as expectation 'expected_failures #2 "
            "(anthropic-json-product_async)' says: layer 'litellm' (expected 'instructor')") in out
    assert ("anthropic-tools-product now passes: delete or narrow the expectation 'tools "
            "broken' in pyproject.toml [[tool.conformance.expected_failures]]") in out

    # A harness error (here: the cassette gone) never passes for the expected failure.
    (root / "cassettes/anthropic/json/product.yaml").unlink()
    again = pytester.runpytest(*PLUGIN, "conformance_scenarios.py::anthropic-json-product")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*does not fail as expectation*layer 'harness' (expected "
                                "'litellm')*CassetteMissingError*"])


def test_a_module_that_fails_to_import_is_one_collection_error(
        pytester: pytest.Pytester) -> None:
    project(pytester, ["openai"], ["tools"], module="import nowhere_to_be_found\n")
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR collecting conformance_scenarios.py*",
        "cannot import scenario module 'conformance_scenarios': ModuleNotFoundError: No "
        "module named 'nowhere_to_be_found'"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize("table,needle", [
    ({"providers": ["nope"]}, "unknown provider 'nope'; valid providers: "),
    ({"scenarios": ["no_such_module"]}, "[tool.conformance] scenarios: no module "
                                        "'no_such_module' under "),
    ({"expected": [{"cells": ["openai-tools-*"], "reason": "r"}]},
     "[[tool.conformance.expected_failures]] #1: missing outcome, layer, exception, message"),
    ({"expected": [{"cells": ["cohere-*"], "reason": "r", **ANTHROPIC_JSON}]},
     "expectation 'expected_failures #1 (cohere-*)' matches no cell: delete it"),
])
def test_bad_configuration_is_one_usage_error(pytester: pytest.Pytester,
                                              table: dict[str, object], needle: str) -> None:
    root = project(pytester, table.get("providers", ["openai"]), ["tools"],
                   table.get("expected", []))
    if "scenarios" in table:
        text = (root / "pyproject.toml").read_text()
        (root / "pyproject.toml").write_text(text.replace('"conformance_scenarios"',
                                                          '"no_such_module"'))
    result = pytester.runpytest(*PLUGIN, "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert needle in " ".join(result.stderr.str().split())
    assert not (root / "reports").exists()


FAKE_RECORDING = '''
def pytest_addoption(parser):
    # What pytest-recording registers (its group, names, defaults and modes).
    group = parser.getgroup("recording")
    group.addoption("--record-mode", action="store", default=None,
                    choices=["once", "new_episodes", "none", "all", "rewrite"])
    group.addoption("--block-network", action="store_true", default=False)
'''


@pytest.mark.parametrize("order", ["recording first", "conformance first"])
def test_pytest_recording_options_are_shared_not_registered_twice(
        pytester: pytest.Pytester, order: str) -> None:
    project(pytester, ["openai"], ["tools"])
    pytester.makepyfile(fake_recording=FAKE_RECORDING)
    pytester.syspathinsert()
    plugins = ["-p", "fake_recording", *PLUGIN]
    if order == "conformance first":
        plugins = [*PLUGIN, "-p", "fake_recording"]
    result = pytester.runpytest(*plugins, "--collect-only", "--block-network")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    # pytest-recording's default (None) is its "none": a replay.
    result.stdout.fnmatch_lines(["*record mode none (replay, network blocked)*",
                                 "*<CellItem openai-tools-product>"])
    once = pytester.runpytest(*plugins, "--collect-only", "--record-mode=once")
    once.stdout.fnmatch_lines(["*record mode once (recording against the local emulators)*"])
    # Collecting only writes nothing, so it makes no folder to write into either.
    assert not (pytester.path / "reports").exists()
    assert not (pytester.path / "cassettes").exists()


def test_an_unwritable_reports_folder_stops_the_session_before_any_cell(
        pytester: pytest.Pytester) -> None:
    root = project(pytester, ["openai"], ["tools"])
    (root / "blocker").write_text("a file, not a folder")
    with (root / "pyproject.toml").open("a") as config:
        config.write('\nreports = "blocker/reports"\n')
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"cannot write reports to {root / 'blocker' / 'reports'}" in result.stderr.str()
    assert "passed" not in result.stdout.str()


def test_a_project_without_scenario_modules_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject='[tool.conformance]\nreports = "out"\n')
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest(*PLUGIN, "--block-network")
    result.assert_outcomes(passed=1)
    assert "conformance" not in result.stdout.str()
    assert not (pytester.path / "out").exists()


def test_the_project_init_writes_passes_under_pytest(pytester: pytest.Pytester) -> None:
    # `conformance init`'s starter: its scenarios record and pass on the emulators, and its
    # expected failure is the evidence anthropic's json mode really shows.
    assert run_cli("init").code == 0
    result = pytester.runpytest(*PLUGIN, "--record-mode", "once")
    result.assert_outcomes(passed=14, xfailed=2)
    cells = results_of(pytester.path)
    assert cells["anthropic-json-invoice"]["outcome"] == "error"
    assert cells["openai-tools-invoice_async"]["outcome"] == "pass"


def test_under_xdist_the_controller_writes_every_workers_cells(
        pytester: pytest.Pytester) -> None:
    # Each worker runs some of the cells; their records ride on the test reports to the
    # controller, the one process that writes the session's results.
    root = project(pytester, ["openai"], ["tools", "json_schema"])
    result = pytester.runpytest(*PLUGIN, "--record-mode", "once", "-n", "2", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines_random(["*gw0*PASSED*", "*gw1*PASSED*"])
    cells = results_of(root)
    assert sorted(k for k in cells if k != "run") == [
        "openai-json_schema-product", "openai-json_schema-product_async",
        "openai-tools-product", "openai-tools-product_async"]


def test_shard_sessions_split_the_cells_and_merge_back(pytester: pytest.Pytester) -> None:
    from harness.cells import in_shard

    root = project(pytester, ["openai", "gemini"], ["tools", "json_schema"])
    pytester.runpytest(*PLUGIN, "--record-mode", "once").assert_outcomes(passed=8)
    every = sorted(k for k in results_of(root) if k != "run")
    for index in (1, 2):
        result = pytester.runpytest(*PLUGIN, "--conformance-shard", f"{index}/2", "-v")
        mine = [c for c in every if in_shard(c, (index, 2))]
        result.assert_outcomes(passed=len(mine), deselected=len(every) - len(mine))
        cells = results_of(root)
        assert sorted(k for k in cells if k != "run") == mine
        assert cells["run"]["filters"]["shard"] == [f"{index}/2"]
        (root / "reports").rename(root / f"shard-{index}")
    merged = run_cli("merge", str(root / "merged"), str(root / "shard-1"), str(root / "shard-2"))
    assert merged.code == 0, merged.stderr
    data = json.loads((root / "merged" / "results.json").read_text())
    assert sorted(c["id"] for c in data["cells"]) == every
    assert "shard" not in data["run"]["filters"]
    bad = pytester.runpytest(*PLUGIN, "--conformance-shard", "3/2")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--conformance-shard '3/2' is not a shard*"])
