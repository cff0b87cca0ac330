"""Turn an observation into an outcome: content checks, never just 'no exception'."""

from __future__ import annotations

import json
from typing import Any

from harness.scenarios.base import Observation, Scenario
from harness.scenarios.checks import (
    diff_facts,
    diff_values,
    distinct_count,
    is_incremental,
    partial_violations,
)
from harness.scenarios.hooks import counts, hook_problems


def judge(scenario: Scenario, obs: Observation,
          strict: bool = True) -> tuple[bool, list[str], dict[str, Any]]:
    """(passed, problems, metrics) for a finished scenario.

    `strict` compares with the exact expected answer (emulators are deterministic). A live
    model is not: then the answer must carry the scenario's facts, and partials must be
    consistent with the answer the model actually gave.
    """
    if not strict:
        return _judge_live(scenario, obs)
    problems: list[str] = []
    metrics: dict[str, Any] = {"yielded": len(obs.yielded), "llm_chunks": obs.chunks_total,
                               "payload_deltas": obs.payload_deltas}
    if scenario.kind == "create":
        problems += diff_values(scenario.expected, obs.final)
        attempts, hooks, seen = calls_checked(scenario, obs)
        problems += attempts + hooks
        metrics.update(seen)
    elif scenario.kind == "raw_stream":
        problems += diff_values(scenario.expected, obs.final)
        joined = "".join(obs.raw_deltas)
        metrics["raw_deltas"] = len(obs.raw_deltas)
        metrics["raw_exact"] = joined == obs.delivered_text
        metrics["raw_matches"] = metrics["raw_exact"] or _same_json(joined, obs.delivered_text)
        if not obs.raw_deltas:
            problems.append("the raw stream=True call yielded no payload delta")
        elif not metrics["raw_matches"]:
            problems.append(f"streamed payload {joined[:200]!r} != non-streamed payload "
                            f"{obs.delivered_text[:200]!r}")
    elif scenario.kind == "partial":
        metrics["partials"] = distinct_count(obs.yielded)
        if not obs.yielded:
            problems.append("create_partial yielded nothing")
        elif not isinstance(scenario.expected, dict):
            problems.append("a create_partial scenario's expected answer must be one object")
        else:
            problems += diff_values(scenario.expected, obs.final)
            problems += partial_violations(obs.yielded, scenario.expected)
            metrics["incremental"] = is_incremental(obs.yielded, scenario.expected)
    else:
        problems += diff_values(scenario.expected, obs.final)
        metrics["items"] = len(obs.yielded)
    if obs.chunks_at_yield:
        metrics["first_yield_chunk"] = obs.chunks_at_yield[0]
        metrics["first_yield_s"] = round(obs.seconds_at_yield[0], 4)
        # Delivered before the stream ended: the first object arrived before the last chunk.
        metrics["first_before_last_chunk"] = obs.chunks_at_yield[0] < obs.chunks_total
    return not problems, problems, metrics


def attempts_made(obs: Observation) -> int:
    """How many attempts instructor made: one `completion:kwargs` before each."""
    return sum(1 for call in obs.hook_calls if call.name == "completion:kwargs")


def calls_checked(scenario: Scenario,
                  obs: Observation) -> tuple[list[str], list[str], dict[str, Any]]:
    """(attempt problems, hook problems, metrics) of a create call: a re-ask scenario must
    take one attempt per first answer plus one; declared hooks must fire as declared."""
    attempts: list[str] = []
    metrics: dict[str, Any] = {}
    if scenario.first_answers:
        made = metrics["attempts"] = attempts_made(obs)
        if made != scenario.attempts:
            attempts.append(f"{made} attempt(s) where {scenario.attempts} were expected (one "
                            f"per first answer, then the expected answer)")
    hooks: list[str] = []
    if scenario.hooks:
        metrics["hooks"] = counts(obs.hook_calls)
        hooks = hook_problems(scenario.expected_hooks, obs.hook_calls)
    return attempts, hooks, metrics


def _judge_live(scenario: Scenario, obs: Observation) -> tuple[bool, list[str], dict[str, Any]]:
    facts = scenario.facts if scenario.facts is not None else scenario.expected
    # Reuse the strict metrics, then replace the verdict with the facts-based one.
    _, _, metrics = judge(scenario, obs, strict=True)
    problems = diff_facts(facts, obs.final) if obs.final is not None else ["no answer"]
    if scenario.kind == "partial" and isinstance(obs.final, dict) and obs.yielded:
        problems += partial_violations(obs.yielded, obs.final)
        metrics["incremental"] = is_incremental(obs.yielded, obs.final)
    if scenario.kind == "partial" and not obs.yielded:
        problems.append("create_partial yielded nothing")
    if scenario.kind == "raw_stream":
        # Two generations of a live model may differ: the stream must carry the facts too.
        streamed = first_json("".join(obs.raw_deltas))
        metrics["raw_matches"] = streamed is not None and not diff_facts(facts, streamed)
        if not obs.raw_deltas:
            problems.append("the raw stream=True call yielded no payload delta")
        elif not metrics["raw_matches"]:
            problems.append(f"streamed payload lacks the facts: {''.join(obs.raw_deltas)[:200]!r}")
    metrics["judged"] = "facts"
    return not problems, problems, metrics


def first_json(text: str) -> Any:
    """The first JSON object or array in `text` (after any prose or fence), or None."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except json.JSONDecodeError:
        return None


def _same_json(a: str, b: str) -> bool:
    left = first_json(a)
    return left is not None and left == first_json(b)


def delivered_matches(obs: Observation, expected: Any) -> bool | None:
    """Did litellm hand instructor a payload carrying the expected answer? None if unknown."""
    text = obs.delivered_text
    if not text:
        return None
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return False
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return False
    if isinstance(expected, list) and isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, list)), value)
    return not diff_values(expected, value)
