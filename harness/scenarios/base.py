"""What a scenario is, and what running one observed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

Kind = Literal["create", "partial", "iterable", "raw_stream"]


@dataclass(frozen=True)
class Scenario:
    """One of the guide's examples: a prompt, a response model and the expected answer."""

    name: str
    kind: Kind
    is_async: bool
    response_model: type[BaseModel]
    prompt: str
    # For `iterable`, a list of objects in order; otherwise one object.
    expected: dict[str, Any] | list[dict[str, Any]]
    description: str
    # The scenario whose sync/async twin this is (for the async-support rule).
    twin: str | None = None
    # False for harness measurements that are not one of the guide's examples.
    from_guide: bool = True
    # What a live (non-deterministic) answer must get right: a subset of `expected`. Strings
    # match case-insensitively, and a longer answer containing them ('123 Main Street') passes.
    facts: dict[str, Any] | list[dict[str, Any]] | None = None


@dataclass
class Observation:
    """What the instructor call produced, as a user would see it."""

    final: dict[str, Any] | list[dict[str, Any]] | None = None
    # Every object yielded by create_partial / create_iterable, dumped, in order.
    yielded: list[dict[str, Any]] = field(default_factory=list)
    # For each yielded object: how many stream chunks litellm had handed over so far.
    chunks_at_yield: list[int] = field(default_factory=list)
    # Seconds from the call to each yielded object.
    seconds_at_yield: list[float] = field(default_factory=list)
    # Stream chunks litellm handed to instructor in total.
    chunks_total: int = 0
    # Stream chunks that carried payload text, and that text as litellm delivered it.
    payload_deltas: int = 0
    delivered_text: str = ""
    # raw_stream only: the payload deltas of a raw litellm stream=True call, in order.
    raw_deltas: list[str] = field(default_factory=list)
    # The keyword arguments instructor passed to litellm (captured by a completion:kwargs hook).
    sent_kwargs: list[dict[str, Any]] = field(default_factory=list)
    # What the harness could not observe with the installed libraries, and why.
    notes: list[str] = field(default_factory=list)
