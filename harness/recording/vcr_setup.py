"""vcrpy configured for the harness: our format, atomic saves, scrubbing and matching.

A `Recorder` owns one VCR and the state of the cell it is running (`CellCassette`), handed to
vcrpy's persister and hooks as an object: nothing lives in module globals.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request

from harness.recording import serializer as fmt
from harness.recording.atomic import write_atomic
from harness.recording.cassette import CellCassette, read_cassette
from harness.recording.evidence import reported_model
from harness.secrets.record import register_secret, run_secrets
from harness.secrets.scrub import (
    DENY_QUERY,
    credential_values,
    issued_tokens,
    scrub_body,
    scrub_headers,
    scrub_uri,
)
from harness.wire import WireFamily


class HarnessPersister:
    """Loads and saves cassettes in our format for the recorder's current cell; saves are atomic."""

    def __init__(self) -> None:
        self.current: CellCassette | None = None

    def _state(self, cassette_path: str | Path) -> CellCassette:
        state = self.current
        if state is None or str(state.path) != str(cassette_path):
            state = CellCassette(Path(cassette_path))  # a cassette used outside a cell
        return state

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> Any:
        """vcrpy's (requests, responses) of the cell's cassette."""
        state = self._state(cassette_path)
        if state.fresh or not state.path.is_file():
            raise CassetteNotFoundError()
        vcr_dict, state.loaded = read_cassette(state.path)
        requests = [Request._from_dict(i["request"]) for i in vcr_dict["interactions"]]
        for request in requests:
            request.harness_recorded = True  # scrubbed when it was recorded (see the Recorder)
        responses = [i["response"] for i in vcr_dict["interactions"]]
        return requests, responses

    def save_cassette(self, cassette_path: str | Path, cassette_dict: dict[str, Any],
                      serializer: Any) -> None:
        """Write the cell's interactions and provenance atomically, unless it is discarded."""
        state = self._state(cassette_path)
        if state.discard:
            return
        pairs = list(zip(cassette_dict["requests"], cassette_dict["responses"], strict=True))
        interactions = [{"request": req._to_dict(), "response": resp} for req, resp in pairs]
        provenance = dict(state.pending)
        if provenance and state.wire is not None:
            # The model the provider says answered (a live alias resolves to a dated id).
            provenance["reported_model"] = reported_model(pairs, state.wire)
        doc = fmt.to_document({"interactions": interactions}, provenance)
        write_atomic(state.path, fmt.dump_yaml(doc))


def _content_type(headers: Any) -> str:
    return next((str(v[0] if isinstance(v, list) else v) for k, v in (headers or {}).items()
                 if k.lower() == "content-type"), "")


def _query_without_secrets(r1: Request, r2: Request) -> None:
    q1 = sorted((k, v) for k, v in r1.query if k.lower() not in DENY_QUERY)
    q2 = sorted((k, v) for k, v in r2.query if k.lower() not in DENY_QUERY)
    assert q1 == q2, f"query {q1} != {q2}"


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _same(a: Request, b: Request) -> bool:
    return (a.method, a.uri, a.body) == (b.method, b.uri, b.body)


class Recorder:
    """A VCR for one record mode ('none' replays and blocks every unrecorded request)."""

    def __init__(self, record_mode: str) -> None:
        self.replaying = record_mode == "none"
        self.persister = HarnessPersister()
        # Per cell: request structures by body, and (replaying) each scrubbed request.
        self._structures: dict[tuple[int, Any], Any] = {}
        self._scrubbed: dict[tuple[Any, ...], Request] = {}
        self.vcr = vcr.VCR(
            record_mode=record_mode,
            match_on=["method", "path", "harness_query", "harness_structure"],
            before_record_request=self._before_record_request,
            before_record_response=self._before_record_response,
            decode_compressed_response=True,
        )
        self.vcr.register_persister(self.persister)
        self.vcr.register_matcher("harness_query", _query_without_secrets)
        self.vcr.register_matcher("harness_structure", self._request_structure)

    @contextlib.contextmanager
    def cell(self, state: CellCassette) -> Iterator[CellCassette]:
        """Make `state` the cassette state of everything recorded or replayed in the block."""
        self.persister.current = state
        self._structures.clear()
        self._scrubbed.clear()
        try:
            yield state
        finally:
            self.persister.current = None

    def _secrets(self) -> frozenset[str]:
        # The cell's credentials, and every secret this process knows (variables, configured
        # URLs, tokens derived earlier in the run), with their encodings.
        own = self.persister.current.secrets if self.persister.current else set()
        known = run_secrets()
        return known | own if own else known

    def _recording(self) -> bool:
        return bool(self.persister.current and self.persister.current.pending)

    def _request_structure(self, r1: Request, r2: Request) -> None:
        state = self.persister.current
        if state is None or state.wire is None:
            return  # a cassette used outside a cell: method, path and query decide
        s1, s2 = self._structure(state.wire, r1), self._structure(state.wire, r2)
        assert s1 == s2, f"structured request keys {s1} != {s2}"

    def _structure(self, wire: WireFamily, request: Request) -> Any:
        # vcrpy runs every matcher against every recorded request, for each of the three times
        # it looks a request up: each body is parsed once per cell, not once per comparison.
        key = (id(wire), request.body)
        if key not in self._structures:
            self._structures[key] = wire.request_structure(_body(request))
        return self._structures[key]

    def _before_record_request(self, request: Request) -> Request:
        # vcrpy hands every request here before matching or recording it (a deep copy).
        if self.replaying:
            return self._replayed_request(request)
        return self._scrubbed_request(request)

    def _replayed_request(self, request: Request) -> Request:
        if getattr(request, "harness_recorded", False):
            # A replay loading its cassette: the file was scrubbed when it was recorded, and a
            # replay writes nothing (as for the responses, below).
            return request
        # The library's request, which vcrpy hands over three times per lookup: scrubbed once.
        key = (request.method, request.uri, request.body, repr(list(request.headers.items())))
        if key not in self._scrubbed:
            self._scrubbed[key] = self._scrubbed_request(request)
        done = self._scrubbed[key]
        request.uri, request.body, request.headers = done.uri, done.body, dict(done.headers)
        return request

    def _scrubbed_request(self, request: Request) -> Request:
        if self._recording():
            for value in credential_values(dict(request.headers)):
                register_secret(value)  # a derived token echoed later is redacted too
        secrets = self._secrets()
        request.uri = scrub_uri(request.uri, secrets)
        if isinstance(request.body, (bytes, str)):  # file/iterator bodies are left as they are
            request.body = scrub_body(request.body, _content_type(request.headers), secrets)
        request.headers = scrub_headers(dict(request.headers), secrets)
        state = self.persister.current
        if state is not None and not (state.presented and _same(state.presented[-1], request)):
            state.presented.append(request)  # a drift's evidence: each request once in a row
        return request

    def _before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        if self.replaying:
            # vcrpy passes every recorded response through here as it loads a cassette; a
            # replay writes nothing and the file was scrubbed when it was recorded.
            return response
        if self._recording() and isinstance(response.get("body"), dict):
            for value in issued_tokens(response["body"].get("string")):
                register_secret(value)  # an OAuth token the provider issued during the run
        secrets = self._secrets()
        if isinstance(response.get("body"), dict):
            response["body"]["string"] = scrub_body(
                response["body"].get("string"), _content_type(response.get("headers")), secrets)
        response["headers"] = scrub_headers(dict(response.get("headers", {})), secrets)
        return response
