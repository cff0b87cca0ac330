"""Declaring a scenario: the public API a project's scenario modules call.

    from pydantic import BaseModel
    from harness.scenarios import scenario

    class Product(BaseModel):
        name: str
        price: float

    scenario("product", model=Product,
             prompt="Extract: the Widget costs 9.99 dollars",
             expected={"name": "Widget", "price": 9.99},   # emulators answer it; replay checks it
             facts={"name": "Widget"})                      # what a live answer must get right

`call` is "create" (default), "partial" (create_partial) or "iterable" (create_iterable, with
`expected` a list of objects in order); `is_async=True` uses litellm.acompletion.

Beyond one answer (all optional):

- `first_answers=[...]`: what the emulated model answers before `expected`, one answer per
  request (a `create` call only). Each must be valid against the JSON schema the provider
  sees but fail the model's own validation (a `field_validator`), so instructor re-asks
  (`max_retries`, at least one per first answer) and the emulators serve the next one. The
  cell then checks the final object, that the call took exactly one attempt more than there
  are first answers (instructor's attempts and the HTTP requests), and notes how the re-ask
  went on the wire; each emulator answers a malformed re-ask as its API does (a 400).
- `hooks={"completion:kwargs": 2, "parse:error": 1, ...}`: how many times each instructor
  hook must fire (`completion:kwargs`, `completion:response`, `completion:error`,
  `completion:last_attempt`, `completion:usage`, `parse:error`); every hook call is recorded,
  and a count that differs, or a call whose arguments are not the documented ones, fails.
- `providers=["openai", ...]` or `providers="emulated"`: the providers the scenario applies
  to (default: all). "emulated" is every provider with an emulator: a scenario whose answers
  are scripted (`first_answers`) means nothing against a live model.
- `ladder="schema"`: the scenario is the next rung of a ladder (rungs in declaration order);
  the detailed report shows, per provider and mode, the highest rung passed: the last of an
  unbroken run of passes from the first rung.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.scenarios.base import Scenario
from harness.scenarios.hooks import HOOK_NAMES
from harness.scenarios.registry import SCENARIOS, ScenarioError

_CALLS = ("create", "partial", "iterable", "raw_stream")


def _check_answer(name: str, pack: str, model: type[BaseModel], call: str,
                  value: Any, what: str) -> None:
    if value is None:
        return
    items = value if call == "iterable" else [value]
    if call == "iterable" and not isinstance(value, list):
        raise ScenarioError(f"scenario {name!r} ({pack}): an iterable's {what} must be a list "
                            f"of {model.__name__} objects")
    for item in items:
        try:
            model.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(the object)"
            raise ScenarioError(f"scenario {name!r} ({pack}): its {what} does not validate "
                                f"against {model.__name__}: {where}: {first['msg']}") from None


def _check_first_answers(name: str, pack: str, model: type[BaseModel], call: str,
                         first: Sequence[Any], expected: Any, retries: int | None) -> None:
    if not first:
        return
    if call != "create" or expected is None:
        raise ScenarioError(f"scenario {name!r} ({pack}): first_answers need call 'create' "
                            f"and the expected answer that ends the re-asks")
    for i, answer in enumerate(first, 1):
        try:
            model.model_validate(answer)
        except ValidationError:
            continue
        raise ScenarioError(f"scenario {name!r} ({pack}): first answer #{i} validates "
                            f"against {model.__name__}: instructor would accept it, so "
                            f"nothing would be re-asked")
    if retries is not None and retries < len(first):
        raise ScenarioError(f"scenario {name!r} ({pack}): max_retries={retries} re-asks "
                            f"fewer times than there are first answers ({len(first)})")


def _hooks(name: str, pack: str, hooks: Mapping[str, int] | None) -> tuple[tuple[str, int], ...]:
    found = dict(hooks or {})
    for hook, count in found.items():
        if hook not in HOOK_NAMES:
            raise ScenarioError(f"scenario {name!r} ({pack}): unknown hook {hook!r}; "
                                f"instructor's hooks: {', '.join(HOOK_NAMES)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ScenarioError(f"scenario {name!r} ({pack}): hook {hook!r} must fire a "
                                f"whole number of times (0 or more), not {count!r}")
    return tuple(found.items())


def _rung(pack: str, ladder: str | None) -> int:
    """The place of a new rung on `ladder`: after the ones `pack` declared before it."""
    if not ladder:
        return 0
    return 1 + sum(1 for s in SCENARIOS.declared(pack) if s.ladder == ladder)


def _bundled(pack: str) -> Path | None:
    """The cassette folder a pack shipped with the harness keeps beside itself."""
    module = sys.modules.get(pack)
    if module is None or not pack.startswith("harness.packs."):
        return None
    return Path(getattr(module, "__file__", "") or ".").parent / "cassettes"


def scenario(name: str, *, model: type[BaseModel], prompt: str = "",
             messages: Sequence[dict[str, Any]] = (), expected: Any = None,
             facts: Any = None, call: str = "create", is_async: bool = False,
             max_retries: int | None = None, description: str = "",
             twin: str | None = None, from_guide: bool = True,
             first_answers: Sequence[Any] = (), hooks: Mapping[str, int] | None = None,
             providers: Sequence[str] | str = (), ladder: str | None = None) -> Scenario:
    """Declare one scenario (a cell per provider and mode) and register it."""
    pack = SCENARIOS.declaring() or sys._getframe(1).f_globals.get("__name__", "__main__")
    if not name or not name.replace("_", "").isalnum():
        raise ScenarioError(f"scenario name {name!r} ({pack}): use letters, digits and _")
    if call not in _CALLS:
        raise ScenarioError(f"scenario {name!r} ({pack}): call {call!r} is not one of "
                            f"create, partial, iterable")
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ScenarioError(f"scenario {name!r} ({pack}): model must be a pydantic BaseModel")
    if not prompt and not messages:
        raise ScenarioError(f"scenario {name!r} ({pack}): give a prompt or messages")
    _check_answer(name, pack, model, call, expected, "expected answer")
    if expected is None and facts is None:
        raise ScenarioError(f"scenario {name!r} ({pack}): give the expected answer, or the "
                            f"facts a live answer must get right")
    _check_first_answers(name, pack, model, call, first_answers, expected, max_retries)
    found = Scenario(name, call, is_async, model, prompt, expected,  # type: ignore[arg-type]
                     description or f"{call}() of {model.__name__}", twin, from_guide,
                     facts, tuple(dict(m) for m in messages), max_retries, pack,
                     _bundled(pack), tuple(first_answers), _hooks(name, pack, hooks),
                     (providers,) if isinstance(providers, str) else tuple(providers),
                     ladder or None, _rung(pack, ladder))
    SCENARIOS.collect(found)
    return found
