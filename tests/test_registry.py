"""Registries, cell selection and the expectations table."""

from __future__ import annotations

import pytest

from harness.cells import select_cells
from harness.errors import UnknownNameError
from harness.modes import get_mode
from harness.providers import all_providers, get_provider
from harness.scenarios import SCENARIOS, answer_for_prompt, get_scenario


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError,
                       match=r"unknown provider 'nope'; valid providers: .*openai"):
        get_provider("nope")
    with pytest.raises(UnknownNameError, match=r"unknown mode 'xml'; valid modes: .*json_schema"):
        get_mode("xml")
    with pytest.raises(UnknownNameError,
                       match=r"unknown scenario 'foo'; valid scenarios: .*nested"):
        get_scenario("foo")


def test_select_cells_filters_and_ids() -> None:
    cells = select_cells(["openai"], ["tools"], ["partial_async"])
    assert [c.cell_id for c in cells] == ["openai-tools-partial_async"]
    everything = select_cells(["openai"])
    assert len(everything) == len(get_provider("openai").modes) * len(SCENARIOS)
    with pytest.raises(UnknownNameError):
        select_cells(["openai"], ["parallel_tools"])  # registered, but not offered by openai


def test_core_providers_are_registered_in_table_order() -> None:
    names = all_providers()
    assert {"openai", "azure", "mistral"} <= set(names)
    assert names.index("openai") < names.index("azure") < names.index("mistral")


def test_the_emulated_model_knows_the_longest_matching_prompt() -> None:
    nested = get_scenario("nested")
    # The nested prompt starts with the simple prompt; its own answer must win.
    assert answer_for_prompt(nested.prompt + "\n\nReturn JSON") == nested.expected
    assert answer_for_prompt("What is the weather?") is None
