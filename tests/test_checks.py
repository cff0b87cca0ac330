"""The content checks: final values, partial consistency, incrementality."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harness.scenarios.checks import (
    diff_values,
    distinct_count,
    is_incremental,
    is_progress,
    partial_violations,
)

FINAL = {"name": "Jason", "age": 25, "bio": "Loves hiking."}


def test_diff_values_names_each_difference() -> None:
    assert diff_values(FINAL, FINAL) == []
    assert diff_values(FINAL, {"name": "Jason", "age": "25", "bio": "Loves hiking."}) == [
        "$.age: expected 25, got '25'"]
    assert diff_values({"a": [1, 2]}, {"a": [1]}) == ["$.a: expected 2 items, got 1"]
    assert diff_values({"a": 1}, {}) == ["$.a: missing (expected 1)"]
    assert diff_values({}, {"b": 2}) == ["$.b: unexpected 2"]


def test_partials_on_the_way_to_the_final_object_pass() -> None:
    partials = [{"name": None, "age": None, "bio": None},
                {"name": "Ja", "age": None, "bio": None},
                {"name": "Jason", "age": 2, "bio": None},
                {"name": "Jason", "age": 25, "bio": "Loves"},
                FINAL]
    assert partial_violations(partials, FINAL) == []
    assert distinct_count(partials) == 5
    assert is_incremental(partials, FINAL)


def test_a_wrong_or_backwards_partial_is_named() -> None:
    wrong = [{"name": "Jim", "age": None, "bio": None}, FINAL]
    assert partial_violations(wrong, FINAL) == [
        "partial #0 {'name': 'Jim', 'age': None, 'bio': None} is not on the way to the final "
        "{'name': 'Jason', 'age': 25, 'bio': 'Loves hiking.'}",
        "partial #1 {'name': 'Jason', 'age': 25, 'bio': 'Loves hiking.'} moved backwards from "
        "{'name': 'Jim', 'age': None, 'bio': None}"]
    backwards = [{"name": "Jason", "age": None, "bio": None},
                 {"name": "Ja", "age": None, "bio": None}]
    assert any("moved backwards" in v for v in partial_violations(backwards, FINAL))


def test_one_whole_partial_is_not_incremental() -> None:
    assert not is_incremental([FINAL], FINAL)
    assert not is_incremental([FINAL, FINAL, FINAL], FINAL)
    assert distinct_count([FINAL, FINAL, FINAL]) == 1


def test_bools_and_lists() -> None:
    assert not is_progress(True, False)
    assert is_progress([{"a": "x"}], [{"a": "xy"}, {"a": "z"}])
    assert not is_progress([{"a": "q"}], [{"a": "xy"}])


@given(st.text(max_size=30), st.integers(min_value=0, max_value=30))
def test_every_prefix_is_progress(text: str, cut: int) -> None:
    assert is_progress(text[:cut], text)
    assert is_progress(None, text)


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_a_non_prefix_string_is_not_progress(a: str, b: str) -> None:
    assert is_progress(a, b) == b.startswith(a)


def test_facts_tolerate_wording_but_not_wrong_values() -> None:
    from harness.scenarios.checks import diff_facts

    facts = {"name": "Jason", "age": 25, "addresses": [{"street": "123 Main St"}]}
    good = {"name": "jason", "age": 25, "bio": "x",
            "addresses": [{"street": "123 Main St, Apt 4", "city": "NYC"}]}
    assert diff_facts(facts, good) == []
    assert diff_facts(facts, {**good, "age": 52}) == ["$.age: expected 25, got 52"]
    assert diff_facts(facts, {**good, "addresses": []}) == [
        "$.addresses: expected 1 items, got 0: []"]
    assert diff_facts([{"name": "A"}], {"name": "A"}) == [
        "$: expected a list, got {'name': 'A'}"]
    assert diff_facts({"age": 1}, {"age": True}) == ["$.age: expected 1, got True"]


def test_live_judging_uses_facts_and_the_models_own_final() -> None:
    from harness.scenarios import get_scenario
    from harness.scenarios.base import Observation
    from harness.verdict.judge import judge

    scenario = get_scenario("partial_async")
    final = {"name": "Jason", "age": 25, "bio": "A different bio than expected."}
    obs = Observation(final=final, yielded=[{"name": "Ja", "age": None, "bio": None},
                                            {"name": "Jason", "age": 25, "bio": "A diff"},
                                            final])
    assert judge(scenario, obs, strict=True)[0] is False
    passed, problems, metrics = judge(scenario, obs, strict=False)
    assert passed, problems
    assert metrics["judged"] == "facts" and metrics["incremental"] is True
    wrong = Observation(final={**final, "age": 30}, yielded=[{**final, "age": 30}])
    assert judge(scenario, wrong, strict=False)[1] == ["$.age: expected 25, got 30"]
