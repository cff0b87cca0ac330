"""Who is at fault when a live model's answer breaks a cell: the model, or a library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.scenarios.base import Observation

if TYPE_CHECKING:
    from harness.verdict.pipeline import Verdict

# What a library raises when the text it was handed is not a valid answer.
_ANSWER_ERRORS = ("IncompleteOutputException", "ValidationError", "ValueError",
                  "ResponseParsingError", "JSONDecodeError")


def blame_live_answer(result: Verdict, scenario: Any, observation: Observation) -> None:
    """A live model that answered wrongly (cut off at the token limit, invalid JSON, a wrong
    shape) is a `fail` of the provider, with what it said; a library failing on a VALID
    answer stays that library's error."""
    if result.exception_type not in _ANSWER_ERRORS or result.layer not in (
            "instructor", "pydantic", "unknown"):
        return
    text = observation.delivered_text
    # Cut off at the token limit is the model's failure even if a valid object hides inside.
    if result.exception_type != "IncompleteOutputException" and _valid_answer(scenario, text):
        return
    result.outcome, result.layer = "fail", "provider"
    result.message = (f"the model's answer is not a valid {scenario.response_model.__name__}: "
                      f"{text[:300]!r} ({result.exception_type}: {(result.message or '')[:300]})")


def _valid_answer(scenario: Any, text: str) -> bool:
    from harness.verdict.judge import first_json

    value = first_json(text or "")
    if isinstance(value, dict) and scenario.kind == "iterable":
        value = next((v for v in value.values() if isinstance(v, list)), value)
    items = value if isinstance(value, list) else [value]
    try:
        for item in items:
            scenario.response_model.model_validate(item)
    except Exception:
        return False
    return value is not None
