"""How litellm rewrote the mode instructor asked for: what was asked versus what was sent.

instructor hands litellm OpenAI-style kwargs (tools / response_format); litellm translates them
for each provider, sometimes into something else (JSON mode as a forced tool) and sometimes
into nothing at all. Comparing the two explains results that would otherwise look like
instructor's parsing failures.
"""

from __future__ import annotations

from typing import Any

from harness.wire import VALUE_KEYS, WireFamily


def _asked(kwargs: dict[str, Any]) -> tuple[bool, str | None]:
    fmt = kwargs.get("response_format")
    fmt_type = fmt.get("type") if isinstance(fmt, dict) else None
    return bool(kwargs.get("tools")), fmt_type


def _sent(first: dict[str, Any], wire: WireFamily) -> tuple[bool, bool, bool, bool]:
    """(tools, an output format, a schema, a MIME type) carried by a request summary."""
    # A tool choice alone offers nothing to call.
    tools = any(key in first for key in wire.tool_keys if key not in VALUE_KEYS)
    fmt = schema = mime = False
    for key in (k for k in wire.format_keys if k in first):
        schema_keys, mime_keys = wire.nested_in(key)
        inner = first[key] if isinstance(first[key], list) else []
        has_schema = any(k in inner for k in schema_keys)
        has_mime = any(k in inner for k in mime_keys)
        schema, mime = schema or has_schema, mime or has_mime
        # A container of schema/MIME fields (generationConfig) may carry only a temperature.
        fmt = fmt or has_schema or has_mime or not (schema_keys or mime_keys)
    return tools, fmt, schema, mime


def mode_transforms(asked: dict[str, Any] | None, sent: list[dict[str, Any]],
                    wire: WireFamily) -> tuple[list[str], bool]:
    """(notes, dropped): how the first model request differs from instructor's kwargs.

    `sent` holds the request summaries (harness.recording.wire_stats.summarize_request) of
    the `wire` family. `dropped` is True when a structured-output instruction vanished
    without an error. (A forced tool an API cannot force at all: unforceable.)
    """
    requests = [w for w in sent if w is not None and not w.get("token_exchange")]
    if not asked or not requests:
        return [], False
    wants_tools, fmt = _asked(asked)
    tools, formats, has_schema, has_mime = _sent(requests[0], wire)
    notes: list[str] = []
    dropped = False
    if fmt:
        if not tools and not formats:
            notes.append(f"litellm dropped response_format={fmt!r} without notice: the request "
                         f"carried no tool, output format or schema")
            dropped = True
        elif tools and not formats:
            notes.append(f"litellm sent response_format={fmt!r} as a forced tool call")
        elif fmt == "json_schema" and has_mime and not has_schema:
            notes.append("litellm sent JSON mode but dropped the schema")
    if wants_tools and not tools:
        notes.append("litellm dropped the tools without notice")
        dropped = True
    # A wire with a tool-choice key of its own (after `tools`) that none of the requests
    # carries: the call instructor forced was left to the model's choice.
    choice_keys = tuple(k for k in wire.tool_keys[1:] if k != wire.tool_keys[0])
    if wants_tools and tools and asked.get("tool_choice") and choice_keys and not any(
            key in request for request in requests for key in choice_keys):
        notes.append(f"litellm dropped tool_choice={_choice(asked['tool_choice'])} without "
                     f"notice: no request carried {' or '.join(choice_keys)}, so the model "
                     f"was free not to call the tool")
        dropped = True
    return notes, dropped


def _choice(choice: Any) -> str:
    name = ((choice.get("function") or {}).get("name") if isinstance(choice, dict) else None)
    return repr((name and f"{name} (forced)") or choice)


def unforceable(asked: dict[str, Any] | None, wire: WireFamily) -> str | None:
    """The note for a forced tool_choice sent to an API that has no tool choice (Ollama's
    /api/chat), or None: litellm could not send it, and the model was free not to call."""
    choice = (asked or {}).get("tool_choice")
    if wire.forces_tools or not (asked or {}).get("tools") or not choice or choice in (
            "auto", "none"):
        return None
    return (f"the API has no tool choice ({wire.name}): instructor's tool_choice="
            f"{_choice(choice)} could not be sent, so the model was free not to call the tool")
