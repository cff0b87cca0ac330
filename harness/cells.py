"""The provider × mode × scenario matrix and its filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import UnknownNameError
from harness.modes import get_mode
from harness.providers import PROVIDERS, get_provider
from harness.providers.base import Provider
from harness.scenarios import SCENARIOS, get_scenario
from harness.scenarios.base import EMULATED, Scenario


@dataclass(frozen=True, order=True)
class Cell:
    """One provider, mode and scenario."""

    provider: str
    mode: str
    scenario: str

    @property
    def cell_id(self) -> str:
        """E.g. openai-tools-partial_async."""
        return f"{self.provider}-{self.mode}-{self.scenario}"


def applies(scenario: Scenario, provider: Provider) -> bool:
    """Whether `scenario` has cells for `provider`: it names no providers, names this one,
    or names EMULATED and the provider has an emulator."""
    if not scenario.providers:
        return True
    for name in scenario.providers:
        if name != EMULATED:
            get_provider(name)  # a name no provider has is an error listing the valid ones
    return provider.name in scenario.providers or (
        EMULATED in scenario.providers and provider.emulator is not None)


def select_cells(providers: Sequence[str] = (), modes: Sequence[str] = (),
                 scenarios: Sequence[str] = ()) -> list[Cell]:
    """Every cell matching the filters (empty filter = all); unknown names raise with choices."""
    for name in providers:
        get_provider(name)
    for name in scenarios:
        get_scenario(name)
    for name in modes:
        get_mode(name)
    chosen_modes = set(modes)
    if chosen_modes:
        offered = {m for p in PROVIDERS if not providers or p.name in providers for m in p.modes}
        missing = chosen_modes - offered
        if missing:
            raise UnknownNameError("mode", sorted(missing)[0], offered)
    cells = []
    for provider in PROVIDERS:
        if providers and provider.name not in providers:
            continue
        for mode in provider.modes:
            if chosen_modes and mode not in chosen_modes:
                continue
            for scenario in SCENARIOS:
                if scenarios and scenario.name not in scenarios:
                    continue
                if not applies(scenario, provider):
                    continue
                cells.append(Cell(provider.name, mode, scenario.name))
    return cells
