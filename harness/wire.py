"""What one wire family looks like from outside: the descriptor each emulator module states.

Knowledge of a wire used to be spread over the replay matcher, fault evidence, the mode-rewrite
notes and the request summaries, each with its own list of keys. A `WireFamily` holds it in one
place, beside the emulator that speaks the wire; those readers take a family as a parameter.
This module sits at the bottom of the layering: it imports nothing from the harness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Keys whose value (not just their presence) decides how a provider answers.
VALUE_KEYS = ("stream", "tool_choice")


def _merged(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """The keys of every group, each once, in first-seen order."""
    return tuple(dict.fromkeys(key for group in groups for key in group))


@dataclass(frozen=True)
class WireFamily:
    """The keys by which one wire format carries structured output, and shows how it ended."""

    name: str
    # Request: top-level keys carrying the structured-output instruction, by what they carry.
    tool_keys: tuple[str, ...] = ()  # tools offered and the choice among them
    format_keys: tuple[str, ...] = ()  # an output format (JSON mode, a schema)
    # "container.key" paths inside a format key: a container that has them (Gemini's
    # generationConfig, which may carry only a temperature) carries an instruction only when
    # one of them is there.
    schema_keys: tuple[str, ...] = ()
    mime_keys: tuple[str, ...] = ()
    prompt_keys: tuple[str, ...] = ()  # a top-level system prompt (where a prompt-only schema sits)
    stream_flag: bool = True  # `stream` is a body flag (False: the path says it)
    # The API can oblige the model to call a tool (a tool choice); False: it has no such thing.
    forces_tools: bool = True
    # Response: a successful body or stream event has at least one success key at the top.
    success_keys: frozenset[str] = frozenset()
    terminal_events: frozenset[str] = frozenset()  # SSE event names or `type` values ending it
    finish_keys: tuple[str, ...] = ()  # a truthy value says the answer is complete
    model_keys: tuple[str, ...] = ()  # where the model that answered is named
    model_parents: tuple[str, ...] = ()  # nested objects that may name it instead

    @property
    def structure_keys(self) -> tuple[str, ...]:
        """The top-level request keys the replay matcher compares."""
        stream = ("stream",) if self.stream_flag else ()
        return _merged((stream, self.tool_keys, self.format_keys, self.prompt_keys))

    def request_structure(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """What decides how the provider answers: a value for stream/tool_choice, else True."""
        keys = self.structure_keys
        return {key: (body[key] if key in VALUE_KEYS else True)
                for key in sorted(body) if key in keys}

    def _inner(self, paths: tuple[str, ...], container: str) -> tuple[str, ...]:
        return tuple(p.split(".", 1)[1] for p in paths if p.split(".", 1)[0] == container)

    def nested_in(self, container: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(schema keys, MIME keys) this family looks for inside format key `container`."""
        return self._inner(self.schema_keys, container), self._inner(self.mime_keys, container)

    @classmethod
    def union(cls, name: str, families: Iterable[WireFamily]) -> WireFamily:
        """One family holding every key of `families`, for a caller that does not know the wire."""
        members = list(families)

        def keys(attr: str) -> tuple[str, ...]:
            return _merged(getattr(f, attr) for f in members)

        return cls(
            name=name, tool_keys=keys("tool_keys"), format_keys=keys("format_keys"),
            schema_keys=keys("schema_keys"), mime_keys=keys("mime_keys"),
            prompt_keys=keys("prompt_keys"), stream_flag=any(f.stream_flag for f in members),
            success_keys=frozenset().union(*(f.success_keys for f in members)),
            terminal_events=frozenset().union(*(f.terminal_events for f in members)),
            finish_keys=keys("finish_keys"), model_keys=keys("model_keys"),
            model_parents=keys("model_parents"))
