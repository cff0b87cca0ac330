"""The support-level rule on small synthetic results: every column, every edge, and properties."""

from __future__ import annotations

import itertools
import random
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.matrix.levels import (
    SYMBOLS,
    Evidence,
    Level,
    Verdict,
    decide_async,
    decide_full,
    decide_iterable,
    decide_partial,
    iterable_incremental,
    measured,
    partial_incremental,
    raw_grade,
    sync_only_failure,
    twin_pairs,
)
from harness.matrix.rules import COLUMNS, RULES, decide_row, legend_lines
from harness.results import CellResult
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation
from harness.verdict.judge import judge

SYNC_ONLY = "sync create_partial() returned async_generator, not an iterator"


def make_cell(provider: str, mode: str, scenario: str, outcome: str = "pass",
              layer: str | None = None, exception_type: str | None = None,
              message: str | None = None, **metrics: Any) -> CellResult:
    """A synthetic cell; streaming cells default to a real, incremental stream."""
    base: dict[str, Any] = {"http_streams": 1, "payload_deltas": 5}
    if scenario == "raw_stream":
        base.update(raw_deltas=5, raw_matches=True)
    if scenario.startswith("partial"):
        base.update(incremental=True, partials=5)
    if scenario.startswith("iterable"):
        base.update(first_before_last_chunk=True, items=3)
    if outcome != "pass" and layer is None:
        layer = "provider"
    return CellResult(provider, mode, scenario, outcome, layer=layer,  # type: ignore[arg-type]
                      exception_type=exception_type, message=message,
                      cassette=f"cassettes/{provider}/{mode}/{scenario}.yaml",
                      metrics={**base, **metrics})


def sync_bug(provider: str, mode: str, scenario: str) -> CellResult:
    """The known sync-only instructor failure."""
    return make_cell(provider, mode, scenario, "error", "instructor", "ContractViolation",
                     SYNC_ONLY)


def ids(verdict: Any) -> list[str]:
    return [e.cell_id for e in verdict.evidence]


# --- Full Streaming -------------------------------------------------------------------------

def test_full_when_every_mode_streams() -> None:
    cells = [make_cell("p", m, "raw_stream") for m in ("tools", "json")]
    v = decide_full(cells)
    assert v.level is Level.FULL
    assert v.reason == "every supported mode streams the payload (json, tools)"
    assert ids(v) == ["p-tools-raw_stream", "p-json-raw_stream"]


@pytest.mark.parametrize("metrics,label", [
    ({"raw_deltas": 1}, "payload in a single delta in json"),
    ({"http_streams": 0}, "stream faked by litellm in json"),
])
def test_single_delta_or_faked_is_limited(metrics: dict[str, Any], label: str) -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream"),
                     make_cell("p", "json", "raw_stream", **metrics)])
    assert v.level is Level.LIMITED
    assert v.reason == f"streams in tools; {label}"


def test_degraded_everywhere_is_still_limited_not_none() -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream", raw_deltas=1)])
    assert v.level is Level.LIMITED


def test_no_stream_anywhere_is_none() -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream", "fail", raw_matches=False),
                     make_cell("p", "json", "raw_stream", "error")])
    assert (v.level, v.reason) == (Level.NONE, "no mode streams the payload")
    assert [e.note for e in v.evidence] == ["fail (provider)", "error (provider)"]


def test_unsupported_modes_are_left_out_of_every_mode() -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream"),
                     make_cell("p", "json", "raw_stream", "unsupported", "litellm")])
    assert v.level is Level.FULL
    assert "p-json-raw_stream" in ids(v)  # still shown as evidence


def test_every_mode_unsupported_is_none() -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream", "unsupported", "litellm")])
    assert (v.level, v.reason) == (Level.NONE, "litellm refuses every mode")


def test_only_skipped_is_unmeasured() -> None:
    v = decide_full([make_cell("p", "tools", "raw_stream", "skipped")])
    assert v.level is Level.UNMEASURED and v.evidence == ()


