"""Which layer is at fault: pure functions over an exception and what reached the wire."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from types import TracebackType

from harness.errors import HarnessError
from harness.failures import chain, is_replay_miss, root_cause, transport_failure
from harness.verdict.schema_refusal import refused_schema

# A provider's 400 refusing a parameter its API does not have: OpenAI's "Unknown parameter:
# 'x'.", Google's "Unknown name \"x\"", Anthropic's "x: Extra inputs are not permitted".
_UNKNOWN_PARAMETER = re.compile(r"Unknown parameter: '|Unknown name \\?\"|Extra inputs are not "
                                r"permitted")
_PACKAGES = ("litellm", "instructor", "pydantic", "pydantic_core", "harness", "vcr", "jiter",
             "openai", "httpx", "aiohttp")


@dataclass(frozen=True)
class Classification:
    """An outcome and the layer at fault."""

    outcome: str
    layer: str


def _package_of(filename: str) -> str | None:
    parts = filename.replace("\\", "/").split("/")
    if "site-packages" in parts[:-1]:
        # An installed file belongs to the package right after site-packages, not to a
        # sub-folder sharing a layer's name (instructor/v2/providers/openai/ is instructor's).
        top = parts[len(parts) - parts[::-1].index("site-packages")]
        return top if top in _PACKAGES else None
    for part in reversed(parts[:-1]):
        if part in _PACKAGES:
            return part
    return None


def innermost_layer(exc: BaseException) -> str | None:
    """The package of the deepest frame of ours or of a library under test that raised `exc`.

    A pydantic ValidationError is raised by pydantic on data another layer handed it, so the
    frame that called into pydantic is the one at fault.
    """
    tb: TracebackType | None = exc.__traceback__
    frames = [f.f_code.co_filename for f, _ in traceback.walk_tb(tb)]
    layers = [layer for layer in map(_package_of, frames) if layer]
    if not layers:
        return None
    if type(exc).__name__ == "ValidationError":
        callers = [name for name in layers if name not in ("pydantic", "pydantic_core")]
        return _normalise(callers[-1]) if callers else "pydantic"
    return _normalise(layers[-1])


def _normalise(layer: str) -> str:
    # openai/httpx/aiohttp are litellm's transport: a fault there is litellm's to own.
    if layer in ("openai", "httpx", "aiohttp"):
        return "litellm"
    if layer in ("pydantic_core",):
        return "pydantic"
    if layer in ("jiter",):
        return "instructor"
    if layer in ("vcr",):
        return "harness"
    return layer


def classify(exc: BaseException, *, http_requests: int, error_status: int | None,
             error_body: str = "") -> Classification:
    """Outcome and layer for a cell that raised `exc`.

    - Harness errors (missing cassette, drift from the recording) are the harness's.
    - A 400 whose body cites one of the provider's schema rules (schema_refusal) is the
      provider refusing the schema: `unsupported`, not an error.
    - Any other HTTP status >= 400 from the provider is a provider-side error, except a 400
      refusing a parameter the API does not have: litellm built that request (instructor
      hands it OpenAI-style kwargs), so the error is litellm's.
    - A failed connection (reset, timeout, dropped stream) is a provider-side error.
    - litellm raising before sending anything is litellm refusing the mode: `unsupported`.
    - Otherwise the deepest frame of a known layer is at fault.
    """
    if any(isinstance(item, HarnessError) for item in chain(exc)) or is_replay_miss(exc):
        return Classification("error", "harness")
    if refused_schema(error_status, error_body):
        return Classification("unsupported", "provider")
    if error_status is not None and error_status >= 400:
        if error_status in (400, 422) and any(_UNKNOWN_PARAMETER.search(str(item))
                                              for item in chain(exc)):
            return Classification("error", "litellm")
        return Classification("error", "provider")
    if transport_failure(exc):  # a reset, a timeout, a dropped stream: never `unsupported`
        return Classification("error", "provider")
    cause = root_cause(exc)
    cause_name = type(cause).__name__
    declared = getattr(cause, "layer", None) or getattr(exc, "layer", None)
    if isinstance(declared, str):
        return Classification("error", declared)  # a contract check named the layer itself
    # litellm also raises APIConnectionError for its own failures before sending anything (a
    # transport failure was ruled out above): with no request made, it is litellm's.
    sent = http_requests > 0 or cause_name != "APIConnectionError"
    if sent and cause_name in ("Timeout", "APIConnectionError", "RateLimitError",
                               "ServiceUnavailableError", "InternalServerError"):
        return Classification("error", "provider")
    layer = innermost_layer(cause) or innermost_layer(exc) or "unknown"
    if http_requests == 0 and layer == "litellm" and cause_name in (
            "UnsupportedParamsError", "BadRequestError", "APIError", "Exception", "ValueError"):
        return Classification("unsupported", "litellm")
    return Classification("error", layer)


_INSTALL_PATH = re.compile(r"""[^\s"'(]*/(site-packages|lib/python3\.\d+)/""")


def describe(exc: BaseException) -> tuple[str, str]:
    """(exception type, message) of the root cause, for reports.

    Install locations inside quoted tracebacks are shortened ('site-packages/litellm/...'), so
    the same failure reads the same on every machine and results diff cleanly.
    """
    cause = root_cause(exc)
    message = _INSTALL_PATH.sub(lambda m: m.group(1).split("/")[0] + "/",
                                str(cause).strip() or repr(cause))
    return type(cause).__name__, message[:2000]
