"""What a generateContent request asks for (Gemini API and Vertex AI share the format).

The API's JSON parser accepts camelCase and snake_case field names (litellm sends
`function_declarations`, `allowed_function_names`, `response_json_schema`; Google's SDKs send
camelCase), refuses unknown top-level fields, and the model answers a forced function with a
call, `responseMimeType: application/json` with JSON text (compact under `responseSchema`,
indented otherwise, as recorded), and anything else with prose: here fenced JSON.
"""

from __future__ import annotations

import json
from typing import Any

from harness.emulators.knowledge import (
    UNKNOWN_PROMPT_REPLY,
    Intent,
    answer_for,
    find_schema_in_text,
)

# GenerateContentRequest's fields: the API refuses any other name with a 400.
_REQUEST_FIELDS = {"model", "contents", "tools", "toolConfig", "safetySettings",
                   "systemInstruction", "generationConfig", "cachedContent"}
_VERTEX_FIELDS = {"labels", "modelArmorConfig"}


def snake_case(camel: str) -> str:
    """`responseMimeType` -> `response_mime_type`."""
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


def spellings(*camel: str) -> tuple[str, ...]:
    """Each field name in both spellings the API accepts."""
    return tuple(name for key in camel for name in (key, snake_case(key)))


# generationConfig's schema fields (`_responseJsonSchema`: the API reference's earlier name for
# responseJsonSchema).
SCHEMA_FIELDS = (*spellings("responseSchema", "responseJsonSchema"), "_responseJsonSchema")


def get_field(obj: dict[str, Any] | None, camel: str) -> Any:
    """obj[camel] or obj[snake_case]: the API's JSON parser accepts both spellings."""
    return obj.get(camel, obj.get(snake_case(camel))) if obj else None


def _texts(content: dict[str, Any] | None) -> str:
    parts = get_field(content, "parts") or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict))


def calling_config(body: dict[str, Any]) -> dict[str, Any]:
    """toolConfig.functionCallingConfig, or {}."""
    return get_field(get_field(body, "toolConfig"), "functionCallingConfig") or {}


def _intent(body: dict[str, Any]) -> tuple[Intent, str]:
    """How the request asks for structure, and the JSON style: compact, pretty or fenced."""
    config = get_field(body, "generationConfig") or {}
    calling = calling_config(body)
    declarations = [d for tool in body.get("tools") or []
                    for d in get_field(tool, "functionDeclarations") or []]
    if declarations and calling.get("mode") != "NONE":
        allowed = get_field(calling, "allowedFunctionNames") or []
        chosen = next((d for d in declarations if d.get("name") in allowed), declarations[0])
        schema = get_field(chosen, "parameters") or get_field(chosen, "parametersJsonSchema")
        return Intent("tool", schema, chosen.get("name")), "args"
    system = _texts(get_field(body, "systemInstruction"))
    prompt_schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(_texts(c) for c in body.get("contents") or []))
    if get_field(config, "responseMimeType") == "application/json":
        if get_field(config, "responseSchema"):
            return Intent("json", get_field(config, "responseSchema")), "compact"
        return Intent("json", get_field(config, "responseJsonSchema") or prompt_schema), "pretty"
    return Intent("text", prompt_schema), "fenced"


def calls_or_text(body: dict[str, Any]) -> tuple[list[tuple[str, Any]], str]:
    """(function calls, text): what the model answers; exactly one of them is non-empty."""
    intent, style = _intent(body)
    prompts = [_texts(c) for c in body.get("contents") or [] if c.get("role", "user") == "user"]
    answer = answer_for(prompts, intent.schema)
    if answer is None:
        return [], UNKNOWN_PROMPT_REPLY
    if intent.kind == "tool":
        # A list answer for a function taking one item is several parallel calls.
        items = answer if isinstance(answer, list) else [answer]
        return [(intent.tool_name or "", item) for item in items], ""
    if style == "compact":
        return [], json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    return [], pretty if style == "pretty" else f"```json\n{pretty}\n```"


def invalid_request(body: dict[str, Any], vertex: bool) -> tuple[str, bool] | None:
    """(message, names a bad field) for a request the API answers with a 400, or None."""
    known = _REQUEST_FIELDS | (_VERTEX_FIELDS if vertex else set())
    known |= {snake_case(k) for k in known}
    for key in body:
        if key not in known:
            return f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.', True
    if not body.get("contents"):
        return "* GenerateContentRequest.contents: contents is not specified\n", False
    return None
