"""The openai SDK's Responses client against the Responses API emulator: what `responses.create`,
`responses.parse` and `responses.stream` (which assembles the events and checks their order)
make of its answers, and the API's guarantees on that wire."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from harness.emulators import openai_responses
from tests.sdk.common import (
    GUIDE,
    TOOL_RESULT,
    UNKNOWN_PROMPT,
    Order,
    Product,
    Upload,
    expecting,
    require_sdk,
    root,
    valid,
)

openai = require_sdk("openai")
MODEL = "gpt-4o-mini"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("openai_responses", openai_responses.make_app)
    return openai.OpenAI(api_key="sdk-key", base_url=f"{url}/v1", max_retries=0)


def _function(model: type, strict: bool | None = None) -> dict[str, Any]:
    return {"type": "function", "name": model.__name__, "strict": strict,
            "parameters": model.model_json_schema()}


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_parse_gives_the_guides_answers(client: Any, scenario: Any) -> None:
    parsed = client.responses.parse(model=MODEL, input=scenario.prompt,
                                    text_format=scenario.response_model)
    assert parsed.output_parsed.model_dump() == scenario.expected


@pytest.mark.parametrize("model", [Product, Order])
def test_a_forced_function_fills_its_schema_whatever_the_prompt(client: Any, model: type) -> None:
    response = client.responses.create(
        model=MODEL, input=UNKNOWN_PROMPT, tools=[_function(model)],
        tool_choice={"type": "function", "name": model.__name__})
    call = response.output[0]
    assert (call.type, call.name, call.status) == ("function_call", model.__name__, "completed")
    valid(json.loads(call.arguments), model)
    assert response.usage.total_tokens == response.usage.input_tokens + \
        response.usage.output_tokens


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any) -> None:
    wanted = {"name": "Ada", "price": 9.5, "tags": ["x"]}
    with expecting("openai_responses", wanted):
        parsed = client.responses.parse(model=MODEL, input=UNKNOWN_PROMPT, text_format=Product)
    assert parsed.output_parsed.model_dump() == wanted


def test_tool_choice_none_and_a_tool_result_turn_answer_text(client: Any) -> None:
    none = client.responses.create(model=MODEL, input=UNKNOWN_PROMPT,
                                   tools=[_function(Product)], tool_choice="none")
    assert none.output[0].type == "message" and none.output_text
    called = client.responses.create(model=MODEL, input=UNKNOWN_PROMPT,
                                     tools=[_function(Product)], tool_choice="required")
    call = called.output[0]
    final = client.responses.create(model=MODEL, tools=[_function(Product)], input=[
        {"role": "user", "content": UNKNOWN_PROMPT},
        {"type": "function_call", "call_id": call.call_id, "name": call.name,
         "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": TOOL_RESULT}])
    assert final.output[0].type == "message" and TOOL_RESULT in final.output_text


def test_the_stream_helper_assembles_a_forced_call(client: Any) -> None:
    with client.responses.stream(model=MODEL, input=UNKNOWN_PROMPT, tools=[_function(Order)],
                                 tool_choice={"type": "function", "name": "Order"}) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert kinds.count("response.function_call_arguments.delta") > 5
    valid(json.loads(final.output[0].arguments), Order)


def test_the_stream_helper_parses_streamed_structured_output(client: Any) -> None:
    scenario = GUIDE[-1]
    with client.responses.stream(model=MODEL, input=scenario.prompt,
                                 text_format=scenario.response_model) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert len(deltas) > 5 and final.output_parsed.model_dump() == scenario.expected


def test_refusals_are_the_apis_400s(client: Any) -> None:
    with pytest.raises(openai.BadRequestError) as unservable:
        client.responses.parse(model=MODEL, input=UNKNOWN_PROMPT, text_format=Upload)
    assert "cannot be served" in unservable.value.message
    with pytest.raises(openai.BadRequestError) as nested:
        client.responses.create(model=MODEL, input=UNKNOWN_PROMPT, tools=[_function(Product)],
                                tool_choice={"type": "function",  # type: ignore[typeddict-item]
                                             "function": {"name": "Product"}})
    assert nested.value.code == "unknown_parameter"
    assert nested.value.param == "tool_choice.function"


def test_answers_carry_a_request_id(client: Any) -> None:
    response = client.responses.create(model=MODEL, input=UNKNOWN_PROMPT)
    assert re.fullmatch(r"req_[0-9a-f]{32}", response._request_id or "")
    assert response.id.startswith("resp_") and response.status == "completed"
