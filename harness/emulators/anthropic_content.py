"""What Claude answers a Messages request: tool_use blocks, JSON text, fenced JSON or prose.

A forced tool (tool_choice tool/any) answers with a tool_use block only; an unforced one gets
Claude's one-line preface first; tool_choice none, or an unforced turn right after a
tool_result, calls nothing. `output_format` (beta) or `output_config.format` answers JSON text
valid against its schema; a schema that is only in the prompt is answered with fenced JSON;
after a tool result with none of these, Claude reports the result in prose.
"""

from __future__ import annotations

import json
from typing import Any

from harness.emulators.knowledge import (
    ANY_OBJECT,
    UNKNOWN_PROMPT_REPLY,
    answer_for,
    find_schema_in_text,
    text_of,
    tool_result_reply,
)

_PREFACE = "I'll extract the requested information."  # what Claude says before an unforced tool


def _system_text(body: dict[str, Any]) -> str:
    system = body.get("system")
    return system if isinstance(system, str) else text_of(system)


def _user_prompts(body: dict[str, Any]) -> list[str]:
    return [text_of(m.get("content")) for m in body.get("messages", []) if m.get("role") == "user"]


def _json_format(body: dict[str, Any]) -> tuple[dict[str, Any] | None, tuple[str, str]]:
    """(schema, separators) when the request asks for JSON output, else (None, ...)."""
    beta = body.get("output_format")
    if isinstance(beta, dict) and beta.get("type") == "json_schema":
        return beta.get("schema") or {}, (",", ":")  # the beta writes compact JSON
    fmt = (body.get("output_config") or {}).get("format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return fmt.get("schema") or {}, (", ", ": ")
    return None, (", ", ": ")


def _tool_result(body: dict[str, Any]) -> str | None:
    """The text of the tool results in the last (user) message, or None when it has none."""
    messages = body.get("messages") or []
    content = messages[-1].get("content") if messages else None
    if not isinstance(content, list):
        return None
    results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    if not results:
        return None
    return " ".join(b["content"] if isinstance(b.get("content"), str) else text_of(b.get("content"))
                    for b in results)


def _tool_blocks(body: dict[str, Any], prompts: list[str],
                 prompt_schema: dict[str, Any] | None) -> tuple[list[dict[str, Any]], bool] | None:
    """The tool_use answer (with Claude's preface unless forced), or None when no tool is
    called: none offered, tool_choice none, or an unforced turn after a tool result."""
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "input_schema" in t]
    choice = body.get("tool_choice") or {}
    forced = choice.get("type") in ("tool", "any")
    if not tools or choice.get("type") == "none" or (
            not forced and _tool_result(body) is not None):
        return None
    tool = next((t for t in tools if t.get("name") == choice.get("name")), tools[0])
    schema = tool.get("input_schema") or {}
    # A schema-less tool (e.g. a generic JSON tool) is filled from the prompt's schema.
    if not schema.get("properties"):
        schema = prompt_schema or schema or ANY_OBJECT
    answer = answer_for(prompts, schema)
    # Claude writes tool input with spaces after ':' and ','.
    call = {"type": "tool_use", "name": tool["name"],
            "input_json": json.dumps(answer, ensure_ascii=False)}
    return ([call] if forced else [{"type": "text", "text": _PREFACE}, call]), forced


def blocks_for(body: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(content blocks as {'type', 'text' | 'name'+'input_json'}, tool forced) for a request."""
    prompts = _user_prompts(body)
    prompt_schema = find_schema_in_text(_system_text(body)) or find_schema_in_text(
        " ".join(prompts))
    called = _tool_blocks(body, prompts, prompt_schema)
    if called is not None:
        return called
    schema, separators = _json_format(body)
    if schema is not None:
        answer = answer_for(prompts, schema or ANY_OBJECT)
        text = json.dumps(answer, separators=separators, ensure_ascii=False)
        return [{"type": "text", "text": text}], False
    result = _tool_result(body)
    if result is not None and prompt_schema is None:
        return [{"type": "text", "text": tool_result_reply(result)}], False
    answer = answer_for(prompts, prompt_schema)
    if answer is None:
        return [{"type": "text", "text": UNKNOWN_PROMPT_REPLY}], False
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    return [{"type": "text", "text": f"```json\n{pretty}\n```"}], False
