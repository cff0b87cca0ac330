"""AWS event stream framing (application/vnd.amazon.eventstream), as Bedrock streams answers.

A frame is: total length (uint32), headers length (uint32), CRC32 of those 8 bytes, the
headers, the payload, then CRC32 of everything before it; all integers big-endian. Each
header is a 1-byte name length, the name, a 1-byte value type (7 = string), a 2-byte value
length and the value.
"""

from __future__ import annotations

import struct
import zlib

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7
_PRELUDE = 12  # total length + headers length + prelude CRC
_TRAILER = 4  # message CRC


def _crc(data: bytes, start: int = 0) -> int:
    return zlib.crc32(data, start) & 0xFFFFFFFF


def encode_headers(headers: list[tuple[str, str]]) -> bytes:
    """String headers in wire form, in the order given."""
    out = bytearray()
    for name, value in headers:
        raw_name, raw_value = name.encode("utf-8"), value.encode("utf-8")
        out += struct.pack(">B", len(raw_name)) + raw_name
        out += struct.pack(">BH", _STRING, len(raw_value)) + raw_value
    return bytes(out)


def frame(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """One complete event stream message with both CRCs."""
    raw_headers = encode_headers(headers)
    total = _PRELUDE + len(raw_headers) + len(payload) + _TRAILER
    prelude = struct.pack(">II", total, len(raw_headers))
    head = prelude + struct.pack(">I", _crc(prelude))
    body = head + raw_headers + payload
    return body + struct.pack(">I", _crc(body))


def event(event_type: str, payload: bytes) -> bytes:
    """An `event` message with Bedrock's header order: event type, content type, message type."""
    return frame([(":event-type", event_type), (":content-type", "application/json"),
                  (":message-type", "event")], payload)


def exception(exception_type: str, payload: bytes) -> bytes:
    """An in-stream `exception` message (e.g. a throttling error after the stream started)."""
    return frame([(":exception-type", exception_type), (":content-type", "application/json"),
                  (":message-type", "exception")], payload)
