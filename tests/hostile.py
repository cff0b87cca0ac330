"""A hostile server on loopback, speaking just enough of the OpenAI chat wire to hurt.

Routes, under its root (each after a mode prefix; anything may follow, e.g. a gateway key):
- `/echo/...`: a well-formed answer whose tool arguments echo every request header, the path,
  the encodings (base64, hex, URL) of the Authorization value, and the values of the secret
  variables named in the `ECHO_VARIABLES` environment variable: a proxy leaking credentials;
- `/trickle/...`: a 200 JSON answer sent one byte a second, forever;
- `/pings/...`: an event stream of keep-alive comments, forever;
- `/redirect/...`: a 307 to the same path on another origin (the `elsewhere` server).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from urllib.parse import quote

from aiohttp import web

from harness.emulators.server import emulator_host


def _echo(request: web.Request, body: dict) -> str:
    headers = dict(request.headers)
    auth = headers.get("Authorization", "")
    token = auth.split(" ", 1)[-1]
    extra = {name: os.environ.get(name, "") for name in
             os.environ.get("ECHO_VARIABLES", "").split(",") if name}
    return json.dumps({"headers": headers, "path": request.path_qs,
                       "b64": base64.b64encode(token.encode()).decode(),
                       "hex": token.encode().hex(), "url": quote(token, safe=""),
                       "variables": extra})


def _completion(body: dict, text: str) -> dict:
    tools = body.get("tools") or [{"function": {"name": "User"}}]
    name = tools[0]["function"]["name"]
    arguments = json.dumps({"name": text, "age": 25})
    return {"id": "chatcmpl-hostile", "object": "chat.completion", "created": 0,
            "model": body.get("model", ""),
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None, "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": name, "arguments": arguments}}]}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def make_app(elsewhere: str) -> web.Application:
    """The hostile app; `elsewhere` is the root of another origin (the redirect's target)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        mode = request.match_info["mode"]
        body = await request.json()
        if mode == "redirect":
            raise web.HTTPTemporaryRedirect(f"{elsewhere}/echo/{request.match_info['tail']}")
        if mode == "echo":
            return web.json_response(_completion(body, _echo(request, body)))
        stream = web.StreamResponse(status=200, headers={
            "Content-Type": "text/event-stream" if mode == "pings" else "application/json"})
        await stream.prepare(request)
        payload = json.dumps(_completion(body, "Jason")).encode()
        for index in range(10_000):  # forever, for any client timeout worth having
            chunk = b": ping\n\n" if mode == "pings" else payload[index:index + 1] or b" "
            await stream.write(chunk)
            await asyncio.sleep(0.5 if mode == "pings" else 1.0)
        return stream

    app = web.Application()
    app.router.add_post("/{mode}/{tail:.*}", handle)
    return app


def _elsewhere_app() -> web.Application:
    app = web.Application()

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "you should not be here"}}, status=418)

    app.router.add_route("*", "/{tail:.*}", answer)
    return app


def hostile_roots() -> tuple[str, str]:
    """(the hostile server's root, the other origin's root), started once per process."""
    host = emulator_host()
    elsewhere = host.url("hostile-elsewhere", _elsewhere_app)
    return host.url("hostile", lambda: make_app(elsewhere)), elsewhere
