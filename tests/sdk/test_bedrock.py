"""boto3's bedrock-runtime client (Converse, ConverseStream) against the Bedrock emulator.

botocore signs every call with SigV4 (the emulator checks the Authorization shape), decodes
the binary event stream, and reads errors from x-amzn-ErrorType. Converse has no parse
helper: the tests validate the toolUse input and the JSON text of outputConfig.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from harness.emulators import bedrock_converse
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

boto3 = require_sdk("boto3")
botocore_config = require_sdk("botocore.config")
botocore_exceptions = require_sdk("botocore.exceptions")
CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "us.amazon.nova-lite-v1:0"


@pytest.fixture(scope="module")
def client() -> Any:
    return boto3.client(
        "bedrock-runtime", endpoint_url=root("bedrock", bedrock_converse.make_app),
        region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7SDKTEST",
        aws_secret_access_key="sdk/secret/key/for/the/emulator/only0000",
        config=botocore_config.Config(retries={"max_attempts": 1}))


def _spec(model: type[BaseModel]) -> dict[str, Any]:
    return {"toolSpec": {"name": model.__name__, "description": f"Record a {model.__name__}.",
                         "inputSchema": {"json": model.model_json_schema()}}}


def _tools(*models: type[BaseModel], choice: dict[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"tools": [_spec(m) for m in models]}
    return {**config, "toolChoice": choice} if choice else config


_UNSUPPORTED_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                       "multipleOf", "minLength", "maxLength", "maxItems")


def _closed(schema: Any) -> Any:
    """`schema` in structured outputs' subset, as the anthropic SDK makes it (boto3 does not):
    every object closed (`additionalProperties: false`), bounds the service does not take
    moved into the description (`{minimum: 1}`); the emulator refuses them, as the service
    does."""
    if isinstance(schema, list):
        return [_closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _closed(v) for k, v in schema.items()}
    if out.get("type") == "object":
        out["additionalProperties"] = False
    moved = {k: out.pop(k) for k in _UNSUPPORTED_BOUNDS if k in out}
    if (out.get("minItems") or 0) > 1:
        moved["minItems"] = out.pop("minItems")
    if moved:
        stated = ", ".join(f"{k}: {v}" for k, v in moved.items())
        out["description"] = f"{out.get('description', '')} {{{stated}}}".strip()
    return out


def _output(model: type[BaseModel]) -> dict[str, Any]:
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {
        "schema": json.dumps(_closed(model.model_json_schema())), "name": model.__name__}}}}


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"text": text}]}]


def _uses(response: dict[str, Any]) -> list[dict[str, Any]]:
    return [b["toolUse"] for b in response["output"]["message"]["content"] if "toolUse" in b]


@pytest.mark.parametrize("scenario", GUIDE, ids=lambda s: s.name)
def test_the_guides_requests_get_the_scenarios_answer(client: Any, scenario: Any) -> None:
    name = scenario.response_model.__name__
    response = client.converse(modelId=CLAUDE, messages=_user(scenario.prompt), toolConfig=_tools(
        scenario.response_model, choice={"tool": {"name": name}}))
    assert response["stopReason"] == "tool_use"
    (use,) = _uses(response)
    assert use["name"] == name and use["input"] == scenario.expected


def test_the_answer_the_harness_expects_wins_over_the_prompt(client: Any) -> None:
    scenario = GUIDE[0]
    with expecting("bedrock", {"name": "Ada", "age": 36}):
        response = client.converse(modelId=CLAUDE, messages=_user(scenario.prompt),
                                   toolConfig=_tools(scenario.response_model,
                                                     choice={"any": {}}))
    assert _uses(response)[0]["input"] == {"name": "Ada", "age": 36}


@pytest.mark.parametrize("choice,called", [({"any": {}}, Product),
                                           ({"tool": {"name": "Order"}}, Order)])
def test_a_forced_tool_fills_that_tools_schema_whatever_the_prompt(
        client: Any, choice: dict[str, Any], called: type[BaseModel]) -> None:
    response = client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                               toolConfig=_tools(Product, Order, choice=choice))
    assert response["stopReason"] == "tool_use"
    (use,) = _uses(response)
    assert use["name"] == called.__name__
    valid(use["input"], called)


@pytest.mark.parametrize("schema", [Product, Order], ids=lambda m: m.__name__)
def test_output_config_json_is_valid_against_its_schema(client: Any,
                                                        schema: type[BaseModel]) -> None:
    response = client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                               outputConfig=_output(schema))
    assert response["stopReason"] == "end_turn" and not _uses(response)
    valid(json.loads(response["output"]["message"]["content"][0]["text"]), schema)


def test_a_tool_result_turn_gets_a_final_text(client: Any) -> None:
    first = client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                            toolConfig=_tools(Product))
    (use,) = _uses(first)
    messages = [*_user(UNKNOWN_PROMPT), first["output"]["message"],
                {"role": "user", "content": [{"toolResult": {
                    "toolUseId": use["toolUseId"], "content": [{"text": TOOL_RESULT}]}}]}]
    final = client.converse(modelId=CLAUDE, messages=messages, toolConfig=_tools(Product))
    assert final["stopReason"] == "end_turn" and not _uses(final)
    assert TOOL_RESULT in final["output"]["message"]["content"][0]["text"]


@pytest.mark.parametrize("model_id", [CLAUDE, NOVA], ids=["claude", "nova"])
def test_a_streamed_forced_call_assembles_valid_input(client: Any, model_id: str) -> None:
    response = client.converse_stream(modelId=model_id, messages=_user(UNKNOWN_PROMPT),
                                      toolConfig=_tools(Order, choice={"any": {}}))
    events = list(response["stream"])
    start = next(e["contentBlockStart"]["start"]["toolUse"] for e in events
                 if "contentBlockStart" in e)
    pieces = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
              if "contentBlockDelta" in e]
    assert start["name"] == "Order" and (len(pieces) == 1) is (model_id == NOVA)
    valid(json.loads("".join(pieces)), Order)
    assert next(e for e in events if "messageStop" in e)["messageStop"]["stopReason"] == \
        "tool_use"


def test_streamed_output_config_json_joins_into_valid_json(client: Any) -> None:
    response = client.converse_stream(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                                      outputConfig=_output(Order))
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in response["stream"]
                   if "contentBlockDelta" in e)
    valid(json.loads(text), Order)


def test_iterable_items_arrive_in_the_wrappers_array_field(client: Any) -> None:
    with expecting("bedrock", USERS.expected):
        response = client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                                   toolConfig=_tools(Users, choice={"any": {}}))
    assert _uses(response)[0]["input"] == {"tasks": USERS.expected}


def test_an_unservable_schema_is_a_validation_exception(client: Any) -> None:
    with pytest.raises(botocore_exceptions.ClientError) as raised:
        client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT),
                        toolConfig=_tools(Upload, choice={"any": {}}))
    error = raised.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "'binary'" in error["Error"]["Message"]


def test_an_unserved_operation_is_the_services_json_404(client: Any) -> None:
    with pytest.raises(botocore_exceptions.ClientError) as raised:
        client.invoke_model(modelId=CLAUDE, body=b"{}")  # InvokeModel: not emulated
    error = raised.value.response
    assert error["Error"]["Code"] == "UnknownOperationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_answers_carry_a_request_id(client: Any) -> None:
    response = client.converse(modelId=CLAUDE, messages=_user(UNKNOWN_PROMPT))
    assert re.fullmatch(r"[0-9a-f-]{36}", response["ResponseMetadata"]["RequestId"])
