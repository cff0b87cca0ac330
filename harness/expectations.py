"""Known upstream failures: one table, each entry with its reason (pytest strict xfail).

A pattern is `provider-mode-scenario` with `*` wildcards. A cell listed here is expected to
NOT pass; when upstream fixes it, the strict xfail turns into a failing unexpected pass, which
tells us to delete the entry. An entry without a reason, or matching no cell, is an error.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

_ASYNC_GEN = (
    "instructor 1.17 bug: its OpenAI-family stream handler takes litellm's CustomStreamWrapper "
    "for an AsyncIterator (it defines __aiter__ too), so sync create_partial/create_iterable "
    "via from_litellm(litellm.completion) return an async generator a 'for' loop cannot iterate"
)

EXPECTED_FAILURES: dict[str, str] = {
    "*-*-partial_sync": _ASYNC_GEN,
    "*-*-iterable_sync": _ASYNC_GEN,
}


class ExpectationError(ValueError):
    """The expectations table itself is wrong."""


def validate(table: dict[str, str], cell_ids: list[str]) -> None:
    """Every entry has a reason and matches at least one cell."""
    for pattern, reason in table.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationError(f"expectation {pattern!r} has no reason: write why it fails")
        if not any(fnmatchcase(cell_id, pattern) for cell_id in cell_ids):
            raise ExpectationError(f"expectation {pattern!r} matches no cell: delete it")


def expected_failure(cell_id: str, table: dict[str, str] | None = None) -> str | None:
    """The reason `cell_id` is expected to fail, or None."""
    for pattern, reason in (EXPECTED_FAILURES if table is None else table).items():
        if fnmatchcase(cell_id, pattern):
            return reason
    return None
