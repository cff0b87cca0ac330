"""The fuzz suite's own pieces, checked without a provider: the invariants catch what they must,
and every generated case round-trips (a failure is then the libraries', never the generator's).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from tests.fuzz.invariants import check_items, check_partials, regressions
from tests.fuzz.models import Case, build, cases
from tests.fuzz.wires import Cuts, Target

FINAL = {"s": "abc", "n": 123, "x": 1e16, "l": [{"a": "x"}, {"a": "yz"}], "b": True}


@pytest.mark.parametrize("partials", [
    [{"s": "a"}, {"s": "ab", "n": 12}, {"s": "abc", "n": 123, "x": 10.0}, FINAL],
    [{"l": [{"a": "x"}, {"a": "y"}]}, {"l": [{"a": "x"}, {"a": "yz"}], "b": None}, FINAL],
])
def test_partials_on_the_way_pass(partials: list[dict]) -> None:
    check_partials(partials, FINAL, incremental=True)


@pytest.mark.parametrize("partials,says", [
    ([{"s": "ab"}, {"s": None}, FINAL], "'ab' then None"),  # a field vanished
    ([{"n": 1}, {"n": None}, FINAL], "1 then None"),
    ([{"l": [{"a": "x"}, {"a": "y"}]}, {"l": [{"a": "x"}]}, FINAL], "2 items, then only 1"),
    ([{"l": [{"a": ""}, {"a": "y"}]}, FINAL], "though a later item had begun"),
    ([{"s": "abd"}, FINAL], "not on the way"),
    ([{"n": 5}, FINAL], "not on the way"),  # 5 is no prefix of 123's text
    ([{"b": False}, FINAL], "not on the way"),
    ([{"s": "abc"}], "final object differs"),  # ends short of the instance
])
def test_partials_that_go_wrong_fail(partials: list[dict], says: str) -> None:
    with pytest.raises(AssertionError, match=says.replace("(", r"\(")):
        check_partials(partials, FINAL, incremental=True)


def test_a_whole_delivery_allows_no_prefix() -> None:
    check_partials([{"s": None}, FINAL], FINAL, incremental=False)
    with pytest.raises(AssertionError, match="not on the way"):
        check_partials([{"s": "ab"}, FINAL], FINAL, incremental=False)


def test_items_must_be_the_instances_in_order() -> None:
    check_items([{"a": 1}, {"a": 2}], [{"a": 1}, {"a": 2}])
    for items in ([{"a": 2}, {"a": 1}], [{"a": 1}], [{"a": 1.0}, {"a": 2}]):
        with pytest.raises(AssertionError):
            check_items(items, [{"a": 1}, {"a": 2}])


def test_a_later_partial_is_checked_against_the_final_text() -> None:
    # 5.33 and 53.35 are both prefixes of 5.335e+129's text, the second one longer.
    assert regressions({"x": 5.33}, {"x": 53.35}, {"x": 5.35e129}, True) != []
    assert regressions({"x": 5.33}, {"x": 53.35}, {"x": 5.335e129}, True) == []


@settings(max_examples=60, deadline=None)
@given(case=cases(many=True))
def test_every_generated_case_round_trips(case: Case) -> None:
    cls = build(case.model)
    for answer, instance in zip(case.answer(), case.instances(), strict=True):
        assert cls.model_validate(answer) == instance
        assert cls.model_validate_json(instance.model_dump_json()) == instance


def test_a_whole_wire_gets_no_delta_sizes() -> None:
    cut = Cuts(sizes=(200, 3), transport=(5,))
    assert Target("gemini", "tools", "partial").plan(cut).sizes == ()
    assert Target("anthropic", "tools", "partial").plan(cut).sizes == (12, 3)
    assert Target("gemini", "tools", "partial").plan(cut).transport == (5,)
