"""cohere's ClientV2 against the Cohere v2 chat emulator.

The SDK has no parse helper: the tests parse the tool arguments and JSON text it returns, and
assemble streamed tool-call deltas and content deltas as its stream events give them. v2's
tool_choice cannot name a tool: REQUIRED obliges a call, NONE forbids one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from harness.emulators import cohere_chat
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
    root,
    valid,
)

cohere = require_sdk("cohere")
MODEL = "command-a-03-2025"


@pytest.fixture(scope="module")
def client() -> Any:
    return cohere.ClientV2(api_key="sdk-key", base_url=root("cohere", cohere_chat.make_app))


def _tool(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": model.__name__,
                                             "description": f"Record a {model.__name__}.",
                                             "parameters": model.model_json_schema()}}


def _chat(client: Any, prompt: str = UNKNOWN_PROMPT, **kwargs: Any) -> Any:
    messages = kwargs.pop("messages", [{"role": "user", "content": prompt}])
    return client.chat(model=MODEL, messages=messages, **kwargs)


def _json_format(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "json_object", "json_schema": model.model_json_schema()}


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, scenario: Any) -> None:
    response = _chat(client, scenario.prompt, tools=[_tool(scenario.response_model)],
                     tool_choice="REQUIRED")
    assert response.finish_reason == "TOOL_CALL"
    (call,) = response.message.tool_calls
    assert call.function.name == scenario.response_model.__name__
    assert json.loads(call.function.arguments) == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any) -> None:
    scenario = GUIDE[0]
    with expecting("cohere", {"name": "Ada", "age": 36}):
        response = _chat(client, scenario.prompt, tools=[_tool(scenario.response_model)])
    assert json.loads(response.message.tool_calls[0].function.arguments) == {"name": "Ada",
                                                                              "age": 36}


@pytest.mark.parametrize("tools", [[Product, Order], [Order, Product]],
                         ids=["product-first", "order-first"])
def test_a_required_tool_fills_that_tools_schema_whatever_the_prompt(
        client: Any, tools: list[type[BaseModel]]) -> None:
    response = _chat(client, tools=[_tool(m) for m in tools], tool_choice="REQUIRED")
    assert response.finish_reason == "TOOL_CALL" and response.message.tool_plan
    (call,) = response.message.tool_calls
    assert call.function.name == tools[0].__name__  # v2 cannot name one: the first
    valid(json.loads(call.function.arguments), tools[0])


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_json_schema_output_is_valid_json(client: Any, schema: type[BaseModel]) -> None:
    response = _chat(client, response_format=_json_format(schema))
    assert response.finish_reason == "COMPLETE" and not response.message.tool_calls
    valid(json.loads(response.message.content[0].text), schema)


def test_tool_choice_none_answers_text(client: Any) -> None:
    response = _chat(client, tools=[_tool(Product)], tool_choice="NONE")
    assert response.finish_reason == "COMPLETE" and not response.message.tool_calls
    assert response.message.content[0].text


def test_a_tool_result_turn_gets_a_final_text(client: Any) -> None:
    first = _chat(client, tools=[_tool(Product)])
    (call,) = first.message.tool_calls
    messages = [{"role": "user", "content": UNKNOWN_PROMPT},
                {"role": "assistant", "tool_calls": first.message.tool_calls,
                 "tool_plan": first.message.tool_plan},
                {"role": "tool", "tool_call_id": call.id,
                 "content": [{"type": "document", "document": {"data": TOOL_RESULT}}]}]
    final = _chat(client, messages=messages, tools=[_tool(Product)])
    assert final.finish_reason == "COMPLETE" and not final.message.tool_calls
    assert TOOL_RESULT in final.message.content[0].text


def test_a_streamed_required_call_assembles_valid_arguments(client: Any) -> None:
    events = list(client.chat_stream(model=MODEL, tool_choice="REQUIRED", tools=[_tool(Order)],
                                     messages=[{"role": "user", "content": UNKNOWN_PROMPT}]))
    start = next(e for e in events if e.type == "tool-call-start")
    arguments = "".join(e.delta.message.tool_calls.function.arguments
                        for e in events if e.type == "tool-call-delta")
    assert start.delta.message.tool_calls.function.name == "Order"
    valid(json.loads(arguments), Order)
    assert events[-1].type == "message-end" and events[-1].delta.finish_reason == "TOOL_CALL"


def test_streamed_json_output_joins_into_valid_json(client: Any) -> None:
    events = list(client.chat_stream(model=MODEL, response_format=_json_format(Order),
                                     messages=[{"role": "user", "content": UNKNOWN_PROMPT}]))
    text = "".join(e.delta.message.content.text for e in events if e.type == "content-delta")
    valid(json.loads(text), Order)
    assert events[-1].delta.finish_reason == "COMPLETE"


def test_iterable_items_arrive_in_the_wrappers_array_field(client: Any) -> None:
    with expecting("cohere", USERS.expected):
        response = _chat(client, tools=[_tool(Users)], tool_choice="REQUIRED")
    call = response.message.tool_calls[0]
    assert json.loads(call.function.arguments) == {"tasks": USERS.expected}


def test_an_unservable_schema_is_the_apis_400(client: Any) -> None:
    with pytest.raises(cohere.errors.BadRequestError) as raised:
        _chat(client, tools=[_tool(Upload)], tool_choice="REQUIRED")
    assert set(raised.value.body) == {"id", "message"} and "'binary'" in raised.value.body[
        "message"]


def test_an_unserved_route_is_the_apis_json_404(client: Any) -> None:
    with pytest.raises(cohere.errors.NotFoundError) as raised:
        client.embed(model="embed-v4.0", texts=[UNKNOWN_PROMPT], input_type="search_document",
                     embedding_types=["float"])
    assert set(raised.value.body) == {"id", "message"}
