"""The cassette format: readable JSON, byte-exact streams, clear errors for bad files."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CassetteCorruptError
from harness.recording import serializer as fmt
from harness.secrets.scrub import scrub_headers, scrub_uri


def _vcr_dict(body: bytes, ctype: str) -> dict:
    return {"interactions": [{
        "request": {"method": "POST", "uri": "http://emulator.invalid/v1/chat/completions",
                    "body": b'{"model":"m","stream":true}', "headers": {
                        "content-type": ["application/json"]}},
        "response": {"status": {"code": 200, "message": "OK"},
                     "headers": {"content-type": [ctype], "content-length": ["1"]},
                     "body": {"string": body}}}]}


def _roundtrip(body: bytes, ctype: str) -> tuple[dict, bytes]:
    doc = fmt.to_document(_vcr_dict(body, ctype), {"provider": "openai"})
    text = fmt.dump_yaml(doc)
    vcr_dict, provenance = fmt.from_document(fmt.load_yaml(text, "x"), "x")
    assert provenance == {"provider": "openai"}
    return fmt.load_yaml(text, "x"), vcr_dict["interactions"][0]["response"]["body"]["string"]


def test_sse_is_stored_verbatim_and_replays_byte_exact() -> None:
    sse = b'data: {"a":1}\n\ndata: {"b":"x  "}  \r\n\r\ndata: [DONE]\n\n'
    doc, back = _roundtrip(sse, "text/event-stream")
    assert back == sse
    assert doc["interactions"][0]["response"]["body"] == sse.decode()
    assert doc["interactions"][0]["request"]["parsed_body"] == {"model": "m", "stream": True}


def test_json_bodies_are_parsed_for_review() -> None:
    doc, back = _roundtrip(b'{"id": "x", "n": [1, 2]}', "application/json")
    assert doc["interactions"][0]["response"]["parsed_body"] == {"id": "x", "n": [1, 2]}
    assert json.loads(back) == {"id": "x", "n": [1, 2]}


def test_binary_streams_survive() -> None:
    frames = bytes(range(256)) * 3
    doc, back = _roundtrip(frames, "application/vnd.amazon.eventstream")
    assert back == frames
    assert "body_base64" in doc["interactions"][0]["response"]


@given(st.binary(max_size=300))
def test_any_body_roundtrips(body: bytes) -> None:
    _, back = _roundtrip(body, "text/event-stream")
    assert back == body


def test_bad_files_get_clear_errors() -> None:
    with pytest.raises(CassetteCorruptError, match=r"corrupt cassette.*re-record"):
        fmt.load_yaml("interactions: [\n  - {", "c.yaml")
    with pytest.raises(CassetteCorruptError, match="not a harness cassette"):
        fmt.from_document(["a"], "c.yaml")
    with pytest.raises(CassetteCorruptError, match="format version 99, this harness reads 1"):
        fmt.from_document({"harness_cassette_version": 99, "interactions": []}, "c.yaml")


def _interaction(**changes: object) -> dict[str, object]:
    """A well-formed interaction with `changes` applied ('request.method': None deletes)."""
    item: dict[str, Any] = {
        "request": {"method": "POST", "uri": "http://emulator.invalid/v1/x",
                    "headers": {"content-type": ["application/json"]},
                    "parsed_body": {"a": 1}},
        "response": {"status": {"code": 200, "message": "OK"},
                     "headers": {"content-type": ["application/json"]}, "body": "{}"}}
    for dotted, value in changes.items():
        node = item
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return item


@pytest.mark.parametrize("interactions,problem", [
    ([1], "interactions[0]: int, not a mapping with 'request' and 'response'"),
    ({"request": {}}, "'interactions' is a mapping, not a list"),
    ([_interaction(), "x"], "interactions[1]: str, not a mapping with 'request' and 'response'"),
    ([_interaction(request=[])], "interactions[0]: request is list, not a mapping"),
    ([_interaction(response=None)], "interactions[0]: response is NoneType, not a mapping"),
    ([_interaction(**{"request.method": None})], "interactions[0]: request has no 'method'"),
    ([_interaction(**{"request.uri": 5})], "interactions[0]: request 'uri' is int, not str"),
    ([_interaction(**{"request.headers": None})],
     "interactions[0]: request headers are NoneType, not a mapping"),
    ([_interaction(**{"request.headers": ["a"]})],
     "interactions[0]: request headers are list, not a mapping"),
    ([_interaction(**{"response.headers": {"x": [1]}})],
     "interactions[0]: response header 'x' is not text or a list of texts"),
    ([_interaction(**{"response.status": 200})],
     "interactions[0]: response 'status' is int, not dict"),
    ([_interaction(**{"response.status.code": "200"})],
     "interactions[0]: response status code is str, not an integer"),
    ([_interaction(**{"response.status.code": True})],
     "interactions[0]: response status code is bool, not an integer"),
    ([_interaction(**{"response.body": 5})], "interactions[0]: response 'body' is int, not text"),
    ([_interaction(**{"response.body": None, "response.body_base64": "abc"})],
     "interactions[0]: a body does not decode (Incorrect padding)"),
    ([_interaction(**{"request.parsed_body": {"at": datetime.date(2024, 1, 1)}})],
     "interactions[0]: a body does not decode (Object of type date is not JSON serializable)"),
])
def test_a_malformed_interaction_is_one_line_naming_it(interactions: object, problem: str) -> None:
    doc = {"harness_cassette_version": 1, "provenance": {}, "interactions": interactions}
    with pytest.raises(CassetteCorruptError) as caught:
        fmt.from_document(doc, "c.yaml")
    assert str(caught.value) == (f"c.yaml: {problem}; delete it and re-record with "
                                 f"'conformance record'")


def test_a_well_formed_interaction_and_provenance_are_checked_too() -> None:
    doc = {"harness_cassette_version": 1, "provenance": {}, "interactions": [_interaction()]}
    vcr_dict, _ = fmt.from_document(doc, "c.yaml")
    assert vcr_dict["interactions"][0]["response"]["body"]["string"] == b"{}"
    with pytest.raises(CassetteCorruptError, match="'provenance' is list, not a mapping"):
        fmt.from_document({**doc, "provenance": []}, "c.yaml")


def test_scrubbing_drops_credentials_and_the_emulator_port() -> None:
    headers = {"Authorization": ["Bearer x"], "api-key": ["k"], "x-api-key": ["k"],
               "Cookie": ["c"], "content-type": ["application/json"], "host": ["127.0.0.1:5"]}
    assert scrub_headers(headers) == {"content-type": ["application/json"]}
    assert scrub_uri("http://127.0.0.1:41234/v1beta/models/m:generateContent?key=abc&alt=sse") \
        == "http://emulator.invalid/v1beta/models/m:generateContent?alt=sse"
