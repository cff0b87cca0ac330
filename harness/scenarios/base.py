"""What a scenario is, and what running one observed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from harness.scenarios.hooks import HookCall

Kind = Literal["create", "partial", "iterable", "raw_stream"]


@dataclass(frozen=True)
class Scenario:
    """One call to check: the messages, the response model and the answer it must give.

    Declared with `harness.scenarios.scenario(...)` (the guide's own are a pack like any).
    """

    name: str
    kind: Kind
    is_async: bool
    response_model: type[BaseModel]
    prompt: str  # the user message (when `messages` is not given)
    # For `iterable`, a list of objects in order; otherwise one object. None: no fixed answer
    # (a live-only scenario judged by `facts`; the emulators make one from the schema).
    expected: dict[str, Any] | list[dict[str, Any]] | None
    description: str
    # The scenario whose sync/async twin this is (for the async-support rule).
    twin: str | None = None
    # False for harness measurements that are not one of the guide's examples.
    from_guide: bool = True
    # What a live (non-deterministic) answer must get right: a subset of `expected`. Strings
    # match case-insensitively, and a longer answer containing them ('123 Main Street') passes.
    facts: dict[str, Any] | list[dict[str, Any]] | None = None
    # The whole conversation, when it is more than one user prompt.
    messages: tuple[dict[str, Any], ...] = ()
    max_retries: int | None = None  # instructor's re-asks (its default when None)
    pack: str = "harness.packs.guide"  # the module that declared it
    bundled: Path | None = None  # the pack's own cassettes, shipped beside it
    # What the emulated model answers before `expected`, one answer per request: each fails
    # the model's validation, so instructor re-asks (`max_retries`) until `expected` comes.
    first_answers: tuple[Any, ...] = ()
    # How many times each instructor hook must fire, as (name, count) pairs.
    hooks: tuple[tuple[str, int], ...] = ()
    # The providers it applies to: names, or EMULATED (every provider with an emulator);
    # empty: every provider.
    providers: tuple[str, ...] = ()
    # The ladder it is a rung of, and its place on it (1 for the first rung).
    ladder: str | None = None
    rung: int = 0

    def conversation(self) -> list[dict[str, Any]]:
        """The messages sent to the model."""
        return [dict(m) for m in self.messages] or [{"role": "user", "content": self.prompt}]

    @property
    def attempts(self) -> int:
        """How many attempts (requests) the call must take: one per first answer, plus one."""
        return len(self.first_answers) + 1

    @property
    def expected_hooks(self) -> dict[str, int]:
        """The declared hook counts, by hook name."""
        return dict(self.hooks)


# A scenario's `providers` entry standing for every provider that has an emulator.
EMULATED = "emulated"


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
    # Every call of an instructor hook, in order (harness.scenarios.hooks).
    hook_calls: list[HookCall] = field(default_factory=list)
