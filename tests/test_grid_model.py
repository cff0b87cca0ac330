"""The grid's model: each cell's changes along both libraries' releases, with literal answers."""

from __future__ import annotations

from harness.grid.model import (
    MATCHES,
    Change,
    changes,
    drift_state,
    first_changes,
    support,
    verdict,
)
from harness.grid.versions import Pair
from harness.results import CellResult, RunResults
from tests.test_support_levels import make_cell

I16, I17 = "1.16.0", "1.17.0"
L83, L96, L110 = "1.83.0", "1.96.2", "1.110.2"
DRIFT = {"request": "POST /model/x/converse", "changes": ["toolConfig removed"],
         "explanation": "litellm no longer sends json mode as a forced tool",
         "recorded_with": {"litellm": L83}, "replayed_with": {"litellm": L96},
         "resolution": "re-answered"}
AVAILABLE = {"instructor": [I16, I17], "litellm": [L83, "1.84.0", L96, L110]}


def _verdicts(pair: Pair) -> dict[str, tuple[str, str | None]]:
    """The made-up grid: (outcome, layer) of each cell under `pair`."""
    harness_error = ("error", "harness")
    out: dict[str, tuple[str, str | None]] = {
        "openai-tools-sync": ("pass", None),
        # Drift on newer litellm: the replay no longer matches the recording.
        "mistral-tools-raw_stream": ("pass", None) if pair.litellm == L83 else harness_error,
        # An instructor bug fixed in 1.17.0.
        "openai-json-partial_sync": (("error", "instructor") if pair.instructor == I16
                                     else ("pass", None)),
        # Broken by litellm 1.96.2 with instructor 1.17.0 only, fixed again in 1.110.2.
        "azure-json-async": (("fail", "litellm") if (pair.instructor, pair.litellm) == (I17, L96)
                             else ("pass", None)),
        # The layer moved: litellm's error became a harness error.
        "cohere-json-sync": ("error", "litellm") if pair.litellm == L83 else harness_error,
    }
    # Always passes: mistral's row exists under every pair, its level on fewer cells at times.
    out["mistral-json-raw_stream"] = ("pass", None)
    # litellm 1.96.2 changes the request (re-answered by the emulator), 1.110.2 also breaks it.
    out["bedrock-json-sync"] = ("error", "litellm") if pair.litellm == L110 else ("pass", None)
    if pair == Pair(I17, L96):  # not measured under this pair: stepped over
        out["gemini-tools-async"] = ("skipped", None)
    else:
        out["gemini-tools-async"] = ("pass", None) if pair.litellm == L83 else ("fail", "provider")
    return out


def grid() -> dict[Pair, RunResults]:
    by_pair = {}
    for pair in (Pair(i, v) for i in (I16, I17) for v in (L83, L96, L110)):
        cells = {}
        for cid, (outcome, layer) in _verdicts(pair).items():
            provider, mode, scenario = cid.split("-", 2)
            cell = make_cell(provider, mode, scenario, outcome, layer)
            if cid == "bedrock-json-sync" and pair.litellm != L83:
                cell.drift = DRIFT
            cells[cell.cell_id] = cell
        by_pair[pair] = RunResults({"versions": {"instructor": pair.instructor,
                                                 "litellm": pair.litellm}}, cells)
    return by_pair


def _brief(c: Change) -> tuple[str, str, str, str, str, str, str, str, int | None]:
    return (c.cell, c.kind, c.library, c.before_version, c.after_version, c.other, c.before,
            c.after, c.untested)


def test_every_change_along_both_libraries() -> None:
    found = [_brief(c) for c in changes(grid(), AVAILABLE)]
    drifted = "toolConfig removed (re-answered)"
    assert found == [
        # instructor's releases, litellm held fixed (at each of its releases in turn)
        ("openai-json-partial_sync", "fixed", "instructor", I16, I17, L83,
         "error (instructor)", "pass", 0),
        ("azure-json-async", "broke", "instructor", I16, I17, L96, "pass", "fail (litellm)", 0),
        ("openai-json-partial_sync", "fixed", "instructor", I16, I17, L96,
         "error (instructor)", "pass", 0),
        ("openai-json-partial_sync", "fixed", "instructor", I16, I17, L110,
         "error (instructor)", "pass", 0),
        # litellm's releases, instructor held fixed
        ("bedrock-json-sync", "broke", "litellm", L96, L110, I16, "pass", "error (litellm)", 0),
        ("bedrock-json-sync", "drifted", "litellm", L83, L96, I16, MATCHES, drifted, 1),
        ("cohere-json-sync", "changed", "litellm", L83, L96, I16, "error (litellm)",
         "error (harness)", 1),
        ("gemini-tools-async", "broke", "litellm", L83, L96, I16, "pass", "fail (provider)", 1),
        ("mistral-tools-raw_stream", "broke", "litellm", L83, L96, I16, "pass",
         "error (harness)", 1),
        ("azure-json-async", "broke", "litellm", L83, L96, I17, "pass", "fail (litellm)", 1),
        ("azure-json-async", "fixed", "litellm", L96, L110, I17, "fail (litellm)", "pass", 0),
        ("bedrock-json-sync", "broke", "litellm", L96, L110, I17, "pass", "error (litellm)", 0),
        ("bedrock-json-sync", "drifted", "litellm", L83, L96, I17, MATCHES, drifted, 1),
        ("cohere-json-sync", "changed", "litellm", L83, L96, I17, "error (litellm)",
         "error (harness)", 1),
        # skipped under 1.17.0 × 1.96.2: the change is between 1.83.0 and 1.110.2
        ("gemini-tools-async", "broke", "litellm", L83, L110, I17, "pass", "fail (provider)", 2),
        ("mistral-tools-raw_stream", "broke", "litellm", L83, L96, I17, "pass",
         "error (harness)", 1),
    ]