def test_harness_errors_measured_nothing() -> None:
    # A missing cassette says nothing about the provider: json's cell is left out entirely.
    missing = make_cell("p", "json", "raw_stream", "error", "harness", "CassetteMissingError")
    v = decide_full([make_cell("p", "tools", "raw_stream"), missing])
    assert v.level is Level.FULL and ids(v) == ["p-tools-raw_stream"]
    assert decide_full([missing]).level is Level.UNMEASURED


# --- Partial / Iterable -----------------------------------------------------------------------

def test_partial_full_needs_sync_and_async_incremental_and_all_modes_correct() -> None:
    cells = [make_cell("p", m, s) for m in ("tools", "json")
             for s in ("partial_sync", "partial_async")]
    assert decide_partial(cells).level is Level.FULL
    cells[0] = make_cell("p", "tools", "partial_sync", incremental=False)
    assert decide_partial(cells).level is Level.FULL  # json is incremental in both
    cells[2] = make_cell("p", "json", "partial_sync", "fail", "instructor")
    v = decide_partial(cells)
    assert v.level is Level.LIMITED
    assert v.reason == ("no mode is incremental in both sync and async; "
                        "partial_sync fails in json; partial_sync is not incremental in tools")


def test_known_sync_bug_makes_partial_only_async() -> None:
    cells = [c for m in ("tools", "json") for c in
             (sync_bug("p", m, "partial_sync"), make_cell("p", m, "partial_async"))]
    v = decide_partial(cells)
    assert v.level is Level.LIMITED
    assert v.reason == "only async passes; partial_sync fails in json, tools"
    assert ids(v) == ["p-tools-partial_sync", "p-tools-partial_async",
                      "p-json-partial_sync", "p-json-partial_async"]


def test_only_sync_passes() -> None:
    v = decide_partial([make_cell("p", "tools", "partial_sync"),
                        make_cell("p", "tools", "partial_async", "error")])
    assert v.reason.startswith("only sync passes")


def test_passing_but_never_incremental() -> None:
    v = decide_partial([make_cell("p", "tools", s, incremental=False)
                        for s in ("partial_sync", "partial_async")])
    assert (v.level, v.reason) == (Level.LIMITED, "never incremental")


def test_faked_stream_is_never_incremental() -> None:
    v = decide_partial([make_cell("p", "tools", s, faked_stream=True, http_streams=0)
                        for s in ("partial_sync", "partial_async")])
    assert (v.level, v.reason) == (Level.LIMITED, "never incremental")


def test_partial_never_passing_is_none() -> None:
    v = decide_partial([make_cell("p", "tools", s, "fail") for s in
                        ("partial_sync", "partial_async")])
    assert (v.level, v.reason) == (Level.NONE, "create_partial never passes")


def test_iterable_single_payload_delta_is_not_incremental() -> None:
    # first_before_last_chunk holds trivially when a bare finish chunk follows one delta.
    cells = [make_cell("p", "tools", s, payload_deltas=1)
             for s in ("iterable_sync", "iterable_async")]
    assert decide_iterable(cells).reason == "never incremental"
    cells = [make_cell("p", "tools", s) for s in ("iterable_sync", "iterable_async")]
    assert decide_iterable(cells).level is Level.FULL


def test_iterable_first_item_at_the_end_is_not_incremental() -> None:
    cells = [make_cell("p", "tools", s, first_before_last_chunk=False)
             for s in ("iterable_sync", "iterable_async")]
    assert decide_iterable(cells).level is Level.LIMITED


# --- Async Support ----------------------------------------------------------------------------

PAIRS = (("sync", "async"), ("partial_sync", "partial_async"), ("iterable_sync", "iterable_async"))


def test_async_full_when_async_passes_wherever_sync_works() -> None:
    cells = [make_cell("p", "tools", s) for pair in PAIRS for s in pair]
    v = decide_async(cells)
    assert (v.level, v.reason) == (Level.FULL, "all 3 async cells pass where their sync twin works")
    assert ids(v) == ["p-tools-async", "p-tools-iterable_async", "p-tools-partial_async"]


