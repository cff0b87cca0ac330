"""google-genai's Vertex AI client against the Vertex emulator: a service-account key whose
token_uri is the emulator's (the SDK's google-auth signs the JWT and exchanges it), then the
Google family's cases on the v1beta1 project/location paths."""

from __future__ import annotations

from typing import Any

import pytest

from harness.emulators import google_genai, google_oauth
from harness.emulators.server import emulator_host
from tests.sdk.common import UNKNOWN_PROMPT, require_sdk, root
from tests.sdk.google_family import (  # noqa: F401  (collected here, run against Vertex AI)
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
service_account = require_sdk("google.oauth2.service_account")
PROJECT = "sdk-project"


@pytest.fixture(scope="module")
def provider() -> str:
    return "vertex"


@pytest.fixture(scope="module")
def client() -> Any:
    url = root("vertex", lambda: google_genai.make_app(google_genai.VERTEX))
    key = google_oauth.service_account_key(
        PROJECT, f"{url}/token", client_email=f"sdk@{PROJECT}.iam.gserviceaccount.com",
        client_id="100000000000000000002")
    credentials = service_account.Credentials.from_service_account_info(
        key, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return genai.Client(vertexai=True, project=PROJECT, location="us-central1",
                        credentials=credentials, http_options=types.HttpOptions(base_url=url))


def test_calls_go_to_the_project_path_with_the_exchanged_token(client: Any) -> None:
    client.models.generate_content(model="gemini-2.5-flash", contents=UNKNOWN_PROMPT)
    seen = emulator_host().seen("sdk-vertex")
    assert any(s.path_qs == "/token" for s in seen)
    call = seen[-1]
    assert call.path_qs.startswith(f"/v1beta1/projects/{PROJECT}/locations/us-central1/"
                                   f"publishers/google/models/gemini-2.5-flash:")
    assert call.headers["Authorization"].startswith("Bearer ")
