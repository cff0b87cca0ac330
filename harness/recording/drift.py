"""Request drift: the installed library sent a request no recorded interaction matches.

A drift is a finding, not a harness failure: litellm (or instructor) now sends something else
than when the cassette was recorded. These pure functions say what changed, in plain words,
from the drifted request, the recorded ones and the provider's wire family.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.wire import WireFamily


@dataclass(frozen=True)
class Drift:
    """What differs between the request sent now and the closest recorded one."""

    request: str  # "POST /v1/chat/completions"
    changes: tuple[str, ...]  # one line per key added, removed or changed
    explanation: str  # what the changes mean, in plain words
    recorded_with: dict[str, str] = field(default_factory=dict)
    replayed_with: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: the changes and what they mean."""
        what = "; ".join(self.changes) or "the request differs"
        return f"{what}: {self.explanation}" if self.explanation else what

    def to_dict(self, resolution: str) -> dict[str, Any]:
        """The drift as a result records it, with how the cell was resolved."""
        return {"request": self.request, "changes": list(self.changes),
                "explanation": self.explanation, "recorded_with": self.recorded_with,
                "replayed_with": self.replayed_with, "resolution": resolution}


def _body(request: Any) -> dict[str, Any]:
    try:
        body = json.loads(getattr(request, "body", None) or b"{}")
    except (ValueError, UnicodeDecodeError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


def _path(request: Any) -> str:
    return urlsplit(str(getattr(request, "uri", ""))).path


def _same_route(a: Any, b: Any) -> bool:
    return getattr(a, "method", None) == getattr(b, "method", None) and _path(a) == _path(b)


def matches(request: Any, recorded: Any, wire: WireFamily) -> bool:
    """Whether `recorded` answers `request` as the replay matcher sees it (route and keys)."""
    return _same_route(request, recorded) and (
        wire.request_structure(_body(request)) == wire.request_structure(_body(recorded)))


def closest(request: Any, recorded: list[Any]) -> Any | None:
    """The recorded request on the same route (else the first one), or None."""
    return next((r for r in recorded if _same_route(request, r)), recorded[0] if recorded else None)


def key_changes(now: dict[str, Any], then: dict[str, Any]) -> list[str]:
    """'toolConfig added', 'system removed', "tool_choice None → 'auto'" lines."""
    out = [f"{key} added" for key in sorted(set(now) - set(then))]
    out += [f"{key} removed" for key in sorted(set(then) - set(now))]
    out += [f"{key} {then[key]!r} → {now[key]!r}" for key in sorted(set(now) & set(then))
            if now[key] != then[key]]
    return out


def explain(now: dict[str, Any], then: dict[str, Any], wire: WireFamily, mode: str) -> str:
    """What the structural change means for the mode, in plain words."""
    said = []
    tools_now = [k for k in wire.tool_keys if k in now and k not in then]
    tools_gone = [k for k in wire.tool_keys if k in then and k not in now]
    if mode != "tools" and tools_now:
        said.append(f"litellm now sends {mode} mode as a forced tool")
    elif mode != "tools" and tools_gone:
        said.append(f"litellm no longer sends {mode} mode as a forced tool")
    elif "tool_choice" in tools_now:
        said.append("litellm now forces the tool (tool_choice)")
    elif "tool_choice" in tools_gone:
        said.append("litellm no longer forces the tool (tool_choice)")
    for key in wire.format_keys:
        if key in now and key not in then:
            said.append(f"litellm now sends the output format as {key}")
        elif key in then and key not in now:
            said.append(f"litellm no longer sends {key}")
    for key in wire.prompt_keys:
        if (key in now) != (key in then):
            said.append(f"litellm {'now' if key in now else 'no longer'} sends a {key} prompt")
    if now.get("stream") != then.get("stream") and "stream" in set(now) | set(then):
        said.append("the stream flag changed")
    return "; ".join(said)


def _route_change(then: str, now: str) -> str:
    # A stream endpoint is named in the path on some wires (Bedrock, Gemini): say so plainly.
    if "stream" in now.lower() and "stream" not in then.lower():
        return "litellm now sends a streaming request where the recording has a plain call"
    if "stream" in then.lower() and "stream" not in now.lower():
        return "litellm now makes a plain call where the recording has a streaming request"
    return "litellm calls another route"


def describe(request: Any, recorded: list[Any], wire: WireFamily, mode: str) -> Drift:
    """The drift of `request` from the closest of the `recorded` requests."""
    method = getattr(request, "method", "?")
    near = closest(request, recorded)
    if near is None:
        return Drift(f"{method} {_path(request)}", ("no request was recorded",), "")
    if not _same_route(request, near):
        return Drift(f"{method} {_path(request)}", (f"path {_path(near)} → {_path(request)}",),
                     _route_change(_path(near), _path(request)))
    now = wire.request_structure(_body(request))
    then = wire.request_structure(_body(near))
    return Drift(f"{method} {_path(request)}", tuple(key_changes(now, then)),
                 explain(now, then, wire, mode))


def unmatched(presented: list[Any], recorded: list[Any], wire: WireFamily) -> Any | None:
    """The first presented request no recorded one answers (the drifted request), or None."""
    return next((r for r in presented if not any(matches(r, rec, wire) for rec in recorded)),
                None)