def test_async_failing_where_sync_passes_is_limited_and_named() -> None:
    cells = [make_cell("p", "tools", "sync"), make_cell("p", "tools", "async", "error"),
             make_cell("p", "tools", "partial_sync"), make_cell("p", "tools", "partial_async")]
    v = decide_async(cells)
    assert v.level is Level.LIMITED
    assert v.reason == "1 of 2 async cells fail where their sync twin works: p-tools-async"


def test_async_must_pass_where_sync_has_a_sync_only_bug() -> None:
    cells = [sync_bug("p", "tools", "partial_sync"),
             make_cell("p", "tools", "partial_async", "error"),
             make_cell("p", "tools", "sync"), make_cell("p", "tools", "async")]
    v = decide_async(cells)
    assert v.level is Level.LIMITED and "p-tools-partial_async" in v.reason


def test_async_failing_with_its_twin_for_another_reason_is_not_counted() -> None:
    cells = [make_cell("p", "tools", "partial_sync", "error", "provider"),
             make_cell("p", "tools", "partial_async", "error", "provider"),
             make_cell("p", "tools", "sync"), make_cell("p", "tools", "async")]
    v = decide_async(cells)
    assert v.level is Level.FULL
    assert {e.cell_id: e.note for e in v.evidence}["p-tools-partial_async"] == \
        "error (provider); not counted: its sync twin does not pass"


def test_no_async_pass_is_none_and_no_async_cell_is_unmeasured() -> None:
    assert decide_async([make_cell("p", "tools", "async", "fail")]).level is Level.NONE
    assert decide_async([make_cell("p", "tools", "sync")]).level is Level.UNMEASURED


# --- exhaustive: one mode, every pair of states, against the rule as the brief words it --------

STATES = ("pass+inc", "pass", "sync-bug", "fail", "unsupported", "skipped")


def _state_cell(state: str, scenario: str) -> CellResult:
    if state == "sync-bug":
        return sync_bug("p", "tools", scenario)
    if state in ("fail", "unsupported", "skipped"):
        return make_cell("p", "tools", scenario, state)
    return make_cell("p", "tools", scenario, incremental=state == "pass+inc")


def _oracle(sync: str, async_: str) -> Level:
    """The brief's partial-streaming rule for one mode, written independently."""
    states = [s for s in (sync, async_) if s != "skipped"]
    if not states:
        return Level.UNMEASURED
    supported = [s for s in states if s != "unsupported"]
    if not any(s.startswith("pass") for s in supported):
        return Level.NONE
    if sync == async_ == "pass+inc":
        return Level.FULL
    return Level.LIMITED


@pytest.mark.parametrize("sync,async_", list(itertools.product(STATES, STATES)))
def test_partial_rule_exhaustive_one_mode(sync: str, async_: str) -> None:
    cells = [_state_cell(sync, "partial_sync"), _state_cell(async_, "partial_async")]
    assert decide_partial(cells).level is _oracle(sync, async_)


# --- properties -------------------------------------------------------------------------------

SCENARIO_NAMES = ("sync", "async", "partial_sync", "partial_async", "iterable_sync",
                  "iterable_async", "raw_stream")
cell_strategy = st.builds(
    lambda mode, scenario, outcome, inc, deltas: make_cell(
        "p", mode, scenario, outcome, incremental=inc, raw_deltas=deltas, payload_deltas=deltas),
    st.sampled_from(("tools", "json", "md_json")), st.sampled_from(SCENARIO_NAMES),
    st.sampled_from(("pass", "pass", "fail", "error", "unsupported", "skipped")),
    st.booleans(), st.integers(0, 4))


