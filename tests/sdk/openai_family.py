"""The openai SDK against an OpenAI-family emulator: the cases every flavour must pass.

test_openai, test_azure and test_huggingface import these tests and give them their own
`client` (an openai.OpenAI or AzureOpenAI pointed at the emulator), `provider` and `model`
fixtures. The SDK's own helpers do the parsing: `chat.completions.parse` (tools with
`pydantic_function_tool`, strict, and `response_format=<model>`), `chat.completions.stream`.
"""

from __future__ import annotations

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

openai = require_sdk("openai")


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def _named(model: type[BaseModel]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": model.__name__}}


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, model: str,
                                                      scenario: Any) -> None:
    response = client.chat.completions.parse(
        model=model, messages=_user(scenario.prompt),
        tools=[openai.pydantic_function_tool(scenario.response_model)],
        tool_choice=_named(scenario.response_model))
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == scenario.response_model.__name__
    assert call.function.parsed_arguments.model_dump() == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any, provider: str,
                                                            model: str) -> None:
    scenario = GUIDE[0]
    with expecting(provider, {"name": "Ada", "age": 36}):
        response = client.chat.completions.parse(
            model=model, messages=_user(scenario.prompt),
            tools=[openai.pydantic_function_tool(scenario.response_model)],
            tool_choice=_named(scenario.response_model))
    parsed = response.choices[0].message.tool_calls[0].function.parsed_arguments
    assert parsed.model_dump() == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("choice,called", [("required", Product), ("named", Order)])
def test_a_forced_tool_fills_that_tools_schema_whatever_the_prompt(
        client: Any, model: str, choice: str, called: type[BaseModel]) -> None:
    response = client.chat.completions.parse(
        model=model, messages=_user(UNKNOWN_PROMPT),
        tools=[openai.pydantic_function_tool(Product), openai.pydantic_function_tool(Order)],
        tool_choice="required" if choice == "required" else _named(called))
    choice_ = response.choices[0]
    assert choice_.finish_reason == "tool_calls" and choice_.message.content is None
    (call,) = choice_.message.tool_calls
    assert call.function.name == called.__name__
    assert isinstance(call.function.parsed_arguments, called)
    valid(call.function.parsed_arguments.model_dump(mode="json"), called)


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_strict_structured_output_parses_with_the_sdk(client: Any, model: str,
                                                      schema: type[BaseModel]) -> None:
    response = client.chat.completions.parse(model=model, messages=_user(UNKNOWN_PROMPT),
                                             response_format=schema)
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls in (None, [])
    assert isinstance(choice.message.parsed, schema)
    valid(choice.message.parsed.model_dump(mode="json"), schema)


def test_tool_choice_none_answers_text(client: Any, model: str) -> None:
    response = client.chat.completions.create(
        model=model, messages=_user(UNKNOWN_PROMPT),
        tools=[openai.pydantic_function_tool(Product)], tool_choice="none")
    choice = response.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert isinstance(choice.message.content, str) and choice.message.content


def test_a_tool_result_turn_gets_a_final_text_and_the_loop_ends(client: Any, model: str) -> None:
    tools = [openai.pydantic_function_tool(Product)]
    messages: list[dict[str, Any]] = _user(UNKNOWN_PROMPT)
    first = client.chat.completions.create(model=model, messages=messages, tools=tools)
    calls = first.choices[0].message.tool_calls
    assert first.choices[0].finish_reason == "tool_calls" and len(calls) == 1
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": calls[0].id, "content": TOOL_RESULT}]
    final = client.chat.completions.create(model=model, messages=messages, tools=tools)
    choice = final.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert TOOL_RESULT in choice.message.content


def test_a_streamed_forced_call_assembles_valid_arguments(client: Any, model: str) -> None:
    with client.chat.completions.stream(
            model=model, messages=_user(UNKNOWN_PROMPT),
            tools=[openai.pydantic_function_tool(Order)], tool_choice=_named(Order)) as stream:
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "Order" and isinstance(call.function.parsed_arguments, Order)


def test_streamed_structured_output_parses(client: Any, model: str) -> None:
    with client.chat.completions.stream(model=model, messages=_user(UNKNOWN_PROMPT),
                                        response_format=Product) as stream:
        deltas = [e for e in stream if e.type == "content.delta"]
        final = stream.get_final_completion()
    assert len(deltas) > 1  # streamed in pieces, not in one
    assert final.choices[0].finish_reason == "stop"
    assert isinstance(final.choices[0].message.parsed, Product)


def test_iterable_items_arrive_in_the_wrappers_array_field(client: Any, provider: str,
                                                          model: str) -> None:
    with expecting(provider, USERS.expected):
        response = client.chat.completions.parse(
            model=model, messages=_user(UNKNOWN_PROMPT),
            tools=[openai.pydantic_function_tool(Users)], tool_choice=_named(Users))
    (call,) = response.choices[0].message.tool_calls
    assert call.function.parsed_arguments.model_dump() == {"tasks": USERS.expected}


def test_an_unservable_schema_is_the_providers_400(client: Any, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(
            model=model, messages=_user(UNKNOWN_PROMPT),
            tools=[openai.pydantic_function_tool(Upload)], tool_choice=_named(Upload))
    assert "'binary'" in str(raised.value)
