"""Asked-versus-sent: litellm's silent rewrites of a mode are named."""

from __future__ import annotations

from harness.emulators import bedrock_converse, google_genai, openai_chat
from harness.recording.wire_stats import summarize_request
from harness.verdict.transforms import mode_transforms

JSON_OBJECT = {"response_format": {"type": "json_object"}, "messages": []}
WIRE = openai_chat.WIRE


def test_a_dropped_response_format_is_named() -> None:
    notes, dropped = mode_transforms(JSON_OBJECT, [{"stream": False}], WIRE)
    assert dropped
    assert notes == ["litellm dropped response_format='json_object' without notice: the "
                     "request carried no tool, output format or schema"]


def test_json_mode_sent_as_a_forced_tool() -> None:
    notes, dropped = mode_transforms(JSON_OBJECT, [{"toolConfig": ["toolChoice", "tools"]}],
                                     bedrock_converse.WIRE)
    assert not dropped
    assert notes == ["litellm sent response_format='json_object' as a forced tool call"]


def test_schema_dropped_from_gemini_json_mode() -> None:
    asked = {"response_format": {"type": "json_schema", "json_schema": {}}}
    notes, dropped = mode_transforms(asked, [{"generationConfig": ["responseMimeType"]}],
                                     google_genai.WIRE)
    assert notes == ["litellm sent JSON mode but dropped the schema"] and not dropped


def test_faithful_requests_have_no_notes() -> None:
    assert mode_transforms(JSON_OBJECT, [{"response_format": "json_object"}], WIRE) == ([], False)
    assert mode_transforms({"tools": [{}]}, [{"tools": ["User"]}], WIRE) == ([], False)
    assert mode_transforms({"tools": [{}]}, [{"token_exchange": True}, {}], WIRE) == (
        ["litellm dropped the tools without notice"], True)
    assert mode_transforms(None, [{}], WIRE) == ([], False)


def test_bedrock_output_config_carries_json_schema() -> None:
    # Converse sends json_schema as outputConfig.textFormat (camelCase): not a dropped format.
    asked = {"response_format": {"type": "json_schema", "json_schema": {}}}
    assert mode_transforms(asked, [{"outputConfig": ["textFormat"]}],
                           wire=bedrock_converse.WIRE) == ([], False)
    summary = summarize_request(b'{"messages": [], "outputConfig": {"textFormat": {}}}',
                                wire=bedrock_converse.WIRE)
    assert summary == {"outputConfig": ["textFormat"]}


def test_a_generation_config_without_schema_or_mime_type_carries_nothing() -> None:
    # generationConfig may hold only a temperature: it carries JSON mode only with its fields.
    notes, dropped = mode_transforms(JSON_OBJECT, [{"generationConfig": ["temperature"]}],
                                     wire=google_genai.WIRE)
    assert dropped and notes[0].startswith("litellm dropped response_format='json_object'")