def _unique(cells: list[CellResult]) -> list[CellResult]:
    return list({c.cell_id: c for c in cells}.values())


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_strategy, max_size=14).map(_unique), st.randoms())
def test_levels_ignore_cell_order_and_evidence_names_only_input_cells(
        cells: list[CellResult], rnd: random.Random) -> None:
    shuffled = cells[:]
    rnd.shuffle(shuffled)
    a, b = decide_row(cells), decide_row(shuffled)
    assert {c: v.level for c, v in a.items()} == {c: v.level for c, v in b.items()}
    known = {c.cell_id for c in cells}
    for verdict in a.values():
        assert {e.cell_id for e in verdict.evidence} <= known


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_strategy, min_size=1, max_size=14).map(_unique))
def test_an_unsupported_extra_mode_changes_no_measured_level(cells: list[CellResult]) -> None:
    before = decide_row(cells)
    extra = [make_cell("p", "parallel_tools", s, "unsupported", "litellm")
             for s in SCENARIO_NAMES]
    after = decide_row(cells + extra)
    for column in COLUMNS:
        if before[column].level is not Level.UNMEASURED:
            assert after[column].level is before[column].level, column


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_strategy, max_size=14).map(_unique), st.integers(0, 13))
def test_a_streaming_column_never_drops_when_a_cell_starts_passing(cells: list[CellResult],
                                                                   index: int) -> None:
    if not cells:
        return
    target = cells[index % len(cells)]
    fixed = [make_cell("p", c.mode, c.scenario) if c is target else c for c in cells]
    for decide in (decide_full, decide_partial, decide_iterable):
        before, after = decide(cells).level, decide(fixed).level
        if Level.UNMEASURED not in (before, after):
            assert after.rank >= before.rank


# --- the legend, written out ----------------------------------------------------------------
# The guide's legend word for word. A change to a rule's text must change this copy too: the
# legend is what readers are promised, so it is reviewed here rather than trusted from RULES.

LEGEND = [
    "- **Full Streaming**: the provider streams the structured payload itself: the `raw_stream` "
    "cell re-sends instructor's exact request with stream=True; it streams when it passes (the "
    "deltas joined equal the non-streamed payload) with ≥ 2 payload deltas over a real HTTP "
    "stream.",
    "  - ✅ Full: every mode the provider supports through litellm streams.",
    "  - ⚠️ Limited: some modes stream, or the payload comes in a single delta, or litellm fakes "
    "the stream (no HTTP stream on the wire).",
    "  - ❌ None: no mode delivers a streamed payload.",
    "- **Partial Streaming**: create_partial passes (correct final object, consistent partials); "
    "incremental = ≥ 3 distinct partials with a string partly filled or a later field missing, "
    "over a real HTTP stream (a stream litellm fakes arrives all at once).",
    "  - ✅ Full: incremental in both sync and async in at least one mode, and correct in every "
    "supported mode.",
    "  - ⚠️ Limited: passes somewhere but never incrementally, or only in sync or only in async, "
    "or only in some modes.",
    "  - ❌ None: never passes.",
    "- **Iterable Streaming**: create_iterable passes (every item correct, in order); incremental "
    "= the first item is yielded before the last chunk, with ≥ 2 payload deltas over a real HTTP "
    "stream (a payload in one delta yields every item at once).",
    "  - ✅ Full: incremental in both sync and async in at least one mode, and correct in every "
    "supported mode.",
    "  - ⚠️ Limited: passes somewhere but never incrementally, or only in sync or only in async, "
    "or only in some modes.",
    "  - ❌ None: never passes.",
    "- **Async Support**: each async scenario against its sync twin (async/sync, "
    "partial_async/partial_sync, iterable_async/iterable_sync) in the same mode.",
    "  - ✅ Full: every async scenario passes wherever its sync twin passes, and also where the "
    "sync twin fails only in the sync API (a sync-only bug).",
    "  - ⚠️ Limited: some async scenarios fail where their sync twin works.",
    "  - ❌ None: no async scenario passes.",
    "- A mode whose cell is `unsupported` (litellm refuses it before any request) is not "
    "supported through litellm for that provider: it is left out of \"every supported mode\"; if "
    "litellm refuses every mode the level is ❌ None.",
    "- `skipped` cells and harness errors (a missing cassette; a drifted live recording) measured "
    "nothing and are left out; a level resting on fewer cells than the run selected is marked *, "
    "with the cells that could not be measured; a row with no measured cell is not shown; a "
    "column with no measured cell is ➖ Not measured (a filtered run) and is never written into a "
    "guide.",
    "- One row per provider display name; providers sharing one (say gemini and vertex both "
    "displayed as Google) form one row: their cells are pooled and each provider's mode counts "
    "as a mode of the row.",
]


