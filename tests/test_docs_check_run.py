"""docs-check running pages: statuses, exceptions and lines, the shared namespace, top-level
await, the emulators behind litellm's model names, the refused outside network, time limits,
the command's output, exit codes and report; the guide compared with its committed report."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import textwrap
from pathlib import Path

import pytest

from harness.docscheck.check import check_page
from harness.docscheck.outcome import BlockResult
from harness.docscheck.routing import provider_for
from harness.emulators.server import emulator_host
from tests.helpers import run_cli
from tests.wire_samples import GUIDE, require_shared

REPO = Path(__file__).resolve().parents[1]
FENCE = "```"


def _page(*blocks: str, lang: str = "python") -> str:
    """A page of one block per argument, each under its own heading."""
    parts = []
    for n, code in enumerate(blocks, 1):
        parts += [f"## Step {n}", "", f"{FENCE}{lang}", textwrap.dedent(code).strip("\n"),
                  FENCE, ""]
    return "\n".join(parts)


def _check(tmp_path: Path, *blocks: str, timeout: float = 30) -> list[BlockResult]:
    page = tmp_path / "page.md"
    page.write_text(_page(*blocks), encoding="utf-8")
    return check_page(page, page.read_text(encoding="utf-8"), timeout)


_LITELLM_LOG = re.compile(r"^\d\d:\d\d:\d\d - LiteLLM:\w+: .*\n?", re.MULTILINE)


def _printed(output: str) -> str:
    """What a block printed, without litellm's own log lines: its process-wide logging worker
    warns when a block's new event loop finds logging tasks an earlier loop left (earlier
    tests of this process leave some, depending on their order)."""
    return _LITELLM_LOG.sub("", output)


def _summary(results: list[BlockResult]) -> list[tuple[str, str]]:
    return [(r.status, r.error.headline if r.error else r.reason) for r in results]


def test_runs_fails_and_skips_in_one_shared_namespace(tmp_path: Path) -> None:
    results = _check(tmp_path, """
        import math
        radius = 2
        """, """
        area = math.pi * radius ** 2
        print(f"area {area:.2f}")
        """, """
        values = {"a": 1}
        total = values["a"]
        ratio = total / 0
        """, """
        print(undefined_here)
        """, """
        client.create(
        """)
    assert _summary(results) == [
        ("runs", ""), ("runs", ""), ("fails", "ZeroDivisionError: division by zero"),
        ("fails", "NameError: name 'undefined_here' is not defined"),
        ("skipped", "incomplete fragment: '(' was never closed (line 32: client.create()")]
    assert results[1].output == "area 12.57\n"
    error = results[2].error
    assert error is not None
    assert (error.line, error.source, error.raised_in, error.module) == (
        20, "ratio = total / 0", "page", "builtins")
    assert results[3].note == "no earlier block defines 'undefined_here'"
    assert results[3].follows_from is None
    assert [r.line for r in results] == [3, 10, 17, 25, 31]


def test_a_name_a_failed_block_was_to_define_names_that_block(tmp_path: Path) -> None:
    results = _check(tmp_path, """
        import json
        client = json.loads("{")
        """, """
        client.get("x")
        """)
    assert _summary(results)[0] == (
        "fails", "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 "
                 "column 2 (char 1)")
    assert results[0].error is not None and results[0].error.raised_in == "json"
    assert results[1].note == (
        "'client' was to be defined by block 1 (line 3), which failed (JSONDecodeError: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1))")
    assert results[1].follows_from == 1


def test_top_level_await_and_main_guard_run_on_the_pages_loop(tmp_path: Path) -> None:
    results = _check(tmp_path, """
        import asyncio

        async def double(x):
            await asyncio.sleep(0)
            return 2 * x

        loop_one = asyncio.get_running_loop()
        print(await double(21))
        """, """
        assert asyncio.get_running_loop() is loop_one  # one loop for the page, as a notebook
        print(await double(2))
        """, """
        if __name__ == "__main__":
            print("as a script")
        """, """
        import sys
        sys.exit(0)
        """, """
        sys.exit(3)
        """)
    assert _summary(results) == [("runs", ""), ("runs", ""), ("runs", ""), ("runs", ""),
                                 ("fails", "SystemExit: exit code 3")]
    assert [r.output for r in results[:3]] == ["42\n", "4\n", "as a script\n"]


def test_litellm_model_names_reach_the_emulators(tmp_path: Path) -> None:
    host = emulator_host()
    host.clear_faults()
    results = _check(tmp_path, """
        import instructor
        import litellm
        from pydantic import BaseModel

        class User(BaseModel):
            name: str
            age: int

        client = instructor.from_litellm(litellm.completion)
        user = client.create(model="gpt-4o-mini", response_model=User, messages=[
            {"role": "user", "content": "Extract: Jason is 25 years old"}])
        print(user)
        """, """
        aclient = instructor.from_litellm(litellm.acompletion)
        other = await aclient.create(model="anthropic/claude-sonnet-4-5", response_model=User,
                                     messages=[{"role": "user", "content": "Make up a user"}])
        print(type(other).__name__)
        """)
    assert _summary(results) == [("runs", ""), ("runs", "")]
    assert _printed(results[0].output) == "name='Jason' age=25\n"
    assert _printed(results[1].output) == "User\n"
    assert host.seen("openai") and host.seen("anthropic")


@pytest.mark.parametrize("model,provider", [
    ("gpt-3.5-turbo", "openai"), ("openai/gpt-4o", "openai"),
    ("openai/responses/gpt-4o", "openai_responses"), ("claude-sonnet-4-5", "anthropic"),
    ("gemini/gemini-2.5-flash", "gemini"), ("gemini/gemini-3-pro-preview", "gemini3"),
    ("vertex_ai/gemini-2.5-pro", "vertex"), ("azure/my-deployment", "azure"),
    ("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
    ("cohere_chat/command-a-03-2025", "cohere"), ("mistral/mistral-large-latest", "mistral"),
    ("perplexity/sonar", None), ("llamafile/smollm2", None), ("no-such-model-x", None)])
def test_each_model_name_goes_to_its_providers_emulator(model: str,
                                                         provider: str | None) -> None:
    found = provider_for(model)
    assert (found.name if found else None) == provider


def test_the_outside_network_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    results = _check(tmp_path, """
        import urllib.request
        urllib.request.urlopen("https://example.com", timeout=5)
        """, """
        import socket
        socket.create_connection(("192.0.2.1", 443), timeout=5)
        """, """
        import litellm
        litellm.completion(model="perplexity/sonar",
                           messages=[{"role": "user", "content": "hi"}])
        """)
    assert [r.status for r in results] == ["fails"] * 3
    assert results[0].note == ("outside network refused: the block tried to look up "
                               "'example.com'; docs-check reaches only the local emulators on "
                               "127.0.0.1")
    assert _summary(results)[1] == (
        "fails", "NetworkBlockedError: outside network refused: the block tried to connect to "
                 "('192.0.2.1', 443); docs-check reaches only the local emulators on 127.0.0.1")
    assert "tried to look up 'api.perplexity.ai'" in results[2].note
    assert results[2].error is not None and results[2].error.raised_in == "litellm"


def test_a_block_past_its_time_limit_fails_and_the_next_one_runs(tmp_path: Path) -> None:
    results = _check(tmp_path, """
        import time
        time.sleep(30)
        """, """
        while True:
            pass
        """, """
        print("after")
        """, timeout=0.5)
    assert _summary(results) == [("fails", "Timeout: the block ran past its 0.5 s limit"),
                                 ("fails", "Timeout: the block ran past its 0.5 s limit"),
                                 ("runs", "")]
    assert results[0].error is not None and results[0].error.line == 5
    assert results[0].error.raised_in == "page"
    assert results[1].error is not None and results[1].error.line in (10, 11)
    assert results[0].seconds < 5


def test_the_process_is_left_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import litellm

    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-the-page")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    before = (os.getcwd(), socket.getaddrinfo, socket.socket.connect, litellm.completion,
              sys.modules["__main__"], sys.argv)
    results = _check(tmp_path, """
        import os, sys
        print(os.environ["OPENAI_API_KEY"], os.environ["GEMINI_API_KEY"], __name__)
        print(os.listdir("."), sys.argv[0].endswith("page.md"))
        open("scratch.txt", "w").write("x")
        """)
    assert results[0].output == ("docs-check-placeholder docs-check-placeholder __main__\n"
                                 "[] True\n")
    assert (os.getcwd(), socket.getaddrinfo, socket.socket.connect, litellm.completion,
            sys.modules["__main__"], sys.argv) == before
    assert os.environ["OPENAI_API_KEY"] == "sk-not-for-the-page"
    assert "GEMINI_API_KEY" not in os.environ
    assert not (tmp_path / "scratch.txt").exists()


def test_the_command_prints_a_line_per_block_and_writes_both_reports(tmp_path: Path) -> None:
    page = tmp_path / "howto.md"
    page.write_text("# How to\n\n```bash\npip install x\n```\n\n```python\nx = 1\n```\n\n"
                    "```python\nx.missing\n```\n", encoding="utf-8")
    out = tmp_path / "out"
    done = run_cli("docs-check", str(page), "--out", str(out))
    assert done.code == 0, done.stderr
    assert done.stdout.splitlines() == [
        "block 1 (line 3) skipped: a shell block (bash), not Python",
        done.stdout.splitlines()[1],
        "block 3 (line 11) fails: AttributeError: 'int' object has no attribute 'missing' (at "
        "line 12 `x.missing`, raised in the page's code)",
        "3 blocks: 1 runs, 1 fails, 1 skipped."]
    assert done.stdout.splitlines()[1].startswith("block 2 (line 7) runs in ")
    data = json.loads((out / "howto.json").read_text(encoding="utf-8"))
    assert data["summary"] == {"blocks": 3, "runs": 1, "fails": 1, "skipped": 1}
    assert [b["status"] for b in data["blocks"]] == ["skipped", "runs", "fails"]
    report = (out / "howto.md").read_text(encoding="utf-8")
    assert "**3 blocks: 1 runs, 1 fails, 1 skipped.**" in report
    assert "- **Block 3** (line 11, “How to”): `AttributeError: 'int' object has no attribute " \
           "'missing'` at line 12 `x.missing`, raised in the page's code." in report
    strict = run_cli("docs-check", str(page), "--out", str(out), "--strict")
    assert strict.code == 1


@pytest.mark.parametrize("name,content,needle", [
    ("absent.md", None, "absent.md: no such page"),
    ("notes.txt", b"# hi\n", "notes.txt: not a markdown page (expected a name ending in .md"),
    ("binary.md", b"\xff\xfe\x00\x01", "binary.md: not markdown: the file is not UTF-8 text"),
    ("nul.md", b"# a\0b\n", "nul.md: not markdown: the file holds NUL bytes (binary)"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, name: str, content: bytes | None,
                                          needle: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    done = run_cli("docs-check", str(tmp_path / name), "--out", str(tmp_path / "out"))
    assert done.code == 2
    assert needle in " ".join(done.stderr.split())
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_bad_timeout_is_exit_2(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("x\n", encoding="utf-8")
    done = run_cli("docs-check", str(page), "--timeout", "0")
    assert done.code == 2
    assert "--timeout must be a positive number of seconds, not 0.0" in done.stderr


def test_the_guide_gives_the_committed_report(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    require_shared(GUIDE, "the LiteLLM guide (docs-sample/litellm-guide.md)")
    committed = json.loads((REPO / "reports" / "docs-check" / "litellm-guide.json")
                           .read_text(encoding="utf-8"))
    monkeypatch.chdir(REPO)
    done = run_cli("docs-check", "../shared/docs-sample/litellm-guide.md", "--out",
                   str(tmp_path))
    assert done.code == 0, done.stderr
    fresh = json.loads((tmp_path / "litellm-guide.json").read_text(encoding="utf-8"))
    fix = ("re-run 'conformance docs-check ../shared/docs-sample/litellm-guide.md' and commit "
           "reports/docs-check/")
    assert fresh["sha256"] == committed["sha256"], f"the guide changed: {fix}"

    def key(b: dict[str, object]) -> tuple[object, ...]:
        error = b["error"] if isinstance(b["error"], dict) else {}
        return (b["number"], b["line"], b["status"], error.get("type"), error.get("line"),
                b["follows_from"])

    assert [key(b) for b in fresh["blocks"]] == [key(b) for b in committed["blocks"]], fix
    assert len(done.stdout.splitlines()) == len(committed["blocks"]) + 1
