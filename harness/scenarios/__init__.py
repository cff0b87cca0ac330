"""Scenario registry: the guide's examples written against the real instructor API."""

from __future__ import annotations

from harness.errors import UnknownNameError
from harness.scenarios.base import Observation, Scenario
from harness.scenarios.catalog import SCENARIOS

_BY_NAME: dict[str, Scenario] = {s.name: s for s in SCENARIOS}
# Self-check at import: names are unique.
assert len(_BY_NAME) == len(SCENARIOS), "duplicate scenario name"


def get_scenario(name: str) -> Scenario:
    """The scenario called `name`, or an error listing the valid ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownNameError("scenario", name, _BY_NAME) from None


def all_scenarios() -> list[str]:
    """Every scenario name, in definition order."""
    return [s.name for s in SCENARIOS]


def answer_for_prompt(text: str) -> dict | list | None:
    """The expected answer to a message containing a scenario prompt: what the emulated model
    'knows'. Containment, not equality: instructor appends instructions to the user message."""
    # The longest contained prompt wins: the nested prompt begins with the simple one.
    matches = [s for s in SCENARIOS if s.prompt.strip() in text]
    if not matches:
        return None
    return max(matches, key=lambda s: len(s.prompt)).expected


__all__ = [
    "SCENARIOS",
    "Observation",
    "Scenario",
    "all_scenarios",
    "answer_for_prompt",
    "get_scenario",
]
