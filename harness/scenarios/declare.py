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
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.scenarios.base import Scenario
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
             twin: str | None = None, from_guide: bool = True) -> Scenario:
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
    found = Scenario(name, call, is_async, model, prompt, expected,  # type: ignore[arg-type]
                     description or f"{call}() of {model.__name__}", twin, from_guide,
                     facts, tuple(dict(m) for m in messages), max_retries, pack,
                     _bundled(pack))
    SCENARIOS.collect(found)
    return found