def test_first_broke_fixed_and_drifted_per_cell_and_library() -> None:
    first = {cell: {kind: [(c.library, c.after_version, c.other) for c in found]
                    for kind, found in kinds.items()}
             for cell, kinds in first_changes(changes(grid())).items()}
    assert first == {
        "azure-json-async": {"broke": [("instructor", I17, L96), ("litellm", L96, I17)],
                             "fixed": [("litellm", L110, I17)]},
        "openai-json-partial_sync": {"fixed": [("instructor", I17, L83)]},
        "bedrock-json-sync": {"drifted": [("litellm", L96, I16)],
                              "broke": [("litellm", L110, I16)]},
        "gemini-tools-async": {"broke": [("litellm", L96, I16)]},
        "mistral-tools-raw_stream": {"broke": [("litellm", L96, I16)]},
    }


def test_drift_state_words() -> None:
    cell = make_cell("bedrock", "json", "sync")
    assert drift_state(cell) == MATCHES and drift_state(None) is None
    cell.drift = {**DRIFT, "changes": [], "resolution": "not measured: re-record live"}
    assert drift_state(cell) == "the request differs (not measured: re-record live)"


def test_without_release_lists_the_gap_is_unknown() -> None:
    assert {c.untested for c in changes(grid())} == {None}


def test_a_missing_pair_is_stepped_over() -> None:
    by_pair = {p: r for p, r in grid().items() if p != Pair(I16, L96)}
    found = [(c.cell, c.kind, c.before_version, c.after_version) for c in changes(by_pair)
             if c.library == "litellm" and c.other == I16]
    assert found == [("bedrock-json-sync", "broke", L83, L110),
                     ("bedrock-json-sync", "drifted", L83, L110),
                     ("cohere-json-sync", "changed", L83, L110),
                     ("gemini-tools-async", "broke", L83, L110),
                     ("mistral-tools-raw_stream", "broke", L83, L110)]


def test_verdict_words() -> None:
    assert verdict(make_cell("openai", "json", "sync")) == "pass"
    assert verdict(make_cell("openai", "json", "sync", "error", "harness")) == "error (harness)"
    assert verdict(CellResult("openai", "json", "sync", "skipped")) is None
    assert verdict(None) is None


def test_support_rows_per_pair() -> None:
    rows = support(grid())
    assert [r.display for r in rows] == ["OpenAI", "Azure", "Google", "Cohere", "AWS", "Mistral"]
    openai = rows[0]
    assert openai.providers == {"openai"}
    assert list(openai.by_pair) == [p.id for p in sorted(grid(), key=Pair.sort_key)]
    assert set(openai.by_pair[Pair(I17, L83).id]) == {
        "Full Streaming", "Partial Streaming", "Iterable Streaming", "Async Support"}
    # gemini's only cell is skipped under 1.17.0 × 1.96.2: no row for that pair
    assert Pair(I17, L96).id not in rows[2].by_pair and len(rows[2].by_pair) == 5
    # cohere's only cell is a harness error on newer litellm: nothing measured, no row there
    assert list(rows[3].by_pair) == [Pair(I16, L83).id, Pair(I17, L83).id]
    # mistral's tools raw stream is a harness error on newer litellm: Full Streaming rests on
    # its json raw stream alone there, and says which cell it lacks
    mistral = rows[5].by_pair
    assert mistral[Pair(I17, L83).id]["Full Streaming"]["unmeasured"] == []
    assert mistral[Pair(I17, L110).id]["Full Streaming"]["unmeasured"] == [
        "mistral-tools-raw_stream"]
