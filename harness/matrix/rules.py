"""The columns of the guide's table: each rule's text and its decision, side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from harness.matrix.levels import (
    SYMBOLS,
    Level,
    Verdict,
    decide_async,
    decide_full,
    decide_iterable,
    decide_partial,
    measured,
    twin_pairs,
)
from harness.results import CellResult


@dataclass(frozen=True)
class Rule:
    """One column of the guide's table: what it measures, its criteria, its decision."""

    column: str
    measures: str
    criteria: tuple[tuple[Level, str], ...]
    decide: Callable[[Sequence[CellResult]], Verdict]
    scenarios: Callable[[], tuple[str, ...]]  # the cells it reads

    def verdict(self, cells: Sequence[CellResult]) -> Verdict:
        """The decision, marked with the column's cells that measured nothing."""
        names = set(self.scenarios())
        missing = tuple(sorted(c.cell_id for c in cells
                               if c.scenario in names and not measured(c)))
        return replace(self.decide(cells), unmeasured=missing)


_STREAM_LIMITED = ("passes somewhere but never incrementally, or only in sync or only in "
                   "async, or only in some modes")
RULES: tuple[Rule, ...] = (
    Rule("Full Streaming",
         "the provider streams the structured payload itself: the `raw_stream` cell re-sends "
         "instructor's exact request with stream=True; it streams when it passes (the deltas "
         "joined equal the non-streamed payload) with ≥ 2 payload deltas over a real HTTP "
         "stream",
         ((Level.FULL, "every mode the provider supports through litellm streams"),
          (Level.LIMITED, "some modes stream, or the payload comes in a single delta, or "
                          "litellm fakes the stream (no HTTP stream on the wire)"),
          (Level.NONE, "no mode delivers a streamed payload")), decide_full,
         lambda: ("raw_stream",)),
    Rule("Partial Streaming",
         "create_partial passes (correct final object, consistent partials); incremental = "
         "≥ 3 distinct partials with a string partly filled or a later field missing, over a "
         "real HTTP stream (a stream litellm fakes arrives all at once)",
         ((Level.FULL, "incremental in both sync and async in at least one mode, and correct "
                       "in every supported mode"),
          (Level.LIMITED, _STREAM_LIMITED),
          (Level.NONE, "never passes")), decide_partial,
         lambda: ("partial_sync", "partial_async")),
    Rule("Iterable Streaming",
         "create_iterable passes (every item correct, in order); incremental = the first item "
         "is yielded before the last chunk, with ≥ 2 payload deltas over a real HTTP stream "
         "(a payload in one delta yields every item at once)",
         ((Level.FULL, "incremental in both sync and async in at least one mode, and correct "
                       "in every supported mode"),
          (Level.LIMITED, _STREAM_LIMITED),
          (Level.NONE, "never passes")), decide_iterable,
         lambda: ("iterable_sync", "iterable_async")),
    Rule("Async Support",
         "each async scenario against its sync twin (async/sync, partial_async/partial_sync, "
         "iterable_async/iterable_sync) in the same mode",
         ((Level.FULL, "every async scenario passes wherever its sync twin passes, and also "
                       "where the sync twin fails only in the sync API (a sync-only bug)"),
          (Level.LIMITED, "some async scenarios fail where their sync twin works"),
          (Level.NONE, "no async scenario passes")), decide_async,
         lambda: tuple(name for pair in twin_pairs() for name in pair)),
)
COLUMNS: tuple[str, ...] = tuple(r.column for r in RULES)

# Applies to every column: why some cells do not count.
GENERAL = (
    "A mode whose cell is `unsupported` (litellm refuses it before any request) is not "
    "supported through litellm for that provider: it is left out of \"every supported mode\"; "
    "if litellm refuses every mode the level is ❌ None.",
    "`skipped` cells and harness errors (a missing cassette; a drifted live recording) "
    "measured nothing and are left out; a level resting on fewer cells than the run selected "
    "is marked *, with the cells that could not be measured; a row with no measured cell is "
    "not shown; a column with no measured cell "
    f"is {SYMBOLS[Level.UNMEASURED]} (a filtered run) and is never written into a guide.",
    "One row per provider display name; providers sharing one (say gemini and vertex both "
    "displayed as Google) form one row: their cells are pooled and each provider's mode "
    "counts as a mode of the row.",
)


def legend_lines() -> list[str]:
    """The legend as markdown lines, rendered from RULES and GENERAL."""
    lines: list[str] = []
    for rule in RULES:
        lines.append(f"- **{rule.column}**: {rule.measures}.")
        lines += [f"  - {level.symbol}: {text}." for level, text in rule.criteria]
    lines += [f"- {text}" for text in GENERAL]
    return lines


def decide_row(cells: Sequence[CellResult]) -> dict[str, Verdict]:
    """Every column's verdict for one row's cells."""
    return {rule.column: rule.verdict(cells) for rule in RULES}
