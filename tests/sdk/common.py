"""What every SDK test shares: the SDK import rule, the emulator roots, the schemas asked for.

Each provider's official Python SDK talks to its emulator exactly as it would to the real API;
the tests assert what the SDK parsed (types, validity against the schema, the tool called,
the finish reason), not merely that nothing raised. The emulators run on the process-wide
host under names of their own (`sdk-<provider>`), so an answer a test expects there never
reaches a cell of the runner.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, Literal

import pytest
from aiohttp import web
from pydantic import BaseModel, Field, create_model

from harness.emulators.schemas import problems
from harness.emulators.server import emulator_host
from harness.scenarios import get_scenario
from harness.scenarios.base import Scenario

# A prompt no scenario knows: nothing but the request's schema can decide the answer.
UNKNOWN_PROMPT = "Suggest something for a rainy afternoon."
TOOL_RESULT = "Saved: 3 items are in the basket."
# The guide's requests: each scenario's prompt and response model (create, nested, partial).
GUIDE: tuple[Scenario, ...] = tuple(get_scenario(n) for n in ("sync", "nested", "partial_sync"))
USERS = get_scenario("iterable_sync")  # three users: an iterable


def require_sdk(module: str) -> ModuleType:
    """Import an SDK of the `sdk` extra; skip without it, fail under CI (it installs it)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed (pip install -e '.[sdk]')"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {message}", pytrace=False)
        pytest.skip(message, allow_module_level=True)
        raise  # unreachable: skip raises


def root(provider: str, factory: Callable[[], web.Application]) -> str:
    """The root URL of this suite's emulator of `provider`."""
    return emulator_host().url(f"sdk-{provider}", factory)


@contextlib.contextmanager
def expecting(provider: str, value: Any) -> Iterator[None]:
    """The suite's emulator of `provider` answers `value` (as the runner tells it a scenario's)."""
    with emulator_host().expecting(f"sdk-{provider}", value):
        yield


class Product(BaseModel):
    """Another schema than the guide's: a float and a list of strings."""

    name: str
    price: float
    tags: list[str]


class Status(str, enum.Enum):
    pending = "pending"
    shipped = "shipped"


class Line(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=99)


class Order(BaseModel):
    """Enums, a Literal, a nested list with bounds, an optional field, a string format."""

    id: str
    status: Status
    channel: Literal["web", "store"]
    lines: list[Line] = Field(min_length=1)
    note: str | None = None
    customer_email: str = Field(json_schema_extra={"format": "email"})


class Upload(BaseModel):
    """bytes: JSON schema's `format: binary`, which no emulated model can write faithfully."""

    data: bytes


# instructor's Iterable wrapper for the guide's User: one array field of users.
Users = create_model("IterableUser", tasks=(list[USERS.response_model], ...))


def valid(instance: Any, model: type[BaseModel]) -> BaseModel:
    """`instance` checked against `model`'s JSON schema (jsonschema) and parsed by pydantic."""
    assert problems(instance, model.model_json_schema()) == []
    return model.model_validate(instance)
