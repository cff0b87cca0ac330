"""Pure content checks: final values, partial consistency, item order."""

from __future__ import annotations

from typing import Any


def diff_values(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place where `actual` differs from `expected`, as 'path: expected != actual'."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {actual[key]!r}")
            else:
                out.extend(diff_values(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        out = []
        if len(expected) != len(actual):
            out.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            out.extend(diff_values(e, a, f"{path}[{i}]"))
        return out
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def is_progress(earlier: Any, later: Any) -> bool:
    """True when `earlier` is a state a field may pass through on its way to `later`.

    A field only goes from missing (None) to a prefix of its final value to the final value;
    lists grow at the end, and objects progress field by field. A number may appear
    digit by digit (jiter yields the digits received so far), which is a prefix of its text.
    """
    if earlier is None or earlier == later:
        return True
    if isinstance(earlier, str) and isinstance(later, str):
        return later.startswith(earlier)
    if isinstance(earlier, bool) or isinstance(later, bool):
        return False
    if isinstance(earlier, (int, float)) and isinstance(later, (int, float)):
        return str(later).startswith(str(earlier))
    if isinstance(earlier, list) and isinstance(later, list):
        return len(earlier) <= len(later) and all(
            is_progress(e, lt) for e, lt in zip(earlier, later, strict=False)
        )
    if isinstance(earlier, dict) and isinstance(later, dict):
        return all(is_progress(v, later.get(k)) for k, v in earlier.items())
    return False


def partial_violations(partials: list[dict[str, Any]], final: dict[str, Any]) -> list[str]:
    """Every partial that is not on the path to `final`, or that moves backwards."""
    out: list[str] = []
    for i, partial in enumerate(partials):
        if not is_progress(partial, final):
            out.append(f"partial #{i} {partial!r} is not on the way to the final {final!r}")
        if i and not is_progress(partials[i - 1], partial):
            out.append(f"partial #{i} {partial!r} moved backwards from {partials[i - 1]!r}")
    return out


def distinct_count(items: list[dict[str, Any]]) -> int:
    """How many consecutive yielded objects differ from the one before."""
    count, previous = 0, object()
    for item in items:
        if item != previous:
            count += 1
        previous = item
    return count


def is_incremental(partials: list[dict[str, Any]], final: dict[str, Any]) -> bool:
    """At least 3 distinct partials, one with a string partly filled or a later field missing."""
    if distinct_count(partials) < 3:
        return False
    keys = list(final)
    for partial in partials:
        for i, key in enumerate(keys):
            value, target = partial.get(key), final[key]
            if isinstance(target, str) and isinstance(value, str) and value != target:
                return True
            later_missing = any(partial.get(k) is None for k in keys[i + 1:])
            if value is not None and later_missing:
                return True
    return False


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def diff_facts(facts: Any, actual: Any, path: str = "$") -> list[str]:
    """Where a live answer misses a required fact (tolerant of case and longer wording)."""
    if isinstance(facts, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, want in facts.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {want!r})")
            else:
                out.extend(diff_facts(want, actual[key], f"{path}.{key}"))
        return out
    if isinstance(facts, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        out = []
        if len(facts) != len(actual):
            out.append(f"{path}: expected {len(facts)} items, got {len(actual)}: {actual!r}")
        for i, (want, got) in enumerate(zip(facts, actual, strict=False)):
            out.extend(diff_facts(want, got, f"{path}[{i}]"))
        return out
    if isinstance(facts, str):
        if isinstance(actual, str) and _norm(facts) in _norm(actual):
            return []
        return [f"{path}: expected {facts!r}, got {actual!r}"]
    if facts != actual or isinstance(actual, bool) != isinstance(facts, bool):
        return [f"{path}: expected {facts!r}, got {actual!r}"]
    return []
