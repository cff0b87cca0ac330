"""A live model's wrong answer is the provider's fail; a library failing on a valid one is not."""

from __future__ import annotations

from harness.results import CellResult
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation
from harness.verdict.answers import blame_live_answer


def _error(exc_type: str, layer: str = "instructor") -> CellResult:
    return CellResult("llamacpp", "json", "sync", "error", layer=layer, exception_type=exc_type,
                      message="boom")


def test_a_cut_off_answer_is_the_models_fail_with_its_text() -> None:
    result = _error("IncompleteOutputException")
    blame_live_answer(result, get_scenario("sync"),
                      Observation(delivered_text='Sure! {"name": "Jason", "age": 25} and more'))
    assert (result.outcome, result.layer) == ("fail", "provider")
    assert result.message.startswith("the model's answer is not a valid User: 'Sure! {")


def test_invalid_json_is_the_models_fail() -> None:
    result = _error("ValidationError")
    blame_live_answer(result, get_scenario("iterable_async"),
                      Observation(delivered_text='{"tasks": [{}, {}]}'))
    assert (result.outcome, result.layer) == ("fail", "provider")


def test_a_library_failing_on_a_valid_answer_keeps_the_blame() -> None:
    result = _error("ValidationError")
    blame_live_answer(result, get_scenario("sync"),
                      Observation(delivered_text='{"name": "Jason", "age": 25}'))
    assert (result.outcome, result.layer) == ("error", "instructor")
    other = _error("ContractViolation")
    blame_live_answer(other, get_scenario("sync"), Observation(delivered_text="prose"))
    assert (other.outcome, other.layer) == ("error", "instructor")
    provider = _error("ValidationError", layer="provider")
    blame_live_answer(provider, get_scenario("sync"), Observation(delivered_text="prose"))
    assert provider.layer == "provider" and provider.outcome == "error"
