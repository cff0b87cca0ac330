"""Registries, cell selection and the expectations table."""

from __future__ import annotations

import pytest

from harness.cells import select_cells
from harness.errors import UnknownNameError
from harness.modes import get_mode
from harness.providers import PROVIDERS, Provider, all_providers, get_provider
from harness.scenarios import SCENARIOS, answer_for_prompt, get_scenario
from harness.secrets.planted import MissingKeyFormatError, plant
from harness.secrets.variables import is_secret_variable
from harness.wire import WireFamily
from tests.helpers import SERVICE_ACCOUNT_VARIABLE


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
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_every_entry_states_its_wire_and_its_secret_key_formats(provider: Provider) -> None:
    # Planted-secret tests make keys only from these: a new entry's keys must be stated there.
    assert isinstance(provider.wire, WireFamily)
    assert set(provider.key_formats) <= set(provider.credentials)
    unstated = [v for v in provider.credentials if is_secret_variable(v)
                and v not in provider.key_formats and v != SERVICE_ACCOUNT_VARIABLE]
    assert unstated == [], f"{provider.name}: state key_formats for {unstated}"


def test_planting_makes_fresh_keys_in_the_stated_formats() -> None:
    formats = get_provider("openai").key_formats
    env, planted = plant(["OPENAI_API_KEY", "OPENAI_API_BASE"], formats, "http://root")
    first = env["OPENAI_API_KEY"]
    assert first.startswith("sk-proj-") and first[82:90] == "T3BlbkFJ" and len(first) == 164
    assert planted == [first] and env["OPENAI_API_BASE"] == "http://root"
    assert plant(["OPENAI_API_KEY"], formats, "http://root")[0]["OPENAI_API_KEY"] != first
    with pytest.raises(MissingKeyFormatError, match="NEW_API_KEY"):
        plant(["NEW_API_KEY"], formats, "http://root")