def test_legend_is_the_written_text() -> None:
    assert legend_lines() == LEGEND


def test_columns_symbols_and_ranks() -> None:
    assert COLUMNS == ("Full Streaming", "Partial Streaming", "Iterable Streaming",
                       "Async Support")
    assert [rule.column for rule in RULES] == list(COLUMNS)
    assert [lv.symbol for lv in Level] == ["✅ Full", "⚠️ Limited", "❌ None", "➖ Not measured"]
    assert [SYMBOLS[lv] for lv in Level] == [lv.symbol for lv in Level]
    assert [lv.rank for lv in Level] == [2, 1, 0, -1]
    assert [rule.decide for rule in RULES] == [decide_full, decide_partial, decide_iterable,
                                               decide_async]


# --- every threshold, on both sides -------------------------------------------------------------

def bare(scenario: str, outcome: str = "pass", **metrics: Any) -> CellResult:
    """A cell with exactly these metrics (no defaults), to probe one threshold at a time."""
    return CellResult("p", "tools", scenario, outcome,  # type: ignore[arg-type]
                      layer=None if outcome == "pass" else "provider", metrics=metrics)


@pytest.mark.parametrize("outcome,metrics,grade", [
    ("pass", {"http_streams": 1, "raw_deltas": 2}, "streams"),
    ("pass", {"http_streams": 1, "raw_deltas": 1}, "single delta"),
    ("pass", {"http_streams": 2, "raw_deltas": 0}, "single delta"),
    ("pass", {"http_streams": 1}, "single delta"),
    ("pass", {"http_streams": 0, "raw_deltas": 5}, "faked"),
    ("pass", {"raw_deltas": 5}, "faked"),
    ("fail", {"http_streams": 1, "raw_deltas": 5}, "no"),
    ("error", {"http_streams": 1, "raw_deltas": 5}, "no"),
    ("unsupported", {}, "no"),
])
def test_raw_grade_at_each_threshold(outcome: str, metrics: dict[str, Any], grade: str) -> None:
    assert raw_grade(bare("raw_stream", outcome, **metrics)) == grade


def test_two_raw_deltas_are_full_streaming_one_is_limited() -> None:
    two = decide_full([make_cell("p", "tools", "raw_stream", raw_deltas=2, http_streams=1)])
    assert (two.level, two.reason) == (Level.FULL,
                                       "every supported mode streams the payload (tools)")
    assert [e.note for e in two.evidence] == ["streams: 2 payload deltas over 1 HTTP stream"]
    one = decide_full([make_cell("p", "tools", "raw_stream", raw_deltas=1, http_streams=2)])
    assert (one.level, one.reason) == (Level.LIMITED, "payload in a single delta in tools")
    assert [e.note for e in one.evidence] == [
        "single delta: 1 payload delta over 2 HTTP streams"]
    faked = decide_full([make_cell("p", "tools", "raw_stream", raw_deltas=3, http_streams=0)])
    assert (faked.level, faked.reason) == (Level.LIMITED, "stream faked by litellm in tools")
    assert [e.note for e in faked.evidence] == ["faked: 3 payload deltas over 0 HTTP streams"]


def test_full_streaming_names_every_grade_and_pooled_providers() -> None:
    cells = [make_cell("gemini", "json", "raw_stream"),
             make_cell("vertex", "json", "raw_stream", raw_deltas=1),
             make_cell("vertex", "tools", "raw_stream", http_streams=0),
             make_cell("gemini", "tools", "raw_stream", "fail", raw_matches=False),
             make_cell("vertex", "md_json", "raw_stream", "unsupported", "litellm",
                       "UnsupportedParamsError")]
    v = decide_full(cells)
    assert v.level is Level.LIMITED
    assert v.reason == ("streams in gemini/json; payload in a single delta in vertex/json; "
                        "stream faked by litellm in vertex/tools; no streamed payload in "
                        "gemini/tools")
    assert [e.note for e in v.evidence] == [
        "streams: 5 payload deltas over 1 HTTP stream",
        "single delta: 1 payload delta over 1 HTTP stream",
        "faked: 5 payload deltas over 0 HTTP streams",
        "fail (provider)",
        "unsupported (litellm): UnsupportedParamsError"]


