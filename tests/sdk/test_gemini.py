"""google-genai against the Gemini API emulator (API-key auth), with the Google family's cases."""

from __future__ import annotations

from typing import Any

import pytest

from harness.emulators import google_genai
from tests.sdk.common import require_sdk, root
from tests.sdk.google_family import (  # noqa: F401  (collected here, run against the Gemini API)
    test_a_forced_function_fills_that_functions_schema_whatever_the_prompt,
    test_a_function_response_turn_gets_a_final_text,
    test_a_streamed_forced_call_arrives_whole,
    test_an_unservable_schema_is_the_apis_invalid_argument,
    test_an_unserved_route_is_the_apis_not_found,
    test_iterable_items_are_parallel_calls_or_the_wrappers_field,
    test_mode_none_answers_text,
    test_response_json_schema_output_is_valid_json,
    test_response_schema_output_parses_with_the_sdk,
    test_streamed_structured_output_joins_into_valid_json,
    test_the_answer_the_harness_expects_wins_over_the_prompt,
    test_the_guides_requests_get_the_scenarios_answer,
    test_the_sdks_automatic_function_calling_loop_ends,
)

genai = require_sdk("google.genai")
types = require_sdk("google.genai.types")


@pytest.fixture(scope="module")
def provider() -> str:
    return "gemini"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("gemini", lambda: google_genai.make_app(google_genai.GEMINI))
    return genai.Client(api_key="sdk-key", http_options=types.HttpOptions(base_url=url))
