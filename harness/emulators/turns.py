"""Whether a conversation's tool turns are well formed, by each API's rules (a re-ask sends one).

instructor re-asks a tool call by answering it: the assistant's call, then the call's result
carrying the validation error. Each API pairs the two its own way and refuses a request that
breaks the pairing with a 400; each function here returns that refusal's message (and, for the
OpenAI family, its `param`), or None for a well-formed conversation. Where each text comes
from is said beside it: the API's own error as reported publicly (quoted in issues against the
SDKs and agents that hit it), or, where no public report was found, the emulator's wording of
the documented rule, said so.

Ollama's native /api/chat has no rule here: its docs (ollama/ollama docs/api.md, the chat
request's message fields) give a tool result as a message with role `tool` and an optional
`tool_name`, with no call id to pair, and the server renders whatever history it gets through
the model's template: it refuses no conversation for its tool turns.
"""

from __future__ import annotations

from typing import Any

Refusal = tuple[str, str | None]  # (message, the OpenAI family's `param`)

# DeepSeek's own texts (its API is OpenAI-compatible but words these refusals itself):
# zed-industries/zed#51944 and bytedance/deer-flow#2706 (unanswered calls, param null),
# FoundationAgents/OpenManus#227 (a tool message answering no call).
_DEEPSEEK_UNANSWERED = ("An assistant message with 'tool_calls' must be followed by tool "
                        "messages responding to each 'tool_call_id'. (insufficient tool "
                        "messages following tool_calls message)")
_DEEPSEEK_ORPHAN = ("Messages with role 'tool' must be a response to a preceding message with "
                    "'tool_calls'")


def _ids(calls: Any) -> list[str]:
    return [str(c.get("id")) for c in calls or [] if isinstance(c, dict)]


def openai_chat(messages: Any, dialect: str = "openai") -> Refusal | None:
    """An assistant message's tool_calls must be answered by `tool` messages right after it,
    one per tool_call_id; a `tool` message must answer a call of the message before them.
    `dialect`: "openai" (OpenAI's texts, for every API of the family that documents itself as
    OpenAI-compatible and states no text of its own), "mistral" or "deepseek" (their own)."""
    messages = [m for m in messages or [] if isinstance(m, dict)]
    pending: list[str] = []  # ids of the last assistant's calls not answered yet
    answering = False  # inside the run of tool messages after an assistant's calls
    for i, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = str(message.get("tool_call_id"))
            if not answering:
                if dialect == "deepseek":
                    return _DEEPSEEK_ORPHAN, None
                # OpenAI's text (sic "preceeding") and param: miurla/morphic#136,
                # smarter-sh/smarter#264.
                return ("Invalid parameter: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls'.", f"messages.[{i}].role")
            if call_id not in pending:
                if dialect == "deepseek":  # no public sample of DeepSeek's for an unknown id:
                    return _DEEPSEEK_UNANSWERED, None  # the call it leaves unanswered, refused
                if dialect == "mistral":  # the emulator's wording: no public sample of Mistral's
                    return f"Unexpected tool call id {call_id} in tool results", None
                # OpenAI's text: dapr/dapr-agents#145.
                return (f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                        f"'tool_calls' of previous message.", f"messages.[{i}].tool_call_id")
            pending.remove(call_id)
            continue
        if pending:
            return _unanswered(pending, dialect)
        answering = role == "assistant" and bool(message.get("tool_calls"))
        pending = _ids(message.get("tool_calls")) if answering else []
    return _unanswered(pending, dialect) if pending else None


def _unanswered(pending: list[str], dialect: str) -> Refusal:
    if dialect == "deepseek":
        return _DEEPSEEK_UNANSWERED, None
    if dialect == "mistral":  # Mistral's text: mistralai/client-ts#106, camel-ai/camel#1467
        return "Not the same number of function calls and responses", None
    # OpenAI's text, e.g. BerriAI/litellm#10083, agno-agi/agno#3105.
    return ("An assistant message with 'tool_calls' must be followed by tool messages "
            "responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages: {', '.join(pending)}", None)


