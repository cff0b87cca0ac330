"""What is fuzzed where: providers × modes × calls, each wire's fragmenting rule, what is left out.

A fuzz target is a provider, an instructor mode and a call. Targets a known upstream failure
covers (harness/expectations.py, the guide cell that makes the same call) are scoped out with
that entry's name: fuzzing them would only find that bug again, and its evidence is already
pinned by the guide's cells.

Each wire streams a payload either whole (one delta, whatever the plan says: the emulator
keeps it whole) or incrementally, in fragments no longer than the provider sends (below); a
drawn plan's sizes are capped at that length, never beyond what the real wire does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import strategies as st

from harness.emulators.chunking import ChunkPlan
from harness.expectations import EXPECTATIONS
from harness.versions import library_versions

PROVIDERS = ("openai", "anthropic", "gemini", "bedrock", "mistral", "cohere")
MODES = ("tools", "json", "json_schema", "md_json")
# call -> the guide scenario making the same call (for the expectations' cell ids)
CALLS = {"create": "sync", "create_async": "async", "partial": "partial_async",
         "partial_sync": "partial_sync", "iterable": "iterable_async",
         "iterable_sync": "iterable_sync"}

# Longest fragment of an incrementally streamed payload, in characters, per wire and payload
# ("tool": tool arguments; "text": JSON or fenced text), from the emulators' rules and the
# recordings in ../shared/wire-samples they reproduce. None: delivered whole.
_LONGEST: dict[tuple[str, str], int | None] = {
    ("openai", "tool"): 16, ("openai", "text"): 16,        # BPE tokens
    ("anthropic", "tool"): 12, ("anthropic", "text"): 40,  # input_json_delta ≤ 12; token runs
    ("gemini", "tool"): None, ("gemini", "text"): 160,     # functionCall whole; ≤ 39 tokens
    ("bedrock", "tool"): 12, ("bedrock", "text"): 40,      # Claude on Converse, as Anthropic
    ("mistral", "tool"): None, ("mistral", "text"): 24,    # whole arguments; 1-2 tokens
    ("cohere", "tool"): 8, ("cohere", "text"): 16,         # tool-call-delta tokens
}


@dataclass(frozen=True)
class Target:
    """One provider, mode and call."""

    provider: str
    mode: str
    call: str

    @property
    def payload(self) -> str:
        """Which payload carries the answer: tool arguments or text."""
        return "tool" if self.mode == "tools" else "text"

    @property
    def incremental(self) -> bool:
        """Whether the wire streams the answer in pieces (else whole, in one delta)."""
        return _LONGEST[(self.provider, self.payload)] is not None

    def plan(self, cuts: Cuts) -> ChunkPlan:
        """The plan `cuts` make on this wire: delta sizes capped at its longest fragment (none
        where the payload comes whole), write sizes as drawn."""
        longest = _LONGEST[(self.provider, self.payload)]
        sizes = () if longest is None else tuple(min(size, longest) for size in cuts.sizes)
        return ChunkPlan(sizes, cuts.transport)

    def scoped_out(self) -> str | None:
        """The known upstream failure covering this target, with its reason, or None."""
        cell = f"{self.provider}-{self.mode}-{CALLS[self.call]}"
        versions = library_versions()
        for entry in EXPECTATIONS:
            if entry.matches(cell, versions):
                return (f"scoped out: known upstream failure {entry.name!r} (layer "
                        f"{entry.layer}; its reason and evidence in harness/expectations.py)")
        return None

    def __str__(self) -> str:
        return f"{self.provider}-{self.mode}-{self.call}"


@dataclass(frozen=True)
class Cuts:
    """Cuts drawn for any wire: delta sizes in characters (each target caps them at its
    longest fragment) and write sizes in bytes; the emulator's own rule cuts the rest."""

    sizes: tuple[int, ...] = ()
    transport: tuple[int, ...] = ()


def cuts() -> st.SearchStrategy[Cuts]:
    """Delta and write sizes, mostly small ones, to cut inside escapes and characters."""
    size = st.integers(1, 12) | st.integers(1, 160)
    write = st.integers(1, 8) | st.integers(1, 600)  # long ones reach past the first events
    return st.builds(Cuts, st.lists(size, max_size=40).map(tuple),
                     st.lists(write, max_size=24).map(tuple))


def targets(call: str) -> list[object]:
    """pytest params of every provider × mode for `call`, scoped-out ones skipped with why."""
    out = []
    for provider in PROVIDERS:
        for mode in MODES:
            target = Target(provider, mode, call)
            why = target.scoped_out()
            marks = [pytest.mark.skip(reason=why)] if why else []
            out.append(pytest.param(target, id=str(target), marks=marks))
    return out
