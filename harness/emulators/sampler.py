"""A valid instance of any JSON schema, for an emulated model that was told no answer.

Not a hand-written sampler: hypothesis-jsonschema's `from_schema` strategy (the one the fuzz
tests draw from, via `strategy_for`), shrunk to its minimal example by `hypothesis.find` with
a derandomised, database-less run, so the same schema always gets the same instance. Each
instance is validated with jsonschema before it is answered, and cached per schema (its
canonical JSON), so a run pays for each schema once.

What it cannot serve raises `SchemaUnservable`, naming what and why; the emulator answers that
as the provider's 400 error body, never as prose dressed up as an answer:
- a string `format` hypothesis-jsonschema has no strategy for (it would ignore the format and
  write any string): `binary`, `password`, `duration`, `path`, ... (`uuid` is added here);
- a recursion with no finite case (a required self-reference at every level): recursion is
  served by cutting it after one level, which leaves only its finite case;
- a schema with no instance at all (contradictory bounds, `false`), or one it rejects.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import threading
from typing import TYPE_CHECKING, Any

from harness.emulators.schemas import SchemaUnservable, prepare, problems

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

# hypothesis and hypothesis-jsonschema are imported on first use: a replay, which never
# generates, does not pay for them.
_cache: dict[str, Any] = {}
# hypothesis runs one search at a time per process; the emulators' loop and a test's thread
# may both ask.
_lock = threading.Lock()


@functools.cache
def custom_formats() -> dict[str, SearchStrategy[str]]:
    """Formats pydantic emits that hypothesis-jsonschema has no strategy for (hypothesis's)."""
    from hypothesis import strategies as st

    return {"uuid": st.uuids().map(str)}


@functools.cache
def known_formats() -> frozenset[str]:
    """The string formats an instance can be generated for."""
    from hypothesis_jsonschema._from_schema import STRING_FORMATS

    return frozenset(STRING_FORMATS) | frozenset(custom_formats())


def _shown() -> str:
    # The formats an error names (RFC 3339's parts, such as date-fullyear, are left out).
    return ", ".join(sorted(f for f in known_formats() if f == "date-time" or not f.startswith(
        ("date-", "time-", "full-", "partial-"))))


def _string_formats(schema: Any) -> set[str]:
    """Every `format` on a schema that may hold a string (number formats such as Google's
    int32 or double constrain nothing a generator writes)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        kind = schema.get("type")
        kinds = set(kind) if isinstance(kind, list) else {kind}
        if isinstance(schema.get("format"), str) and (None in kinds or "string" in kinds):
            found.add(schema["format"])
        for value in schema.values():
            found |= _string_formats(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _string_formats(value)
    return found


def strategy_for(schema: Any) -> SearchStrategy[Any]:
    """hypothesis-jsonschema's strategy for `schema` (any dialect the emulators accept)."""
    from hypothesis_jsonschema import from_schema

    prepared = prepare(schema)
    unknown = sorted(_string_formats(prepared) - known_formats())
    if unknown:
        raise SchemaUnservable(
            f"string format {', '.join(map(repr, unknown))} is not one hypothesis-jsonschema "
            f"can generate (it generates {_shown()}): the emulated "
            f"model cannot write a value it can vouch for")
    try:
        return from_schema(prepared, custom_formats=custom_formats())
    except Exception as exc:  # its rejections have many types; each is the same answer here
        raise SchemaUnservable(f"hypothesis-jsonschema rejects the schema: "
                               f"{type(exc).__name__}: {exc}") from None


def _minimal(schema: Any) -> Any:
    from hypothesis import HealthCheck, Phase, find, settings

    strategy = strategy_for(schema)
    # Generate then shrink only: no example database (nothing written to disk, nothing
    # replayed from an earlier run), derandomised (a schema always shrinks to one example).
    once = settings(database=None, derandomize=True, deadline=None, max_examples=200,
                    phases=(Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck))
    try:
        return find(strategy, lambda _: True, settings=once)
    except Exception as exc:  # NoSuchExample, Unsatisfiable, or a rejection met while drawing
        raise SchemaUnservable(
            f"no instance of the schema could be generated ({type(exc).__name__}: {exc}); a "
            f"recursion required at every level, contradictory bounds or a `false` subschema "
            f"leave nothing to write") from None


def instance_for(schema: Any) -> Any:
    """A minimal instance valid against `schema`, the same one every time."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"), default=str)
    key = hashlib.sha256(canonical.encode()).hexdigest()
    with _lock:
        if key not in _cache:
            value = _minimal(schema)
            found = problems(value, schema)
            if found:
                raise SchemaUnservable(
                    f"the generated instance {json.dumps(value)[:200]} is not valid against "
                    f"the schema ({'; '.join(found[:3])}): the schema uses something "
                    f"hypothesis-jsonschema does not generate faithfully")
            _cache[key] = value
        return copy.deepcopy(_cache[key])  # callers may reshape it
