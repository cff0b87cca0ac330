"""Re-asks on every wire: the emulators' answer sequence, and each API's rules for the turns a
re-ask sends (a well-formed follow-up is answered with the next answer; a malformed one gets
the API's own status and error body)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import (
    answers,
    anthropic_messages,
    bedrock_converse,
    cohere_chat,
    google_genai,
    openai_chat,
)
from harness.emulators.server import EmulatorHost

_SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
_SIGV4 = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


def test_a_sequence_is_served_in_order_then_the_last_answer_and_restarts_per_cell() -> None:
    board = answers.AnswerBoard()
    board.expect("openai", {"n": 3}, first=[{"n": 1}, {"n": 2}])
    taken = [board.take("openai") for _ in range(4)]
    assert [t.value for t in taken if t] == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 3}]
    assert board.served("openai") == 4
    assert board.take("anthropic") is None  # kept apart per emulator
    with board.expecting("openai", {"n": 3}, first=[{"n": 1}]):  # the next cell: afresh
        assert board.get("openai") == answers.Expected({"n": 1})  # get() takes nothing
        assert [board.take("openai").value for _ in range(2)] == [{"n": 1}, {"n": 3}]
    assert board.take("openai") is None and board.served("openai") == 0  # cleared after


def test_a_request_takes_its_answer_once_and_only_when_it_reads_one() -> None:
    board = answers.AnswerBoard()
    board.expect(None, "last", first=["first"])  # every emulator
    ticket = answers._Ticket(lambda: board.take("gemini"))
    assert (ticket.answer(), ticket.answer()) == (answers.Expected("first"),) * 2
    assert board.served("gemini") == 1
    answers._Ticket(lambda: board.take("gemini"))  # a request that never reads (a token)
    assert board.take("gemini") == answers.Expected("last")


@pytest.fixture(scope="module")
def host() -> Iterator[EmulatorHost]:
    emulators = EmulatorHost()
    yield emulators
    emulators.close()


def _openai(host: EmulatorHost, flavour: openai_chat.Flavour,
            messages: list[Any]) -> httpx.Response:
    root = host.url(f"re-{flavour.name}", lambda: openai_chat.make_app(flavour))
    tools = [{"type": "function", "function": {"name": "N", "parameters": _SCHEMA}}]
    body = {"model": "m", "messages": messages, "tools": tools,
            "tool_choice": {"type": "function", "function": {"name": "N"}}}
    path = "/openai/deployments/d/chat/completions" if flavour.azure_filters \
        else "/v1/chat/completions"
    return httpx.post(root + path, json=body, timeout=10,
                      headers={flavour.auth_header: "Bearer k" if flavour.auth_header ==
                               "Authorization" else "k"})


_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "N", "arguments": '{"n":-1}'}}]}
_RESULT = {"role": "tool", "tool_call_id": "call_1", "name": "N", "content": "Validation Error"}
_USER = {"role": "user", "content": "Count"}


def test_openai_family_reask_answered_with_the_next_answer(host: EmulatorHost) -> None:
    with host.expecting("re-openai", {"n": 2}, first=[{"n": -1}]):
        first = _openai(host, openai_chat.OPENAI, [_USER])
        second = _openai(host, openai_chat.OPENAI, [_USER, _CALL, _RESULT])
    args = [r.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
            for r in (first, second)]
    assert args == ['{"n":-1}', '{"n":2}']


@pytest.mark.parametrize("flavour", [openai_chat.OPENAI, openai_chat.AZURE,
                                     openai_chat.HUGGINGFACE], ids=lambda f: f.name)
@pytest.mark.parametrize("messages,message,param", [
    ([_USER, _CALL, _USER], "An assistant message with 'tool_calls' must be followed by tool "
     "messages responding to each 'tool_call_id'. The following tool_call_ids did not have "
     "response messages: call_1", None),
    ([_USER, _RESULT], "Invalid parameter: messages with role 'tool' must be a response to a "
     "preceeding message with 'tool_calls'.", "messages.[1].role"),
    ([_USER, _CALL, {**_RESULT, "tool_call_id": "call_9"}], "Invalid parameter: 'tool_call_id' "
     "of 'call_9' not found in 'tool_calls' of previous message.", "messages.[2].tool_call_id"),
], ids=["no-tool-message", "tool-without-call", "unknown-id"])
def test_openai_family_malformed_reask_is_the_apis_400(
        host: EmulatorHost, flavour: openai_chat.Flavour, messages: list[Any], message: str,
        param: str | None) -> None:
    response = _openai(host, flavour, messages)
    assert response.status_code == 400
    assert response.json() == {"error": {"message": message, "type": "invalid_request_error",
                                         "param": param, "code": None}}


def test_mistral_malformed_reask_is_its_400(host: EmulatorHost) -> None:
    response = _openai(host, openai_chat.MISTRAL, [_USER, _CALL, _USER])
    assert response.status_code == 400
    assert response.json() == {"object": "error", "message": "Not the same number of function "
                               "calls and responses", "type": "invalid_request_error",
                               "param": None, "code": None}


def _anthropic(host: EmulatorHost, messages: list[Any]) -> httpx.Response:
    root = host.url("re-anthropic", anthropic_messages.make_app)
    body = {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": messages,
            "tools": [{"name": "N", "input_schema": _SCHEMA}],
            "tool_choice": {"type": "tool", "name": "N"}}
    return httpx.post(f"{root}/v1/messages", json=body, timeout=10,
                      headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})


_USE = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "N",
                                          "input": {"n": -1}}]}


def _tool_result(tool_use_id: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use_id,
                                         "content": "Validation Error"}]}


@pytest.mark.parametrize("messages,message", [
    ([_USER, _USE, _USER], "messages.1: `tool_use` ids were found without `tool_result` blocks "
     "immediately after: toolu_1. Each `tool_use` block must have a corresponding "
     "`tool_result` block in the next message."),
    ([_USER, _USE, _tool_result("toolu_9")], "messages.2.content.0: unexpected `tool_use_id` "
     "found in `tool_result` blocks: toolu_9. Each `tool_result` block must have a "
     "corresponding `tool_use` block in the previous message."),
], ids=["no-tool-result", "unknown-id"])
def test_anthropic_malformed_reask_is_the_apis_400(host: EmulatorHost, messages: list[Any],
                                                   message: str) -> None:
    response = _anthropic(host, messages)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["request_id"].startswith("req_011C")
    assert body["error"] == {"type": "invalid_request_error", "message": message}


def test_anthropic_wellformed_reask_is_answered(host: EmulatorHost) -> None:
    with host.expecting("re-anthropic", {"n": 2}, first=[{"n": -1}]):
        answered = [_anthropic(host, m).json()["content"][0]["input"]
                    for m in ([_USER], [_USER, _USE, _tool_result("toolu_1")])]
    assert answered == [{"n": -1}, {"n": 2}]


def _gemini(host: EmulatorHost, contents: list[Any]) -> httpx.Response:
    root = host.url("re-gemini", lambda: google_genai.make_app(google_genai.GEMINI))
    body = {"contents": contents,
            "tools": [{"function_declarations": [{"name": "N", "parameters": _SCHEMA}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}
    return httpx.post(f"{root}/v1beta/models/gemini-2.5-flash:generateContent", json=body,
                      headers={"x-goog-api-key": "k"}, timeout=10)


_G_USER = {"role": "user", "parts": [{"text": "Count"}]}
_G_CALL = {"role": "model", "parts": [{"functionCall": {"name": "N", "args": {"n": -1}}}]}


def _response(name: str, count: int = 1) -> dict[str, Any]:
    part = {"functionResponse": {"name": name, "response": {"content": "Validation Error"}}}
    return {"role": "user", "parts": [part] * count}


@pytest.mark.parametrize("contents,message", [
    ([_G_USER, _response("N")], "Please ensure that function response turn comes immediately "
     "after a function call turn."),
    ([_G_USER, _G_CALL, _response("N", 2)], "Please ensure that the number of function "
     "response parts is equal to the number of function call parts of the function call "
     "turn."),
    ([_G_USER, _G_CALL, _response("")], "* GenerateContentRequest.contents[2].parts[0]."
     "function_response.name: Name cannot be empty.\n"),
    ([_G_USER, _G_CALL, _response("Other")], "Request contains an invalid argument."),
    ([_G_USER, _G_CALL, _G_CALL], "Please ensure that function call turn comes immediately "
     "after a user turn or after a function response turn."),
], ids=["response-without-call", "count", "empty-name", "other-name", "call-after-call"])
def test_gemini_malformed_reask_is_the_apis_400(host: EmulatorHost, contents: list[Any],
                                                message: str) -> None:
    response = _gemini(host, contents)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 400, "message": message,
                                         "status": "INVALID_ARGUMENT"}}


def test_gemini_wellformed_reask_is_answered(host: EmulatorHost) -> None:
    with host.expecting("re-gemini", {"n": 2}, first=[{"n": -1}]):
        answered = [_gemini(host, c).json()["candidates"][0]["content"]["parts"][0]
                    ["functionCall"]["args"] for c in ([_G_USER], [_G_USER, _G_CALL,
                                                                    _response("N")])]
    assert answered == [{"n": -1}, {"n": 2}]


def _bedrock(host: EmulatorHost, messages: list[Any]) -> httpx.Response:
    root = host.url("re-bedrock", bedrock_converse.make_app)
    body = {"messages": messages, "toolConfig": {
        "tools": [{"toolSpec": {"name": "N", "inputSchema": {"json": _SCHEMA}}}],
        "toolChoice": {"tool": {"name": "N"}}}}
    return httpx.post(f"{root}/model/us.anthropic.claude-sonnet-4-5-v1:0/converse", json=body,
                      timeout=10, headers={"Authorization": _SIGV4,
                                           "X-Amz-Date": "20250101T000000Z"})


_B_USER = {"role": "user", "content": [{"text": "Count"}]}
_B_USE = {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_1", "name": "N",
                                                        "input": {"n": -1}}}]}


def _b_result(*ids: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"toolResult": {"toolUseId": i, "content": [
        {"text": "Validation Error"}]}} for i in ids]}


@pytest.mark.parametrize("messages,message", [
    ([_B_USER, _B_USE, _B_USER], "Expected toolResult blocks at messages.2.content for the "
     "following Ids: tooluse_1"),
    ([_B_USER, _B_USE, _b_result("tooluse_1", "tooluse_2")], "The number of toolResult blocks "
     "at messages.2.content exceeds the number of toolUse blocks of previous turn."),
    ([_B_USER, _B_USE, _b_result("tooluse_9")], "Expected toolResult blocks at "
     "messages.2.content for the following Ids: tooluse_1"),
    ([_B_USER, _B_USER], "A conversation must alternate between user and assistant roles. "
     "Make sure the conversation alternates between user and assistant roles and try again."),
], ids=["no-tool-result", "too-many", "unknown-id", "not-alternating"])
def test_bedrock_malformed_reask_is_the_services_400(host: EmulatorHost, messages: list[Any],
                                                     message: str) -> None:
    response = _bedrock(host, messages)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert response.headers["x-amzn-ErrorType"].startswith("ValidationException:")


def test_bedrock_wellformed_reask_is_answered(host: EmulatorHost) -> None:
    with host.expecting("re-bedrock", {"n": 2}, first=[{"n": -1}]):
        answered = [_bedrock(host, m).json()["output"]["message"]["content"][0]["toolUse"]
                    ["input"] for m in ([_B_USER], [_B_USER, _B_USE, _b_result("tooluse_1")])]
    assert answered == [{"n": -1}, {"n": 2}]


def test_cohere_malformed_reask_is_a_400_in_its_shape(host: EmulatorHost) -> None:
    root = host.url("re-cohere", cohere_chat.make_app)
    body = {"model": "command-a-03-2025", "messages": [_USER, _CALL, _USER],
            "tools": [{"type": "function", "function": {"name": "N", "parameters": _SCHEMA}}]}
    response = httpx.post(f"{root}{cohere_chat.ROUTE}", json=body, timeout=10,
                          headers={"Authorization": "Bearer k"})
    assert response.status_code == 400
    assert set(response.json()) == {"id", "message"}
    assert response.json()["message"] == (
        "invalid request: An assistant message with 'tool_calls' must be followed by tool "
        "messages responding to each 'tool_call_id'. The following tool_call_ids did not have "
        "response messages: call_1")


def test_a_refused_request_takes_no_answer(host: EmulatorHost) -> None:
    with host.expecting("re-openai", {"n": 2}, first=[{"n": -1}]):
        assert _openai(host, openai_chat.OPENAI, [_USER, _RESULT]).status_code == 400
        first = _openai(host, openai_chat.OPENAI, [_USER]).json()
    assert json.loads(first["choices"][0]["message"]["tool_calls"][0]["function"]
                      ["arguments"]) == {"n": -1}
