"""vcrpy configured for the harness: our format, atomic saves, scrubbing and matching."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request

from harness.emulators.families import ANY_WIRE
from harness.errors import CassetteCorruptError
from harness.recording import serializer as fmt
from harness.recording.atomic import write_atomic
from harness.recording.evidence import reported_model
from harness.secrets.scrub import DENY_QUERY, scrub_body, scrub_headers, scrub_uri

# Provenance to write into each cassette being recorded, by path (set by the runner).
PENDING_PROVENANCE: dict[str, dict[str, Any]] = {}
# Provenance of each cassette loaded for replay, by path.
LOADED_PROVENANCE: dict[str, dict[str, Any]] = {}
# Paths being recorded afresh: the old file is not loaded and is replaced atomically on save.
FRESH: set[str] = set()
# Paths whose recording must not be saved (a transient failure to retry, a dry run).
DISCARD: set[str] = set()
# Credentials the run was given (live): redacted wherever they appear, whatever the position.
KNOWN_SECRETS: set[str] = set()


# The last cassette parsed, by (path, mtime, size): a replayed cell reads its cassette's
# provenance to build the call, then vcrpy loads the same file; YAML parsing is the bulk of a
# replay's time, so it is done once.
_PARSED: dict[str, tuple[tuple[int, int], Any]] = {}


def read_cassette(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(vcrpy's cassette dict, provenance) of a cassette file; CassetteCorruptError if bad."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _PARSED.get(str(path))
    if cached is None or cached[0] != key:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CassetteCorruptError(
                f"{path}: not UTF-8 text (binary garbage?); delete it and re-record with "
                f"'conformance record'") from None
        _PARSED.clear()
        _PARSED[str(path)] = cached = (key, fmt.load_yaml(text, str(path)))
    return fmt.from_document(cached[1], str(path))


class HarnessPersister:
    """Loads and saves cassettes in our format; saves are atomic."""

    @classmethod
    def load_cassette(cls, cassette_path: str | Path, serializer: Any) -> Any:
        path = Path(cassette_path)
        if str(path) in FRESH or not path.is_file():
            raise CassetteNotFoundError()
        vcr_dict, provenance = read_cassette(path)
        LOADED_PROVENANCE[str(path)] = provenance
        requests = [Request._from_dict(i["request"]) for i in vcr_dict["interactions"]]
        responses = [i["response"] for i in vcr_dict["interactions"]]
        return requests, responses

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: dict[str, Any],
                      serializer: Any) -> None:
        if str(cassette_path) in DISCARD:
            return
        pairs = list(zip(cassette_dict["requests"], cassette_dict["responses"]))
        interactions = [{"request": req._to_dict(), "response": resp} for req, resp in pairs]
        provenance = dict(PENDING_PROVENANCE.get(str(cassette_path), {}))
        if provenance:
            # The model the provider says answered (a live alias resolves to a dated id).
            provenance["reported_model"] = reported_model(pairs)
        doc = fmt.to_document({"interactions": interactions}, provenance)
        write_atomic(Path(cassette_path), fmt.dump_yaml(doc))


def _before_record_request(request: Request) -> Request:
    request.uri = scrub_uri(request.uri, KNOWN_SECRETS)
    ctype = next((str(v) for k, v in request.headers.items() if k.lower() == "content-type"), "")
    if isinstance(request.body, (bytes, str)):  # file/iterator bodies are left as they are
        request.body = scrub_body(request.body, ctype, KNOWN_SECRETS)
    request.headers = scrub_headers(dict(request.headers), KNOWN_SECRETS)
    return request


def _before_record_response(response: dict[str, Any]) -> dict[str, Any]:
    ctype = next((str(v[0] if isinstance(v, list) else v)
                  for k, v in (response.get("headers") or {}).items()
                  if k.lower() == "content-type"), "")
    if isinstance(response.get("body"), dict):
        response["body"]["string"] = scrub_body(response["body"].get("string"), ctype,
                                                KNOWN_SECRETS)
    response["headers"] = scrub_headers(dict(response.get("headers", {})), KNOWN_SECRETS)
    return response


def _query_without_secrets(r1: Request, r2: Request) -> None:
    q1 = sorted((k, v) for k, v in r1.query if k.lower() not in DENY_QUERY)
    q2 = sorted((k, v) for k, v in r2.query if k.lower() not in DENY_QUERY)
    assert q1 == q2, f"query {q1} != {q2}"


def _structure(request: Request) -> dict[str, Any]:
    """The parts of a request body that decide how the provider answers."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return ANY_WIRE.request_structure(body) if isinstance(body, dict) else {}


def _request_structure(r1: Request, r2: Request) -> None:
    s1, s2 = _structure(r1), _structure(r2)
    assert s1 == s2, f"structured request keys {s1} != {s2}"


def build_vcr(record_mode: str) -> vcr.VCR:
    """A VCR for one record mode ('none' replays and blocks every unrecorded request)."""
    v = vcr.VCR(
        record_mode=record_mode,
        match_on=["method", "path", "harness_query", "harness_structure"],
        before_record_request=_before_record_request,
        before_record_response=_before_record_response,
        decode_compressed_response=True,
    )
    v.register_persister(HarnessPersister)
    v.register_matcher("harness_query", _query_without_secrets)
    v.register_matcher("harness_structure", _request_structure)
    return v
