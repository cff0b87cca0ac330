"""The support-level rule on small synthetic results: every column, every edge, and properties."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.matrix.levels import (
    SYMBOLS,
    Level,
    decide_async,
    decide_full,
    decide_iterable,
    decide_partial,
)
from harness.matrix.rules import COLUMNS, RULES, decide_row, legend_lines
from harness.results import CellResult

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
def test_levels_ignore_cell_order_and_evidence_names_only_input_cells(cells, rnd) -> None:
    shuffled = cells[:]
    rnd.shuffle(shuffled)
    a, b = decide_row(cells), decide_row(shuffled)
    assert {c: v.level for c, v in a.items()} == {c: v.level for c, v in b.items()}
    known = {c.cell_id for c in cells}
    for verdict in a.values():
        assert {e.cell_id for e in verdict.evidence} <= known


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_strategy, min_size=1, max_size=14).map(_unique))
def test_an_unsupported_extra_mode_changes_no_measured_level(cells) -> None:
    before = decide_row(cells)
    extra = [make_cell("p", "parallel_tools", s, "unsupported", "litellm")
             for s in SCENARIO_NAMES]
    after = decide_row(cells + extra)
    for column in COLUMNS:
        if before[column].level is not Level.UNMEASURED:
            assert after[column].level is before[column].level, column


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_strategy, max_size=14).map(_unique), st.integers(0, 13))
def test_a_streaming_column_never_drops_when_a_cell_starts_passing(cells, index) -> None:
    if not cells:
        return
    target = cells[index % len(cells)]
    fixed = [make_cell("p", c.mode, c.scenario) if c is target else c for c in cells]
    for decide in (decide_full, decide_partial, decide_iterable):
        before, after = decide(cells).level, decide(fixed).level
        if Level.UNMEASURED not in (before, after):
            assert after.rank >= before.rank


# --- the legend is rendered from the rule -----------------------------------------------------

def test_legend_renders_every_rule_and_symbol() -> None:
    lines = legend_lines()
    for rule in RULES:
        assert f"- **{rule.column}**: {rule.measures}." in lines
        for level, text in rule.criteria:
            assert f"  - {level.symbol}: {text}." in lines
    assert COLUMNS == ("Full Streaming", "Partial Streaming", "Iterable Streaming",
                       "Async Support")
    assert [SYMBOLS[lv] for lv in (Level.FULL, Level.LIMITED, Level.NONE)] == \
        ["✅ Full", "⚠️ Limited", "❌ None"]
