"""The cassette format: JSON bodies parsed (reviewable diffs), streams byte-exact.

Top level: `harness_cassette_version`, `provenance`, `interactions`. A request or response
body is stored as `parsed_body` when it is JSON, `body` when it is other UTF-8 text (SSE,
verbatim) and `body_base64` when it is binary (AWS eventstream).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import yaml

from harness.errors import CassetteCorruptError
from harness.recording.interaction import header

CASSETTE_VERSION = 1


# libyaml's parser when PyYAML was built with it: the same documents, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Multi-line text (SSE streams) as literal blocks; PyYAML itself falls back to a quoted
    # scalar whenever a block cannot represent the string exactly (e.g. '\r', trailing spaces).
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def _encode_body(body: bytes | str | None, content_type: str) -> dict[str, Any]:
    if body is None or body == b"" or body == "":
        return {}
    raw = body.encode() if isinstance(body, str) else body
    if "json" in content_type or not content_type:
        try:
            return {"parsed_body": json.loads(raw)}
        except (ValueError, UnicodeDecodeError):
            pass
    try:
        return {"body": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(raw).decode()}


def _decode_body(node: dict[str, Any]) -> bytes:
    if "parsed_body" in node:
        return json.dumps(node["parsed_body"], separators=(",", ":"), ensure_ascii=False).encode()
    if "body" in node:
        return node["body"].encode("utf-8")
    if "body_base64" in node:
        return base64.b64decode(node["body_base64"])
    return b""


def to_document(cassette_dict: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """vcrpy's cassette dict -> our document."""
    interactions = []
    for item in cassette_dict.get("interactions", []):
        req, resp = item["request"], item["response"]
        req_headers = req.get("headers", {})
        resp_headers = resp.get("headers", {})
        new_req = {k: v for k, v in req.items() if k != "body"}
        # Sorted: some clients (requests, via vcrpy) hand headers over in set order, which
        # would make every re-recording diff.
        new_req["headers"] = dict(sorted((req_headers or {}).items()))
        new_req.update(_encode_body(req.get("body"), header(req_headers, "content-type")))
        body = (resp.get("body") or {}).get("string", b"")
        new_resp = {k: v for k, v in resp.items() if k != "body"}
        # Bodies are re-encoded, so a recorded length would lie; it is recomputed on load.
        new_resp["headers"] = {k: v for k, v in sorted(resp_headers.items())
                               if k.lower() not in ("content-length", "content-encoding")}
        new_resp.update(_encode_body(body, header(resp_headers, "content-type")))
        interactions.append({"request": new_req, "response": new_resp})
    return {"harness_cassette_version": CASSETTE_VERSION, "provenance": provenance,
            "interactions": interactions}


def from_document(doc: Any, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our document -> (vcrpy's cassette dict, provenance); raises CassetteCorruptError."""
    if not isinstance(doc, dict) or "interactions" not in doc:
        raise CassetteCorruptError(f"{where}: not a harness cassette (no 'interactions')")
    version = doc.get("harness_cassette_version")
    if version != CASSETTE_VERSION:
        raise CassetteCorruptError(
            f"{where}: cassette format version {version!r}, this harness reads "
            f"{CASSETTE_VERSION}; re-record it with 'conformance record'")
    interactions = []
    for item in doc["interactions"]:
        req = {k: v for k, v in item["request"].items()
               if k not in ("parsed_body", "body", "body_base64")}
        req["body"] = _decode_body(item["request"]) or None
        resp = {k: v for k, v in item["response"].items()
                if k not in ("parsed_body", "body", "body_base64")}
        raw = _decode_body(item["response"])
        resp["headers"] = dict(resp.get("headers", {}))
        resp["headers"]["content-length"] = [str(len(raw))]
        resp["body"] = {"string": raw}
        interactions.append({"request": req, "response": resp})
    return {"interactions": interactions, "version": 1}, doc.get("provenance", {})


def dump_yaml(doc: dict[str, Any]) -> str:
    """Serialize a cassette document as readable YAML."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def load_yaml(text: str, where: str) -> Any:
    """Parse cassette YAML, turning any parse failure into a CassetteCorruptError."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CassetteCorruptError(
            f"{where}: corrupt cassette ({exc.__class__.__name__}); delete it and re-record "
            f"with 'conformance record'") from None
