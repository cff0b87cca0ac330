"""The pipeline's steps for scenarios beyond one answer: re-asks, hooks and ladder rungs.

- `rung`: a ladder rung's cell carries its ladder and place in its metrics, whatever its
  outcome, so a results file alone says which cells form the ladder;
- `follow_ups`: how each re-ask went on the wire (the conversation's turns as the provider
  received them, and whether it was accepted), and a re-ask scenario that passed with another
  number of HTTP requests than attempts expected fails;
- `hook_notes`: every hook call, with its arguments' types, for a scenario that counts them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from harness.recording.wire_stats import is_token_exchange

if TYPE_CHECKING:
    from harness.verdict.pipeline import CellEvidence, Verdict


def rung(ev: CellEvidence, v: Verdict) -> None:
    """A ladder rung's ladder and place, in every outcome."""
    if ev.scenario.ladder:
        v.metrics["ladder"], v.metrics["rung"] = ev.scenario.ladder, ev.scenario.rung


def _block(block: Any) -> str | None:
    """One content block or part, as a short label (None: nothing worth naming)."""
    if not isinstance(block, dict):
        return "text"
    kind = block.get("type")
    if kind == "tool_use":
        return f"tool_use {block.get('id')}"
    if kind == "tool_result":
        return f"tool_result {block.get('tool_use_id')}"
    for key, label, ident in (("toolUse", "toolUse", "toolUseId"),
                              ("toolResult", "toolResult", "toolUseId"),
                              ("functionCall", "functionCall", "name"),
                              ("function_call", "functionCall", "name"),
                              ("functionResponse", "functionResponse", "name"),
                              ("function_response", "functionResponse", "name")):
        if isinstance(block.get(key), dict):
            return f"{label} {block[key].get(ident)}"
    text = block.get("text")
    return "text" if text or kind == "text" else None


def _turn(turn: dict[str, Any]) -> str:
    if turn.get("type") in ("function_call", "function_call_output"):  # a Responses item
        return f"{turn['type']}({turn.get('call_id')})"
    role = str(turn.get("role", "user"))
    labels: list[str] = []
    if turn.get("tool_calls"):
        ids = ", ".join(str(c.get("id")) for c in turn["tool_calls"] if isinstance(c, dict))
        labels.append(f"tool_calls {ids}")
    if turn.get("tool_call_id"):
        labels.append(f"tool_call_id {turn['tool_call_id']}")
    content = turn.get("content", turn.get("parts"))
    if isinstance(content, list):
        labels += [x for x in map(_block, content) if x]
    elif content:
        labels.insert(0, "text")
    return f"{role}({'; '.join(dict.fromkeys(labels)) or 'empty'})"


def conversation_shape(body: bytes | str | None) -> str:
    """A request's turns, e.g. `user(text) → assistant(tool_use toolu_1) → user(tool_result
    toolu_1)`, whatever the wire's spelling of messages and tool turns (the Responses API's
    input items included)."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return "(not JSON)"
    turns = data.get("messages", data.get("contents", data.get("input"))) \
        if isinstance(data, dict) else None
    if not isinstance(turns, list):
        return "(no conversation)"
    return " → ".join(_turn(t) for t in turns if isinstance(t, dict) and t.get("role") != "system")


def follow_ups(ev: CellEvidence, v: Verdict) -> None:
    """Notes on each re-ask as sent; a pass with the wrong number of HTTP requests fails."""
    if not ev.scenario.first_answers:
        return
    calls = [(req, resp) for req, resp in ev.pairs if not is_token_exchange(req.body)]
    for n, (request, response) in enumerate(calls[1:], 1):
        status = (response.get("status") or {}).get("code", 200)
        answer = "accepted" if status < 400 else f"refused with HTTP {status}"
        v.notes.append(f"re-ask {n} sent as {conversation_shape(request.body)}: {answer}")
    made, expected = len(calls), ev.scenario.attempts
    if v.outcome == "pass" and calls and made != expected:
        v.outcome, v.layer, v.exception_type = "fail", "unknown", "AttemptMismatch"
        v.message = (f"{made} HTTP requests where {expected} were expected (one per first "
                     f"answer, then the expected answer)")


def hook_notes(ev: CellEvidence, v: Verdict) -> None:
    """Every hook call of a scenario that counts them, in order, with its arguments."""
    if not ev.scenario.hooks:
        return
    calls = ev.observation.hook_calls
    shown = "; ".join(f"{c.name} ({c.shape()})" for c in calls[:12])
    v.notes.append(f"hooks fired: {shown}" + (" …" if len(calls) > 12 else ""))