def _blocks(message: dict[str, Any], kind: str) -> list[tuple[int, dict[str, Any]]]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [(k, b) for k, b in enumerate(content) if isinstance(b, dict) and b.get("type") == kind]


def anthropic(messages: Any, continued: bool = False) -> str | None:
    """Each `tool_use` needs a `tool_result` with its id in the next (user) message; each
    `tool_result` must answer a `tool_use` of the message before it. The API's texts, e.g.
    anthropics/claude-code#1237 and #13460. `continued`: the request continues a thread the
    API keeps (the message-threads beta), so the message before the first is the API's."""
    messages = [m for m in messages or [] if isinstance(m, dict)]
    for j, message in enumerate(messages):
        if j == 0 and continued:
            continue
        before = {str(b.get("id")) for _, b in _blocks(messages[j - 1], "tool_use")} \
            if j else set()
        for k, block in _blocks(message, "tool_result"):
            if str(block.get("tool_use_id")) not in before:
                return (f"messages.{j}.content.{k}: unexpected `tool_use_id` found in "
                        f"`tool_result` blocks: {block.get('tool_use_id')}. Each "
                        f"`tool_result` block must have a corresponding `tool_use` block in "
                        f"the previous message.")
    for i, message in enumerate(messages):
        uses = [str(b.get("id")) for _, b in _blocks(message, "tool_use")]
        after = messages[i + 1] if i + 1 < len(messages) else None
        answered = {str(b.get("tool_use_id")) for _, b in _blocks(after or {}, "tool_result")}
        missing = [u for u in uses if u not in answered]
        if missing and after is not None:  # a last assistant turn is a prefill, not a call
            return (f"messages.{i}: `tool_use` ids were found without `tool_result` blocks "
                    f"immediately after: {', '.join(missing)}. Each `tool_use` block must "
                    f"have a corresponding `tool_result` block in the next message.")
    return None


def _bedrock_ids(message: dict[str, Any], kind: str, key: str = "toolUseId") -> list[str]:
    return [str(b[kind].get(key)) for b in message.get("content") or []
            if isinstance(b, dict) and isinstance(b.get(kind), dict)]


def bedrock(messages: Any) -> str | None:
    """Roles alternate, user first; an assistant's toolUse blocks are answered by toolResult
    blocks with the same toolUseId in the next message, no more of them than calls. The
    service's texts: langchain-ai/langchain-aws#130 (alternation), agno-agi/agno#6698 and
    camel-ai/camel#3954 (Expected toolResult blocks), OpenHands/OpenHands#4912 (exceeds)."""
    messages = [m for m in messages or [] if isinstance(m, dict)]
    roles = [m.get("role") for m in messages]
    if any(role != ("user", "assistant")[i % 2] for i, role in enumerate(roles)):
        return ("A conversation must alternate between user and assistant roles. Make sure "
                "the conversation alternates between user and assistant roles and try again.")
    for j, message in enumerate(messages):
        results = _bedrock_ids(message, "toolResult")
        uses = _bedrock_ids(messages[j - 1], "toolUse") if j else []
        if len(results) > len(uses):
            return (f"The number of toolResult blocks at messages.{j}.content exceeds the "
                    f"number of toolUse blocks of previous turn.")
        missing = [u for u in uses if u not in results]
        if missing:
            return (f"Expected toolResult blocks at messages.{j}.content for the following "
                    f"Ids: {', '.join(missing)}")
    return None


def _parts(content: dict[str, Any], camel: str, snake: str) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for k, part in enumerate(content.get("parts") or []):
        value = part.get(camel, part.get(snake)) if isinstance(part, dict) else None
        if isinstance(value, dict):
            found.append((k, value))
    return found


