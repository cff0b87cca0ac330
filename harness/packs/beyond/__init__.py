"""Beyond the guide: validation re-asks, instructor's hooks, and a schema-complexity ladder.

Declared through the public API like any project's pack; its cassettes live beside it
(cassettes/). Load it with `[tool.conformance] scenarios = ["harness.packs.beyond"]` (this
repository does) or `--scenarios harness.packs.beyond`.

Every scenario applies to the emulated providers only (`providers="emulated"`): the re-asks
script the model's first, invalid answer, which only an emulator can be told to give, and no
live provider (llama.cpp here) has a recording of these calls to replay.

1. Re-asks: the first answer fails a pydantic validator (a name not in title case, a negative
   age); instructor re-asks (`max_retries`) with the error, in the mode's own way (a tool
   result after the tool call, or a user turn after the assistant's JSON); the emulator's
   next answer passes. Checked: the final object, the attempts, a well-formed follow-up.
2. Hooks: every `client.on(...)` hook counted, on a call answered at once and on a re-ask.
3. The schema-complexity ladder, rung by rung (see models.py).
"""

from __future__ import annotations

from harness.packs.beyond.models import (
    Contact,
    Flat,
    Nested,
    Node,
    Owner,
    Person,
    Signup,
    Team,
    Ticket,
    Wide,
)
from harness.scenarios import EMULATED, scenario

# --- 1. Validation re-asks ------------------------------------------------------------------
_PERSON_PROMPT = "Extract: jason is 25 years old"
_JASON = {"name": "Jason", "age": 25}
_LOWERCASE = {"name": "jason", "age": 25}  # fails the title-case validator
_NEGATIVE = {"name": "Jason", "age": -25}  # fails the non-negative validator

scenario("reask", model=Person, prompt=_PERSON_PROMPT, expected=_JASON,
         first_answers=[_LOWERCASE], max_retries=2, providers=EMULATED, from_guide=False,
         description="a first answer failing a validator, re-asked once (sync)")
scenario("reask_async", model=Person, prompt=_PERSON_PROMPT, expected=_JASON,
         first_answers=[_LOWERCASE], max_retries=2, is_async=True, providers=EMULATED,
         from_guide=False, description="a first answer failing a validator, re-asked once "
                                       "(async)")
scenario("reask_twice", model=Person, prompt=_PERSON_PROMPT, expected=_JASON,
         first_answers=[_LOWERCASE, _NEGATIVE], max_retries=2, providers=EMULATED,
         from_guide=False, description="two invalid answers in a row, re-asked twice")

# --- 2. Hooks -------------------------------------------------------------------------------
# What instructor 1.17 emits (instructor/v2/core/retry.py): completion:kwargs before each
# attempt, completion:response after each answered one, parse:error for each invalid answer;
# completion:error only when the call itself raises, completion:last_attempt only when the
# call gives up. completion:usage depends on whether the provider reports usage: not counted.
scenario("hooks", model=Person, prompt=_PERSON_PROMPT, expected=_JASON, max_retries=2,
         providers=EMULATED, from_guide=False,
         hooks={"completion:kwargs": 1, "completion:response": 1, "parse:error": 0,
                "completion:error": 0, "completion:last_attempt": 0},
         description="every hook counted on a call answered at once")
scenario("hooks_reask", model=Person, prompt=_PERSON_PROMPT, expected=_JASON,
         first_answers=[_LOWERCASE], max_retries=2, providers=EMULATED, from_guide=False,
         hooks={"completion:kwargs": 2, "completion:response": 2, "parse:error": 1,
                "completion:error": 0, "completion:last_attempt": 0},
         description="every hook counted on a call re-asked once")

# --- 3. The schema-complexity ladder --------------------------------------------------------
_LADDER = "schema"
_RECORD = "Extract the record described here."


def _rung(name: str, model: type, expected: dict, description: str) -> None:
    scenario(name, model=model, prompt=f"{_RECORD} ({description})", expected=expected,
             providers=EMULATED, from_guide=False, ladder=_LADDER,
             description=f"schema ladder: {description}")


_rung("ladder_flat", Flat, {"name": "Ann", "age": 31, "active": True, "score": 4.5},
      "flat scalars")
_rung("ladder_nested", Nested, {"name": "Ann", "address": {"street": "1 Elm St",
                                                            "city": "Oslo"}},
      "a nested object")
_rung("ladder_list", Team, {"team": "Core", "members": [{"name": "Ann", "role": "lead"},
                                                        {"name": "Bo", "role": "dev"}]},
      "a list of objects")
_rung("ladder_enum", Ticket, {"title": "Crash on save", "priority": "high", "status": "open"},
      "an Enum and a Literal")
_rung("ladder_optional", Contact, {"name": "Ann", "email": None, "phone": "555-0100",
                                   "company": None},
      "Optional fields with nulls")
_rung("ladder_union", Owner, {"name": "Ann", "pet": {"kind": "dog", "good": True},
                              "tag": "vip"},
      "a discriminated union and a plain one")
_rung("ladder_recursive", Node, {"name": "root", "children": [
    {"name": "a", "children": []},
    {"name": "b", "children": [{"name": "c", "children": []}]}]},
      "a recursive model ($ref to itself)")
_rung("ladder_wide", Wide, {f"f{i:02d}": (f"value {i}" if i % 2 else i) for i in range(1, 41)},
      "a wide model of 40 fields")
_rung("ladder_formats", Signup, {"username": "ann_31", "email": "ann@example.com",
                                 "born": "1990-05-17"},
      "string constraints and formats (email, date)")
