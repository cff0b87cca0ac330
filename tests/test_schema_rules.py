"""Each API's schema rules, as the emulators enforce them (the API's 400 for a breach), and the
verdict's written rule: a provider 400 citing a schema rule is `unsupported` (layer provider)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import anthropic_messages, google_genai, openai_chat, schema_rules
from harness.emulators.server import EmulatorHost
from harness.verdict.classify import Classification, classify
from harness.verdict.schema_refusal import refused_schema

_OPEN = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
         "required": ["a", "b"]}
_STRICT = {**_OPEN, "additionalProperties": False}


@pytest.mark.parametrize("schema,strict,message", [
    (_OPEN, False, None),  # a plain schema: no strict rule applies
    (_OPEN, True, "Invalid schema for response_format 'R': In context=(), "
                  "'additionalProperties' is required to be supplied and to be false."),
    ({**_STRICT, "required": ["a"]}, True,
     "Invalid schema for response_format 'R': In context=(), 'required' is required to be "
     "supplied and to be an array including every key in properties. Missing 'b'."),
    ({**_STRICT, "properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                                "b": {"type": "integer"}}}, True,
     "Invalid schema for response_format 'R': In context=('properties', 'a'), 'oneOf' is not "
     "permitted."),
    ({"type": "object", "properties": {"a": {"type": "nope"}}}, False,
     "Invalid schema for response_format 'R': 'nope' is not valid under any of the given "
     "schemas"),
    (_STRICT, True, None),
])
def test_openai_schema_rules(schema: dict[str, Any], strict: bool, message: str | None) -> None:
    assert schema_rules.openai("response_format", "R", schema, strict) == message


@pytest.fixture(scope="module")
def host() -> Iterator[EmulatorHost]:
    emulators = EmulatorHost()
    yield emulators
    emulators.close()


def test_openai_strict_schema_is_refused_with_the_apis_body(host: EmulatorHost) -> None:
    root = host.url("rules-openai", lambda: openai_chat.make_app(openai_chat.OPENAI))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "?"}],
            "tools": [{"type": "function", "function": {"name": "F", "parameters": _OPEN,
                                                        "strict": True}}]}
    response = httpx.post(f"{root}/v1/chat/completions", json=body, timeout=10,
                          headers={"Authorization": "Bearer k"})
    assert response.status_code == 400
    assert response.json() == {"error": {
        "message": "Invalid schema for function 'F': In context=(), 'additionalProperties' is "
                   "required to be supplied and to be false.",
        "type": "invalid_request_error", "param": "tools[0].function.parameters",
        "code": "invalid_function_parameters"}}


def _gemini(host: EmulatorHost, flavour: google_genai.Flavour,
            parameters: dict[str, Any]) -> httpx.Response:
    root = host.url(f"rules-{flavour.name}", lambda: google_genai.make_app(flavour))
    body = {"contents": [{"role": "user", "parts": [{"text": "?"}]}],
            "tools": [{"function_declarations": [{"name": "Owner", "parameters": parameters}]}]}
    return httpx.post(f"{root}/v1beta/models/gemini-2.5-flash:generateContent", json=body,
                      headers={"x-goog-api-key": "k"}, timeout=10)


def test_gemini_schema_fields_and_types(host: EmulatorHost) -> None:
    unknown = _gemini(host, google_genai.GEMINI, {
        "type": "object", "properties": {"pet": {"type": "object", "additionalProperties": False,
                                                 "properties": {"k": {"type": "string"}}}}})
    violation = ("Invalid JSON payload received. Unknown name \"additionalProperties\" at "
                 "'tools[0].function_declarations[0].parameters.properties[0].value': Cannot "
                 "find field.")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == violation
    assert unknown.json()["error"]["details"] == [{
        "@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{
            "field": "tools[0].function_declarations[0].parameters.properties[0].value",
            "description": violation}]}]
    untyped = _gemini(host, google_genai.GEMINI, {"type": "object",
                                                  "properties": {"pet": {"title": "Pet"}}})
    assert untyped.json()["error"]["message"] == (
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[pet]"
        ".type: must be specified when not using one_of, any_of or all_of fields\n")
    empty = _gemini(host, google_genai.GEMINI, {"type": "object", "properties": {}})
    assert empty.json()["error"]["message"] == (
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: "
        "should be non-empty for OBJECT type\n")


def test_vertex_words_a_missing_type_its_own_way() -> None:
    where = "tools[0].function_declarations[0].parameters"
    schema = {"type": "object", "properties": {"data": {"type": "object", "properties": {
        "width": {"title": "Width"}}}}}
    assert schema_rules.google_function(schema, where, "Owner", vertex=True) == (
        "Unable to submit request because `Owner` functionDeclaration `parameters.data.width` "
        "schema didn't specify the schema type field. Learn more: https://cloud.google.com/"
        "vertex-ai/generative-ai/docs/multimodal/function-calling")


def _anthropic(host: EmulatorHost, **fields: Any) -> httpx.Response:
    root = host.url("rules-anthropic", anthropic_messages.make_app)
    body = {"model": "claude-sonnet-4-5", "max_tokens": 100,
            "messages": [{"role": "user", "content": "?"}], **fields}
    return httpx.post(f"{root}/v1/messages", json=body, timeout=10,
                      headers={"x-api-key": "k", "anthropic-version": "2023-06-01",
                               "anthropic-beta": anthropic_messages.STRUCTURED_OUTPUTS_BETA})


_DANGLING = {"type": "object", "properties": {"kids": {"type": "array", "items": {
    "$ref": "#/$defs/Node"}}}}


def test_anthropic_tool_and_output_schemas(host: EmulatorHost) -> None:
    tool = _anthropic(host, tools=[{"name": "Node", "input_schema": _DANGLING}])
    assert tool.status_code == 400
    assert tool.json()["error"] == {"type": "invalid_request_error", "message": (
        "tools.0.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft "
        "2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at "
        "https://docs.claude.com/en/docs/tool-use.")}
    recursive = {"type": "object", "additionalProperties": False, "required": ["kids"],
                 "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}}
    refused = _anthropic(host, output_format={"type": "json_schema", "schema": recursive})
    assert refused.json()["error"]["message"] == (
        "output_format.schema: recursive schemas are not supported ($ref '#' refers to itself)")
    bounded = {"type": "object", "additionalProperties": False, "required": ["n"],
               "properties": {"n": {"type": "integer", "minimum": 1}}}
    assert _anthropic(host, output_format={"type": "json_schema", "schema": bounded}).json()[
        "error"]["message"] == "output_format.schema: properties/n: 'minimum' is not supported"
    closed = {**bounded, "properties": {"n": {"type": "integer"}}}
    assert _anthropic(host, output_format={"type": "json_schema",
                                           "schema": closed}).status_code == 200


@pytest.mark.parametrize("text,api", [
    ("Invalid schema for response_format 'R': In context=(), 'additionalProperties' is "
     "required to be supplied and to be false.", "openai"),
    ("Invalid JSON payload received. Unknown name \"const\" at 'generation_config."
     "response_schema.properties[0].value': Cannot find field.", "google"),
    ("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[pet]"
     ".type: must be specified when not using one_of, any_of or all_of fields\n", "gemini"),
    ("Unable to submit request because `Owner` functionDeclaration `parameters.pet` schema "
     "didn't specify the schema type field.", "vertex"),
    ("tools.0.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft "
     "2020-12", "anthropic"),
    ("output_config.format.schema: recursive schemas are not supported", "anthropic"),
    ("messages.1: `tool_use` ids were found without `tool_result` blocks", None),
    ("Please ensure that function response turn comes immediately after a function call turn.",
     None),
])
def test_which_400s_cite_a_schema_rule(text: str, api: str | None) -> None:
    assert refused_schema(400, text) == api
    assert refused_schema(422, text) is None  # only the API's 400 for a request it refuses


def _bad_request(message: str) -> Exception:
    # litellm's BadRequestError, as classify meets it (raised from litellm's own frames).
    import litellm

    try:
        raise litellm.BadRequestError(message, model="m", llm_provider="openai")
    except litellm.BadRequestError as exc:
        return exc


def test_a_400_on_a_schema_rule_is_unsupported_at_the_provider() -> None:
    body = ('{"error": {"message": "Invalid schema for function \'F\': In context=(), '
            '\'oneOf\' is not permitted.", "type": "invalid_request_error"}}')
    exc = _bad_request(body)
    assert classify(exc, http_requests=1, error_status=400, error_body=body) == \
        Classification("unsupported", "provider")
    turn = '{"error": {"message": "Invalid parameter: messages with role \'tool\' ..."}}'
    assert classify(_bad_request(turn), http_requests=1, error_status=400,
                    error_body=turn) == Classification("error", "provider")
    assert classify(exc, http_requests=1, error_status=500, error_body=body) == \
        Classification("error", "provider")
