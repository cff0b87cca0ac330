"""The provider × mode × scenario matrix and its filters."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import HarnessError, UnknownNameError
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


def parse_shard(text: str, option: str = "--shard") -> tuple[int, int]:
    """(i, n) from 'i/n' (1 ≤ i ≤ n); a one-line HarnessError naming `option` otherwise."""
    index, slash, count = text.strip().partition("/")
    if not (slash and index.isdigit() and count.isdigit()) or not 1 <= int(index) <= int(count):
        raise HarnessError(f"{option} {text!r} is not a shard; write i/n with 1 ≤ i ≤ n, e.g. "
                           f"{option} 2/4 for the second of four shards")
    return int(index), int(count)


def in_shard(cell_id: str, shard: tuple[int, int]) -> bool:
    """Whether cell `cell_id` belongs to shard i of n: a pure function of the id alone.

    The id's SHA-256, modulo n: every job of a CI matrix agrees without seeing the others'
    cells, a cell added or removed moves no other cell, and a results file names its shard,
    so a baseline or --expect comparison knows which cells a shard was meant to measure.
    """
    index, count = shard
    digest = hashlib.sha256(cell_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def shard_cells(cells: Sequence[Cell], shard: tuple[int, int] | None) -> list[Cell]:
    """The cells of shard i of n (all of them for None), in the selection's order.

    Deterministic, disjoint and covering: the n shards together are the selection, each cell
    in exactly one (sizes even on average, not exactly: membership is by id, see in_shard).
    """
    if shard is None:
        return list(cells)
    return [c for c in cells if in_shard(c.cell_id, shard)]
