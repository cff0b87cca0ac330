"""The anthropic SDK (>= 2) against the Anthropic emulator.

The SDK authenticates with `Authorization: Bearer` (api_key and auth_token alike) and parses
with its own helpers: `messages.parse(output_format=<model>)` (output_config JSON), the beta
`messages.parse` with the structured-outputs beta, `messages.stream`, and the beta
`tool_runner` agent loop, which must end after the tool's result.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from harness.emulators import anthropic_messages
from harness.emulators.server import emulator_host
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

anthropic = require_sdk("anthropic")
MODEL = "claude-haiku-4-5"  # an alias the SDK does not warn about; the API names its snapshot


@pytest.fixture(scope="module")
def client() -> Any:
    return anthropic.Anthropic(api_key="sdk-key", base_url=root("anthropic",
                                                               anthropic_messages.make_app),
                               max_retries=0)


def _tool(model: type[BaseModel]) -> dict[str, Any]:
    return {"name": model.__name__, "description": f"Record a {model.__name__}.",
            "input_schema": model.model_json_schema()}


def _create(client: Any, prompt: str = UNKNOWN_PROMPT, **kwargs: Any) -> Any:
    messages = kwargs.pop("messages", [{"role": "user", "content": prompt}])
    return client.messages.create(model=MODEL, max_tokens=1024, messages=messages, **kwargs)


def _uses(message: Any) -> list[Any]:
    return [block for block in message.content if block.type == "tool_use"]


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, scenario: Any) -> None:
    model = scenario.response_model
    message = _create(client, scenario.prompt, tools=[_tool(model)],
                      tool_choice={"type": "tool", "name": model.__name__})
    assert message.stop_reason == "tool_use" and message.model == "claude-haiku-4-5-20251001"
    (use,) = _uses(message)
    assert use.name == model.__name__ and use.input == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any) -> None:
    scenario = GUIDE[0]
    with expecting("anthropic", {"name": "Ada", "age": 36}):
        message = _create(client, scenario.prompt, tools=[_tool(scenario.response_model)],
                          tool_choice={"type": "tool", "name": "User"})
    assert _uses(message)[0].input == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("choice,called", [({"type": "any"}, Product),
                                           ({"type": "tool", "name": "Order"}, Order)])
def test_a_forced_tool_fills_that_tools_schema_whatever_the_prompt(
        client: Any, choice: dict[str, str], called: type[BaseModel]) -> None:
    message = _create(client, tools=[_tool(Product), _tool(Order)], tool_choice=choice)
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["tool_use"]  # forced: no preface
    (use,) = _uses(message)
    assert use.name == called.__name__
    valid(use.input, called)


def test_an_unforced_tool_is_called_after_claudes_preface(client: Any) -> None:
    message = _create(client, tools=[_tool(Product)])
    assert [b.type for b in message.content] == ["text", "tool_use"]
    valid(_uses(message)[0].input, Product)


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_strict_structured_output_parses_with_the_sdk(client: Any,
                                                      schema: type[BaseModel]) -> None:
    message = client.messages.parse(model=MODEL, max_tokens=1024, output_format=schema,
                                    messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    assert message.stop_reason == "end_turn" and not _uses(message)
    assert isinstance(message.parsed_output, schema)
    valid(message.parsed_output.model_dump(mode="json"), schema)


def test_the_structured_outputs_beta_parses_too(client: Any) -> None:
    message = client.beta.messages.parse(
        model=MODEL, max_tokens=1024, output_format=Order,
        betas=[anthropic_messages.STRUCTURED_OUTPUTS_BETA],
        messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    assert isinstance(message.parsed_output, Order)


def test_tool_choice_none_answers_text(client: Any) -> None:
    message = _create(client, tools=[_tool(Product)], tool_choice={"type": "none"})
    assert message.stop_reason == "end_turn" and not _uses(message)
    assert message.content[0].type == "text" and message.content[0].text


def test_a_tool_result_turn_gets_a_final_text(client: Any) -> None:
    first = _create(client, tools=[_tool(Product)], tool_choice={"type": "any"})
    (use,) = _uses(first)
    messages = [{"role": "user", "content": UNKNOWN_PROMPT},
                {"role": "assistant", "content": first.content},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                              "content": TOOL_RESULT}]}]
    final = _create(client, messages=messages, tools=[_tool(Product)])
    assert final.stop_reason == "end_turn" and not _uses(final)
    assert TOOL_RESULT in final.content[0].text


def test_the_sdks_tool_runner_loop_ends_after_the_result(client: Any) -> None:
    calls: list[tuple[str, float, list[str]]] = []

    @anthropic.beta_tool
    def save_product(name: str, price: float, tags: list[str]) -> str:
        """Save a product to the basket."""
        calls.append((name, price, tags))
        return TOOL_RESULT

    runner = client.beta.messages.tool_runner(
        model=MODEL, max_tokens=1024, tools=[save_product], max_iterations=5,
        messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    final = runner.until_done()
    assert len(calls) == 1 and final.stop_reason == "end_turn"


def test_a_streamed_forced_call_assembles_valid_input(client: Any) -> None:
    with client.messages.stream(model=MODEL, max_tokens=1024, tools=[_tool(Order)],
                                tool_choice={"type": "tool", "name": "Order"},
                                messages=[{"role": "user", "content": UNKNOWN_PROMPT}]) as stream:
        kinds = {event.type for event in stream}
        message = stream.get_final_message()
    assert "input_json" in kinds and message.stop_reason == "tool_use"
    valid(_uses(message)[0].input, Order)


def test_streamed_structured_output_parses(client: Any) -> None:
    with client.messages.stream(model=MODEL, max_tokens=1024, output_format=Product,
                                messages=[{"role": "user", "content": UNKNOWN_PROMPT}]) as stream:
        message = stream.get_final_message()
    assert message.stop_reason == "end_turn" and isinstance(message.parsed_output, Product)


def test_iterable_items_arrive_in_the_wrappers_array_field(client: Any) -> None:
    with expecting("anthropic", USERS.expected):
        message = _create(client, tools=[_tool(Users)],
                          tool_choice={"type": "tool", "name": "IterableUser"})
    assert _uses(message)[0].input == {"tasks": USERS.expected}


def test_an_unservable_schema_is_the_apis_400(client: Any) -> None:
    with pytest.raises(anthropic.BadRequestError) as raised:
        _create(client, tools=[_tool(Upload)], tool_choice={"type": "any"})
    error = raised.value.body["error"]
    assert error["type"] == "invalid_request_error" and "'binary'" in error["message"]


def test_an_unserved_route_is_the_apis_not_found_error(client: Any) -> None:
    with pytest.raises(anthropic.NotFoundError) as raised:
        client.models.list()  # GET /v1/models: not emulated
    body = raised.value.body
    assert body["type"] == "error" and body["error"]["type"] == "not_found_error"


def test_bearer_authentication_and_request_ids(client: Any) -> None:
    message = _create(client)
    assert re.fullmatch(r"req_011C\w{20}", message._request_id or "")
    seen = emulator_host().seen("sdk-anthropic")[-1].headers
    assert seen.get("Authorization") == "Bearer sdk-key" and "x-api-key" not in seen
    oauth = anthropic.Anthropic(auth_token="sdk-token", base_url=str(client.base_url),
                                max_retries=0)
    assert _create(oauth).stop_reason == "end_turn"
