"""The property each call must keep, checked for one target, case and set of cuts."""

from __future__ import annotations

from tests.fuzz import calls
from tests.fuzz.invariants import check_final, check_items, check_partials, dump
from tests.fuzz.models import Case
from tests.fuzz.wires import Cuts, Target


def check(target: Target, case: Case, cuts: Cuts) -> None:
    """Run `case` on `target` (its stream cut by `cuts`) and assert the call's invariants:
    create returns the instance; create_partial's partials only grow, stay consistent with
    the final and end at the instance; create_iterable's items are the instances, complete
    and in order. Any exception propagates: "no exception" is an invariant too."""
    if target.call.startswith("create"):
        final = calls.create(target, case)
        expected = case.instance()
        assert isinstance(final, type(expected)), f"{type(final)!r} is no {type(expected)!r}"
        check_final(dump(final), dump(expected))
    elif target.call.startswith("partial"):
        partials = calls.stream(target, case, target.plan(cuts))
        check_partials([dump(p) for p in partials], dump(case.instance()), target.incremental)
    else:
        items = calls.stream(target, case, target.plan(cuts))
        check_items([dump(i) for i in items], [dump(i) for i in case.instances()])
