"""The rule: a provider's 400 refusing the request's schema by one of its schema rules is
`unsupported` (layer provider), not an error.

A provider that will not take a schema (a keyword it does not support, a shape its rules
forbid) has said that the rung, model or mode is unsupported there: the same verdict as
litellm refusing a parameter before any request. Only a 400 whose error text names a schema
rule counts; any other 400 (a malformed conversation, a missing field) stays the provider's
error. The texts are the providers' own (harness/emulators/schema_rules.py says where each
comes from); one pattern per kind of refusal, each with the API that sends it.
"""

from __future__ import annotations

import re

SCHEMA_REFUSALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # OpenAI, Azure OpenAI: "Invalid schema for response_format 'X': In context=(), ..."
    ("openai", re.compile(r"Invalid schema for (?:response_format|function) '")),
    # Gemini API and Vertex AI: a name the Schema object does not have.
    ("google", re.compile(r"Unknown name \"[^\"]+\" at '[^']*(?:response_schema|parameters)")),
    # Gemini API: a Schema without a type, an object parameters without properties.
    ("gemini", re.compile(r"(?:response_schema|parameters)[^\s:]*: (?:must be specified when "
                          r"not using one_of, any_of or all_of fields|should be non-empty "
                          r"for OBJECT type)")),
    # Vertex AI: the same rules in its own words.
    ("vertex", re.compile(r"functionDeclaration `parameters[^`]*` schema didn't specify the "
                          r"schema type field|response schemas? specified unsupported field")),
    # Anthropic, Claude on Bedrock: an invalid tool input_schema; a structured-output schema
    # outside the supported subset.
    ("anthropic", re.compile(r"input_schema: JSON schema is invalid")),
    ("anthropic", re.compile(r"(?:output_format|output_config\.format)\.schema: ")),
)


def refused_schema(status: int | None, text: str) -> str | None:
    """The API whose schema rule a response with `status` and body `text` cites, or None."""
    if status != 400:
        return None
    return next((api for api, pattern in SCHEMA_REFUSALS if pattern.search(text or "")), None)
