"""Which layer is at fault."""

from __future__ import annotations

import pydantic
import pytest

from harness.errors import CassetteMissingError
from harness.failures import root_cause
from harness.scenarios.execute import ContractViolation
from harness.verdict.classify import classify, describe


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_harness_errors_are_the_harness() -> None:
    verdict = classify(_raise(CassetteMissingError("x")), http_requests=0, error_status=None)
    assert (verdict.outcome, verdict.layer) == ("error", "harness")


def test_an_http_error_status_is_the_provider() -> None:
    verdict = classify(_raise(RuntimeError("boom")), http_requests=1, error_status=503)
    assert (verdict.outcome, verdict.layer) == ("error", "provider")


def test_a_contract_check_names_its_layer() -> None:
    exc = _raise(ContractViolation("instructor", "sync create_partial() returned async_generator"))
    verdict = classify(exc, http_requests=1, error_status=None)
    assert (verdict.outcome, verdict.layer) == ("error", "instructor")


def test_litellm_refusing_before_sending_is_unsupported() -> None:
    import litellm

    with pytest.raises(Exception) as info:
        litellm.completion(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}],
                           api_key="k", api_base="http://replay.invalid/v1",
                           response_format={"type": "json_schema"}, top_k=3,
                           custom_llm_provider="cohere_chat", drop_params=False)
    verdict = classify(info.value, http_requests=0, error_status=None)
    assert verdict.layer == "litellm"


def test_validation_error_blames_the_caller_not_pydantic() -> None:
    class M(pydantic.BaseModel):
        a: int

    # A frame whose file lives in an `instructor` package hands pydantic bad data.
    code = compile("def parse(M):\n    M.model_validate({'a': 'x'})\n",
                   "/site-packages/instructor/processing/fake.py", "exec")
    namespace: dict = {}
    exec(code, namespace)
    exc = _raise_from(lambda: namespace["parse"](M))
    assert classify(exc, http_requests=1, error_status=None).layer == "instructor"
    assert describe(exc)[0] == "ValidationError"


def _raise_from(fn) -> BaseException:
    try:
        fn()
    except BaseException as caught:
        return caught
    raise AssertionError("did not raise")


def test_root_cause_follows_causes() -> None:
    inner = ValueError("inner")
    try:
        try:
            raise inner
        except ValueError as e:
            raise RuntimeError("outer") from e
    except RuntimeError as outer:
        assert root_cause(outer) is inner
