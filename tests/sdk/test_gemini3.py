"""google-genai against the Gemini 3 generation of the Google emulators (the Gemini API and
Vertex AI): streamed calls in chunks of their own and the Gemini API's separate finish chunk
as the SDK reads them, parallel calls, ids, and its automatic function calling loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.emulators import google_genai, google_oauth
from tests.sdk.common import TOOL_RESULT, UNKNOWN_PROMPT, USERS, Order, expecting, require_sdk
from tests.sdk.common import root as emulator_root

genai = require_sdk("google.genai")
types = require_sdk("google.genai.types")
service_account = require_sdk("google.oauth2.service_account")
MODEL = "gemini-3-flash-preview"


def _gemini() -> Any:
    url = emulator_root("gemini3", lambda: google_genai.make_app(google_genai.GEMINI))
    return genai.Client(api_key="sdk-key", http_options=types.HttpOptions(base_url=url))


def _vertex() -> Any:
    url = emulator_root("vertex_gemini3", lambda: google_genai.make_app(google_genai.VERTEX))
    key = google_oauth.service_account_key("sdk-project", f"{url}/token",
                                           client_email="sdk@sdk-project.iam.gserviceaccount.com",
                                           client_id="100000000000000000003")
    credentials = service_account.Credentials.from_service_account_info(
        key, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return genai.Client(vertexai=True, project="sdk-project", location="global",
                        credentials=credentials, http_options=types.HttpOptions(base_url=url))


@pytest.fixture(scope="module", params=["gemini3", "vertex_gemini3"])
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def client(provider: str) -> Any:
    return _gemini() if provider == "gemini3" else _vertex()


def _forced(*models: type) -> Any:
    declarations = [types.FunctionDeclaration(name=m.__name__,
                                              parameters_json_schema=m.model_json_schema())
                    for m in models]
    return types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=declarations)],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(
            mode="ANY")),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))


def test_streamed_parallel_calls_arrive_one_per_chunk_then_the_finish(client: Any,
                                                                      provider: str) -> None:
    with expecting(provider, USERS.expected):
        chunks = list(client.models.generate_content_stream(
            model=MODEL, contents=USERS.prompt, config=_forced(USERS.response_model)))
    calls = [[c.args for c in chunk.function_calls or []] for chunk in chunks]
    apart = provider == "gemini3"  # the Gemini API ends with a chunk of its own
    assert calls == [[u] for u in USERS.expected] + ([[]] if apart else [])
    assert [str(c.candidates[0].finish_reason) for c in chunks][-1].endswith("STOP")
    ids = [c.id for chunk in chunks for c in chunk.function_calls or []]
    assert len(set(ids)) == 3 and all(ids)  # gemini-3-flash names its calls


def test_a_streamed_forced_call_is_whole_and_valid(client: Any) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents=UNKNOWN_PROMPT,
                                                         config=_forced(Order)))
    calls = [c for chunk in chunks for c in chunk.function_calls or []]
    assert [c.name for c in calls] == ["Order"]
    Order.model_validate(calls[0].args)


def test_non_streamed_parallel_calls_are_one_content(client: Any, provider: str) -> None:
    with expecting(provider, USERS.expected):
        response = client.models.generate_content(model=MODEL, contents=USERS.prompt,
                                                  config=_forced(USERS.response_model))
    assert [c.args for c in response.function_calls] == USERS.expected


def test_structured_output_streams_into_valid_json(client: Any) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json",
                                         response_schema=Order)
    chunks = list(client.models.generate_content_stream(model=MODEL, contents=UNKNOWN_PROMPT,
                                                         config=config))
    Order.model_validate(json.loads("".join(c.text or "" for c in chunks)))


def test_the_sdks_automatic_function_calling_loop_ends(client: Any) -> None:
    calls: list[str] = []

    def save_order(note: str) -> str:
        """Save an order note."""
        calls.append(note)
        return TOOL_RESULT

    response = client.models.generate_content(
        model=MODEL, contents=UNKNOWN_PROMPT,
        config=types.GenerateContentConfig(tools=[save_order]))
    assert len(calls) == 1 and TOOL_RESULT in response.text
