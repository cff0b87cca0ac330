"""The pipeline's steps over what crossed the wire (harness.verdict.pipeline gives the order)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.recording.evidence import (
    http_status,
    redirect,
    redirect_text,
    reported_model,
    retry_after,
    transient_reason,
    wire_fault,
)
from harness.recording.timing import response_bodies, server_timings
from harness.recording.wire_stats import interactions_stats
from harness.verdict.transforms import mode_transforms, unforceable
from harness.wire import WireFamily

if TYPE_CHECKING:
    from harness.verdict.pipeline import CellEvidence, Verdict


def stats(pairs: list[tuple[Any, Any]], wire: WireFamily) -> dict[str, Any]:
    """Counts over the interactions a cell used (see interactions_stats)."""
    return interactions_stats(pairs, wire)


def wire(ev: CellEvidence, v: Verdict) -> None:
    """Status, reported model, transient failure; a wire fault is the provider's error.

    A fault overrides even a `pass`: a library tolerating a broken stream says nothing of the
    provider's capability, and the library's reaction to broken bytes is no capability verdict.
    """
    status = http_status(ev.pairs)
    if status is not None:
        v.metrics["http_status"] = status
    model = reported_model(ev.pairs, ev.wire)
    if model:
        v.metrics["reported_model"] = model
    if v.outcome == "error":
        reason = transient_reason(ev.error, ev.pairs)
        if reason:
            v.metrics["transient"] = reason
            wait = retry_after(ev.pairs, ev.error)
            if wait is not None:
                v.metrics["retry_after_s"] = wait
    if v.outcome not in ("pass", "fail", "error") or v.layer == "harness":
        return
    # Seen live (real origins: the recorder hides loopback ports), else from the recording.
    moved = redirect_text(*ev.redirects[0]) if ev.redirects else redirect(ev.pairs)
    if moved:  # whatever the library made of a 3xx, the provider sent it
        v.outcome, v.layer, v.exception_type = "error", "provider", "Redirect"
        v.message = moved
        return
    fault = wire_fault(ev.pairs, ev.wire)
    if not fault:
        return
    v.metrics["wire_fault"] = fault
    if v.outcome == "pass":  # a tolerant library does not make the stream whole
        v.message = "the library still produced an acceptable object"
    if v.outcome in ("pass", "fail"):
        v.exception_type = "ProviderFault"
    v.outcome, v.layer = "error", "provider"
    v.message = f"provider fault: {fault}; then: {v.message or ''}"[:2000]


def traffic(ev: CellEvidence, v: Verdict) -> None:
    """Requests, streams and chunks; what was sent; whether litellm faked a stream."""
    counted = stats(ev.pairs, ev.wire)
    v.sent = counted.pop("sent")
    counted.pop("error_status")
    counted.pop("error_body")
    v.metrics.update(counted)
    streamed = ev.scenario.kind in ("partial", "iterable")
    v.metrics["stream_requested"] = streamed
    # litellm answering a stream request with a plain call and a simulated stream.
    v.metrics["faked_stream"] = bool(streamed and counted["http_requests"]
                                     and not counted["http_streams"])
    v.metrics["payload_text"] = ev.observation.delivered_text[:4000]
    timing = server_timings(response_bodies(ev.pairs))
    measured = ev.provenance.get("measured") if ev.target == "replay" else None
    if timing or measured:
        v.metrics["live_timing"] = {**(measured or {}), **(timing or {})}


def requests(ev: CellEvidence, v: Verdict) -> None:
    """Notes when the library made fewer or more requests than expected."""
    if ev.unplayed:
        v.notes.append(f"{ev.unplayed} recorded interaction(s) were not replayed: the library "
                       f"now makes fewer requests than when recorded")
    # raw_stream sends instructor's request twice by design (plain, then stream=True); a
    # re-ask scenario once per first answer, plus once.
    expected = 2 if ev.scenario.kind == "raw_stream" else ev.scenario.attempts
    made = v.metrics.get("http_requests", 0)
    if made > expected:
        v.notes.append(f"{made} HTTP requests where {expected} were expected "
                       f"(instructor retried)")


def mode_sent(ev: CellEvidence, v: Verdict) -> None:
    """How litellm rewrote the mode; a dropped instruction is litellm's fault, a forced tool
    the API has no way to force (its wire's `forces_tools`) the provider's."""
    asked = ev.observation.sent_kwargs[0] if ev.observation.sent_kwargs else None
    notes, dropped = mode_transforms(asked, v.sent, ev.wire)
    v.notes.extend(notes)
    if dropped and v.outcome in ("fail", "error") and v.layer in (
            "instructor", "unknown") and v.exception_type != "ContractViolation":
        # instructor parsed what came back; the instruction it asked for never left litellm.
        v.notes.append(f"layer at fault: litellm (was {v.layer}: it raised there, but litellm "
                       f"dropped the mode's parameter)")
        v.layer = "litellm"
    limit = unforceable(asked, ev.wire)
    if limit is None:
        return
    v.notes.append(limit)
    if v.outcome in ("fail", "error") and v.layer in ("instructor", "unknown") and \
            v.exception_type != "ContractViolation":
        # What instructor's re-ask relies on (a forced call) the provider's API cannot do.
        v.notes.append(f"layer at fault: provider (was {v.layer}: its API cannot force the "
                       f"tool instructor asked for)")
        v.layer = "provider"
