"""The openai SDK against the OpenAI emulator (the family's cases, plus OpenAI's own)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.emulators import openai_chat
from tests.sdk.common import UNKNOWN_PROMPT, require_sdk, root
from tests.sdk.openai_family import (  # noqa: F401  (collected here, run against OpenAI)
    test_a_forced_tool_fills_that_tools_schema_whatever_the_prompt,
    test_a_streamed_forced_call_assembles_valid_arguments,
    test_a_tool_result_turn_gets_a_final_text_and_the_loop_ends,
    test_an_unservable_schema_is_the_providers_400,
    test_iterable_items_arrive_in_the_wrappers_array_field,
    test_streamed_structured_output_parses,
    test_strict_structured_output_parses_with_the_sdk,
    test_the_answer_the_harness_expects_wins_over_the_prompt,
    test_the_guides_requests_get_the_scenarios_answer,
    test_tool_choice_none_answers_text,
)

openai = require_sdk("openai")


@pytest.fixture(scope="module")
def provider() -> str:
    return "openai"


@pytest.fixture(scope="module")
def model() -> str:
    return "gpt-4o-mini"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("openai", lambda: openai_chat.make_app(openai_chat.OPENAI))
    return openai.OpenAI(api_key="sdk-key", base_url=f"{url}/v1", max_retries=0)


def test_answers_carry_openais_request_id(client: Any, model: str) -> None:
    response = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    assert re.fullmatch(r"req_[0-9a-f]{32}", response._request_id or "")
    with client.chat.completions.with_streaming_response.create(
            model=model, messages=[{"role": "user", "content": UNKNOWN_PROMPT}],
            stream=True) as streamed:
        assert re.fullmatch(r"req_[0-9a-f]{32}", streamed.headers["x-request-id"])


def test_an_unserved_route_is_openais_json_404(client: Any, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model=model, input=UNKNOWN_PROMPT)  # no Responses emulator
    assert raised.value.status_code == 404
    assert raised.value.body == {"message": "Invalid URL (POST /v1/responses)",
                                 "type": "invalid_request_error", "param": None, "code": None}