@pytest.mark.parametrize("outcome,metrics,incremental", [
    ("pass", {"first_before_last_chunk": True, "payload_deltas": 2}, True),
    ("pass", {"first_before_last_chunk": True, "payload_deltas": 1}, False),
    ("pass", {"first_before_last_chunk": True}, False),
    ("pass", {"first_before_last_chunk": False, "payload_deltas": 5}, False),
    ("pass", {"payload_deltas": 5}, False),
    ("pass", {"first_before_last_chunk": 1, "payload_deltas": 5}, False),  # must be True itself
    ("pass", {"first_before_last_chunk": True, "payload_deltas": 5, "faked_stream": True},
     False),
    ("pass", {"first_before_last_chunk": True, "payload_deltas": 5, "faked_stream": False},
     True),
    ("fail", {"first_before_last_chunk": True, "payload_deltas": 5}, False),
])
def test_iterable_incremental_at_each_threshold(outcome: str, metrics: dict[str, Any],
                                                incremental: bool) -> None:
    assert iterable_incremental(bare("iterable_sync", outcome, **metrics)) is incremental


def test_two_payload_deltas_are_full_iterable_streaming_one_is_not() -> None:
    two = [make_cell("p", "tools", s, payload_deltas=2) for s in ("iterable_sync",
                                                                   "iterable_async")]
    v = decide_iterable(two)
    assert (v.level, v.reason) == (Level.FULL, "incremental in sync and async (tools), correct "
                                               "in every supported mode")
    assert [e.note for e in v.evidence] == ["pass, incremental", "pass, incremental"]
    one = [make_cell("p", "tools", s, payload_deltas=1) for s in ("iterable_sync",
                                                                   "iterable_async")]
    v = decide_iterable(one)
    assert (v.level, v.reason) == (Level.LIMITED, "never incremental")
    assert [e.note for e in v.evidence] == ["pass, not incremental", "pass, not incremental"]


@pytest.mark.parametrize("outcome,metrics,incremental", [
    ("pass", {"incremental": True}, True),
    ("pass", {"incremental": True, "faked_stream": False}, True),
    ("pass", {"incremental": True, "faked_stream": True}, False),
    ("pass", {"incremental": False}, False),
    ("pass", {"incremental": 1}, False),  # the metric must be True itself
    ("pass", {}, False),
    ("fail", {"incremental": True}, False),
])
def test_partial_incremental_at_each_threshold(outcome: str, metrics: dict[str, Any],
                                               incremental: bool) -> None:
    assert partial_incremental(bare("partial_sync", outcome, **metrics)) is incremental


_PROFILE = cast(dict[str, Any], get_scenario("partial_sync").expected)
_HALF = {"name": "Jason", "age": None, "bio": None}
_MORE = {"name": "Jason", "age": 25, "bio": "Jason is a 25"}


def _judged_cell(yielded: list[dict[str, Any]], faked: bool) -> CellResult:
    """A create_partial cell whose metrics come from judging these partials."""
    passed, problems, metrics = judge(get_scenario("partial_sync"),
                                      Observation(final=_PROFILE, yielded=yielded))
    assert (passed, problems) == (True, [])
    return bare("partial_sync", "pass", **metrics, faked_stream=faked)


def test_three_distinct_partials_make_a_partial_cell_incremental_two_do_not() -> None:
    three = _judged_cell([_HALF, _MORE, _PROFILE], faked=False)
    assert (three.metrics["partials"], three.metrics["incremental"]) == (3, True)
    assert partial_incremental(three) is True
    two = _judged_cell([_HALF, _PROFILE], faked=False)
    assert (two.metrics["partials"], two.metrics["incremental"]) == (2, False)
    assert partial_incremental(two) is False
    repeated = _judged_cell([_HALF, _HALF, _PROFILE, _PROFILE],
                            faked=False)
    assert (repeated.metrics["partials"], partial_incremental(repeated)) == (2, False)
    faked = _judged_cell([_HALF, _MORE, _PROFILE], faked=True)
    assert partial_incremental(faked) is False


