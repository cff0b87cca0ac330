"""mistralai (>= 3) against the Mistral emulator.

The SDK parses with its own helpers: `chat.parse(response_format=<model>)` and
`chat.parse_stream`; tool_choice "any" (Mistral's word for required) or a named function
forces a call, "none" forbids one. Its errors are SDKError with the raw body.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from harness.emulators import openai_chat
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

client_module = require_sdk("mistralai.client")
errors = require_sdk("mistralai.client.errors")
MODEL = "mistral-small-latest"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("mistral", lambda: openai_chat.make_app(openai_chat.MISTRAL))
    return client_module.Mistral(api_key="sdk-key", server_url=url)


def _tool(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": model.__name__,
                                             "description": f"Record a {model.__name__}.",
                                             "parameters": model.model_json_schema()}}


def _named(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": model.__name__}}


def _complete(client: Any, prompt: str = UNKNOWN_PROMPT, **kwargs: Any) -> Any:
    messages = kwargs.pop("messages", [{"role": "user", "content": prompt}])
    return client.chat.complete(model=MODEL, messages=messages, **kwargs)


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, scenario: Any) -> None:
    model = scenario.response_model
    response = _complete(client, scenario.prompt, tools=[_tool(model)], tool_choice="any")
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == model.__name__
    assert json.loads(call.function.arguments) == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any) -> None:
    scenario = GUIDE[0]
    with expecting("mistral", {"name": "Ada", "age": 36}):
        response = _complete(client, scenario.prompt, tools=[_tool(scenario.response_model)],
                             tool_choice="any")
    arguments = response.choices[0].message.tool_calls[0].function.arguments
    assert json.loads(arguments) == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("choice,called", [("any", Product), ("required", Product),
                                           ("named", Order)])
def test_a_forced_tool_fills_that_tools_schema_whatever_the_prompt(
        client: Any, choice: str, called: type[BaseModel]) -> None:
    response = _complete(client, tools=[_tool(Product), _tool(Order)],
                         tool_choice=_named(called) if choice == "named" else choice)
    choice_ = response.choices[0]
    assert choice_.finish_reason == "tool_calls"
    (call,) = choice_.message.tool_calls
    assert call.function.name == called.__name__
    valid(json.loads(call.function.arguments), called)


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_structured_output_parses_with_the_sdk(client: Any, schema: type[BaseModel]) -> None:
    response = client.chat.parse(model=MODEL, response_format=schema,
                                 messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and isinstance(choice.message.parsed, schema)
    valid(choice.message.parsed.model_dump(mode="json"), schema)


def test_tool_choice_none_answers_text(client: Any) -> None:
    response = _complete(client, tools=[_tool(Product)], tool_choice="none")
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert choice.message.content


def test_a_tool_result_turn_gets_a_final_text(client: Any) -> None:
    first = _complete(client, tools=[_tool(Product)])
    (call,) = first.choices[0].message.tool_calls
    messages = [{"role": "user", "content": UNKNOWN_PROMPT},
                {"role": "assistant", "tool_calls": [call], "content": ""},
                {"role": "tool", "tool_call_id": call.id, "name": call.function.name,
                 "content": TOOL_RESULT}]
    final = _complete(client, messages=messages, tools=[_tool(Product)])
    choice = final.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert TOOL_RESULT in choice.message.content


def test_a_streamed_forced_call_arrives_whole(client: Any) -> None:
    events = list(client.chat.stream(model=MODEL, tools=[_tool(Order)], tool_choice="any",
                                     messages=[{"role": "user", "content": UNKNOWN_PROMPT}]))
    calls = [c for e in events for c in e.data.choices[0].delta.tool_calls or []]
    (call,) = calls  # Mistral sends the whole call in one chunk
    assert call.function.name == "Order"
    valid(json.loads(call.function.arguments), Order)
    assert events[-1].data.choices[0].finish_reason == "tool_calls"


def test_streamed_structured_output_parses_with_the_sdk(client: Any) -> None:
    with client.chat.parse_stream(model=MODEL, response_format=Order,
                                  messages=[{"role": "user", "content": UNKNOWN_PROMPT}]) as s:
        events = list(s)
    text = "".join(e.data.choices[0].delta.content or "" for e in events)
    assert len(events) > 2 and events[-1].data.choices[0].finish_reason == "stop"
    valid(json.loads(text), Order)


def test_iterable_items_arrive_in_the_wrappers_array_field(client: Any) -> None:
    with expecting("mistral", USERS.expected):
        response = _complete(client, tools=[_tool(Users)], tool_choice="any")
    arguments = response.choices[0].message.tool_calls[0].function.arguments
    assert json.loads(arguments) == {"tasks": USERS.expected}


def test_an_unservable_schema_is_mistrals_400(client: Any) -> None:
    with pytest.raises(errors.SDKError) as raised:
        _complete(client, tools=[_tool(Upload)], tool_choice="any")
    body = json.loads(raised.value.body)
    assert raised.value.status_code == 400 and body["object"] == "error"
    assert "'binary'" in body["message"]


def test_an_unserved_route_is_the_gateways_json_404(client: Any) -> None:
    with pytest.raises(errors.SDKError) as raised:
        client.embeddings.create(model="mistral-embed", inputs=[UNKNOWN_PROMPT])
    assert raised.value.status_code == 404
    assert json.loads(raised.value.body)["message"] == "no Route matched with those values"


def test_answers_carry_the_gateways_request_id(client: Any) -> None:
    # mistralai returns models without headers: its own HTTP client makes the same call.
    http = client.sdk_configuration.client
    response = http.post(f"{client.sdk_configuration.server_url}/v1/chat/completions",
                         headers={"Authorization": "Bearer sdk-key"},
                         json={"model": MODEL, "messages": [{"role": "user",
                                                              "content": UNKNOWN_PROMPT}]})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-kong-request-id"])
    assert re.fullmatch(r"[0-9a-z]{32}", response.json()["id"])
