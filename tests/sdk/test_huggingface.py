"""The openai SDK against the Hugging Face router emulator (an OpenAI-compatible upstream
behind /{provider}/v1), with the family's cases."""

from __future__ import annotations

from typing import Any

import pytest

from harness.emulators import openai_chat
from tests.sdk.common import UNKNOWN_PROMPT, require_sdk, root
from tests.sdk.openai_family import (  # noqa: F401  (collected here, run against Hugging Face)
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
    return "huggingface"


@pytest.fixture(scope="module")
def model() -> str:
    return "Qwen/Qwen2.5-72B-Instruct"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("huggingface", lambda: openai_chat.make_app(openai_chat.HUGGINGFACE))
    return openai.OpenAI(api_key="sdk-key", base_url=f"{url}/together/v1", max_retries=0)


def test_the_router_answers_with_the_upstreams_model_id(client: Any, model: str) -> None:
    response = client.chat.completions.create(
        model=f"together/{model}", messages=[{"role": "user", "content": UNKNOWN_PROMPT}])
    assert response.model == model and response.choices[0].finish_reason == "stop"


def test_an_unserved_route_is_a_json_404(client: Any, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.embeddings.create(model=model, input=UNKNOWN_PROMPT)
    assert raised.value.body["type"] == "invalid_request_error"
