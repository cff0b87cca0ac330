"""The fuzz suite's invariants: what a final object, each partial and each iterable item must be.

Values are compared as JSON (`model_dump(mode="json")`): enums as their values. A partial is
consistent with the final object when every field it sets is on the way to the final's value:
an object field by field, a list as a prefix whose items before the last are final, and,
where the wire streams the payload in pieces, a string as a prefix and a number as the value
of a prefix of the final number's JSON text (a partial parser reads the digits received so
far: 12 on the way to 123, 1500.0 on the way to 1.5e+30). Where the wire delivers the payload
whole, a field is missing or final.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from harness.scenarios.checks import diff_values


def dump(obj: BaseModel) -> Any:
    """An object as JSON values (enums as their values). A partial may hold a prefix of a
    Literal's value (instructor builds it unvalidated): dumped as it is, without warnings."""
    return obj.model_dump(mode="json", warnings=False)


def _prefix_lengths(value: Any, final: Any) -> list[int]:
    """The lengths of the prefixes of `final`'s JSON text whose JSON value is `value`."""
    text = json.dumps(final)
    out = []
    for end in range(1, len(text) + 1):
        try:
            parsed = json.loads(text[:end])
        except ValueError:
            continue
        if parsed == value and isinstance(parsed, bool) == isinstance(value, bool):
            out.append(end)
    return out


def _scalar(earlier: Any, later: Any, final: Any, incremental: bool) -> bool:
    if earlier == later and type(earlier) is type(later):
        return True
    if not incremental or isinstance(earlier, bool) or isinstance(later, bool):
        return False
    if isinstance(earlier, str) and isinstance(later, str):
        return later.startswith(earlier)
    numbers = (int, float)
    if isinstance(earlier, numbers) and isinstance(later, numbers) and isinstance(final, numbers):
        # Both are values of prefixes of the final number's text, the later one no shorter.
        before, after = _prefix_lengths(earlier, final), _prefix_lengths(later, final)
        return bool(before) and bool(after) and min(before) <= max(after)
    return False


def regressions(earlier: Any, later: Any, final: Any, incremental: bool,
                path: str = "$") -> list[str]:
    """Where `later` (a partial, or the final object) is not `earlier` grown on its way to
    `final`: a field set before is gone or changed, a list shrank, an item before the last
    changed, a string or number is not a longer prefix of the final's."""
    if earlier is None:
        return []
    if isinstance(earlier, dict) and isinstance(later, dict) and isinstance(final, dict):
        out: list[str] = []
        for key, value in earlier.items():
            out += regressions(value, later.get(key), final.get(key), incremental,
                               f"{path}.{key}")
        return out
    if isinstance(earlier, list) and isinstance(later, list) and isinstance(final, list):
        if len(earlier) > len(later):
            return [f"{path}: {len(earlier)} items, then only {len(later)}"]
        out = []
        for i, value in enumerate(earlier):
            if i < len(earlier) - 1 and value != later[i]:
                out.append(f"{path}[{i}]: {value!r} then {later[i]!r}, though a later item "
                           f"had begun")
            else:
                out += regressions(value, later[i], final[i] if i < len(final) else None,
                                   incremental, f"{path}[{i}]")
        return out
    if not _scalar(earlier, later, final, incremental):
        return [f"{path}: {earlier!r} then {later!r}, not on the way to {final!r}"]
    return []


def check_final(final: Any, expected: Any) -> None:
    """The final object equals the generated instance, field by field (types included)."""
    problems = diff_values(expected, final)
    assert not problems, "final object differs from the instance: " + "; ".join(problems)


def check_partials(partials: list[Any], expected: Any, incremental: bool) -> None:
    """Partials exist, only grow, stay consistent with the final, and end at the instance."""
    assert partials, "create_partial yielded nothing"
    for i, partial in enumerate(partials):
        wrong = regressions(partial, expected, expected, incremental)
        assert not wrong, f"partial #{i} {partial!r} inconsistent with the final: {wrong}"
        if i:
            back = regressions(partials[i - 1], partial, expected, incremental)
            assert not back, f"partial #{i} {partial!r} moved backwards: {back}"
    check_final(partials[-1], expected)


def check_items(items: list[Any], expected: list[Any]) -> None:
    """Iterable items arrive complete and in order: exactly the instances."""
    assert len(items) == len(expected), f"expected {len(expected)} items, got {len(items)}"
    for i, (item, want) in enumerate(zip(items, expected, strict=True)):
        problems = diff_values(want, item)
        assert not problems, f"item #{i} differs: " + "; ".join(problems)