def test_partial_streaming_full_only_with_three_partials_in_sync_and_async() -> None:
    def column(sync_yielded: list[Any], async_yielded: list[Any]) -> Any:
        return decide_partial([
            CellResult("p", "tools", "partial_sync", "pass",
                       metrics=_judged_cell(sync_yielded, faked=False).metrics),
            CellResult("p", "tools", "partial_async", "pass",
                       metrics=_judged_cell(async_yielded, faked=False).metrics)])

    full = column([_HALF, _MORE, _PROFILE], [_HALF, _MORE, _PROFILE])
    assert (full.level, full.reason) == (
        Level.FULL, "incremental in sync and async (tools), correct in every supported mode")
    limited = column([_HALF, _MORE, _PROFILE], [_HALF, _PROFILE])
    assert (limited.level, limited.reason) == (
        Level.LIMITED, "no mode is incremental in both sync and async; "
                       "partial_async is not incremental in tools")
    assert [e.note for e in limited.evidence] == ["pass, incremental", "pass, not incremental"]


def test_a_faked_stream_in_one_mode_leaves_the_other_mode_full() -> None:
    cells = [make_cell("p", m, s, faked_stream=m == "json", http_streams=int(m != "json"))
             for m in ("tools", "json") for s in ("partial_sync", "partial_async")]
    v = decide_partial(cells)
    assert (v.level, v.reason) == (
        Level.FULL, "incremental in sync and async (tools), correct in every supported mode")
    assert [e.note for e in v.evidence] == ["pass, incremental", "pass, incremental",
                                            "pass, not incremental", "pass, not incremental"]


@pytest.mark.parametrize("outcome,exception_type,message,expected", [
    ("error", "ContractViolation", "sync create_partial() returned async_generator", True),
    ("fail", "ContractViolation", "sync create_iterable() returned a list", True),
    ("error", "ContractViolation", "async create_partial() returned a list", False),
    ("error", "ContractViolation", None, False),
    ("error", "ValidationError", "sync create_partial() returned async_generator", False),
    ("pass", "ContractViolation", "sync create_partial() returned async_generator", False),
])
def test_sync_only_failure_exactly(outcome: str, exception_type: str, message: str | None,
                                   expected: bool) -> None:
    cell = make_cell("p", "tools", "partial_sync", outcome, "instructor", exception_type, message)
    assert sync_only_failure(cell) is expected


def test_twin_pairs_and_measured() -> None:
    assert twin_pairs() == [("sync", "async"), ("partial_sync", "partial_async"),
                            ("iterable_sync", "iterable_async")]
    assert [measured(make_cell("p", "tools", "sync", o, layer)) for o, layer in (
        ("pass", None), ("fail", "instructor"), ("unsupported", "litellm"),
        ("skipped", None), ("error", "harness"), ("error", "provider"))] == [
        True, True, True, False, False, True]


def test_async_reason_counts_and_names_the_failing_cells() -> None:
    cells = [make_cell(p, "tools", s) for p in ("a", "b") for s in ("sync", "partial_sync",
                                                                     "iterable_sync")]
    cells += [make_cell("a", "tools", "async", "error"), make_cell("a", "tools", "partial_async"),
              make_cell("b", "tools", "async"), make_cell("b", "tools", "iterable_async", "fail"),
              make_cell("b", "tools", "partial_async", "skipped")]
    v = decide_async(cells)
    assert (v.level, v.reason) == (
        Level.LIMITED, "2 of 4 async cells fail where their sync twin works: "
                       "a-tools-async, b-tools-iterable_async")
    assert [(e.cell_id, e.note) for e in v.evidence] == [
        ("a-tools-async", "error (provider)"), ("a-tools-partial_async", "pass"),
        ("b-tools-async", "pass"), ("b-tools-iterable_async", "fail (provider)")]


