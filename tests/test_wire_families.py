"""Each wire family's descriptor against real traffic: the samples in ../shared/wire-samples
(their INDEX names each file's structured request keys) and the committed cassettes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.emulators import (
    anthropic_messages,
    bedrock_converse,
    cohere_chat,
    google_genai,
    ollama_chat,
    openai_chat,
    openai_responses,
)
from harness.emulators.families import (
    ANY_WIRE,
    COHERE_V1,
    EMULATED,
)
from harness.providers import PROVIDERS
from harness.recording import serializer as fmt
from harness.recording.evidence import reported_model, wire_fault
from harness.recording.paths import DEFAULT_CASSETTE_DIR
from harness.wire import WireFamily
from tests import wire_samples

# family, the sample folders of its wire, a piece of the request URI that picks its exchanges
# (body-only fixtures, without a URI, are taken whole).
FAMILIES: list[tuple[WireFamily, tuple[str, ...], str]] = [
    (openai_chat.WIRE, ("openai", "azure", "mistral", "groq", "together", "openrouter",
                        "deepseek", "xai"), "chat/completions"),
    (anthropic_messages.WIRE, ("anthropic",), "/v1/messages"),
    (google_genai.WIRE, ("gemini", "gemini3"), "generateContent"),
    (google_genai.VERTEX_WIRE, ("vertex",), ""),
    (cohere_chat.WIRE, ("cohere",), "/v2/chat"),
    (COHERE_V1, ("cohere",), "/v1/chat"),
    (bedrock_converse.WIRE, ("bedrock",), "/converse"),
    (openai_responses.WIRE, ("openai-responses",), "/responses"),
    (ollama_chat.WIRE, ("ollama",), "/api/chat"),
]
IDS = [family.name for family, _, _ in FAMILIES]
_ROW = re.compile(r"^\| [\w-]+ \| `([^`]+)` \|")
# INDEX also lists reasoning settings among a sample's request keys (OpenRouter's reasoning,
# DeepSeek's thinking and reasoning_effort): they ask for no shape.
_NOT_SHAPE = {"reasoning", "thinking", "reasoning_effort"}


def _exchanges(folders: tuple[str, ...], uri_part: str) -> list[wire_samples.Exchange]:
    if not wire_samples.SAMPLES_DIR.is_dir():
        pytest.skip(wire_samples.SKIP_REASON)
    found = [ex for folder in folders if (wire_samples.SAMPLES_DIR / folder).is_dir()
             for ex in wire_samples.load_all(folder) if not ex.uri or uri_part in ex.uri]
    assert found, f"no sample of {folders} has {uri_part!r} in its URI"
    return found


def _response(ex: wire_samples.Exchange) -> dict[str, Any]:
    return {"status": {"code": ex.status}, "body": {"string": ex.body},
            "headers": {"content-type": [ex.content_type]}}


def _index_keys() -> dict[str, set[str]]:
    """Sample file name -> the structured request keys INDEX.md lists for it."""
    out = {}
    for line in (wire_samples.SAMPLES_DIR / "INDEX.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            keys = cells[6]
            out[Path(match.group(1)).name] = set() if keys == "-" else set(keys.split(", "))
    return out


def _known(key: str, body: dict[str, Any], family: WireFamily) -> bool:
    """Whether the family names `key`: at the top, or inside one of its keys (Bedrock's tools
    inside toolConfig; Gemini's responseMimeType among generationConfig's MIME keys)."""
    if key in family.structure_keys:
        return True
    for container in (*family.tool_keys, *family.format_keys):
        inner = body.get(container)
        if isinstance(inner, dict) and key in inner:
            schema_keys, mime_keys = family.nested_in(container)
            return key in schema_keys + mime_keys or not (schema_keys or mime_keys)
    return False


@pytest.mark.parametrize(("family", "folders", "uri_part"), FAMILIES, ids=IDS)
def test_every_whole_sample_answer_shows_the_family_success_and_end(
        family: WireFamily, folders: tuple[str, ...], uri_part: str) -> None:
    # A success key in every body and stream event, and a terminal event or finish key in
    # every stream: the fault evidence read with this family alone finds nothing. Left out: a
    # stream that really broke off with an error event (Groq's tool_use_failed, OpenRouter's
    # in-chunk error: a fault, tests/test_stream_faults.py), and answers whose recorder dropped
    # the content type (the evidence tells NDJSON by it).
    answers = [ex for ex in _exchanges(folders, uri_part) if ex.status < 400 and ex.body
               and not wire_samples.broke_off(ex) and ex.content_type]
    assert answers
    for ex in answers:
        assert wire_fault([(None, _response(ex))], wire=family) is None, ex.source


@pytest.mark.parametrize(("family", "folders", "uri_part"), FAMILIES, ids=IDS)
def test_the_samples_structured_request_keys_are_the_family_keys(
        family: WireFamily, folders: tuple[str, ...], uri_part: str) -> None:
    if not (family.tool_keys or family.format_keys):
        pytest.skip(f"{family.name}: no request keys described (no emulator speaks it)")
    listed = _index_keys()
    checked = 0
    for ex in _exchanges(folders, uri_part):
        if isinstance(ex.request, dict) and ex.source in listed:
            unknown = sorted(k for k in listed[ex.source] - _NOT_SHAPE
                             if not _known(k, ex.request, family))
            assert unknown == [], f"{ex.source}: {family.name} does not name {unknown}"
            checked += bool(listed[ex.source])
    if family.structure_keys != ("stream",):
        assert checked, f"no sample of {family.name} carries a structured request key"


@pytest.mark.parametrize(("family", "folders", "uri_part"), FAMILIES, ids=IDS)
def test_the_model_is_found_where_the_family_says(
        family: WireFamily, folders: tuple[str, ...], uri_part: str) -> None:
    if not (family.model_keys or family.model_parents):
        pytest.skip(f"{family.name} answers do not name their model")
    answers = [ex for ex in _exchanges(folders, uri_part) if ex.status < 400 and ex.body]
    assert any(reported_model([(None, _response(ex))], wire=family) for ex in answers)


# Request keys of the committed cassettes that carry no structured-output instruction. Any other
# key litellm starts sending fails the test below until a wire family names it or it joins here.
_PLAIN_KEYS = {"messages", "model", "max_tokens", "max_retries", "contents", "inferenceConfig",
               "additionalModelRequestFields", "stream_options", "temperature",
               "usage",  # litellm asks OpenRouter for its cost accounting: usage.include
               "options", "input"}


def _json(body: Any) -> Any:
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return None  # a form-encoded token exchange


def _cassettes(provider: str) -> list[tuple[Path, list[tuple[Any, dict[str, Any]]]]]:
    out = []
    for path in sorted((DEFAULT_CASSETTE_DIR / provider).rglob("*.yaml")):
        doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        vcr_dict, _ = fmt.from_document(doc, str(path))
        out.append((path, [(i["request"], i["response"]) for i in vcr_dict["interactions"]]))
    return out


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_what_litellm_sends_and_gets_is_named_by_the_provider_wire(provider: Any) -> None:
    # Every key of litellm's requests in the committed cassettes is one the provider's wire
    # names, or a plain one; reading the answers with that wire alone reads as the union does.
    cassettes = _cassettes(provider.name)
    assert cassettes
    bodies = 0
    for path, pairs in cassettes:
        for request, _ in pairs:
            body = _json(request.get("body"))
            if isinstance(body, dict):
                unnamed = set(body) - set(provider.wire.structure_keys) - _PLAIN_KEYS
                assert not unnamed, f"{path}: {sorted(unnamed)} not in {provider.wire.name}"
                bodies += 1
        assert wire_fault(pairs, wire=provider.wire) is None, path
        assert reported_model(pairs, wire=provider.wire) == reported_model(pairs, ANY_WIRE), path
    assert bodies  # some cells fail before any request: not all cassettes hold one


def test_the_union_holds_every_key_of_every_family_and_projects_like_the_matcher() -> None:
    families = [*EMULATED, COHERE_V1]
    for family in families:
        assert set(family.structure_keys) <= set(ANY_WIRE.structure_keys)
        assert family.success_keys <= ANY_WIRE.success_keys
        assert set(family.finish_keys) <= set(ANY_WIRE.finish_keys)
    body = {"stream": True, "tools": [{}], "tool_choice": "auto", "messages": [],
            "generationConfig": {"temperature": 0}}
    assert ANY_WIRE.request_structure(body) == {"generationConfig": True, "stream": True,
                                                "tool_choice": "auto", "tools": True}
    # Gemini's stream is in the method, not the body.
    assert google_genai.WIRE.request_structure(body) == {"generationConfig": True,
                                                         "tools": True}
