"""One verdict pipeline: what a cell observed goes in, outcome + layer + notes come out.

"Why was this cell blamed on litellm?" is answered here, in one written order:

0. `rung`         — a ladder rung's ladder and place, kept in every outcome;
1. `skipped`      — nothing to run it against (no credentials, no emulator);
2. `content`      — no exception: the observation judged against the scenario (pass / fail),
                    with a re-ask's attempts and the hooks a scenario counts;
3. `exception`    — an exception classified (outcome and layer from the exception chain);
   a call that never reached its emulator (the harness's own server) is the harness's;
4. `live_answer`  — a live model's invalid answer is the provider's `fail`, not a library's;
   (then what the installed libraries did not let the harness observe, as notes)
5. `wire`         — evidence on the wire: status, reported model, transient failures, and a
                    wire fault, which overrides every verdict but a harness error;
6. `traffic`      — what crossed the wire (requests, streams, chunks, what was sent);
7. `requests`     — notes on the request count (retries, unreplayed interactions); how each
                    re-ask was sent, and a re-ask passing on another number of requests
                    fails; the hooks a scenario counts, as they fired;
8. `mode_sent`    — how litellm rewrote the mode; a dropped instruction moves the blame to
                    litellm, a forced tool the API cannot force (Ollama's) to the provider.

Nothing here scrubs: secrets are removed where results are written (harness.secrets.record).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.errors import MissingCredentialsError, NoEmulatorError
from harness.failures import unreached
from harness.scenarios.base import Observation, Scenario
from harness.scenarios.checks import diff_values
from harness.verdict import reask, traffic
from harness.verdict.answers import blame_live_answer
from harness.verdict.classify import classify, describe
from harness.verdict.judge import calls_checked, delivered_matches, judge
from harness.wire import WireFamily

Pair = tuple[Any, Any]


@dataclass
class CellEvidence:
    """Everything a cell observed, gathered by the runner."""

    scenario: Scenario
    observation: Observation
    error: BaseException | None
    pairs: list[Pair]  # the interactions the cell used: replayed, then recorded
    target: str  # replay, emulator or live
    deterministic: bool  # exact answers (emulators) or a live model's (judged by facts)
    wire: WireFamily  # the provider's wire family: which keys say what
    unplayed: int = 0  # recorded interactions a replay did not use
    provenance: dict[str, Any] = field(default_factory=dict)  # of the replayed cassette
    redirects: list[tuple[int, str, str]] = field(default_factory=list)  # answered live


@dataclass
class Verdict:
    """A cell's outcome, the layer at fault, and what supports it."""

    outcome: str = "error"
    layer: str | None = None
    exception_type: str | None = None
    message: str | None = None
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False  # set by `skipped`: later judging steps leave the verdict alone


def _skipped(ev: CellEvidence, v: Verdict) -> None:
    if isinstance(ev.error, (MissingCredentialsError, NoEmulatorError)):
        v.outcome, v.layer, v.finished = "skipped", None, True
        v.exception_type, v.message = type(ev.error).__name__, str(ev.error)


def _content(ev: CellEvidence, v: Verdict) -> None:
    if v.finished or ev.error is not None:
        return
    passed, problems, metrics = judge(ev.scenario, ev.observation, strict=ev.deterministic)
    v.metrics.update(metrics)
    if passed:
        v.outcome, v.layer = "pass", None
        return
    v.outcome, v.exception_type = "fail", "ContentMismatch"
    v.message = "; ".join(problems[:8])
    v.layer = _fail_layer(ev) if ev.deterministic else "provider"


def _fail_layer(ev: CellEvidence) -> str:
    if ev.scenario.kind == "create" and not diff_values(ev.scenario.expected,
                                                        ev.observation.final):
        # The right object, but the calls went otherwise than declared. Hooks firing
        # otherwise than documented for the attempts made are instructor's; another number
        # of attempts depends on what each request carried (mode_sent may name litellm).
        attempts, hooks, _ = calls_checked(ev.scenario, ev.observation)
        return "instructor" if hooks and not attempts else "unknown"
    delivered = delivered_matches(ev.observation, ev.scenario.expected)
    if delivered is True:
        return "instructor"  # litellm handed over the right payload; instructor mis-built it
    if delivered is False and ev.target != "live":
        return "litellm"  # the emulator sent the expected answer; litellm altered it
    return "unknown"


def _exception(ev: CellEvidence, v: Verdict) -> None:
    if v.finished or ev.error is None:
        return
    stats = traffic.stats(ev.pairs, ev.wire)
    found = classify(ev.error, http_requests=stats["http_requests"],
                     error_status=stats["error_status"], error_body=stats["error_body"])
    v.outcome, v.layer = found.outcome, found.layer
    v.exception_type, v.message = describe(ev.error)
    _, _, metrics = judge(ev.scenario, ev.observation)
    v.metrics.update({k: value for k, value in metrics.items() if k != "incremental"})


def _emulator_unreached(ev: CellEvidence, v: Verdict) -> None:
    # An emulator is the harness's own server, started by this process on loopback: a call
    # that never reached it (loopback down, a sandbox without it) says nothing of a library.
    if ev.target != "emulator" or ev.error is None or ev.pairs or v.layer == "harness":
        return
    why = unreached(ev.error)
    if why is not None:
        v.outcome, v.layer = "error", "harness"
        v.message = (f"the emulator on loopback could not be reached ({why}): it is the "
                     f"harness's own server, not the provider; is the loopback interface up?")


def _observation_notes(ev: CellEvidence, v: Verdict) -> None:
    v.notes.extend(ev.observation.notes)


def _live_answer(ev: CellEvidence, v: Verdict) -> None:
    if v.outcome == "error" and ev.error is not None and not ev.deterministic:
        blame_live_answer(v, ev.scenario, ev.observation)


STEPS: tuple[Callable[[CellEvidence, Verdict], None], ...] = (
    reask.rung, _skipped, _content, _exception, _emulator_unreached, _live_answer,
    _observation_notes,
    traffic.wire, traffic.traffic, traffic.requests, reask.follow_ups, reask.hook_notes,
    traffic.mode_sent,
)


def decide(evidence: CellEvidence) -> Verdict:
    """The verdict of one cell: every step, in the order above."""
    verdict = Verdict()
    for step in STEPS:
        step(evidence, verdict)
    return verdict