def google(contents: Any, signed: bool = False, vertex: bool = False) -> str | None:
    """A function call turn follows a user turn or a function response turn; a function
    response turn follows a function call turn, with as many responses as calls, each named.
    The API's texts (Gemini and Vertex alike), e.g. google-gemini/gemini-cli#4504 and #26486,
    langchain-ai/langchain#27799, langflow-ai/langflow#9437; a response naming another function
    gets the bare INVALID_ARGUMENT text (archestra-ai/archestra#7583, Vertex). `signed`: the
    Gemini 3 models' rule too (_signatures)."""
    contents = [c for c in contents or [] if isinstance(c, dict)]
    for j, content in enumerate(contents):
        calls = _parts(content, "functionCall", "function_call")
        responses = _parts(content, "functionResponse", "function_response")
        before = _parts(contents[j - 1], "functionCall", "function_call") if j else []
        if calls and j and not (_parts(contents[j - 1], "functionResponse",
                                       "function_response")
                                or contents[j - 1].get("role", "user") == "user"):
            return ("Please ensure that function call turn comes immediately after a user "
                    "turn or after a function response turn.")
        if not responses:
            continue
        if not before:
            return ("Please ensure that function response turn comes immediately after a "
                    "function call turn.")
        if len(responses) != len(before):
            return ("Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn.")
        for (k, response), (_, call) in zip(responses, before, strict=True):
            if not response.get("name"):
                return (f"* GenerateContentRequest.contents[{j}].parts[{k}].function_response"
                        f".name: Name cannot be empty.\n")
            if response.get("name") != call.get("name"):
                return "Request contains an invalid argument."
    return _signatures(contents, vertex) if signed else None


def _signatures(contents: list[dict[str, Any]], vertex: bool) -> str | None:
    """Gemini 3 validates the current turn (from the last user turn with text): the first
    functionCall part of each model step must carry the thoughtSignature the model sent with
    it (the thought-signatures page of the Gemini API and Vertex AI docs). The texts: the
    Gemini API's, lbjlaq/Antigravity-Manager#938 and TokenRhythm/opensquilla#225; Vertex's,
    vercel/ai#11376 and diegosouzapw/OmniRoute#1458 (the content's place counted from 1)."""
    start = max((j for j, c in enumerate(contents) if c.get("role", "user") == "user"
                 and any(isinstance(p, dict) and "text" in p for p in c.get("parts") or [])),
                default=0)
    for j in range(start, len(contents)):
        parts = [p for p in contents[j].get("parts") or [] if isinstance(p, dict)
                 and isinstance(p.get("functionCall", p.get("function_call")), dict)]
        if not parts or parts[0].get("thoughtSignature", parts[0].get("thought_signature")):
            continue
        call = parts[0].get("functionCall") or parts[0].get("function_call") or {}
        name = f"default_api:{call.get('name')}"
        if vertex:
            return (f"Unable to submit request because function call `{name}` in the {j + 1}. "
                    f"content block is missing a `thought_signature`. Learn more: "
                    f"https://docs.cloud.google.com/vertex-ai/generative-ai/docs/"
                    f"thought-signatures")
        return (f"Function call is missing a thought_signature in functionCall parts. This is "
                f"required for tools to work correctly, and missing thought_signature may lead "
                f"to degraded model performance. Additional data, function call `{name}` , "
                f"position {j + 1}. Please refer to https://ai.google.dev/gemini-api/docs/"
                f"thought-signatures for more details.")
    return None


def cohere(messages: Any) -> str | None:
    """v2 chat pairs `tool` messages with the assistant's tool_calls by tool_call_id, as the
    OpenAI family does. The wording is the emulator's (no public sample of Cohere's), in its
    `invalid request:` style."""
    refusal = openai_chat(messages)
    if refusal is None:
        return None
    return f"invalid request: {refusal[0]}"


def responses(items: Any) -> str | None:
    """The Responses API pairs input items by call_id: each function_call needs a
    function_call_output with its call_id after it, each output a function_call before it.
    OpenAI's texts (param `input`): symgraph/GhidrAssist#78 and openai/codex#93 (no output),
    continuedev/continue#10092 and microsoft/vscode#320060 (no call)."""
    called: list[str] = []
    answered: set[str] = set()
    for item in (i for i in items or [] if isinstance(i, dict)):
        call_id = str(item.get("call_id"))
        if item.get("type") == "function_call":
            called.append(call_id)
        elif item.get("type") == "function_call_output":
            if call_id not in called:
                return f"No tool call found for function call output with call_id {call_id}."
            answered.add(call_id)
    missing = [c for c in called if c not in answered]
    return f"No tool output found for function call {missing[0]}." if missing else None
