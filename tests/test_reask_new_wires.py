"""The re-ask and schema rules of the second batch of wires: the five OpenAI-compatible
providers, Ollama's native API, OpenAI's Responses API and the Gemini 3 generation (each API's
400 and its text for a malformed follow-up, a well-formed one answered), and the verdict's
rule for a forced tool an API cannot force."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import google_genai, ollama_chat, openai_chat, openai_responses, turns
from harness.emulators.openai_compat import deepseek, groq, openrouter, together, xai
from harness.emulators.server import EmulatorHost
from harness.verdict.reask import conversation_shape
from harness.verdict.transforms import unforceable

_SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
_USER = {"role": "user", "content": "Count"}
_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "N", "arguments": '{"n":-1}'}}]}
_RESULT = {"role": "tool", "tool_call_id": "call_1", "content": "Validation Error"}


@pytest.fixture(scope="module")
def host() -> Iterator[EmulatorHost]:
    emulators = EmulatorHost()
    yield emulators
    emulators.close()


def _chat(host: EmulatorHost, flavour: openai_chat.Flavour, messages: list[Any],
          **extra: Any) -> httpx.Response:
    root = host.url(f"new-{flavour.name}", lambda: openai_chat.make_app(flavour))
    body = {"model": "m", "messages": messages, "tools": [
        {"type": "function", "function": {"name": "N", "parameters": _SCHEMA}}], **extra}
    return httpx.post(root + flavour.routes[0], json=body, timeout=10,
                      headers={"Authorization": "Bearer k"})


@pytest.mark.parametrize("flavour", [groq.FLAVOUR, openrouter.FLAVOUR, xai.FLAVOUR,
                                     together.FLAVOUR], ids=lambda f: f.name)
def test_openai_compatible_apis_refuse_an_unanswered_call_in_openais_words(
        host: EmulatorHost, flavour: openai_chat.Flavour) -> None:
    response = _chat(host, flavour, [_USER, _CALL, _USER])
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        "call_1")


@pytest.mark.parametrize("flavour", [groq.FLAVOUR, openrouter.FLAVOUR, xai.FLAVOUR,
                                     together.FLAVOUR], ids=lambda f: f.name)
def test_openai_compatible_apis_answer_a_wellformed_reask(
        host: EmulatorHost, flavour: openai_chat.Flavour) -> None:
    response = _chat(host, flavour, [_USER, _CALL, _RESULT])
    assert response.status_code == 200


@pytest.mark.parametrize("messages,message", [
    ([_USER, _CALL, _USER], "An assistant message with 'tool_calls' must be followed by tool "
     "messages responding to each 'tool_call_id'. (insufficient tool messages following "
     "tool_calls message)"),
    ([_USER, _RESULT], "Messages with role 'tool' must be a response to a preceding message "
     "with 'tool_calls'"),
    ([_USER, _CALL, {**_RESULT, "tool_call_id": "call_9"}], "An assistant message with "
     "'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
     "(insufficient tool messages following tool_calls message)"),
], ids=["no-tool-message", "tool-without-call", "unknown-id"])
def test_deepseek_refuses_a_malformed_reask_in_its_words(host: EmulatorHost,
                                                         messages: list[Any],
                                                         message: str) -> None:
    response = _chat(host, deepseek.FLAVOUR, messages, model="deepseek-chat")
    assert response.status_code == 400
    assert response.json() == {"error": {"message": message, "type": "invalid_request_error",
                                         "param": None, "code": "invalid_request_error"}}


def test_deepseek_thinking_wants_its_reasoning_back_with_a_tool_call() -> None:
    body = {"model": "deepseek-reasoner", "tools": [{"type": "function"}],
            "messages": [_USER, _CALL, _RESULT]}
    assert deepseek.refusal(body) == (
        "Missing `reasoning_content` field in the assistant message at message index 1. For "
        "more information, please refer to "
        "https://api-docs.deepseek.com/guides/thinking_mode#tool-calls")
    answered = {**body, "messages": [_USER, {**_CALL, "reasoning_content": "..."}, _RESULT]}
    assert deepseek.refusal(answered) is None
    assert deepseek.refusal({**body, "model": "deepseek-chat"}) is None  # not thinking


def test_ollama_checks_no_tool_turns(host: EmulatorHost) -> None:
    root = host.url("new-ollama", ollama_chat.make_app)
    body = {"model": "llama3.1", "stream": False, "messages": [_USER, _RESULT],
            "tools": [{"type": "function", "function": {"name": "N", "parameters": _SCHEMA}}]}
    response = httpx.post(root + ollama_chat.ROUTE, json=body, timeout=10)
    assert response.status_code == 200  # a tool result answering no call: rendered as is
    assert response.json()["message"]["content"]  # reported in prose after a tool result


def _responses(host: EmulatorHost, items: list[Any], **extra: Any) -> httpx.Response:
    root = host.url("new-responses", openai_responses.make_app)
    body = {"model": "gpt-4o-mini", "input": items, **extra}
    return httpx.post(root + openai_responses.ROUTE, json=body, timeout=10,
                      headers={"Authorization": "Bearer k"})


_R_USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "C"}]}
_R_CALL = {"type": "function_call", "call_id": "call_1", "name": "N", "arguments": '{"n":-1}'}
_R_OUT = {"type": "function_call_output", "call_id": "call_1", "output": "Validation Error"}


@pytest.mark.parametrize("items,message", [
    ([_R_USER, _R_CALL], "No tool output found for function call call_1."),
    ([_R_USER, _R_OUT], "No tool call found for function call output with call_id call_1."),
    ([_R_USER, _R_CALL, {**_R_OUT, "call_id": "call_9"}],
     "No tool call found for function call output with call_id call_9."),
], ids=["no-output", "output-without-call", "unknown-id"])
def test_responses_refuses_unpaired_items(host: EmulatorHost, items: list[Any],
                                          message: str) -> None:
    response = _responses(host, items)
    assert response.status_code == 400
    assert response.json() == {"error": {"message": message, "type": "invalid_request_error",
                                         "param": "input", "code": None}}
    assert turns.responses([_R_USER, _R_CALL, _R_OUT]) is None


def test_responses_schema_rules_hold_for_strict_only(host: EmulatorHost) -> None:
    fmt = {"type": "json_schema", "name": "R", "schema": _SCHEMA}
    assert _responses(host, [_R_USER], text={"format": {**fmt, "strict": False}}
                      ).status_code == 200
    refused = _responses(host, [_R_USER], text={"format": {**fmt, "strict": True}})
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "message": "Invalid schema for response_format 'R': In context=(), "
                   "'additionalProperties' is required to be supplied and to be false.",
        "type": "invalid_request_error", "param": "text.format.schema",
        "code": "invalid_json_schema"}
    tool = {"type": "function", "name": "N", "parameters": _SCHEMA}
    assert _responses(host, [_R_USER], tools=[{**tool, "strict": None}]).status_code == 200
    strict = _responses(host, [_R_USER], tools=[{**tool, "strict": True}]).json()["error"]
    assert (strict["param"], strict["code"]) == ("tools[0].parameters",
                                                 "invalid_function_parameters")


_G_USER = {"role": "user", "parts": [{"text": "Count"}]}
_G_RESPONSE = {"role": "user", "parts": [{"functionResponse": {
    "name": "N", "response": {"content": "Validation Error"}}}]}


def _g_call(signed: bool) -> dict[str, Any]:
    part: dict[str, Any] = {"functionCall": {"name": "N", "args": {"n": -1}}}
    return {"role": "model", "parts": [{**part, "thoughtSignature": "c2ln"} if signed else part]}


def _gemini(host: EmulatorHost, model: str, contents: list[Any]) -> httpx.Response:
    root = host.url("new-gemini", lambda: google_genai.make_app(google_genai.GEMINI))
    body = {"contents": contents,
            "tools": [{"function_declarations": [{"name": "N", "parameters": _SCHEMA}]}]}
    return httpx.post(f"{root}/v1beta/models/{model}:generateContent", json=body,
                      headers={"x-goog-api-key": "k"}, timeout=10)


def test_gemini3_wants_the_calls_thought_signature_back(host: EmulatorHost) -> None:
    unsigned = [_G_USER, _g_call(False), _G_RESPONSE]
    refused = _gemini(host, "gemini-3-flash-preview", unsigned)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        "performance. Additional data, function call `default_api:N` , position 2. Please "
        "refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")
    assert _gemini(host, "gemini-2.5-flash", unsigned).status_code == 200  # 2.5: optional
    signed = [_G_USER, _g_call(True), _G_RESPONSE]
    assert _gemini(host, "gemini-3-flash-preview", signed).status_code == 200
    # Only the current turn is checked: an earlier turn's unsigned call is history.
    later = [*unsigned, {"role": "model", "parts": [{"text": "ok"}]}, _G_USER]
    assert _gemini(host, "gemini-3-flash-preview", later).status_code == 200


def test_vertex_gemini3_words_the_missing_signature_its_way() -> None:
    assert turns.google([_G_USER, _g_call(False), _G_RESPONSE], signed=True, vertex=True) == (
        "Unable to submit request because function call `default_api:N` in the 2. content "
        "block is missing a `thought_signature`. Learn more: "
        "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures")


def test_a_forced_tool_an_api_cannot_force_is_noted() -> None:
    asked = {"tools": [{}], "tool_choice": {"type": "function", "function": {"name": "P"}}}
    assert unforceable(asked, ollama_chat.WIRE) == (
        "the API has no tool choice (ollama-native): instructor's tool_choice='P (forced)' "
        "could not be sent, so the model was free not to call the tool")
    assert unforceable(asked, openai_chat.WIRE) is None  # the API has a tool choice
    assert unforceable({**asked, "tool_choice": "auto"}, ollama_chat.WIRE) is None


def test_a_responses_reask_is_described_by_its_items() -> None:
    body = json.dumps({"input": [_R_USER, _R_CALL, _R_OUT]})
    assert conversation_shape(body) == (
        "user(text) → function_call(call_1) → function_call_output(call_1)")
