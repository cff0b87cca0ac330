"""Generated pydantic models and their instances: the specs hypothesis draws, the classes built.

A spec is a small frozen value (`Model`, `Str()`, `ListOf(Int())`, ...) whose repr is Python
that builds it again, so a shrunk counterexample pastes straight into a regression case. The
class is built from the spec (`build`), once per spec; the instance from a JSON value drawn for
the spec (`values`), validated by that class.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any, Literal, Optional, Union

from hypothesis import strategies as st
from pydantic import BaseModel, Field, create_model


@dataclass(frozen=True)
class Str:
    """A str field."""


@dataclass(frozen=True)
class Int:
    """An int field (values well past 2**53 and 2**64)."""


@dataclass(frozen=True)
class Float:
    """A float field (finite: JSON has no NaN or infinity)."""


@dataclass(frozen=True)
class Bool:
    """A bool field."""


@dataclass(frozen=True)
class Choice:
    """A str Enum (`enum=True`, named `name`) or a Literal of `values`."""

    values: tuple[str, ...]
    enum: bool = False
    name: str = "E0"


@dataclass(frozen=True)
class ListOf:
    """A list of `item`."""

    item: Spec


@dataclass(frozen=True)
class Maybe:
    """`inner | None`; as a field, with default None (not required)."""

    inner: Spec


@dataclass(frozen=True)
class Either:
    """A union of `options`, whose JSON types differ (so a value names its option)."""

    options: tuple[Spec, ...]


@dataclass(frozen=True)
class Model:
    """A pydantic model called `name` with `fields` (name, spec), in order."""

    name: str
    fields: tuple[tuple[str, Spec], ...]


Spec = Str | Int | Float | Bool | Choice | ListOf | Maybe | Either | Model


@functools.cache
def build(spec: Spec) -> Any:
    """The Python type of `spec` (a pydantic model class for a Model), built once per spec."""
    if isinstance(spec, Model):
        fields: dict[str, Any] = {}
        for name, field in spec.fields:
            default = None if isinstance(field, Maybe) else ...
            fields[name] = (build(field), Field(default))
        return create_model(spec.name, __base__=BaseModel, **fields)
    if isinstance(spec, Choice):
        if spec.enum:
            return enum.Enum(spec.name, [(f"V{i}", v) for i, v in enumerate(spec.values)],
                             type=str)
        return Literal[spec.values]
    if isinstance(spec, ListOf):
        return list[build(spec.item)]  # type: ignore[misc]
    if isinstance(spec, Maybe):
        return Optional[build(spec.inner)]  # noqa: UP045 (a runtime type, not an annotation)
    if isinstance(spec, Either):
        return Union[tuple(build(o) for o in spec.options)]  # noqa: UP007
    return {Str: str, Int: int, Float: float, Bool: bool}[type(spec)]


def json_kind(spec: Spec) -> str:
    """The JSON type a value of `spec` has (Maybe: its inner one's; it may also be null)."""
    if isinstance(spec, Maybe):
        return json_kind(spec.inner)
    return {Str: "string", Choice: "string", Int: "integer", Float: "number", Bool: "boolean",
            ListOf: "array", Model: "object", Either: "union"}[type(spec)]


# Field names include JSON Schema's own keywords: a schema rewriter that takes a property
# called "type" or "properties" for a keyword is a bug a generator should find.
FIELD_NAMES = ("name", "age", "price", "tags", "notes", "city", "active", "score", "id", "x",
               "type", "properties", "items", "description", "enum", "title", "default",
               "required", "format", "anyOf", "ref")
# Escape-heavy and multi-byte pieces: quotes, backslashes, control characters (escaped as
# \\u00XX), line and paragraph separators, a BOM, combining marks, emoji with joiners and
# astral planes, fences and JSON punctuation a prompt-format parser may trip on.
TRICKY = ('"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\u2028",
          "\u2029", "\ufeff", "é", "e\u0301", "😀", "👩‍👩‍👧", "𝕏", "中文", "ﷺ", "```", "```json",
          "{", "}", "[", "]", ":", ",", "\\u00e9", "\\n", "null", " ")


@dataclass(frozen=True)
class Avoid:
    """What a test's strategies leave out because a recorded finding needs it (the reason is
    the finding's, in tests/fuzz/findings.py): characters in strings, Enum or float fields."""

    chars: str = ""
    enums: bool = False
    floats: bool = False


NOTHING = Avoid()


def _any_char(avoid: Avoid) -> st.SearchStrategy[str]:
    # No lone surrogates (not UTF-8), nor the characters a scoped-out finding needs.
    return st.characters(exclude_categories=("Cs",), exclude_characters=avoid.chars)


def _tricky(avoid: Avoid) -> st.SearchStrategy[str]:
    return st.sampled_from([t for t in TRICKY if not set(t) & set(avoid.chars)])


def strings(avoid: Avoid = NOTHING) -> st.SearchStrategy[str]:
    """Plain, unicode and escape-heavy strings."""
    return st.one_of(
        st.text(_any_char(avoid), max_size=12),
        st.lists(_tricky(avoid) | st.text(_any_char(avoid), max_size=3),
                 max_size=6).map("".join))


def integers() -> st.SearchStrategy[int]:
    """Small, large and boundary integers."""
    edges = [2**31, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30]
    return st.one_of(st.integers(-1000, 1000), st.integers(-(2**70), 2**70),
                     st.sampled_from(edges + [-e for e in edges]))


def floats() -> st.SearchStrategy[float]:
    """Finite floats, from subnormals to 1e308, with their exponent forms."""
    return st.floats(allow_nan=False, allow_infinity=False)


def _choices(avoid: Avoid) -> st.SearchStrategy[Choice]:
    value = st.text(_any_char(avoid), min_size=1, max_size=8) | _tricky(avoid)
    return st.builds(Choice, st.lists(value, min_size=1, max_size=4, unique=True).map(tuple),
                     st.just(False) if avoid.enums else st.booleans())


def _leaves(avoid: Avoid) -> st.SearchStrategy[Spec]:
    scalars: list[Spec] = [Str(), Int(), Bool()] + ([] if avoid.floats else [Float()])
    return st.one_of(st.sampled_from(scalars), _choices(avoid))


def _either(inner: st.SearchStrategy[Spec]) -> st.SearchStrategy[Spec]:
    options = inner.filter(lambda s: not isinstance(s, (Maybe, Either)))
    return st.lists(options, min_size=2, max_size=3, unique_by=json_kind).map(
        lambda opts: Either(tuple(opts)))


def _model(inner: st.SearchStrategy[Spec]) -> st.SearchStrategy[Model]:
    field = st.tuples(st.sampled_from(FIELD_NAMES), inner)
    return st.lists(field, min_size=1, max_size=5, unique_by=lambda f: f[0]).map(
        lambda fields: Model("M", tuple(fields)))


def _types(depth: int, avoid: Avoid) -> st.SearchStrategy[Spec]:
    if depth == 0:
        return _leaves(avoid)
    inner = _types(depth - 1, avoid)
    return st.one_of(_leaves(avoid), inner.map(ListOf),
                     inner.filter(lambda s: not isinstance(s, Maybe)).map(Maybe),
                     _either(inner), _model(inner))


def _renamed(spec: Spec, counter: list[int]) -> Spec:
    # Every model and enum gets its own name (M0 the root), as a hand-written module would.
    if isinstance(spec, Model):
        name = f"M{counter[0]}"
        counter[0] += 1
        return Model(name, tuple((n, _renamed(s, counter)) for n, s in spec.fields))
    if isinstance(spec, Choice) and spec.enum:
        counter[1] += 1
        return Choice(spec.values, True, f"E{counter[1] - 1}")
    if isinstance(spec, ListOf):
        return ListOf(_renamed(spec.item, counter))
    if isinstance(spec, Maybe):
        return Maybe(_renamed(spec.inner, counter))
    if isinstance(spec, Either):
        return Either(tuple(_renamed(o, counter) for o in spec.options))
    return spec


def models(depth: int = 2, avoid: Avoid = NOTHING) -> st.SearchStrategy[Model]:
    """Model specs nested up to `depth` levels below the root."""
    return _model(_types(depth, avoid)).map(
        lambda m: _renamed(m, [0, 0]))  # type: ignore[return-value]


def values(spec: Spec, avoid: Avoid = NOTHING) -> st.SearchStrategy[Any]:
    """JSON values of `spec` (objects with every field present, None included)."""
    if isinstance(spec, Model):
        return st.fixed_dictionaries({name: values(s, avoid) for name, s in spec.fields})
    if isinstance(spec, Choice):
        return st.sampled_from(spec.values)
    if isinstance(spec, ListOf):
        return st.lists(values(spec.item, avoid), max_size=3)
    if isinstance(spec, Maybe):
        return st.none() | values(spec.inner, avoid)
    if isinstance(spec, Either):
        return st.one_of([values(o, avoid) for o in spec.options])
    if isinstance(spec, Str):
        return strings(avoid)
    return {Int: integers, Float: floats, Bool: st.booleans}[type(spec)]()


@dataclass(frozen=True)
class Case:
    """A model spec and the JSON the emulated model answers: one object, or a list of them
    (for create_iterable)."""

    model: Model
    value: Any

    def instance(self) -> BaseModel:
        """The generated instance (of the first object, for a list)."""
        cls = build(self.model)
        return cls.model_validate(self.value[0] if isinstance(self.value, list) else self.value)

    def instances(self) -> list[BaseModel]:
        """Every generated instance, in order."""
        cls = build(self.model)
        items = self.value if isinstance(self.value, list) else [self.value]
        return [cls.model_validate(item) for item in items]

    def answer(self) -> Any:
        """What the emulator is told to answer: the instances as JSON (mode='json')."""
        dumped = [i.model_dump(mode="json") for i in self.instances()]
        return dumped if isinstance(self.value, list) else dumped[0]


@st.composite
def cases(draw: st.DrawFn, many: bool = False, depth: int = 2,
          avoid: Avoid = NOTHING) -> Case:
    """A model spec and a value (`many`: 1-3 values) of it, avoiding what `avoid` says."""
    model = draw(models(depth, avoid))
    one = values(model, avoid)
    return Case(model, draw(st.lists(one, min_size=1, max_size=3) if many else one))
