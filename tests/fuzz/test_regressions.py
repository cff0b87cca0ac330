"""The fuzzing's findings, replayed: each must still fail exactly as recorded (strict xfail).

A finding that stops reproducing (an upstream fix) XPASSes, which fails the run: delete its
entry in findings.py and what PARTIAL_AVOID leaves out for it, so the properties cover it.
A failure of another type or message fails the test: the behaviour changed, look again.
"""

from __future__ import annotations

import pytest

from tests.fuzz.findings import FINDINGS, Finding
from tests.fuzz.properties import check


class Reproduced(Exception):
    """The finding failed exactly as recorded."""


@pytest.mark.parametrize("finding", [
    pytest.param(f, id=f.id, marks=pytest.mark.xfail(
        strict=True, raises=Reproduced, reason=f"{f.layer}: {f.reason}")) for f in FINDINGS])
def test_finding_still_reproduces(finding: Finding) -> None:
    try:
        check(finding.target, finding.case, finding.cuts)
    except Exception as exc:
        if type(exc).__name__ == finding.exception and finding.message in str(exc):
            raise Reproduced(f"{type(exc).__name__}: {exc}") from exc
        raise