def test_async_without_its_sync_twin_is_not_counted() -> None:
    v = decide_async([make_cell("p", "tools", "async"), make_cell("p", "json", "sync"),
                      make_cell("p", "json", "async", "error", "litellm", "APIError")])
    assert (v.level, v.reason) == (
        Level.LIMITED, "1 of 1 async cells fail where their sync twin works: p-json-async")
    assert [(e.cell_id, e.note) for e in v.evidence] == [
        ("p-json-async", "error (litellm): APIError"),
        ("p-tools-async", "pass; not counted: its sync twin does not pass")]


# --- edges the mutation run found untested ------------------------------------------------------

def test_every_column_says_when_it_measured_nothing() -> None:
    assert decide_full([]) == Verdict(Level.UNMEASURED, "no raw_stream cell was run")
    assert decide_partial([]) == Verdict(Level.UNMEASURED, "no create_partial cell was run")
    assert decide_iterable([]) == Verdict(Level.UNMEASURED, "no create_iterable cell was run")
    assert decide_async([]) == Verdict(Level.UNMEASURED, "no async cell was run")


def test_raw_notes_count_missing_metrics_as_zero() -> None:
    no_deltas = decide_full([bare("raw_stream", "pass", http_streams=1)])
    assert [e.note for e in no_deltas.evidence] == [
        "single delta: 0 payload deltas over 1 HTTP stream"]
    no_streams = decide_full([bare("raw_stream", "pass", raw_deltas=3)])
    assert [e.note for e in no_streams.evidence] == [
        "faked: 3 payload deltas over 0 HTTP streams"]


def test_fault_notes_read_pass_alone_and_a_missing_layer_as_nothing() -> None:
    odd_pass = CellResult("p", "tools", "partial_sync", "pass", layer="provider",
                          exception_type="Warning", metrics={"incremental": True})
    no_layer = CellResult("p", "tools", "partial_async", "fail", metrics={})
    v = decide_partial([odd_pass, no_layer])
    assert [e.note for e in v.evidence] == ["pass, incremental", "fail"]
    assert v.reason == "only sync passes; partial_async fails in tools"


def test_stream_columns_when_litellm_refuses_every_mode_or_nothing_passes() -> None:
    refused = [make_cell("p", m, s, "unsupported", "litellm", "UnsupportedParamsError")
               for m in ("tools", "json") for s in ("iterable_sync", "iterable_async")]
    v = decide_iterable(refused)
    assert (v.level, v.reason) == (Level.NONE, "litellm refuses every mode")
    assert [e.note for e in v.evidence] == ["unsupported (litellm): UnsupportedParamsError"] * 4
    failing = [make_cell("p", "tools", s, "fail", "instructor", "ValidationError")
               for s in ("iterable_sync", "iterable_async")]
    v = decide_iterable(failing)
    assert (v.level, v.reason) == (Level.NONE, "create_iterable never passes")
    assert [e.note for e in v.evidence] == ["fail (instructor): ValidationError"] * 2


def test_no_async_pass_is_none_with_its_evidence() -> None:
    v = decide_async([make_cell("p", "tools", "sync"), make_cell("p", "tools", "async", "fail")])
    assert v == Verdict(Level.NONE, "no async scenario passes",
                        (Evidence("p-tools-async", "fail (provider)"),))


def test_each_column_names_its_own_cells_that_measured_nothing() -> None:
    cells = [make_cell("p", "tools", "raw_stream"),
             make_cell("p", "json", "raw_stream", "skipped"),
             make_cell("p", "tools", "partial_sync"), make_cell("p", "tools", "partial_async"),
             make_cell("p", "json", "partial_async", "error", "harness", "CassetteMissingError"),
             make_cell("p", "tools", "sync"), make_cell("p", "tools", "async"),
             make_cell("p", "json", "nested", "skipped")]
    row = decide_row(cells)
    assert {column: verdict.unmeasured for column, verdict in row.items()} == {
        "Full Streaming": ("p-json-raw_stream",),
        "Partial Streaming": ("p-json-partial_async",),
        "Iterable Streaming": (),
        "Async Support": ("p-json-partial_async",)}
    assert {column: verdict.level for column, verdict in row.items()} == {
        "Full Streaming": Level.FULL, "Partial Streaming": Level.FULL,
        "Iterable Streaming": Level.UNMEASURED, "Async Support": Level.FULL}
