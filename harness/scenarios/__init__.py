"""Scenarios: the public declaration API and the registry of the loaded ones."""

from __future__ import annotations

from harness.scenarios.base import EMULATED, Observation, Scenario
from harness.scenarios.declare import scenario
from harness.scenarios.registry import SCENARIOS, ScenarioError


def get_scenario(name: str) -> Scenario:
    """The scenario called `name`, or an error listing the valid ones."""
    return SCENARIOS.get(name)


def all_scenarios() -> list[str]:
    """Every loaded scenario name, in declaration order."""
    return [s.name for s in SCENARIOS]


def configure(modules: tuple[str, ...] = (), builtin: bool = True, root: object = None) -> None:
    """Load the built-in pack (unless not wanted) and the project's scenario modules."""
    from pathlib import Path

    SCENARIOS.configure(modules, builtin, Path(str(root)) if root is not None else None)


def answer_for_prompt(text: str) -> dict | list | None:
    """The expected answer to a message containing a scenario prompt: what the emulated model
    'knows'. Containment, not equality: instructor appends instructions to the user message."""
    # The longest contained prompt wins: the nested prompt begins with the simple one.
    matches = [s for s in SCENARIOS if s.prompt and s.prompt.strip() in text]
    if not matches:
        return None
    return max(matches, key=lambda s: len(s.prompt)).expected


# The built-in pack is there from the start: a run that configures nothing runs the guide.
configure()

__all__ = ["EMULATED", "SCENARIOS", "Observation", "Scenario", "ScenarioError", "all_scenarios",
           "answer_for_prompt", "configure", "get_scenario", "scenario"]
