"""The content checks: final values, partial consistency, incrementality."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from harness.scenarios.checks import (
    diff_values,
    distinct_count,
    is_incremental,
    is_progress,
    partial_violations,
)

FINAL: dict[str, Any] = {"name": "Jason", "age": 25, "bio": "Loves hiking."}


def test_diff_values_names_each_difference() -> None:
    assert diff_values(FINAL, FINAL) == []
    assert diff_values(FINAL, {"name": "Jason", "age": "25", "bio": "Loves hiking."}) == [
        "$.age: expected 25, got '25'"]
    assert diff_values({"a": [1, 2]}, {"a": [1]}) == ["$.a: expected 2 items, got 1"]
    assert diff_values({"a": 1}, {}) == ["$.a: missing (expected 1)"]
    assert diff_values({}, {"b": 2}) == ["$.b: unexpected 2"]


def test_partials_on_the_way_to_the_final_object_pass() -> None:
    partials: list[dict[str, Any]] = [{"name": None, "age": None, "bio": None},
                {"name": "Ja", "age": None, "bio": None},
                {"name": "Jason", "age": 2, "bio": None},
                {"name": "Jason", "age": 25, "bio": "Loves"},
                FINAL]
    assert partial_violations(partials, FINAL) == []
    assert distinct_count(partials) == 5
    assert is_incremental(partials, FINAL)


def test_a_wrong_or_backwards_partial_is_named() -> None:
    wrong: list[dict[str, Any]] = [{"name": "Jim", "age": None, "bio": None}, FINAL]
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


# --- the incremental threshold: at least 3 distinct partials -----------------------------------

_A: dict[str, Any] = {"name": "Ja", "age": None, "bio": None}
_B: dict[str, Any] = {"name": "Jason", "age": 25, "bio": None}


def test_two_distinct_partials_are_not_incremental_three_are() -> None:
    assert distinct_count([_A, FINAL]) == 2
    assert is_incremental([_A, FINAL], FINAL) is False
    assert distinct_count([_A, _B, FINAL]) == 3
    assert is_incremental([_A, _B, FINAL], FINAL) is True


def test_repeated_partials_count_once_only_when_consecutive() -> None:
    assert distinct_count([_A, _A, FINAL, FINAL]) == 2
    assert is_incremental([_A, _A, FINAL, FINAL], FINAL) is False
    assert distinct_count([_A, FINAL, _A]) == 3
    assert distinct_count([]) == 0
    assert is_incremental([], FINAL) is False


def test_three_distinct_partials_need_a_partly_filled_string_or_a_later_field_missing() -> None:
    final: dict[str, Any] = {"name": "Jason", "age": 123}
    digits = [{"name": "Jason", "age": 1}, {"name": "Jason", "age": 12}, final]
    assert distinct_count(digits) == 3
    assert is_incremental(digits, final) is False  # every field already set, strings complete
    later_missing: list[dict[str, Any]] = [{"name": "Jason", "age": None},
                                           {"name": "Jason", "age": 12}, final]
    assert is_incremental(later_missing, final) is True
    earlier_missing: list[dict[str, Any]] = [{"name": None, "age": 1},
                                             {"name": None, "age": 12}, final]
    assert is_incremental(earlier_missing, final) is False  # only a *later* field counts
    partly = [{"name": "J", "age": 123}, {"name": "Ja", "age": 123}, final]
    assert is_incremental(partly, final) is True


def test_a_partly_filled_string_counts_only_against_a_string_target() -> None:
    final = {"code": "abc", "n": 7}
    assert is_incremental([{"code": "abc", "n": 1}, {"code": "abc", "n": 2}, final],
                          final) is False
    final_num = {"n": 7, "code": "abc"}
    assert is_incremental([{"n": 7, "code": "abc"}, {"n": 7, "code": "abc"},
                           {"n": 7, "code": "abc"}], final_num) is False


# --- diff_values, is_progress and partial_violations, exactly -----------------------------------

def test_diff_values_tells_types_apart_and_names_nested_paths() -> None:
    assert diff_values({"a": 1}, {"a": True}) == ["$.a: expected 1, got True"]
    assert diff_values({"a": 1}, {"a": 1.0}) == ["$.a: expected 1, got 1.0"]
    assert diff_values([{"b": [1, 2]}], [{"b": [1, 3]}]) == ["$[0].b[1]: expected 2, got 3"]
    assert diff_values({"a": [1]}, {"a": {"0": 1}}) == ["$.a: expected [1], got {'0': 1}"]
    assert diff_values([1, 2], [1, 2, 3]) == ["$: expected 2 items, got 3"]
    assert diff_values([{"n": "A"}, {"n": "B"}], [{"n": "B"}, {"n": "A"}]) == [
        "$[0].n: expected 'A', got 'B'", "$[1].n: expected 'B', got 'A'"]
    assert diff_values({"b": 1, "a": 2}, {"c": 3}) == [
        "$.a: missing (expected 2)", "$.b: missing (expected 1)", "$.c: unexpected 3"]


def test_is_progress_exactly() -> None:
    assert is_progress(2, 25) is True  # digits so far
    assert is_progress(3, 25) is False
    assert is_progress(2.5, 2.55) is True
    assert is_progress("2", 25) is False
    assert is_progress(True, 12) is False
    assert is_progress(False, True) is False
    assert is_progress(1, True) is True  # equal in Python (1 == True): not a step at all
    assert is_progress([1], [1, 2]) is True
    assert is_progress([1, 2], [1]) is False
    assert is_progress({"a": "x"}, {"a": "xy", "b": 1}) is True
    assert is_progress({"a": "x", "b": 2}, {"a": "xy"}) is False
    assert is_progress({"a": None}, {}) is True
    assert is_progress({"a": 1}, [1]) is False


def test_a_backwards_partial_is_named_exactly() -> None:
    backwards = [{"name": "Jason", "age": None, "bio": None},
                 {"name": "Ja", "age": None, "bio": None}]
    assert partial_violations(backwards, FINAL) == [
        "partial #1 {'name': 'Ja', 'age': None, 'bio': None} moved backwards from "
        "{'name': 'Jason', 'age': None, 'bio': None}"]
    assert partial_violations([], FINAL) == []


def test_facts_on_nested_shapes() -> None:
    from harness.scenarios.checks import diff_facts

    assert diff_facts({"a": {"b": "X"}}, {"a": 3}) == ["$.a: expected an object, got 3"]
    assert diff_facts({"a": "Main St"}, {"a": "12  main   st."}) == []
    assert diff_facts({"a": "Main"}, {"a": 5}) == ["$.a: expected 'Main', got 5"]
    assert diff_facts([{"a": 1}, {"a": 2}], [{"a": 1}, {"a": 3}, {"a": 4}]) == [
        "$: expected 2 items, got 3: [{'a': 1}, {'a': 3}, {'a': 4}]",
        "$[1].a: expected 2, got 3"]
    assert diff_facts({"a": True}, {"a": 1}) == ["$.a: expected True, got 1"]
    assert diff_facts({"a": 2}, {"a": 2}) == []


def test_a_list_only_progresses_to_a_list_of_at_least_its_length() -> None:
    assert is_progress([1, "a"], [1, "ab"]) is True  # same length, an item still growing
    assert is_progress([1, "b"], [1, "ab"]) is False
    assert is_progress(["a"], "abc") is False
    assert is_progress("a", ["a"]) is False


def test_facts_name_a_missing_field() -> None:
    from harness.scenarios.checks import diff_facts

    assert diff_facts({"name": "Jason", "age": 25}, {"name": "Jason"}) == [
        "$.age: missing (expected 25)"]
