"""What a request is refused for before any model sees it: its tool turns, then its schemas.

One function per wire, each the sum of that API's rules in turns (a conversation's tool
turns, which a re-ask exercises) and schema_rules (the schemas it carries), in that order.
Google's sits with the rest of its request reading, in google_request.
"""

from __future__ import annotations

import json
from typing import Any

from harness.emulators import schema_rules, turns

_ANTHROPIC_TOOL_DOCS = "Learn more about tool use at https://docs.claude.com/en/docs/tool-use."
# Claude on Bedrock: the model's own error, prefixed by the service (acomagu/vscode-as-mcp-
# server#6 quotes it with the docs.anthropic.com link).
_BEDROCK_MODEL_ERRORS = "The model returned the following errors: "
_BEDROCK_TOOL_DOCS = "Learn more about tool use at https://docs.anthropic.com/en/docs/tool-use."
# The tool-turn texts of each OpenAI-family flavour (turns.openai_chat). Mistral and DeepSeek
# word their own; every other flavour gets OpenAI's, each documenting its API as OpenAI's:
# Azure OpenAI and Hugging Face's router serve it, Groq (console.groq.com/docs/openai), xAI
# (docs.x.ai, "compatible with the OpenAI SDK"), Together AI (docs.together.ai, OpenAI
# compatibility) and OpenRouter (openrouter.ai/docs, the OpenAI request and response schema)
# state the OpenAI Chat Completions API as theirs, and no public report quotes one of them
# refusing a tool turn in other words.
_DIALECTS = {"mistral": "mistral", "deepseek": "deepseek"}


def openai_family(body: dict[str, Any], flavour: str) -> tuple[str, str | None,
                                                              str | None] | None:
    """(message, param, code) of the 400 an OpenAI-family API answers `body` with, or None.
    The schema rules are OpenAI's (Azure OpenAI serves the same models); the other flavours
    state no schema refusal of their own (DeepSeek's refusal of json_schema as a whole is its
    dialect's, openai_compat/deepseek), so only their tool turns are checked."""
    turn = turns.openai_chat(body.get("messages"), _DIALECTS.get(flavour, "openai"))
    if turn is not None:
        return turn[0], turn[1], None
    if flavour not in ("openai", "azure"):
        return None
    fmt = body.get("response_format") or {}
    spec = fmt.get("json_schema") or {}
    if fmt.get("type") == "json_schema":
        found = schema_rules.openai("response_format", str(spec.get("name")),
                                    spec.get("schema") or {}, spec.get("strict") is True)
        if found:
            return found, "response_format", None
    for i, tool in enumerate(body.get("tools") or []):
        fn = (tool.get("function") if isinstance(tool, dict) else None) or {}
        found = schema_rules.openai("function", str(fn.get("name")),
                                    fn.get("parameters") or {"type": "object"},
                                    fn.get("strict") is True)
        if found:
            return found, f"tools[{i}].function.parameters", "invalid_function_parameters"
    return None


def responses(body: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(message, param, code) of the Responses API's 400 for `body`'s items and schemas, or
    None. The schema rules are OpenAI's; the params and codes: `text.format.schema` and
    invalid_json_schema as the API answers a text.format schema (quoted in issues of clients
    that hit it, e.g. the Codex CLI's --output-schema); a function's, the Chat Completions
    code with the Responses tool's path (the emulator's transposition: no public sample). A
    function's `strict` null is not strict: the API uses strict mode only where the schema
    allows it (pipecat-ai/pipecat#5606: every tool sent with strict null, none refused)."""
    turn = turns.responses(body.get("input") if isinstance(body.get("input"), list) else [])
    if turn is not None:
        return turn, "input", None
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        found = schema_rules.openai("response_format", str(fmt.get("name")),
                                    fmt.get("schema") or {}, fmt.get("strict") is True)
        if found:
            return found, "text.format.schema", "invalid_json_schema"
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        found = schema_rules.openai("function", str(tool.get("name")),
                                    tool.get("parameters") or {"type": "object"},
                                    tool.get("strict") is True)
        if found:
            return found, f"tools[{i}].parameters", "invalid_function_parameters"
    return None


def anthropic(body: dict[str, Any]) -> str | None:
    """The 400 message the Messages API answers `body` with, or None."""
    thread = body.get("thread")  # the message-threads beta: earlier turns are the API's
    found = turns.anthropic(body.get("messages"), continued=isinstance(thread, dict)
                            and thread.get("type") == "continue")
    if found is not None:
        return found
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or "input_schema" not in tool:
            continue  # a server tool (web search...) has no input_schema
        where = f"tools.{i}.custom.input_schema"
        if schema_rules.json_schema_problem(tool["input_schema"]) is not None:
            return f"{where}: {schema_rules.TOOL_SCHEMA_INVALID} {_ANTHROPIC_TOOL_DOCS}"
        strict = schema_rules.structured_output_problem(tool["input_schema"]) \
            if tool.get("strict") is True else None
        if strict:
            return f"{where}: {strict}"
    formats = (("output_format.schema", (body.get("output_format") or {}).get("schema")),
               ("output_config.format.schema",
                ((body.get("output_config") or {}).get("format") or {}).get("schema")))
    for where, schema in formats:
        problem = schema_rules.structured_output_problem(schema) if schema is not None else None
        if problem:
            return f"{where}: {problem}"
    return None


def _output_schema(body: dict[str, Any]) -> Any:
    fmt = (body.get("outputConfig") or {}).get("textFormat") or {}
    if fmt.get("type") != "json_schema":
        return None
    raw = ((fmt.get("structure") or {}).get("jsonSchema") or {}).get("schema")
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return "(not JSON)"


def bedrock(body: dict[str, Any]) -> str | None:
    """The ValidationException message Converse answers `body` with, or None."""
    found = turns.bedrock(body.get("messages"))
    if found is not None:
        return found
    specs = [t.get("toolSpec") for t in (body.get("toolConfig") or {}).get("tools") or []
             if isinstance(t, dict)]
    for i, spec in enumerate(specs):
        schema = ((spec or {}).get("inputSchema") or {}).get("json")
        if schema is not None and schema_rules.json_schema_problem(schema) is not None:
            return (f"{_BEDROCK_MODEL_ERRORS}tools.{i}.custom.input_schema: "
                    f"{schema_rules.TOOL_SCHEMA_INVALID} {_BEDROCK_TOOL_DOCS}")
    schema = _output_schema(body)
    problem = schema_rules.structured_output_problem(schema) if schema is not None else None
    if problem:
        return f"{_BEDROCK_MODEL_ERRORS}output_config.format.schema: {problem}"
    return None
