"""Cell-level retries: exponential backoff with jitter, Retry-After honoured, a bounded budget.

A cell is retried as a whole, in a fresh cassette attempt: the failed attempt is never saved
(runner marks it DISCARD), so a recovered cell's cassette holds only the attempt that worked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently transient failures (429, 5xx, resets, timeouts) are retried."""

    max_retries: int = 3  # per cell
    budget: int = 30  # per run, across every cell: a provider down for good stops costing time
    base_s: float = 1.0  # first backoff (doubles each retry)
    cap_s: float = 60.0  # longest backoff
    max_wait_s: float = 120.0  # a longer Retry-After is not waited for: the cell ends in error


def backoff(policy: RetryPolicy, retry: int, retry_after: float | None,
            rand: float | None = None) -> float | None:
    """Seconds to wait before retry number `retry` (1-based), or None to give up.

    Exponential with "equal jitter" (half fixed, half random, so parallel cells spread out),
    and never shorter than the provider's Retry-After.
    """
    if retry_after is not None and retry_after > policy.max_wait_s:
        return None
    rand = random.random() if rand is None else rand
    exp = min(policy.cap_s, policy.base_s * 2 ** (retry - 1))
    return round(max(exp * (0.5 + rand / 2), retry_after or 0.0), 3)


@dataclass
class RetryBudget:
    """Retries left for the whole run, and how many were spent."""

    policy: RetryPolicy
    spent: int = 0
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def decide(self, cell_id: str, metrics: dict[str, Any], target: str) -> float | None:
        """The wait before retrying this failed attempt, or None when it is final."""
        reason = metrics.get("transient")
        done = len(self.reasons.get(cell_id, []))
        if not reason or target == "replay" or done >= self.policy.max_retries \
                or self.spent >= self.policy.budget:
            return None
        wait = backoff(self.policy, done + 1, metrics.get("retry_after_s"))
        if wait is None:
            return None
        self.spent += 1
        self.reasons.setdefault(cell_id, []).append(str(reason))
        return wait

    def stamp(self, result: Any) -> None:
        """Record in a final result how many retries its cell took, and why."""
        reasons = self.reasons.get(result.cell_id, [])
        result.metrics["retries"] = len(reasons)
        if reasons:
            result.metrics["retry_reasons"] = reasons
            verb = "recovered" if result.outcome == "pass" else "still failing"
            plural = "retry" if len(reasons) == 1 else "retries"
            result.notes.append(f"{verb} after {len(reasons)} {plural} ({', '.join(reasons)})")
        if result.outcome != "pass" and result.metrics.get("transient") \
                and result.target != "replay":
            why = self._why_not(reasons, result)
            result.notes.append(f"transient failure, not retried further: {why}")

    def _why_not(self, reasons: list[str], result: Any) -> str:
        if self.policy.max_retries == 0:
            return "retries are off"
        if len(reasons) >= self.policy.max_retries:
            return f"{self.policy.max_retries} retries per cell spent"
        if (result.metrics.get("retry_after_s") or 0) > self.policy.max_wait_s:
            return f"Retry-After exceeds {self.policy.max_wait_s:g} s"
        return f"the run's retry budget ({self.policy.budget}) is spent"
