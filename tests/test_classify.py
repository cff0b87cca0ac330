"""Which layer is at fault, for real exceptions of each library, raised by that library.

Every exception here comes out of the library that owns it (litellm refusing a parameter,
httpx and aiohttp failing against a local socket, instructor exhausting its retries on a mocked
answer, vcrpy refusing a request its cassette lacks), so its type, its chain of causes and its
traceback are what a cell really sees. Each test asserts the outcome and the layer.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import instructor
import litellm
import openai
import pydantic
import pydantic_core
import pytest
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException

from harness.errors import CassetteMissingError
from harness.failures import chain, is_replay_miss, root_cause, transport_failure
from harness.recording.netguard import NetworkBlockedError, block_network
from harness.scenarios.execute import ContractViolation, _async_iterable, _sync_iterable
from harness.verdict.classify import Classification, classify, describe, innermost_layer

MESSAGES = [{"role": "user", "content": "Extract: Jason is 25 years old"}]
ERROR_PROVIDER = Classification("error", "provider")
ERROR_LITELLM = Classification("error", "litellm")
UNSUPPORTED = Classification("unsupported", "litellm")
ERROR_HARNESS = Classification("error", "harness")


class User(pydantic.BaseModel):
    name: str
    age: int


def raised_by(call: Callable[[], Any]) -> BaseException:
    """The exception `call` raises (its traceback is the library's own)."""
    try:
        call()
    except BaseException as caught:  # any exception is the subject here
        return caught
    raise AssertionError(f"{call} did not raise")


def throw(exc: BaseException) -> None:
    raise exc


def verdicts(exc: BaseException, error_status: int | None = None) -> tuple[Classification, ...]:
    """classify() with no request sent, and with one sent."""
    return (classify(exc, http_requests=0, error_status=error_status),
            classify(exc, http_requests=1, error_status=error_status))


# --- local sockets: nothing goes beyond this machine -------------------------------------------

def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Server:
    """A loopback server answering every request with the same raw bytes, then closing."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply  # None: accept nothing, answer nothing (a silent peer)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        if reply is not None:
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                _read_request(conn)
                conn.sendall(self.reply or b"")

    def close(self) -> None:
        self.sock.close()


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@pytest.fixture(scope="module")
def server() -> Iterator[Callable[[bytes | None], str]]:
    """Start loopback servers by their reply; all are closed at the end of the module."""
    started: list[_Server] = []

    def start(reply: bytes | None) -> str:
        started.append(_Server(reply))
        return started[-1].url

    yield start
    for one in started:
        one.close()


DISCONNECT = b""  # the peer closes without answering
SHORT_BODY = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
              b'{"id":')
SHORT_CHUNKED = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n10\r\ndata: {\"id\":")


def _status(code: int, reason: str, kind: str) -> bytes:
    body = f'{{"error": {{"message": "nope", "type": "{kind}"}}}}'.encode()
    return (f"HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


# --- litellm refusing before any request: unsupported ------------------------------------------

def test_litellm_refusing_a_parameter_before_sending_is_unsupported_litellm() -> None:
    exc = raised_by(lambda: litellm.completion(
        model="cohere_chat/command-a-03-2025", messages=MESSAGES, api_key="x",
        response_format={"type": "json_object"}))
    assert type(exc) is litellm.exceptions.UnsupportedParamsError
    assert isinstance(exc, litellm.exceptions.BadRequestError)
    assert verdicts(exc) == (UNSUPPORTED, ERROR_LITELLM)  # after a request: not a refusal
    assert classify(exc, http_requests=0, error_status=400) == ERROR_PROVIDER
    assert transport_failure(exc) is None
    name, message = describe(exc)
    assert name == "UnsupportedParamsError"
    assert message.startswith("litellm.UnsupportedParamsError: cohere_chat does not support "
                              "parameters: ['response_format'], for model=command-a-03-2025.")


def test_litellm_refusing_through_another_providers_route_is_unsupported_litellm() -> None:
    exc = raised_by(lambda: litellm.completion(
        model="openai/gpt-4o-mini", messages=MESSAGES, api_key="k",
        api_base="http://replay.invalid/v1", response_format={"type": "json_schema"}, top_k=3,
        custom_llm_provider="cohere_chat", drop_params=False))
    assert type(exc) is litellm.exceptions.UnsupportedParamsError
    assert verdicts(exc) == (UNSUPPORTED, ERROR_LITELLM)


def test_litellm_bad_request_before_sending_is_unsupported_litellm() -> None:
    exc = raised_by(lambda: litellm.completion(
        model="anthropic/claude-3-haiku-20240307", messages=[], api_key="k",
        api_base=f"http://127.0.0.1:{_closed_port()}"))
    assert type(exc) is litellm.exceptions.BadRequestError
    assert verdicts(exc) == (UNSUPPORTED, ERROR_LITELLM)
    unknown = raised_by(lambda: litellm.completion(model="nosuchprovider/x", messages=MESSAGES,
                                                   api_key="k"))
    assert type(unknown) is litellm.exceptions.BadRequestError
    assert describe(unknown)[1].startswith("litellm.BadRequestError: LLM Provider NOT provided.")
    assert verdicts(unknown) == (UNSUPPORTED, ERROR_LITELLM)


def test_litellm_api_error_before_sending_is_unsupported_litellm() -> None:
    # Azure without an endpoint: litellm wraps the client's ValueError in its APIError.
    exc = raised_by(lambda: litellm.completion(model="azure/gpt-4o", messages=MESSAGES,
                                               api_key="k", api_base=None, max_retries=0))
    assert type(exc) is litellm.exceptions.APIError
    assert [type(e).__name__ for e in chain(exc)] == ["APIError", "AzureOpenAIError",
                                                      "ValueError"]
    assert verdicts(exc) == (UNSUPPORTED, ERROR_LITELLM)


def test_a_plain_exception_or_value_error_raised_by_litellm_is_unsupported_litellm() -> None:
    plain = raised_by(lambda: litellm.get_max_tokens("no-such-model-for-the-harness"))
    assert type(plain) is Exception
    assert verdicts(plain) == (UNSUPPORTED, ERROR_LITELLM)
    value = raised_by(lambda: litellm.utils.get_optional_params(
        model="ibm/granite-13b", custom_llm_provider="watsonx", decoding_method="greedy"))
    assert type(value) is ValueError
    assert verdicts(value) == (UNSUPPORTED, ERROR_LITELLM)


def test_a_litellm_type_error_before_sending_is_litellms_error_not_unsupported() -> None:
    exc = raised_by(lambda: litellm.token_counter(model="gpt-4o", messages="not a list"))
    assert type(exc) is TypeError
    assert verdicts(exc) == (ERROR_LITELLM, ERROR_LITELLM)


def test_another_litellm_refusal_type_is_litellms_error_not_unsupported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    exc = raised_by(lambda: litellm.completion(model="anthropic/claude-3-haiku-20240307",
                                               messages=MESSAGES, api_key=None))
    assert type(exc) is litellm.exceptions.AuthenticationError
    assert verdicts(exc) == (ERROR_LITELLM, ERROR_LITELLM)


# --- the provider answering an error status ----------------------------------------------------

def test_an_error_status_from_the_provider_is_the_provider(
        server: Callable[[bytes | None], str]) -> None:
    url = server(_status(400, "Bad Request", "invalid_request_error"))
    exc = raised_by(lambda: litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES,
                                               api_key="k", api_base=f"{url}/v1",
                                               max_retries=0))
    assert type(exc) is litellm.exceptions.BadRequestError
    assert classify(exc, http_requests=1, error_status=400) == ERROR_PROVIDER
    assert classify(exc, http_requests=1, error_status=399) == ERROR_LITELLM
    assert classify(exc, http_requests=1, error_status=None) == ERROR_LITELLM


def test_a_400_refusing_a_parameter_the_api_lacks_is_litellms_request(
        server: Callable[[bytes | None], str]) -> None:
    # OpenAI's answer to litellm 1.83's Responses request (a Chat Completions tool_choice):
    # the provider is right to refuse; litellm built the request.
    body = (b'{"error": {"message": "Unknown parameter: \'tool_choice.function\'.", "type": '
            b'"invalid_request_error", "param": "tool_choice.function", "code": '
            b'"unknown_parameter"}}')
    reply = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: "
             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    url = server(reply)
    exc = raised_by(lambda: litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES,
                                               api_key="k", api_base=f"{url}/v1",
                                               max_retries=0))
    assert classify(exc, http_requests=1, error_status=400) == ERROR_LITELLM
    assert classify(exc, http_requests=1, error_status=500) == ERROR_PROVIDER
    for message in ('Invalid JSON payload received. Unknown name "response_format": Cannot '
                    "find field.", "output_format: Extra inputs are not permitted"):
        assert classify(ValueError(message), http_requests=1, error_status=400) == \
            ERROR_LITELLM


def test_an_unavailable_provider_is_the_provider_even_without_a_recorded_status(
        server: Callable[[bytes | None], str]) -> None:
    url = server(_status(503, "Service Unavailable", "server_error"))
    exc = raised_by(lambda: litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES,
                                               api_key="k", api_base=f"{url}/v1",
                                               max_retries=0))
    assert type(exc) is litellm.exceptions.ServiceUnavailableError
    assert verdicts(exc, error_status=503) == (ERROR_PROVIDER, ERROR_PROVIDER)
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)  # the name alone says so


@pytest.mark.parametrize("mock,name", [("litellm.RateLimitError", "RateLimitError"),
                                       ("litellm.InternalServerError", "InternalServerError")])
def test_litellms_provider_side_errors_are_the_provider(mock: str, name: str) -> None:
    exc = raised_by(lambda: litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES,
                                               api_key="k", mock_response=mock))
    assert type(exc).__name__ == name
    assert transport_failure(exc) is None
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_a_litellm_timeout_is_the_provider() -> None:
    exc = raised_by(lambda: litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES,
                                               api_key="k", mock_response="x", mock_timeout=True,
                                               timeout=0.01))
    assert type(exc) is litellm.exceptions.Timeout
    assert transport_failure(exc) == "timeout (Timeout)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_litellms_connection_error_over_an_answer_that_is_not_json_is_the_provider(
        server: Callable[[bytes | None], str]) -> None:
    # A 200 whose body is not JSON: litellm raises its APIConnectionError over the parse error,
    # no transport exception in the chain; the provider answered wrongly.
    body = b'{"id": "msg_1", "type": '
    url = server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    exc = raised_by(lambda: litellm.completion(
        model="anthropic/claude-3-haiku-20240307", messages=MESSAGES, api_key="k",
        api_base=url, max_retries=0))
    assert type(exc) is litellm.exceptions.APIConnectionError
    assert [type(e).__name__ for e in chain(exc)][-2:] == ["JSONDecodeError", "StopIteration"]
    assert transport_failure(exc) is None
    assert classify(exc, http_requests=1, error_status=None) == ERROR_PROVIDER


# --- transport failures: a provider-side error, never unsupported ------------------------------

def test_httpx_connect_error_is_the_provider() -> None:
    exc = raised_by(lambda: httpx.get(f"http://127.0.0.1:{_closed_port()}/v1"))
    assert type(exc) is httpx.ConnectError
    assert transport_failure(exc) == "connection failure (ConnectError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)
    assert innermost_layer(exc) == "litellm"  # httpx is litellm's transport


def test_httpx_read_timeout_is_the_provider(server: Callable[[bytes | None], str]) -> None:
    url = server(None)
    exc = raised_by(lambda: httpx.get(url, timeout=0.2))
    assert type(exc) is httpx.ReadTimeout
    assert transport_failure(exc) == "timeout (TimeoutError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_openai_timeout_and_connection_errors_are_the_provider(
        server: Callable[[bytes | None], str]) -> None:
    def call(base: str, timeout: float = 5.0) -> Any:
        client = openai.OpenAI(api_key="k", base_url=f"{base}/v1", max_retries=0,
                               timeout=timeout)
        return client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]

    slow = raised_by(lambda: call(server(None), timeout=0.2))
    assert type(slow) is openai.APITimeoutError
    # openai -> httpx -> httpcore: the root cause is the innermost explicit cause.
    assert slow.__cause__ is not None and slow.__cause__.__cause__ is not None
    assert root_cause(slow) is slow.__cause__.__cause__
    assert type(root_cause(slow)).__name__ == "ReadTimeout"
    assert transport_failure(slow) == "timeout (TimeoutError)"
    assert verdicts(slow) == (ERROR_PROVIDER, ERROR_PROVIDER)
    refused = raised_by(lambda: call(f"http://127.0.0.1:{_closed_port()}"))
    assert type(refused) is openai.APIConnectionError
    assert transport_failure(refused) == "connection failure (ConnectError)"
    assert verdicts(refused) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_litellm_connection_error_wrapping_httpx_is_the_provider() -> None:
    exc = raised_by(lambda: litellm.completion(
        model="gemini/gemini-2.0-flash", messages=MESSAGES, api_key="k",
        api_base=f"http://127.0.0.1:{_closed_port()}", max_retries=0))
    assert type(exc) is litellm.exceptions.APIConnectionError
    assert [type(e).__name__ for e in chain(exc)][:2] == ["APIConnectionError", "ConnectError"]
    assert transport_failure(exc) == "connection failure (ConnectError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_litellm_wrapping_the_openai_sdks_connection_error_is_the_provider() -> None:
    exc = raised_by(lambda: litellm.completion(
        model="openai/gpt-4o-mini", messages=MESSAGES, api_key="k",
        api_base=f"http://127.0.0.1:{_closed_port()}/v1", max_retries=0))
    assert [type(e).__module__ + "." + type(e).__name__ for e in chain(exc)][:4] == [
        "litellm.exceptions.InternalServerError", "litellm.llms.openai.common_utils.OpenAIError",
        "openai.APIConnectionError", "httpx.ConnectError"]
    assert transport_failure(exc) == "connection failure (ConnectError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


async def _aiohttp_get(url: str) -> bytes:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return await response.read()


def test_aiohttp_server_disconnected_is_the_provider(
        server: Callable[[bytes | None], str]) -> None:
    exc = raised_by(lambda: asyncio.run(_aiohttp_get(server(DISCONNECT))))
    assert type(exc) is aiohttp.ServerDisconnectedError
    assert transport_failure(exc) == "connection dropped mid-response (ServerDisconnectedError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


@pytest.mark.parametrize("reply,deepest", [(SHORT_BODY, "ContentLengthError"),
                                           (SHORT_CHUNKED, "TransferEncodingError")],
                         ids=["content-length", "chunked"])
def test_aiohttp_payload_error_is_the_provider(server: Callable[[bytes | None], str],
                                               reply: bytes, deepest: str) -> None:
    exc = raised_by(lambda: asyncio.run(_aiohttp_get(server(reply))))
    assert type(exc) is aiohttp.ClientPayloadError
    assert transport_failure(exc) == f"connection dropped mid-response ({deepest})"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_litellm_async_over_aiohttp_dropped_is_the_provider(
        server: Callable[[bytes | None], str]) -> None:
    url = server(DISCONNECT)
    exc = raised_by(lambda: asyncio.run(litellm.acompletion(
        model="anthropic/claude-3-haiku-20240307", messages=MESSAGES, api_key="k", api_base=url,
        max_retries=0)))
    assert type(exc) is litellm.exceptions.InternalServerError
    assert [type(e).__name__ for e in chain(exc)][-2:] == ["ReadError", "ServerDisconnectedError"]
    assert transport_failure(exc) == "connection dropped mid-response (ServerDisconnectedError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_a_socket_reset_is_a_connection_reset_of_the_provider() -> None:
    def reset() -> None:
        raise ConnectionResetError(104, "Connection reset by peer")

    def wrapped() -> None:
        try:
            reset()
        except ConnectionResetError as exc:
            raise httpx.ReadError("reset") from exc

    exc = raised_by(wrapped)
    assert transport_failure(exc) == "connection reset (ConnectionResetError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)
    aborted = raised_by(lambda: throw(ConnectionAbortedError("aborted")))
    assert transport_failure(aborted) == "connection reset (ConnectionAbortedError)"
    broken = raised_by(lambda: throw(BrokenPipeError("pipe")))
    assert transport_failure(broken) == "connection reset (BrokenPipeError)"


# --- instructor and pydantic ---------------------------------------------------------------------

def test_instructor_exhausting_its_retries_is_instructor() -> None:
    client = instructor.from_litellm(litellm.completion, mode=instructor.Mode.JSON)
    exc = raised_by(lambda: client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=MESSAGES, response_model=User,  # type: ignore[arg-type]
        max_retries=1, mock_response='{"name": "Jason", "age": "old"}', api_key="k"))
    assert type(exc).__name__ == "InstructorRetryException"
    attempts = exc.failed_attempts  # type: ignore[attr-defined]
    assert [type(a.exception).__name__ for a in attempts] == ["ValidationError",
                                                              "ValidationError"]
    assert root_cause(exc) is attempts[-1].exception
    assert verdicts(exc) == (Classification("error", "instructor"),) * 2
    # The failing frame lives under instructor/v2/providers/openai/: still instructor's.
    assert innermost_layer(attempts[-1].exception) == "instructor"
    name, message = describe(exc)
    assert name == "ValidationError"
    assert message.startswith("1 validation error for User\nage\n  Input should be a valid "
                              "integer [type=int_type, input_value='old', input_type=str]")


def test_a_validation_error_raised_by_pydantic_for_its_caller_is_pydantic() -> None:
    exc = raised_by(lambda: User.model_validate_json('{"name": "Jason", "age": "x"}'))
    assert isinstance(exc, pydantic.ValidationError)
    assert verdicts(exc) == (Classification("error", "pydantic"),) * 2


def test_validation_error_blames_the_caller_not_pydantic() -> None:
    # A frame whose file lives in an `instructor` package hands pydantic bad data.
    code = compile("def parse(M):\n    M.model_validate({'name': 'x', 'age': 'x'})\n",
                   "/site-packages/instructor/processing/fake.py", "exec")
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    exc = raised_by(lambda: namespace["parse"](User))
    assert verdicts(exc) == (Classification("error", "instructor"),) * 2
    assert describe(exc)[0] == "ValidationError"


# --- the harness's own errors --------------------------------------------------------------------

def _replay(cell: str) -> None:
    raise CassetteMissingError(f"no cassette for {cell}: run 'conformance record'")


def test_a_missing_cassette_is_the_harness_whatever_else_is_known() -> None:
    exc = raised_by(lambda: _replay("openai/tools/sync"))
    assert verdicts(exc) == (ERROR_HARNESS, ERROR_HARNESS)
    assert verdicts(exc, error_status=500) == (ERROR_HARNESS, ERROR_HARNESS)

    def during_a_dropped_connection() -> None:
        try:
            httpx.get(f"http://127.0.0.1:{_closed_port()}/")
        except httpx.ConnectError:
            _replay("openai/tools/sync")

    mixed = raised_by(during_a_dropped_connection)
    assert transport_failure(mixed) is None
    assert classify(mixed, http_requests=1, error_status=503) == ERROR_HARNESS


def test_a_request_missing_from_the_cassette_is_the_harness(tmp_path: Path) -> None:
    recorder = vcr.VCR(record_mode="none")
    with recorder.use_cassette(str(tmp_path / "empty.yaml")):
        exc = raised_by(lambda: httpx.post("http://replay.invalid/v1/chat/completions", json={}))
    assert type(exc) is CannotOverwriteExistingCassetteException
    assert "Can't play back this request" in str(exc)  # the text survives litellm's wrapping
    assert is_replay_miss(exc) is True
    assert innermost_layer(exc) == "harness"  # vcrpy's frames are the harness's
    assert verdicts(exc) == (ERROR_HARNESS, ERROR_HARNESS)
    assert verdicts(exc, error_status=500) == (ERROR_HARNESS, ERROR_HARNESS)


def test_litellm_wrapping_a_replay_miss_is_the_harness(tmp_path: Path) -> None:
    recorder = vcr.VCR(record_mode="none")
    with recorder.use_cassette(str(tmp_path / "empty.yaml")):
        exc = raised_by(lambda: litellm.completion(
            model="openai/gpt-4o-mini", messages=MESSAGES, api_key="k",
            api_base="http://replay.invalid/v1", max_retries=0))
    assert type(exc) is litellm.exceptions.InternalServerError
    assert type(chain(exc)[-1]) is CannotOverwriteExistingCassetteException
    assert transport_failure(exc) is None
    assert verdicts(exc) == (ERROR_HARNESS, ERROR_HARNESS)


def test_a_blocked_network_is_the_harness_not_a_refused_connection() -> None:
    with block_network():
        exc = raised_by(lambda: httpx.get(f"http://127.0.0.1:{_closed_port()}/"))
    assert type(chain(exc)[-1]) is NetworkBlockedError
    assert transport_failure(exc) is None
    assert verdicts(exc) == (ERROR_HARNESS, ERROR_HARNESS)


def test_a_replay_miss_known_only_by_its_text_is_the_harness() -> None:
    # litellm keeps only the text when it re-raises; the marker is what is left.
    for text in ("Can't play back this request", "Can't overwrite existing cassette",
                 "the network is blocked"):
        wrapper = litellm.exceptions.APIConnectionError(f"OpenAIException - {text} ...",
                                                        "openai", "gpt-4o-mini")
        exc = raised_by(lambda wrapper=wrapper: throw(wrapper))  # type: ignore[misc]
        assert is_replay_miss(exc) is True, text
        assert verdicts(exc) == (ERROR_HARNESS, ERROR_HARNESS), text


# --- a layer that names itself -------------------------------------------------------------------

async def _agen() -> Any:
    yield 1


def test_a_contract_check_names_its_layer() -> None:
    exc = raised_by(lambda: _sync_iterable(_agen(), "create_partial"))
    assert type(exc) is ContractViolation
    assert str(exc) == ("sync create_partial() returned async_generator, not an iterator: a "
                        "sync 'for' loop over it fails")
    assert verdicts(exc) == (Classification("error", "instructor"),) * 2
    assert raised_by(lambda: _async_iterable([1], "create_iterable")).layer == "instructor"  # type: ignore[attr-defined]


def test_a_declared_layer_is_read_from_the_cause_or_from_the_wrapper() -> None:
    def wrapped_violation() -> None:
        try:
            _sync_iterable(_agen(), "create_partial")
        except ContractViolation as exc:
            raise RuntimeError("the scenario failed") from exc

    assert verdicts(raised_by(wrapped_violation)) == (Classification("error", "instructor"),) * 2

    def violation_over_a_cause() -> None:
        try:
            int("x")
        except ValueError as exc:
            raise ContractViolation("litellm", "bad chunk") from exc

    exc = raised_by(violation_over_a_cause)
    assert type(root_cause(exc)) is ValueError
    assert verdicts(exc) == (ERROR_LITELLM, ERROR_LITELLM)


def test_an_exception_from_no_known_layer_is_unknown() -> None:
    table: dict[str, int] = {}
    exc = raised_by(lambda: table["missing"])
    assert verdicts(exc) == (Classification("error", "unknown"),) * 2


# --- describe and the helpers --------------------------------------------------------------------

def test_describe_shortens_install_paths_and_falls_back_to_repr() -> None:
    def failing() -> None:
        raise RuntimeError('File "/opt/venv/lib/python3.11/site-packages/litellm/main.py", '
                           "line 1, in /usr/lib/python3.12/json/decoder.py")

    assert describe(raised_by(failing)) == (
        "RuntimeError", 'File "site-packages/litellm/main.py", line 1, in lib/json/decoder.py')
    assert describe(raised_by(lambda: throw(KeyError("")))) == ("KeyError", "''")
    assert describe(raised_by(lambda: throw(ValueError("  ")))) == ("ValueError",
                                                                    "ValueError('  ')")
    assert describe(raised_by(lambda: throw(ValueError("x" * 3000))))[1] == "x" * 2000


def test_root_cause_follows_causes_and_instructors_attempts() -> None:
    inner = ValueError("inner")
    try:
        try:
            raise inner
        except ValueError as e:
            raise RuntimeError("outer") from e
    except RuntimeError as outer:
        assert root_cause(outer) is inner


@pytest.mark.parametrize("path,layer", [
    ("/v/lib/python3.11/site-packages/instructor/v2/providers/openai/handlers.py", "instructor"),
    ("/v/lib/python3.11/site-packages/openai/_base_client.py", "litellm"),
    ("/v/lib/python3.11/site-packages/httpx/_client.py", "litellm"),
    ("/v/lib/python3.11/site-packages/aiohttp/client.py", "litellm"),
    ("/v/lib/python3.11/site-packages/pydantic_core/core_schema.py", "pydantic"),
    ("/v/lib/python3.11/site-packages/jiter/__init__.py", "instructor"),
    ("/v/lib/python3.11/site-packages/vcr/stubs/__init__.py", "harness"),
    ("/v/lib/python3.11/site-packages/tenacity/__init__.py", None),
    ("/v/lib/python3.11/site-packages/tenacity/litellm/x.py", None),
    ("/work/main/harness/verdict/pipeline.py", "harness"),
    ("C:\\work\\litellm\\main.py", "litellm"),
    ("/work/litellm", None),
    # A checkout in a folder named like a layer: a top-level module of site-packages is nobody's.
    ("/home/u/litellm/.venv/lib/python3.11/site-packages/typing_extensions.py", None),
])
def test_innermost_layer_by_where_the_frame_lives(path: str, layer: str | None) -> None:
    code = compile("def boom():\n    raise RuntimeError('x')\n", path, "exec")
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    assert innermost_layer(raised_by(namespace["boom"])) == layer


def test_instructor_wrapping_a_litellm_error_blames_litellm_not_instructor() -> None:
    client = instructor.from_litellm(litellm.completion, mode=instructor.Mode.JSON)
    exc = raised_by(lambda: client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=MESSAGES, response_model=User,  # type: ignore[arg-type]
        max_retries=1, mock_response="litellm.ContextWindowExceededError", api_key="k"))
    assert type(exc).__name__ == "InstructorRetryException"
    assert type(root_cause(exc)) is litellm.exceptions.ContextWindowExceededError
    assert innermost_layer(exc) == "instructor"  # the wrapper's frames, not the cause's
    assert classify(exc, http_requests=1, error_status=None) == ERROR_LITELLM


def test_chain_lists_every_failed_attempt_of_instructor() -> None:
    client = instructor.from_litellm(litellm.completion, mode=instructor.Mode.JSON)
    exc = raised_by(lambda: client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=MESSAGES, response_model=User,  # type: ignore[arg-type]
        max_retries=1, mock_response='{"name": "Jason", "age": "old"}', api_key="k"))
    attempts = [a.exception for a in exc.failed_attempts]  # type: ignore[attr-defined]
    assert len(attempts) == 2 and attempts[0] is not attempts[1]
    found = chain(exc)
    assert found[0] is exc
    assert len(found) == 3
    assert all(any(item is attempt for item in found) for attempt in attempts)


def _invalid(age: str) -> pydantic.ValidationError:
    exc = raised_by(lambda: User.model_validate_json(f'{{"name": "Jason", "age": "{age}"}}'))
    assert isinstance(exc, pydantic.ValidationError)
    return exc


def test_root_cause_is_instructors_last_failed_attempt_when_nothing_else_is_linked() -> None:
    from instructor.core.exceptions import FailedAttempt, InstructorRetryException

    first, second, third = _invalid("a"), _invalid("b"), _invalid("c")

    def give_up() -> None:
        raise InstructorRetryException(
            "Max retries exceeded", n_attempts=3, total_usage=0,
            failed_attempts=[FailedAttempt(1, first), FailedAttempt(2, second),
                             FailedAttempt(3, third)])

    exc = raised_by(give_up)
    assert exc.__cause__ is None and exc.__context__ is None
    assert root_cause(exc) is third
    assert describe(exc)[1].startswith("1 validation error for User\nage\n  Input should be a "
                                       "valid integer, unable to parse string as an integer "
                                       "[type=int_parsing, input_value='c'")
    assert [item is e for item, e in zip(chain(exc), [exc, third, second, first],
                                         strict=True)] == [True] * 4


def test_root_cause_follows_a_failed_attempts_own_cause() -> None:
    from instructor.core.exceptions import FailedAttempt, InstructorRetryException

    def parse() -> None:
        try:
            json.loads('{"name": ')
        except json.JSONDecodeError as exc:
            raise ValueError("the answer is not JSON") from exc

    attempt = raised_by(parse)

    def give_up() -> None:
        raise InstructorRetryException("Max retries exceeded", n_attempts=1, total_usage=0,
                                       failed_attempts=[FailedAttempt(1, attempt)])  # type: ignore[arg-type]

    assert type(root_cause(raised_by(give_up))) is json.JSONDecodeError


def test_root_cause_and_chain_survive_a_cause_cycle() -> None:
    def self_caused() -> None:
        exc = RuntimeError("loop")
        raise exc from exc

    exc = raised_by(self_caused)
    assert root_cause(exc) is exc
    assert chain(exc) == [exc]
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert root_cause(first) is first
    assert chain(first) == [first, second]


def test_a_timeout_anywhere_in_the_chain_makes_it_a_timeout() -> None:
    # A wrapper reporting a timeout over a transport error that is not one.
    def timed_out_after_a_reset() -> None:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError:
            raise litellm.exceptions.Timeout("Request timed out", model="gpt-4o-mini",
                                             llm_provider="openai") from None

    exc = raised_by(timed_out_after_a_reset)
    assert [type(e).__name__ for e in chain(exc)] == ["Timeout", "ConnectionResetError"]
    assert transport_failure(exc) == "timeout (ConnectionResetError)"
    assert verdicts(exc) == (ERROR_PROVIDER, ERROR_PROVIDER)


def test_a_pydantic_core_frame_is_pydantics_and_the_caller_is_blamed() -> None:
    raise_in_core = compile(
        "def validate(data):\n"
        "    raise ValidationError.from_exception_data('User', [{'type': 'missing', "
        "'loc': ('age',), 'input': data}])\n",
        "/v/lib/python3.11/site-packages/pydantic_core/core_schema.py", "exec")
    call_core = compile("def parse(validate):\n    validate({})\n",
                        "/v/lib/python3.11/site-packages/instructor/processing/response.py",
                        "exec")
    core: dict[str, Any] = {"ValidationError": pydantic_core.ValidationError}
    caller: dict[str, Any] = {}
    exec(raise_in_core, core)
    exec(call_core, caller)
    exc = raised_by(lambda: caller["parse"](core["validate"]))
    assert innermost_layer(exc) == "instructor"
    assert verdicts(exc) == (Classification("error", "instructor"),) * 2


class _User(pydantic.BaseModel):
    name: str
    age: int


def test_the_retry_that_ended_on_a_provider_error_blames_the_provider() -> None:
    # Attempt 1: an invalid answer (ValidationError); attempt 2: the provider's 429. instructor
    # raises its retry exception from the 429: that, not the first attempt, ended the call.
    calls: list[int] = []

    def completion(**kwargs: Any) -> Any:
        calls.append(1)
        mock = '{"name": "Jason", "age": "old"}' if len(calls) == 1 else "litellm.RateLimitError"
        return litellm.completion(**{**kwargs, "mock_response": mock})

    client = instructor.from_litellm(completion, mode=instructor.Mode.JSON)
    exc = raised_by(lambda: client.chat.completions.create(
        model="openai/gpt-4o-mini", response_model=_User, max_retries=2, api_key="k",
        messages=[{"role": "user", "content": "Extract: Jason is 25 years old"}]))
    assert type(exc.failed_attempts[0].exception).__name__ == "ValidationError"
    assert type(root_cause(exc)).__name__ == "RateLimitError"
    assert describe(exc)[0] == "RateLimitError"
    assert classify(exc, http_requests=2, error_status=None) == Classification("error", "provider")


def test_litellms_own_connection_error_before_any_request_is_litellms() -> None:
    # litellm wraps its own refusal (a watsonx text-only parameter on the chat route) in an
    # APIConnectionError; nothing was sent, so the provider is not at fault.
    exc = raised_by(lambda: litellm.completion(
        model="watsonx/ibm/granite-13b", api_key="k", api_base=f"http://127.0.0.1:{_closed_port()}",
        project_id="p", decoding_method="greedy",
        messages=[{"role": "user", "content": "hi"}]))
    assert type(exc).__name__ == "APIConnectionError"
    assert transport_failure(exc) is None
    assert classify(exc, http_requests=0, error_status=None) == Classification("error", "litellm")
    assert classify(exc, http_requests=1, error_status=None) == Classification("error", "provider")
