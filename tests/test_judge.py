"""judge(): the exact problems it names for wrong answers, and the metrics the levels read.

Expected answers are written out here (harness/scenarios/catalog.py holds the same values): a
test that read them from the scenario would pass whatever the catalog said.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.packs.guide.models import User
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation, Scenario
from harness.verdict.judge import delivered_matches, first_json, judge

JASON: dict[str, Any] = {"name": "Jason", "age": 25}
SARAH: dict[str, Any] = {"name": "Sarah", "age": 30}
MIKE: dict[str, Any] = {"name": "Mike", "age": 28}
PROFILE: dict[str, Any] = {
    "name": "Jason",
    "age": 25,
    "bio": ("Jason is a 25-year-old software engineer from Portland who loves hiking, "
            "open-source tooling and brewing his own coffee."),
}
HALF: dict[str, Any] = {"name": "Jason", "age": None, "bio": None}
MORE: dict[str, Any] = {"name": "Jason", "age": 25, "bio": "Jason is a 25"}


def test_the_catalog_expects_what_these_tests_say() -> None:
    assert get_scenario("sync").expected == JASON
    assert get_scenario("iterable_sync").expected == [JASON, SARAH, MIKE]
    assert get_scenario("partial_sync").expected == PROFILE
    assert get_scenario("raw_stream").expected == JASON


# --- create_iterable -------------------------------------------------------------------------

def _iterable(items: list[dict[str, Any]], scenario: str = "iterable_sync"
              ) -> tuple[bool, list[str], dict[str, Any]]:
    return judge(get_scenario(scenario), Observation(final=items, yielded=items))


def test_iterable_items_in_order_pass() -> None:
    assert _iterable([JASON, SARAH, MIKE]) == (
        True, [], {"yielded": 3, "llm_chunks": 0, "payload_deltas": 0, "items": 3})


@pytest.mark.parametrize("scenario", ["iterable_sync", "iterable_async"])
def test_iterable_items_reordered_fail_on_each_moved_item(scenario: str) -> None:
    passed, problems, _ = _iterable([SARAH, JASON, MIKE], scenario)
    assert passed is False
    assert problems == ["$[0].age: expected 25, got 30", "$[0].name: expected 'Jason', got 'Sarah'",
                        "$[1].age: expected 30, got 25", "$[1].name: expected 'Sarah', got 'Jason'"]
    passed, problems, _ = _iterable([MIKE, SARAH, JASON], scenario)
    assert problems == ["$[0].age: expected 25, got 28", "$[0].name: expected 'Jason', got 'Mike'",
                        "$[2].age: expected 28, got 25", "$[2].name: expected 'Mike', got 'Jason'"]


def test_a_missing_iterable_item_fails() -> None:
    assert _iterable([JASON, SARAH]) == (
        False, ["$: expected 3 items, got 2"],
        {"yielded": 2, "llm_chunks": 0, "payload_deltas": 0, "items": 2})
    assert _iterable([JASON, MIKE])[1] == [
        "$: expected 3 items, got 2", "$[1].age: expected 30, got 28",
        "$[1].name: expected 'Sarah', got 'Mike'"]
    assert _iterable([])[1] == ["$: expected 3 items, got 0"]


def test_an_extra_iterable_item_fails() -> None:
    assert _iterable([JASON, SARAH, MIKE, {"name": "Anna", "age": 41}])[:2] == (
        False, ["$: expected 3 items, got 4"])


def test_a_duplicated_iterable_item_fails() -> None:
    assert _iterable([JASON, SARAH, SARAH])[:2] == (
        False, ["$[2].age: expected 28, got 30", "$[2].name: expected 'Mike', got 'Sarah'"])
    assert _iterable([JASON, JASON, SARAH, MIKE])[1] == [
        "$: expected 3 items, got 4", "$[1].age: expected 30, got 25",
        "$[1].name: expected 'Sarah', got 'Jason'", "$[2].age: expected 28, got 30",
        "$[2].name: expected 'Mike', got 'Sarah'"]


def test_an_iterable_item_of_the_wrong_type_or_no_answer_fails() -> None:
    assert _iterable([JASON, {"name": "Sarah", "age": "30"}, MIKE])[1] == [
        "$[1].age: expected 30, got '30'"]
    passed, problems, _ = judge(get_scenario("iterable_sync"), Observation())
    assert (passed, problems) == (False, [
        "$: expected [{'name': 'Jason', 'age': 25}, {'name': 'Sarah', 'age': 30}, "
        "{'name': 'Mike', 'age': 28}], got None"])


# --- create_partial --------------------------------------------------------------------------

def _partial(yielded: list[dict[str, Any]], final: dict[str, Any] | None = None,
             scenario: str = "partial_sync") -> tuple[bool, list[str], dict[str, Any]]:
    obs = Observation(final=final if final is not None else (yielded[-1] if yielded else None),
                      yielded=yielded)
    return judge(get_scenario(scenario), obs)


def test_partials_on_the_way_pass_with_their_metrics() -> None:
    assert _partial([HALF, MORE, PROFILE]) == (
        True, [], {"yielded": 3, "llm_chunks": 0, "payload_deltas": 0, "partials": 3,
                   "incremental": True})
    assert _partial([HALF, PROFILE])[2] == {"yielded": 2, "llm_chunks": 0, "payload_deltas": 0,
                                            "partials": 2, "incremental": False}


@pytest.mark.parametrize("scenario", ["partial_sync", "partial_async"])
def test_a_partial_moving_backwards_fails(scenario: str) -> None:
    back = {"name": "Ja", "age": None, "bio": None}
    passed, problems, metrics = _partial([HALF, back, PROFILE], scenario=scenario)
    assert passed is False
    assert problems == [
        "partial #1 {'name': 'Ja', 'age': None, 'bio': None} moved backwards from "
        "{'name': 'Jason', 'age': None, 'bio': None}"]
    assert (metrics["partials"], metrics["incremental"]) == (3, True)


def test_a_partial_losing_a_field_moves_backwards() -> None:
    lost = {"name": "Jason", "age": None, "bio": "Jason is a 25"}
    assert _partial([MORE, lost, PROFILE])[1] == [
        "partial #1 {'name': 'Jason', 'age': None, 'bio': 'Jason is a 25'} moved backwards from "
        "{'name': 'Jason', 'age': 25, 'bio': 'Jason is a 25'}"]


def test_a_partial_off_the_way_to_the_final_fails() -> None:
    off = {"name": "Jim", "age": None, "bio": None}
    assert _partial([off, PROFILE])[1] == [
        "partial #0 {'name': 'Jim', 'age': None, 'bio': None} is not on the way to the final "
        f"{PROFILE!r}",
        f"partial #1 {PROFILE!r} moved backwards from {{'name': 'Jim', 'age': None, 'bio': None}}"]


def test_a_wrong_final_partial_fails_on_the_field() -> None:
    wrong = {**PROFILE, "age": 26}
    passed, problems, _ = _partial([HALF, wrong], final=wrong)
    assert passed is False
    assert problems == ["$.age: expected 25, got 26",
                        f"partial #1 {wrong!r} is not on the way to the final {PROFILE!r}"]


def test_create_partial_yielding_nothing_fails() -> None:
    assert _partial([], final=PROFILE) == (
        False, ["create_partial yielded nothing"],
        {"yielded": 0, "llm_chunks": 0, "payload_deltas": 0, "partials": 0})


def test_a_partial_scenario_must_expect_one_object() -> None:
    bad = Scenario("bad", "partial", False, User, "p", [JASON], "a list for create_partial")
    assert judge(bad, Observation(final=JASON, yielded=[JASON]))[:2] == (
        False, ["a create_partial scenario's expected answer must be one object"])


# --- create ----------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["sync", "async"])
def test_create_with_a_wrong_field_value_fails_on_that_field(scenario: str) -> None:
    assert judge(get_scenario(scenario), Observation(final={"name": "Jason", "age": 52})) == (
        False, ["$.age: expected 25, got 52"], {"yielded": 0, "llm_chunks": 0,
                                                "payload_deltas": 0})
    assert judge(get_scenario(scenario), Observation(final={"name": "jason", "age": 25}))[1] == [
        "$.name: expected 'Jason', got 'jason'"]
    assert judge(get_scenario(scenario), Observation(final=JASON))[:2] == (True, [])


def test_create_with_a_missing_extra_or_no_answer_fails() -> None:
    sync = get_scenario("sync")
    assert judge(sync, Observation(final={"name": "Jason"}))[1] == [
        "$.age: missing (expected 25)"]
    assert judge(sync, Observation(final={**JASON, "email": None}))[1] == [
        "$.email: unexpected None"]
    assert judge(sync, Observation())[1] == [
        "$: expected {'name': 'Jason', 'age': 25}, got None"]


def test_nested_create_names_the_nested_path() -> None:
    final = {"name": "Jason", "age": 25, "addresses": [
        {"street": "123 Main St", "city": "New York", "country": "USA"},
        {"street": "456 Beach Rd", "city": "Miami Beach", "country": "USA"}]}
    assert judge(get_scenario("nested"), Observation(final=final))[1] == [
        "$.addresses[1].city: expected 'Miami', got 'Miami Beach'"]


# --- raw stream ------------------------------------------------------------------------------

_PLAIN = '{"name": "Jason", "age": 25}'


def _raw(deltas: list[str], delivered: str = _PLAIN, final: Any = None
         ) -> tuple[bool, list[str], dict[str, Any]]:
    obs = Observation(final=JASON if final is None else final, raw_deltas=deltas,
                      delivered_text=delivered, payload_deltas=3)
    return judge(get_scenario("raw_stream"), obs)


def test_raw_stream_equal_to_the_plain_payload_passes() -> None:
    assert _raw(['{"name": "Ja', 'son", "age": 25}']) == (
        True, [], {"yielded": 0, "llm_chunks": 0, "payload_deltas": 3, "raw_deltas": 2,
                   "raw_exact": True, "raw_matches": True})


def test_raw_stream_with_the_same_json_differently_spaced_passes_not_exact() -> None:
    passed, problems, metrics = _raw(['{"name":"Jason",', '"age":25}'])
    assert (passed, problems) == (True, [])
    assert (metrics["raw_exact"], metrics["raw_matches"]) == (False, True)


def test_raw_stream_with_other_content_fails() -> None:
    passed, problems, metrics = _raw(['{"name": "Jason", "age": 26}'])
    assert passed is False
    assert problems == ["streamed payload '{\"name\": \"Jason\", \"age\": 26}' != non-streamed "
                        "payload '{\"name\": \"Jason\", \"age\": 25}'"]
    assert (metrics["raw_deltas"], metrics["raw_exact"], metrics["raw_matches"]) == (1, False,
                                                                                   False)
    # Neither side JSON: they only match when equal.
    assert _raw(["not json"], delivered="not json either")[2]["raw_matches"] is False


def test_raw_stream_without_deltas_fails_and_the_final_still_counts() -> None:
    assert _raw([])[:2] == (False, ["the raw stream=True call yielded no payload delta"])
    assert _raw([_PLAIN], final={"name": "Jason", "age": 3})[1] == ["$.age: expected 25, got 3"]


# --- timing metrics --------------------------------------------------------------------------

def test_first_object_before_the_last_chunk() -> None:
    obs = Observation(final=[JASON, SARAH, MIKE], yielded=[JASON, SARAH, MIKE],
                      chunks_at_yield=[4, 7, 9], seconds_at_yield=[0.123456, 0.2, 0.3],
                      chunks_total=10, payload_deltas=8)
    assert judge(get_scenario("iterable_sync"), obs) == (True, [], {
        "yielded": 3, "llm_chunks": 10, "payload_deltas": 8, "items": 3,
        "first_yield_chunk": 4, "first_yield_s": 0.1235, "first_before_last_chunk": True})


def test_first_object_at_the_last_chunk_is_not_before_it() -> None:
    obs = Observation(final=[JASON, SARAH, MIKE], yielded=[JASON, SARAH, MIKE],
                      chunks_at_yield=[10, 10, 10], seconds_at_yield=[1.0, 1.0, 1.0],
                      chunks_total=10, payload_deltas=1)
    metrics = judge(get_scenario("iterable_sync"), obs)[2]
    assert (metrics["first_yield_chunk"], metrics["first_before_last_chunk"]) == (10, False)
    obs.chunks_at_yield = [9, 10, 10]
    assert judge(get_scenario("iterable_sync"), obs)[2]["first_before_last_chunk"] is True


# --- live judging (facts) --------------------------------------------------------------------

def test_live_create_is_judged_on_its_facts() -> None:
    sync = get_scenario("sync")
    assert judge(sync, Observation(final={"name": "JASON", "age": 25}), strict=False) == (
        True, [], {"yielded": 0, "llm_chunks": 0, "payload_deltas": 0, "judged": "facts"})
    assert judge(sync, Observation(final={"name": "Jason", "age": 52}), strict=False)[:2] == (
        False, ["$.age: expected 25, got 52"])
    assert judge(sync, Observation(), strict=False)[:2] == (False, ["no answer"])


def test_live_partial_is_checked_against_the_models_own_final() -> None:
    scenario = get_scenario("partial_sync")
    final: dict[str, Any] = {"name": "Jason", "age": 25, "bio": "Hikes."}
    steps: list[dict[str, Any]] = [{"name": "Jason", "age": None, "bio": None},
                                   {"name": "Jason", "age": 25, "bio": "Hi"}, final]
    assert judge(scenario, Observation(final=final, yielded=steps), strict=False) == (
        True, [], {"yielded": 3, "llm_chunks": 0, "payload_deltas": 0, "partials": 3,
                   "incremental": True, "judged": "facts"})
    back = [steps[1], steps[0], final]
    assert judge(scenario, Observation(final=final, yielded=back), strict=False)[1] == [
        "partial #1 {'name': 'Jason', 'age': None, 'bio': None} moved backwards from "
        "{'name': 'Jason', 'age': 25, 'bio': 'Hi'}"]
    assert judge(scenario, Observation(final=final), strict=False)[1] == [
        "create_partial yielded nothing"]


def test_live_raw_stream_must_carry_the_facts() -> None:
    scenario = get_scenario("raw_stream")
    good = Observation(final=JASON, raw_deltas=["Here: ", '{"name": "Jason", ', '"age": 25}'],
                       delivered_text='{"name": "Jason", "age": 25, "note": 1}')
    passed, problems, metrics = judge(scenario, good, strict=False)
    assert (passed, problems, metrics["raw_matches"]) == (True, [], True)
    bad = Observation(final=JASON, raw_deltas=['{"name": "Jim", "age": 25}'])
    assert judge(scenario, bad, strict=False)[:2] == (
        False, ["streamed payload lacks the facts: '{\"name\": \"Jim\", \"age\": 25}'"])
    prose = Observation(final=JASON, raw_deltas=["no json here"])
    assert judge(scenario, prose, strict=False)[2]["raw_matches"] is False
    empty = Observation(final=JASON)
    assert judge(scenario, empty, strict=False)[:2] == (
        False, ["the raw stream=True call yielded no payload delta"])


def test_live_iterable_facts_keep_the_order() -> None:
    scenario = get_scenario("iterable_async")
    assert judge(scenario, Observation(final=[JASON, SARAH, MIKE]), strict=False)[:2] == (
        True, [])
    assert judge(scenario, Observation(final=[SARAH, JASON, MIKE]), strict=False)[1] == [
        "$[0].name: expected 'Jason', got 'Sarah'", "$[0].age: expected 25, got 30",
        "$[1].name: expected 'Sarah', got 'Jason'", "$[1].age: expected 30, got 25"]


# --- reading JSON out of text ----------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ('{"a": 1}', {"a": 1}),
    ('Sure! ```json\n{"a": [1, 2]}\n``` done', {"a": [1, 2]}),
    ('[1, 2] then {"a": 1}', [1, 2]),
    ('{"a": 1} then [1, 2]', {"a": 1}),
    ("no json at all", None),
    ('{"a": ', None),
    ("", None),
])
def test_first_json(text: str, value: Any) -> None:
    assert first_json(text) == value


@pytest.mark.parametrize("delivered,expected,matches", [
    ("", JASON, None),
    ('{"name": "Jason", "age": 25}', JASON, True),
    ('text {"name": "Jason", "age": 25} more', JASON, True),
    ('{"name": "Jason", "age": 26}', JASON, False),
    ("no json", JASON, False),
    ('{"name": ', JASON, False),
    ('{"users": [{"name": "Jason", "age": 25}]}', [JASON], True),
    ('{"users": [{"name": "Jason", "age": 25}]}', [SARAH], False),
    ('[{"name": "Jason", "age": 25}]', [JASON], True),
    ('{"count": 1}', [JASON], False),
])
def test_delivered_matches(delivered: str, expected: Any, matches: bool | None) -> None:
    assert delivered_matches(Observation(delivered_text=delivered), expected) is matches


# --- edges the mutation run found untested ------------------------------------------------------

_LONG_BIO = "x" * 300


def test_a_long_raw_stream_mismatch_is_cut_at_200_characters_each_side() -> None:
    streamed = json.dumps({"name": "Jason", "age": 25, "bio": _LONG_BIO})
    plain = json.dumps({"name": "Jason", "age": 25, "bio": _LONG_BIO + "y"})
    obs = Observation(final=JASON, raw_deltas=[streamed[:150], streamed[150:]],
                      delivered_text=plain)
    assert judge(get_scenario("raw_stream"), obs)[1] == [
        f"streamed payload {streamed[:200]!r} != non-streamed payload {plain[:200]!r}"]
    live = Observation(final=JASON, raw_deltas=['{"name": "Jim", ', f'"bio": "{_LONG_BIO}"}}'])
    joined = '{"name": "Jim", ' + f'"bio": "{_LONG_BIO}"}}'
    assert judge(get_scenario("raw_stream"), live, strict=False)[1] == [
        f"streamed payload lacks the facts: {joined[:200]!r}"]


def test_live_judging_without_facts_uses_the_expected_answer() -> None:
    no_facts = Scenario("plain", "create", False, User, "p", JASON, "no facts given")
    assert judge(no_facts, Observation(final={"name": "jason", "age": 25}), strict=False)[:2] == (
        True, [])
    assert judge(no_facts, Observation(final={"name": "Jason", "age": 2}), strict=False)[:2] == (
        False, ["$.age: expected 25, got 2"])


def test_live_judging_checks_partials_only_for_create_partial() -> None:
    iterable = Observation(final=[JASON, SARAH, MIKE], yielded=[JASON, SARAH, MIKE])
    assert judge(get_scenario("iterable_sync"), iterable, strict=False) == (
        True, [], {"yielded": 3, "llm_chunks": 0, "payload_deltas": 0, "items": 3,
                   "judged": "facts"})
    # No final answer: the metrics stay the strict ones (against the expected answer).
    no_final = Observation(yielded=[HALF, MORE])
    assert judge(get_scenario("partial_sync"), no_final, strict=False) == (
        False, ["no answer"], {"yielded": 2, "llm_chunks": 0, "payload_deltas": 0,
                               "partials": 2, "incremental": False, "judged": "facts"})
    nothing = Observation(final=PROFILE)
    assert judge(get_scenario("partial_sync"), nothing, strict=False) == (
        False, ["create_partial yielded nothing"],
        {"yielded": 0, "llm_chunks": 0, "payload_deltas": 0, "partials": 0, "judged": "facts"})


@pytest.mark.parametrize("text,value", [
    ('answer: {"a": {"b": 1}}', {"a": {"b": 1}}),
    ("[[1, 2], [3]]", [[1, 2], [3]]),
    ('{"a": [1, [2]]} and [9]', {"a": [1, [2]]}),
    ("x42", None),  # no object or array: a bare number is not an answer
])
def test_first_json_takes_the_first_opening_bracket(text: str, value: Any) -> None:
    assert first_json(text) == value


@pytest.mark.parametrize("delivered,expected,matches", [
    ('{"user": {"name": "Jason", "age": 25}}', {"user": {"name": "Jason", "age": 25}}, True),
    ('[[{"name": "Jason", "age": 25}]]', [[JASON]], True),
    ("x42", 42, False),
])
def test_delivered_matches_takes_the_first_opening_bracket(delivered: str, expected: Any,
                                                           matches: bool) -> None:
    assert delivered_matches(Observation(delivered_text=delivered), expected) is matches
