"""The fuzz properties, per provider × mode × call (scoped-out targets skip with the reason).

Each example is a generated pydantic model and instance, answered by the provider's emulator
and, for a stream, cut where the drawn cuts say within that wire's rules. The explicit
examples pin the cuts the issue names on every run: every delta one character long (a cut
inside every escape sequence and every \\uXXXX), and the first 10 KB of the body written 2
and 3 bytes at a time (a cut inside every 3- and 4-byte character and binary frame, and in
many a 2-byte one).
"""

from __future__ import annotations

import pytest
from hypothesis import example, given

from tests.fuzz.findings import PARTIAL_AVOID
from tests.fuzz.models import Case, Either, Int, ListOf, Maybe, Model, Str, cases
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.properties import check
from tests.fuzz.wires import Cuts, Target, cuts, targets

# Escapes (\", \\, \n, \u0000, \u2028 raw), multi-byte characters of 2, 3 and 4 bytes, a ZWJ
# sequence, a fence; a large integer, a union, an optional, a nested list.
_HARD = Model("M0", (("s", Str()), ("n", Int()), ("u", Either((Int(), Str()))),
                     ("o", Maybe(Str())), ("l", ListOf(ListOf(Str())))))
_HARD_VALUE = {"s": 'q"b\\s\n\x00\u2028é中😀👩‍👩‍👧```', "n": 2**64 + 1, "u": "7",
               "o": None, "l": [["\\u00e9", "ü"], []]}
_EVERY_CHAR = Cuts(sizes=(1,) * 400)
_SMALL_WRITES = Cuts(transport=(2, 3) * 2000)


@pytest.mark.parametrize("target", targets("create") + targets("create_async"))
@fuzz_settings()
@given(case=cases())
@example(case=Case(_HARD, _HARD_VALUE))
def test_create_returns_the_instance(target: Target, case: Case) -> None:
    check(target, case, Cuts())


@pytest.mark.parametrize("target", targets("partial") + targets("partial_sync"))
@fuzz_settings()
@given(case=cases(avoid=PARTIAL_AVOID), cut=cuts())
@example(case=Case(_HARD, _HARD_VALUE), cut=_EVERY_CHAR)
@example(case=Case(_HARD, _HARD_VALUE), cut=_SMALL_WRITES)
def test_partials_grow_to_the_instance(target: Target, case: Case, cut: Cuts) -> None:
    check(target, case, cut)


@pytest.mark.parametrize("target", targets("iterable") + targets("iterable_sync"))
@fuzz_settings()
@given(case=cases(many=True), cut=cuts())
@example(case=Case(_HARD, [_HARD_VALUE, {**_HARD_VALUE, "u": 7}]), cut=_EVERY_CHAR)
@example(case=Case(_HARD, [_HARD_VALUE, {**_HARD_VALUE, "o": "x"}]), cut=_SMALL_WRITES)
def test_items_arrive_whole_and_in_order(target: Target, case: Case, cut: Cuts) -> None:
    check(target, case, cut)
