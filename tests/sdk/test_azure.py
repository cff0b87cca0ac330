"""The openai SDK's AzureOpenAI client against the Azure emulator (the family's cases, plus
Azure's own request ids and its unknown-path error)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.emulators import openai_chat
from tests.sdk.common import UNKNOWN_PROMPT, require_sdk, root
from tests.sdk.openai_family import (  # noqa: F401  (collected here, run against Azure)
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
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def provider() -> str:
    return "azure"


@pytest.fixture(scope="module")
def model() -> str:
    return "gpt-4o-mini"  # the deployment name


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("azure", lambda: openai_chat.make_app(openai_chat.AZURE))
    return openai.AzureOpenAI(api_key="sdk-key", azure_endpoint=url, api_version="2024-10-21",
                              max_retries=0)


def test_answers_carry_azures_request_ids(client: Any, model: str) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": UNKNOWN_PROMPT}],
        extra_headers={"x-ms-client-request-id": "client-chosen-id"})
    assert re.fullmatch(_UUID, raw.headers["apim-request-id"])
    assert re.fullmatch(_UUID, raw.headers["x-request-id"])
    assert raw.headers["x-ms-deployment-name"] == model and raw.headers["x-ms-region"]
    assert raw.headers["x-ms-client-request-id"] == "client-chosen-id"  # echoed
    assert raw.parse()._request_id == raw.headers["x-request-id"]


def test_an_unserved_route_is_azures_resource_not_found(client: Any, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.embeddings.create(model=model, input=UNKNOWN_PROMPT)  # no embeddings emulator
    assert raised.value.body == {"code": "404", "message": "Resource not found"}
