"""google-genai against a generateContent emulator: the cases the Gemini API and Vertex share.

test_gemini and test_vertex import these tests and give them their `client` (a genai.Client
for the Gemini API or for Vertex AI, pointed at the emulator) and `provider` fixtures. The
SDK parses with its own helpers: `response.parsed` under `response_schema` (the SDK turns a
pydantic model into Google's Schema dialect) or `response_json_schema`, `function_calls`,
and its automatic function calling loop, which must end after the function's result.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from tests.sdk.common import (
    GUIDE,
    TOOL_RESULT,
    UNKNOWN_PROMPT,
    USERS,
    Order,
    Product,
    Upload,
    Users,
    expecting,
    require_sdk,
    valid,
)

genai = require_sdk("google.genai")
types = require_sdk("google.genai.types")
errors = require_sdk("google.genai.errors")
MODEL = "gemini-2.5-flash"


def _declaration(model: type[BaseModel]) -> Any:
    return types.FunctionDeclaration(name=model.__name__, description=f"Record a {model.__name__}.",
                                     parameters_json_schema=model.model_json_schema())


def _functions(*models: type[BaseModel], mode: str = "ANY",
               allowed: list[str] | None = None) -> Any:
    calling = types.FunctionCallingConfig(mode=mode, allowed_function_names=allowed)
    return types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[_declaration(m) for m in models])],
        tool_config=types.ToolConfig(function_calling_config=calling),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))


def _generate(client: Any, config: Any, prompt: str = UNKNOWN_PROMPT) -> Any:
    return client.models.generate_content(model=MODEL, contents=prompt, config=config)


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, scenario: Any) -> None:
    name = scenario.response_model.__name__
    response = _generate(client, _functions(scenario.response_model, allowed=[name]),
                         scenario.prompt)
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    (call,) = response.function_calls
    assert call.name == name and call.args == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any, provider: str) -> None:
    scenario = GUIDE[0]
    with expecting(provider, {"name": "Ada", "age": 36}):
        response = _generate(client, _functions(scenario.response_model), scenario.prompt)
    assert response.function_calls[0].args == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("allowed,called", [(None, Product), (["Order"], Order)])
def test_a_forced_function_fills_that_functions_schema_whatever_the_prompt(
        client: Any, allowed: list[str] | None, called: type[BaseModel]) -> None:
    response = _generate(client, _functions(Product, Order, allowed=allowed))
    (call,) = response.function_calls
    assert call.name == called.__name__
    valid(call.args, called)


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_response_schema_output_parses_with_the_sdk(client: Any,
                                                    schema: type[BaseModel]) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json",
                                         response_schema=schema)
    response = _generate(client, config)
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    assert isinstance(response.parsed, schema) and not response.function_calls
    valid(response.parsed.model_dump(mode="json"), schema)


def test_response_json_schema_output_is_valid_json(client: Any) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json",
                                         response_json_schema=Order.model_json_schema())
    valid(json.loads(_generate(client, config).text), Order)


def test_mode_none_answers_text(client: Any) -> None:
    response = _generate(client, _functions(Product, mode="NONE"))
    assert not response.function_calls and response.text
    assert response.candidates[0].finish_reason == types.FinishReason.STOP


def test_a_function_response_turn_gets_a_final_text(client: Any) -> None:
    config = _functions(Product, mode="AUTO")
    first = _generate(client, config)
    (call,) = first.function_calls
    contents = [types.Content(role="user", parts=[types.Part(text=UNKNOWN_PROMPT)]),
                first.candidates[0].content,
                types.Content(role="user", parts=[types.Part.from_function_response(
                    name=call.name, response={"result": TOOL_RESULT})])]
    final = client.models.generate_content(model=MODEL, contents=contents, config=config)
    assert not final.function_calls and TOOL_RESULT in final.text


def test_the_sdks_automatic_function_calling_loop_ends(client: Any) -> None:
    calls: list[tuple[str, float, list[str]]] = []

    def save_product(name: str, price: float, tags: list[str]) -> str:
        """Save a product to the basket."""
        calls.append((name, price, tags))
        return TOOL_RESULT

    config = types.GenerateContentConfig(tools=[save_product])
    response = _generate(client, config)
    assert len(calls) == 1 and TOOL_RESULT in response.text


def test_a_streamed_forced_call_arrives_whole(client: Any) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents=UNKNOWN_PROMPT,
                                                         config=_functions(Order)))
    calls = [call for chunk in chunks for call in chunk.function_calls or []]
    assert [c.name for c in calls] == ["Order"]
    valid(calls[0].args, Order)


def test_streamed_structured_output_joins_into_valid_json(client: Any) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json",
                                         response_schema=Order)
    chunks = list(client.models.generate_content_stream(model=MODEL, contents=UNKNOWN_PROMPT,
                                                         config=config))
    valid(json.loads("".join(c.text or "" for c in chunks)), Order)


def test_iterable_items_are_parallel_calls_or_the_wrappers_field(client: Any,
                                                                provider: str) -> None:
    with expecting(provider, USERS.expected):
        parallel = _generate(client, _functions(USERS.response_model))
        wrapped = _generate(client, _functions(Users))
    assert [c.args for c in parallel.function_calls] == USERS.expected  # one call per item
    assert [c.args for c in wrapped.function_calls] == [{"tasks": USERS.expected}]


def test_an_unservable_schema_is_the_apis_invalid_argument(client: Any) -> None:
    with pytest.raises(errors.ClientError) as raised:
        _generate(client, _functions(Upload))
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert "'binary'" in raised.value.message


def test_an_unserved_route_is_the_apis_not_found(client: Any) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.get(model=MODEL)  # GET models/{model}: not emulated
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND")
    assert raised.value.details["error"]["code"] == 404
