"""What a generateContent request asks for (Gemini API and Vertex AI share the format).

The API's JSON parser accepts camelCase and snake_case field names (litellm sends
`function_declarations`, `allowed_function_names`, `response_json_schema`; Google's SDKs send
camelCase), refuses unknown top-level fields, and the model answers a forced function (mode
ANY) with a call, as it does an unforced one unless JSON output is asked or the turn follows
a functionResponse; `responseMimeType: application/json` with JSON text (compact under
`responseSchema`, indented otherwise, as recorded); anything else with prose: fenced JSON when
a schema is in the prompt, the function's result reported after a functionResponse.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from harness.emulators import google_oauth, schema_rules, turns
from harness.emulators.knowledge import (
    ANY_OBJECT,
    UNKNOWN_PROMPT_REPLY,
    Intent,
    answer_for,
    find_schema_in_text,
    fits,
    tool_result_reply,
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


def _function_responses(body: dict[str, Any]) -> str | None:
    """The functionResponse parts of the last turn, as text, or None when it has none."""
    contents = body.get("contents") or []
    parts = get_field(contents[-1], "parts") or [] if contents else []
    found = [get_field(p, "functionResponse") for p in parts if isinstance(p, dict)]
    responses = [r for r in found if r]
    if not responses:
        return None
    return " ".join(json.dumps(get_field(r, "response"), ensure_ascii=False) for r in responses)


def _json_intent(config: dict[str, Any], prompt_schema: dict[str, Any] | None) -> \
        tuple[Intent, str] | None:
    """JSON output asked in generationConfig, and its style; None when none is asked."""
    if get_field(config, "responseMimeType") != "application/json":
        return None
    if get_field(config, "responseSchema"):
        return Intent("json", get_field(config, "responseSchema")), "compact"
    schema = get_field(config, "responseJsonSchema") or config.get("_responseJsonSchema")
    return Intent("json", schema or prompt_schema or ANY_OBJECT), "pretty"


def _intent(body: dict[str, Any]) -> tuple[Intent, str]:
    """How the request asks for structure, and the JSON style: compact, pretty or fenced."""
    config = get_field(body, "generationConfig") or {}
    calling = calling_config(body)
    declarations = [d for tool in body.get("tools") or []
                    for d in get_field(tool, "functionDeclarations") or []]
    system = _texts(get_field(body, "systemInstruction"))
    prompt_schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(_texts(c) for c in body.get("contents") or []))
    as_json = _json_intent(config, prompt_schema)
    forced = str(calling.get("mode", "")).upper() == "ANY"
    if declarations and str(calling.get("mode", "")).upper() != "NONE" and (
            forced or not (as_json or _function_responses(body) is not None)):
        allowed = get_field(calling, "allowedFunctionNames") or []
        chosen = next((d for d in declarations if d.get("name") in allowed), declarations[0])
        schema = get_field(chosen, "parameters") or get_field(chosen, "parametersJsonSchema")
        return Intent("tool", schema or ANY_OBJECT, chosen.get("name")), "args"
    if as_json:
        return as_json
    return Intent("text", prompt_schema), "fenced"


def calls_or_text(body: dict[str, Any]) -> tuple[list[tuple[str, Any]], str]:
    """(function calls, text): what the model answers; exactly one of them is non-empty."""
    intent, style = _intent(body)
    result = _function_responses(body)
    if intent.kind == "text" and intent.schema is None and result is not None:
        return [], tool_result_reply(result)
    prompts = [_texts(c) for c in body.get("contents") or [] if c.get("role", "user") == "user"]
    # A list answer for a function taking one item is several parallel calls.
    answer = answer_for(prompts, intent.schema, many=intent.kind == "tool")
    if answer is None:
        return [], UNKNOWN_PROMPT_REPLY
    if intent.kind == "tool":
        items = answer if isinstance(answer, list) and not fits(answer, intent.schema) \
            else [answer]
        return [(intent.tool_name or "", item) for item in items], ""
    if style == "compact":
        return [], json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    return [], pretty if style == "pretty" else f"```json\n{pretty}\n```"


def _schemas(body: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    """(where, Schema object, function name or None) of the request's Schema fields:
    function parameters and the response schema (not the JSON-schema spellings)."""
    found: list[tuple[str, Any, str | None]] = []
    for t, tool in enumerate(body.get("tools") or []):
        for d, decl in enumerate(get_field(tool, "functionDeclarations") or []):
            if isinstance(decl, dict) and get_field(decl, "parameters") is not None:
                found.append((f"tools[{t}].function_declarations[{d}].parameters",
                              get_field(decl, "parameters"), str(decl.get("name"))))
    schema = get_field(get_field(body, "generationConfig"), "responseSchema")
    if schema is not None:
        found.append(("generation_config.response_schema", schema, None))
    return found


Invalid = tuple[str, list[dict[str, str]] | None]  # (message, BadRequest fieldViolations)


def _schema_refusal(body: dict[str, Any], vertex: bool) -> Invalid | None:
    """The API's 400 for a Schema field it cannot take (schema_rules), or None."""
    schemas = _schemas(body)
    unknown = [found for where, schema, _ in schemas
               for found in schema_rules.google_unknown_fields(schema, where)]
    if unknown:  # the JSON parser lists every unknown name, each a field violation
        return "\n".join(m for _, m in unknown), [{"field": f, "description": m}
                                                  for f, m in unknown]
    for where, schema, function in schemas:
        message = schema_rules.google_function(schema, where, function, vertex) \
            if function is not None else None
        if message:
            return message, None
    return None


def invalid_request(body: dict[str, Any], vertex: bool, model: str = "") -> Invalid | None:
    """(message, field violations) for a request the API answers with a 400, or None: an
    unknown field, no contents, malformed function turns (turns.google; a Gemini 3 `model`'s
    thought signatures too), a Schema it refuses."""
    known = _REQUEST_FIELDS | (_VERTEX_FIELDS if vertex else set())
    known |= {snake_case(k) for k in known}
    for key in body:
        if key not in known:
            message = f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            return message, [{"description": message}]
    if not body.get("contents"):
        return "* GenerateContentRequest.contents: contents is not specified\n", None
    turn = turns.google(body.get("contents"), signed=model.startswith("gemini-3"),
                        vertex=vertex)
    if turn is not None:
        return turn, None
    return _schema_refusal(body, vertex)


def error(status: int, state: str, message: str,
          details: list[dict[str, Any]] | None = None) -> web.Response:
    """An error in the API's shape: {"error": {code, message, status[, details]}}, indented."""
    payload: dict[str, Any] = {"error": {"code": status, "message": message, "status": state}}
    if details:
        payload["error"]["details"] = details
    return web.Response(status=status, text=json.dumps(payload, indent=2),
                        content_type="application/json", charset="UTF-8")


def refused_response(status: int, kind: str, message: str) -> web.Response:
    """A refusal, an unservable schema or an unserved route, in the API's error shape (an
    unknown path or method is NOT_FOUND: google.rpc has no code for a wrong method)."""
    if kind == "invalid_request":
        return error(400, "INVALID_ARGUMENT", message)
    return error(404, "NOT_FOUND", message)


def unauthorized(vertex: bool, request: web.Request) -> web.Response | None:
    """The API's refusal of a request without credentials, or None."""
    if vertex:
        if google_oauth.bearer_ok(request):
            return None
        return error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. "
                     "Expected OAuth 2 access token, login cookie or other valid "
                     "authentication credential.")
    if request.headers.get("x-goog-api-key") or request.query.get("key"):
        return None
    return error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers "
                 "(callers without established identity). Please use API Key or other form "
                 "of API consumer identity to call this API.")
