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


_REBUILD = "delete it and re-record with 'conformance record'"
_BODY_KEYS = ("parsed_body", "body", "body_base64")


def _kind(value: Any) -> str:
    return "a mapping" if isinstance(value, dict) else type(value).__name__


def _headers_problem(headers: Any, side: str) -> str | None:
    if not isinstance(headers, dict):
        return f"{side} headers are {_kind(headers)}, not a mapping"
    for name, value in headers.items():
        if not isinstance(name, str):
            return f"{side} header name {name!r} is not text"
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return f"{side} header {name!r} is not text or a list of texts"
    return None


def _side_problem(node: Any, side: str, fields: dict[str, type]) -> str | None:
    """Why one side of an interaction is malformed (None: it is well-formed)."""
    if not isinstance(node, dict):
        return f"{side} is {_kind(node)}, not a mapping"
    for name, kind in fields.items():
        if name not in node:
            return f"{side} has no {name!r}"
        if not isinstance(node[name], kind) or isinstance(node[name], bool):
            return f"{side} {name!r} is {_kind(node[name])}, not {kind.__name__}"
    for name in ("body", "body_base64"):
        if name in node and not isinstance(node[name], str):
            return f"{side} {name!r} is {_kind(node[name])}, not text"
    return _headers_problem(node.get("headers"), side)


def _interaction_problem(item: Any) -> str | None:
    """Why an interaction is not one the harness can replay (None: it is well-formed)."""
    if not isinstance(item, dict):
        return f"{_kind(item)}, not a mapping with 'request' and 'response'"
    found = _side_problem(item.get("request"), "request", {"method": str, "uri": str})
    if found:
        return found
    found = _side_problem(item.get("response"), "response", {"status": dict})
    if found:
        return found
    status = item["response"]["status"]
    code = status.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        return f"response status code is {_kind(code)}, not an integer"
    if not isinstance(status.get("message", ""), str):
        return "response status message is not text"
    return None


def _convert(item: dict[str, Any]) -> dict[str, Any]:
    req = {k: v for k, v in item["request"].items() if k not in _BODY_KEYS}
    req["body"] = _decode_body(item["request"]) or None
    resp = {k: v for k, v in item["response"].items() if k not in _BODY_KEYS}
    raw = _decode_body(item["response"])
    resp["headers"] = dict(resp.get("headers", {}))
    resp["headers"]["content-length"] = [str(len(raw))]
    resp["body"] = {"string": raw}
    return {"request": req, "response": resp}


def from_document(doc: Any, where: str, fix: str = _REBUILD
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our document -> (vcrpy's cassette dict, provenance); raises CassetteCorruptError.

    Every interaction is checked before vcrpy sees it: a malformed one (a number where a
    request belongs, headers that are not a mapping, a body that does not decode) is one
    line naming the file and the interaction, never a TypeError from deep inside vcrpy.
    `fix` ends each structural error line.
    """
    if not isinstance(doc, dict) or "interactions" not in doc:
        raise CassetteCorruptError(f"{where}: not a harness cassette (no 'interactions')")
    version = doc.get("harness_cassette_version")
    if version != CASSETTE_VERSION:
        raise CassetteCorruptError(
            f"{where}: cassette format version {version!r}, this harness reads "
            f"{CASSETTE_VERSION}; re-record it with 'conformance record'")
    items, provenance = doc["interactions"], doc.get("provenance", {})
    if not isinstance(items, list):
        raise CassetteCorruptError(f"{where}: 'interactions' is {_kind(items)}, not a list; "
                                   f"{fix}")
    if not isinstance(provenance, dict):
        raise CassetteCorruptError(f"{where}: 'provenance' is {_kind(provenance)}, not a "
                                   f"mapping; {fix}")
    interactions = []
    for index, item in enumerate(items):
        problem = _interaction_problem(item)
        if problem is None:
            try:
                interactions.append(_convert(item))
            except (TypeError, ValueError) as exc:  # bad base64, a YAML date in a JSON body
                problem = f"a body does not decode ({' '.join(str(exc).split())[:100]})"
        if problem is not None:
            raise CassetteCorruptError(f"{where}: interactions[{index}]: {problem}; {fix}")
    return {"interactions": interactions, "version": 1}, provenance


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
