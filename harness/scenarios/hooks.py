"""instructor's hooks, as a user registers them: every call recorded, and what each one promises.

`client.on(name, handler)` takes these names in instructor 1.17 (`instructor.core.hooks.
HookName`); `Hooks.emit` calls each handler with the arguments below (read from
instructor/v2/core/retry.py, which emits them once per attempt):

- `completion:kwargs`: the keyword arguments of the call about to be sent, as keywords;
- `completion:response`: the provider's response object, alone (one per answered attempt);
- `completion:error`: the exception the call raised, with `attempt_number`, `max_attempts`
  and `is_last_attempt` (a provider error, a timeout: never a validation failure);
- `parse:error`: the validation or JSON error of an answer, with the same three keywords
  (one per answer instructor re-asks after, and one for the last invalid answer);
- `completion:last_attempt`: the exception that ends the call after the last attempt, with the
  same three keywords (`is_last_attempt` True);
- `completion:usage`: the cumulative usage so far, with `attempt_number` (only when every
  response so far carried usage instructor can add up).

A scenario declares how many times it expects each (`hooks={...}`); the judge compares the
counts exactly and checks each call's arguments against the shapes above.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

HOOK_NAMES: tuple[str, ...] = ("completion:kwargs", "completion:response", "completion:error",
                               "completion:last_attempt", "completion:usage", "parse:error")
_ATTEMPT = frozenset({"attempt_number", "max_attempts", "is_last_attempt"})
# name -> (positional arguments, the keywords it must carry, whether other keywords may come)
DOCUMENTED: dict[str, tuple[int, frozenset[str], bool]] = {
    "completion:kwargs": (0, frozenset({"model", "messages"}), True),
    "completion:response": (1, frozenset(), False),
    "completion:error": (1, _ATTEMPT, False),
    "completion:last_attempt": (1, _ATTEMPT, False),
    "parse:error": (1, _ATTEMPT, False),
    "completion:usage": (1, frozenset({"attempt_number"}), False),
}
_EXCEPTION_HOOKS = ("completion:error", "completion:last_attempt", "parse:error")


@dataclass(frozen=True)
class HookCall:
    """One call of a hook handler: its name, the types of its arguments, its keywords."""

    name: str
    args: tuple[str, ...]  # the positional arguments' type names
    keywords: tuple[str, ...]  # the keyword names, sorted
    # The attempt keywords' values (attempt_number, max_attempts, is_last_attempt).
    attempt: dict[str, Any] = field(default_factory=dict)
    exception_args: tuple[bool, ...] = ()  # for each positional argument: an exception?

    def shape(self) -> str:
        """How the handler was called, e.g. `ValidationError; attempt_number=1, ...`."""
        parts = [", ".join(self.args)] if self.args else []
        if self.attempt:
            parts.append(", ".join(f"{k}={v!r}" for k, v in sorted(self.attempt.items())))
        elif self.keywords:
            parts.append("keywords " + ", ".join(self.keywords))
        return "; ".join(parts) or "no arguments"


def recorder(name: str, calls: list[HookCall]) -> Callable[..., None]:
    """A handler for hook `name` that appends each of its calls to `calls`."""

    def handler(*args: Any, **kwargs: Any) -> None:
        attempt = {k: kwargs[k] for k in sorted(_ATTEMPT | {"attempt_number"}) if k in kwargs}
        calls.append(HookCall(name, tuple(type(a).__name__ for a in args),
                              tuple(sorted(kwargs)), attempt,
                              tuple(isinstance(a, BaseException) for a in args)))
    return handler


def register(client: Any, calls: list[HookCall]) -> None:
    """Record every hook of `client` into `calls`, as `client.on(...)` lets a user."""
    for name in HOOK_NAMES:
        client.on(name, recorder(name, calls))


def counts(calls: Sequence[HookCall]) -> dict[str, int]:
    """How many times each hook fired (every known hook, zero included)."""
    found = Counter(call.name for call in calls)
    return {name: found.get(name, 0) for name in HOOK_NAMES}


def _shape_problem(call: HookCall) -> str | None:
    positional, required, open_keywords = DOCUMENTED[call.name]
    keywords = set(call.keywords)
    wrong = (len(call.args) != positional or not required <= keywords
             or (not open_keywords and keywords != required))
    if call.name in _EXCEPTION_HOOKS and not all(call.exception_args):
        wrong = True
    if not wrong:
        return None
    want = f"{positional} positional argument(s)" + (
        f" and keywords {', '.join(sorted(required))}" if required else "")
    return f"hook {call.name} was called with ({call.shape()}), not {want}"


def hook_problems(expected: Mapping[str, int], calls: Sequence[HookCall]) -> list[str]:
    """Every hook whose count differs from `expected`, and every call of an expected hook
    whose arguments are not the documented ones."""
    seen = counts(calls)
    out = [f"hook {name} fired {seen.get(name, 0)} time(s), expected {want}"
           for name, want in expected.items() if seen.get(name, 0) != want]
    for call in calls:
        if call.name in expected:
            problem = _shape_problem(call)
            if problem and problem not in out:
                out.append(problem)
    attempts = [c.attempt.get("attempt_number") for c in calls if c.name == "parse:error"]
    if "parse:error" in expected and attempts != list(range(1, len(attempts) + 1)):
        out.append(f"hook parse:error carried attempt numbers {attempts}, expected "
                   f"{list(range(1, len(attempts) + 1))}")
    return out
