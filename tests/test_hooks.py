"""instructor's hooks counted: every call recorded with its arguments, counts compared exactly,
and the re-ask and hook scenarios judged end to end against an emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.cells import Cell
from harness.packs.beyond.models import Person
from harness.run.runner import Runner, RunSettings
from harness.scenarios.hooks import HOOK_NAMES, HookCall, counts, hook_problems, recorder
from tests.helpers import scenarios_loaded


def test_the_hook_names_are_instructors() -> None:
    from instructor.core.hooks import HookName

    assert set(HOOK_NAMES) == {h.value for h in HookName}


def _validation_error() -> ValidationError:
    try:
        Person.model_validate({"name": "jason", "age": 25})
    except ValidationError as exc:
        return exc
    raise AssertionError("the name is not in title case")


def _reask_calls() -> list[HookCall]:
    """The calls instructor 1.17 makes on one re-ask (retry.py), recorded by `recorder`."""
    calls: list[HookCall] = []
    kwargs, response = recorder("completion:kwargs", calls), recorder("completion:response", calls)
    for attempt in (1, 2):
        kwargs(model="m", messages=[], tools=[])
        response(object())
        if attempt == 1:
            recorder("parse:error", calls)(_validation_error(), attempt_number=1, max_attempts=3,
                                           is_last_attempt=False)
    return calls


def test_calls_are_recorded_with_their_arguments_and_counted() -> None:
    calls = _reask_calls()
    assert counts(calls) == {"completion:kwargs": 2, "completion:response": 2,
                             "completion:error": 0, "completion:last_attempt": 0,
                             "completion:usage": 0, "parse:error": 1}
    assert calls[2] == HookCall("parse:error", ("ValidationError",),
                                ("attempt_number", "is_last_attempt", "max_attempts"),
                                {"attempt_number": 1, "is_last_attempt": False,
                                 "max_attempts": 3}, (True,))
    assert calls[2].shape() == ("ValidationError; attempt_number=1, is_last_attempt=False, "
                                "max_attempts=3")
    assert calls[0].shape() == "keywords messages, model, tools"


def test_counts_are_compared_exactly_and_name_the_hook() -> None:
    calls = _reask_calls()
    declared = {"completion:kwargs": 2, "completion:response": 2, "parse:error": 1,
                "completion:error": 0, "completion:last_attempt": 0}
    assert hook_problems(declared, calls) == []
    assert hook_problems({**declared, "parse:error": 0, "completion:last_attempt": 1},
                         calls) == ["hook parse:error fired 1 time(s), expected 0",
                                    "hook completion:last_attempt fired 0 time(s), expected 1"]


def test_arguments_other_than_documented_fail() -> None:
    calls = _reask_calls()
    recorder("completion:response", calls)(object(), extra=1)
    recorder("parse:error", calls)("not an exception", attempt_number=5, max_attempts=3,
                                   is_last_attempt=True)
    assert hook_problems({"completion:response": 3, "parse:error": 2}, calls) == [
        "hook completion:response was called with (object; keywords extra), not 1 positional "
        "argument(s)",
        "hook parse:error was called with (str; attempt_number=5, is_last_attempt=True, "
        "max_attempts=3), not 1 positional argument(s) and keywords attempt_number, "
        "is_last_attempt, max_attempts",
        "hook parse:error carried attempt numbers [1, 5], expected [1, 2]"]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    with scenarios_loaded("harness.packs.beyond"):
        found = Runner(RunSettings(target="emulator",
                                   cassette_dir=tmp_path_factory.mktemp("cassettes")))
        yield found
        found.close()


@pytest.mark.parametrize("provider,mode", [("openai", "tools"), ("anthropic", "tools"),
                                           ("gemini", "tools"), ("bedrock", "tools"),
                                           ("mistral", "json_schema")])
def test_hooks_on_a_reask_fire_as_documented(runner: Runner, provider: str, mode: str) -> None:
    result = runner.run_cell(Cell(provider, mode, "hooks_reask"))
    assert result.outcome == "pass", result.message
    assert result.metrics["attempts"] == 2 and result.metrics["http_requests"] == 2
    assert {k: v for k, v in result.metrics["hooks"].items() if k != "completion:usage"} == {
        "completion:kwargs": 2, "completion:response": 2, "completion:error": 0,
        "completion:last_attempt": 0, "parse:error": 1}
    fired = next(n for n in result.notes if n.startswith("hooks fired: "))
    assert "parse:error (ValidationError; attempt_number=1, is_last_attempt=False, " \
           "max_attempts=3)" in fired


def test_a_reask_notes_how_it_was_sent(runner: Runner) -> None:
    result = runner.run_cell(Cell("anthropic", "tools", "reask"))
    assert result.outcome == "pass", result.message
    (note,) = [n for n in result.notes if n.startswith("re-ask ")]
    assert note.startswith("re-ask 1 sent as user(text) → assistant(tool_use toolu_01")
    assert note.endswith(": accepted") and "→ user(tool_result toolu_01" in note


def test_a_reask_passing_on_more_requests_fails_naming_them(runner: Runner) -> None:
    # Cohere: litellm sends no tool_choice, so the emulated model reports the tool result in
    # prose after the re-ask, and instructor has to ask a third time.
    result = runner.run_cell(Cell("cohere", "tools", "reask"))
    assert (result.outcome, result.layer, result.exception_type) == (
        "fail", "litellm", "ContentMismatch")
    assert result.message == ("3 attempt(s) where 2 were expected (one per first answer, "
                              "then the expected answer)")
    assert any(n.startswith("litellm dropped tool_choice='Person (forced)'")
               for n in result.notes)


def test_the_cassettes_hold_one_interaction_per_attempt(runner: Runner) -> None:
    result = runner.run_cell(Cell("openai", "json", "reask_twice"))
    assert result.outcome == "pass" and result.metrics["http_requests"] == 3
    assert Path(runner.settings.cassette_dir, "openai", "json", "reask_twice.yaml").is_file()
