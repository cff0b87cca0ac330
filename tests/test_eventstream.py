"""The emulator's AWS event stream frames: botocore's own parser reads them and the CRCs hold."""

from __future__ import annotations

import json
import struct
import zlib

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from harness.emulators import bedrock_converse, eventstream
from tests.wire_samples import load_all

_HEADERS = [(":event-type", "contentBlockDelta"), (":content-type", "application/json"),
            (":message-type", "event")]


def _parse(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_botocore_reads_headers_and_payload() -> None:
    payload = '{"contentBlockIndex":0,"delta":{"text":"héllo"},"p":"abc"}'.encode()
    (message,) = _parse(eventstream.event("contentBlockDelta", payload))
    assert list(message.headers.items()) == _HEADERS
    assert message.payload == payload


def test_prelude_and_message_crcs() -> None:
    data = eventstream.frame(_HEADERS, b'{"a":1}')
    total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
    assert total == len(data)
    assert headers_length == len(eventstream.encode_headers(_HEADERS))
    assert prelude_crc == zlib.crc32(data[:8])
    assert struct.unpack(">I", data[-4:])[0] == zlib.crc32(data[:-4])


@pytest.mark.parametrize("offset", [5, -6])  # a prelude byte, a payload byte
def test_corruption_is_caught_by_botocore(offset: int) -> None:
    data = bytearray(eventstream.frame(_HEADERS, b'{"a":1}'))
    data[offset] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        _parse(bytes(data))


def test_frames_split_across_reads_reassemble() -> None:
    frames = b"".join(eventstream.event(n, b"{}") for n in ("messageStart", "messageStop"))
    buffer = EventStreamBuffer()
    for i in range(0, len(frames), 7):  # HTTP chunks never align with frames
        buffer.add_data(frames[i:i + 7])
    assert [m.headers[":event-type"] for m in buffer] == ["messageStart", "messageStop"]


def test_emulated_stream_parses_into_the_answer() -> None:
    body = {"messages": [{"role": "user", "content": [{"text": "Extract: Jason is 25 years old"}]}],
            "toolConfig": {"tools": [{"toolSpec": {"name": "User", "inputSchema": {"json": {
                "type": "object", "properties": {"name": {"type": "string"},
                                                 "age": {"type": "integer"}}}}}}],
                "toolChoice": {"tool": {"name": "User"}}}}
    model = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    frames = bedrock_converse.encode_stream(
        bedrock_converse.stream_events(body, model, "seed"), "seed")
    messages = _parse(b"".join(frames))
    assert len(messages) == len(frames)
    payloads = [json.loads(m.payload) for m in messages]
    arguments = "".join(p["delta"]["toolUse"]["input"] for p in payloads
                        if "toolUse" in p.get("delta", {}))
    assert json.loads(arguments) == {"name": "Jason", "age": 25}


def test_reencoding_a_real_frame_gives_the_same_bytes() -> None:
    # Header encoding, lengths and both CRCs byte-for-byte as AWS frames them.
    real = next(e.body for e in load_all("bedrock") if e.body[:1] != b"{" and e.body)
    offset, checked = 0, 0
    for message in _parse(real):
        size = struct.unpack(">I", real[offset:offset + 4])[0]
        ours = eventstream.frame(list(message.headers.items()), message.payload)
        assert ours == real[offset:offset + size]
        offset, checked = offset + size, checked + 1
    assert checked >= 5
