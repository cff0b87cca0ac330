"""How litellm rewrote the mode instructor asked for: what was asked versus what was sent.

instructor hands litellm OpenAI-style kwargs (tools / response_format); litellm translates them
for each provider, sometimes into something else (JSON mode as a forced tool) and sometimes
into nothing at all. Comparing the two explains results that would otherwise look like
instructor's parsing failures.
"""

from __future__ import annotations

from typing import Any

# Wire keys by which a provider request carries structured-output instructions.
_STRUCTURE_KEYS = ("tools", "toolConfig", "response_format", "output_format", "output_config",
                   "generationConfig")
_SCHEMA_KEYS = ("responseSchema", "responseJsonSchema", "response_schema",
                "response_json_schema", "_responseJsonSchema")
_MIME_KEYS = ("responseMimeType", "response_mime_type")


def _asked(kwargs: dict[str, Any]) -> tuple[bool, str | None]:
    fmt = kwargs.get("response_format")
    fmt_type = fmt.get("type") if isinstance(fmt, dict) else None
    return bool(kwargs.get("tools")), fmt_type


def mode_transforms(asked: dict[str, Any] | None,
                    wire: list[dict[str, Any]]) -> tuple[list[str], bool]:
    """(notes, dropped): how the first model request differs from instructor's kwargs.

    `dropped` is True when a structured-output instruction vanished without an error.
    """
    requests = [w for w in wire if w is not None and not w.get("token_exchange")]
    if not asked or not requests:
        return [], False
    first = requests[0]
    wants_tools, fmt = _asked(asked)
    sent_keys = {k for k in _STRUCTURE_KEYS if k in first}
    gen = first.get("generationConfig") or []
    has_schema = any(k in gen for k in _SCHEMA_KEYS) if isinstance(gen, list) else False
    has_mime = any(k in gen for k in _MIME_KEYS) if isinstance(gen, list) else False
    notes: list[str] = []
    dropped = False
    if fmt:
        if not sent_keys - {"generationConfig"} and not has_mime and not has_schema:
            notes.append(f"litellm dropped response_format={fmt!r} without notice: the request "
                         f"carried no tool, output format or schema")
            dropped = True
        elif ("tools" in first or "toolConfig" in first) and "response_format" not in first:
            notes.append(f"litellm sent response_format={fmt!r} as a forced tool call")
        elif fmt == "json_schema" and has_mime and not has_schema:
            notes.append("litellm sent JSON mode but dropped the schema")
    if wants_tools and not ({"tools", "toolConfig"} & sent_keys):
        notes.append("litellm dropped the tools without notice")
        dropped = True
    return notes, dropped
