"""The response models of the beyond pack: a re-asked person, and the schema-complexity ladder."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field, create_model, field_validator


class Person(BaseModel):
    """A person whose name must be in title case and whose age cannot be negative.

    Both rules are pydantic validators, not JSON-schema keywords: the schema a provider sees
    allows 'jason' and -1, so only instructor's validation (and its re-ask) catches them.
    """

    name: str
    age: int

    @field_validator("name")
    @classmethod
    def title_case(cls, value: str) -> str:
        if value != value.title():
            raise ValueError(f"the name must be in title case: {value.title()!r}, not {value!r}")
        return value

    @field_validator("age")
    @classmethod
    def not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"an age cannot be negative ({value})")
        return value


# Rung 1: flat scalars.
class Flat(BaseModel):
    """Scalars only."""

    name: str
    age: int
    active: bool
    score: float


# Rung 2: a nested object.
class Street(BaseModel):
    """An address."""

    street: str
    city: str


class Nested(BaseModel):
    """An object inside an object."""

    name: str
    address: Street


# Rung 3: a list of objects.
class Member(BaseModel):
    """A team member."""

    name: str
    role: str


class Team(BaseModel):
    """A list of objects."""

    team: str
    members: list[Member]


# Rung 4: an Enum and a Literal.
class Priority(str, Enum):
    """A ticket's priority."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Ticket(BaseModel):
    """An enum field and a Literal field."""

    title: str
    priority: Priority
    status: Literal["open", "closed"]


# Rung 5: Optional fields, some null.
class Contact(BaseModel):
    """Optional fields answered with nulls."""

    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None


# Rung 6: unions, discriminated and not.
class Cat(BaseModel):
    """One arm of a discriminated union."""

    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    """The other arm."""

    kind: Literal["dog"]
    good: bool


class Owner(BaseModel):
    """A discriminated union (by `kind`) and a plain union of scalars."""

    name: str
    pet: Annotated[Union[Cat, Dog], Field(discriminator="kind")]  # noqa: UP007
    tag: int | str


# Rung 7: a recursive model ($ref to itself).
class Node(BaseModel):
    """A tree: each node's children are nodes."""

    name: str
    children: list[Node] = []


# Rung 8: a wide model of 40 fields (strings and integers, alternating).
Wide = create_model(  # type: ignore[call-overload]
    "Wide", __doc__="Forty fields.",
    **{f"f{i:02d}": ((str if i % 2 else int), ...) for i in range(1, 41)})


# Rung 9: string constraints and formats.
class Signup(BaseModel):
    """Length and pattern constraints, an email and a date format."""

    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z0-9_]+$")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]+$",
                       json_schema_extra={"format": "email"})
    born: datetime.date
