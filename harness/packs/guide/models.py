"""The response models of the guide's scenarios."""

from __future__ import annotations

from pydantic import BaseModel


class User(BaseModel):
    """The guide's simple user."""

    name: str
    age: int


class Address(BaseModel):
    """An address of the nested example."""

    street: str
    city: str
    country: str


class UserWithAddresses(BaseModel):
    """The guide's nested example: a user with a list of addresses."""

    name: str
    age: int
    addresses: list[Address]


class UserProfile(BaseModel):
    """The guide's partial-streaming example: a user with a free-text bio."""

    name: str
    age: int
    bio: str
