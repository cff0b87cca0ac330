"""The public API's additions: first answers, hook counts, the providers a scenario applies to,
and ladders; each refused with one line when it cannot be right."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.cells import select_cells
from harness.errors import UnknownNameError
from harness.packs.beyond.models import Person
from harness.scenarios import EMULATED, SCENARIOS, ScenarioError, scenario
from tests.helpers import scenarios_loaded


@pytest.fixture
def declared() -> Iterator[list[Any]]:
    """Scenarios declared in a test, taken out again afterwards."""
    made: list[Any] = []
    yield made
    for found in made:
        SCENARIOS.forget(found)


def _declare(made: list[Any], name: str, **fields: Any) -> Any:
    fields.setdefault("model", Person)
    fields.setdefault("prompt", "Extract: jason is 25")
    fields.setdefault("expected", {"name": "Jason", "age": 25})
    found = scenario(name, **fields)
    made.append(found)
    return found


@pytest.mark.parametrize("fields,error", [
    ({"first_answers": [{"name": "Jason", "age": 25}]},
     "first answer #1 validates against Person: instructor would accept it"),
    ({"first_answers": [{"name": "jason", "age": 25}], "call": "partial"},
     "first_answers need call 'create'"),
    ({"first_answers": [{"name": "jason", "age": 25}, {"name": "Jason", "age": -1}],
      "max_retries": 1}, "max_retries=1 re-asks fewer times than there are first answers (2)"),
    ({"hooks": {"completion:kwarg": 1}}, "unknown hook 'completion:kwarg'; instructor's hooks:"),
    ({"hooks": {"parse:error": -1}}, "hook 'parse:error' must fire a whole number of times"),
])
def test_what_cannot_be_right_is_one_line(declared: list[Any], fields: dict[str, Any],
                                          error: str) -> None:
    with pytest.raises(ScenarioError, match=error.replace("(", r"\(").replace(")", r"\)")):
        _declare(declared, "bad_one", **fields)


def test_a_reask_scenario_counts_its_attempts(declared: list[Any]) -> None:
    found = _declare(declared, "own_reask", first_answers=[{"name": "jason", "age": 25}],
                     max_retries=1, hooks={"parse:error": 1})
    assert (found.attempts, found.first_answers) == (2, ({"name": "jason", "age": 25},))
    assert found.expected_hooks == {"parse:error": 1}


def test_providers_choose_the_cells(declared: list[Any]) -> None:
    _declare(declared, "only_two", providers=["openai", "mistral"])
    _declare(declared, "emulated_only", providers=EMULATED)
    _declare(declared, "everywhere")
    cells = {c.cell_id for c in select_cells(modes=["tools"])}
    assert {c for c in cells if c.endswith("-only_two")} == {
        "openai-tools-only_two", "mistral-tools-only_two"}
    assert "llamacpp-tools-emulated_only" not in cells  # live-only: no emulator
    assert "huggingface-tools-emulated_only" in cells
    assert "llamacpp-tools-everywhere" in cells
    _declare(declared, "nowhere", providers=["nope"])
    with pytest.raises(UnknownNameError, match="unknown provider 'nope'"):
        select_cells(modes=["tools"])


def test_rungs_are_numbered_in_declaration_order_per_pack() -> None:
    with scenarios_loaded("harness.packs.beyond"):
        rungs = [(s.name, s.rung) for s in SCENARIOS if s.ladder == "schema"]
    assert rungs == [("ladder_flat", 1), ("ladder_nested", 2), ("ladder_list", 3),
                     ("ladder_enum", 4), ("ladder_optional", 5), ("ladder_union", 6),
                     ("ladder_recursive", 7), ("ladder_wide", 8), ("ladder_formats", 9)]


def test_the_beyond_pack_has_a_cell_per_emulated_provider_and_mode() -> None:
    with scenarios_loaded("harness.packs.beyond"):
        beyond = [c for c in select_cells() if c.scenario.startswith(("reask", "hooks",
                                                                      "ladder_"))]
    assert len(beyond) == 1008  # 14 scenarios x 18 emulated providers x 4 modes
    assert not [c for c in beyond if c.provider == "llamacpp"]
