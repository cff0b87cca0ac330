"""Command `init`: start a project in the current folder.

Writes a starter [tool.conformance] table (a new pyproject.toml, or appended to one that has
none), an example scenario module and a CI workflow that replays offline. It never overwrites:
every target is checked first, and if any is taken nothing at all is written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from harness.commands.common import say
from harness.errors import HarnessError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SCENARIO_FILE = "conformance_scenarios.py"
WORKFLOW = ".github/workflows/conformance.yml"

TABLE = '''[tool.conformance]
# Written by `conformance init`. Precedence: defaults < this table < CONFORMANCE_* variables
# < command-line flags. Paths are relative to this folder.
scenarios = ["conformance_scenarios"]  # modules declaring the scenarios (importable from here)
providers = ["openai", "anthropic"]    # default: every provider (`conformance list`)
# modes = ["tools", "json_schema"]     # default: every mode each provider offers
builtin = false                        # true: also replay the guide's built-in scenarios
cassettes = "cassettes"
reports = "reports"

# A known failure pinned to its evidence: under pytest a strict xfail, which fails if the
# cells pass (fixed upstream: delete the entry) or fail in any other way.
[[tool.conformance.expected_failures]]
cells = ["anthropic-json-*"]
reason = """litellm drops response_format={'type': 'json_object'} for anthropic/: Claude \\
answers fenced JSON, which instructor's JSON mode parses strictly"""
outcome = "error"
layer = "litellm"
exception = "ValidationError"
message = "Invalid JSON: expected value at line 1 column 1"
'''

SCENARIOS = '''"""This project's scenarios, checked on every provider × mode by the harness.

Each scenario(...) is one cell per provider and mode, with ids like openai-tools-invoice.
`conformance record` records them against local emulators of the providers (no key, no
network), `conformance run` (or plain `pytest`) replays the cassettes offline, and
`conformance record --live -p openai` records the real API (the key from OPENAI_API_KEY).
"""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from harness.scenarios import scenario


class Invoice(BaseModel):
    """What the model must extract; the validator runs on every answer, as in production."""

    customer: str
    total: float
    currency: str

    @field_validator("currency")
    @classmethod
    def iso_code(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be a 3-letter ISO 4217 code, e.g. EUR")
        return value.upper()


PROMPT = "Extract the invoice: ACME Corp owes 1250.50 EUR for consulting."
ANSWER = {"customer": "ACME Corp", "total": 1250.5, "currency": "EUR"}
# expected: the exact answer (the emulators give it, a replay checks it); facts: what a live
# model's answer must get right (strings match case-insensitively, and inside longer ones).
FACTS = {"customer": "ACME", "currency": "EUR"}

scenario("invoice", model=Invoice, prompt=PROMPT, expected=ANSWER, facts=FACTS,
         twin="invoice_async")
scenario("invoice_async", model=Invoice, prompt=PROMPT, expected=ANSWER, facts=FACTS,
         is_async=True, twin="invoice")
'''

CI = '''# Written by `conformance init`: replays the recorded cassettes offline (no provider, no API
# key) on every push and pull request, and keeps the reports.
name: conformance
on: [push, pull_request]
jobs:
  conformance:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      # The harness, plus your project's requirements (the instructor and litellm under test).
      - run: pip install llm-conformance-harness
      # Offline replay of ./cassettes into ./reports; exit 1 when a cassette is missing.
      # Add --baseline reports/baseline.json to fail on any regressed cell.
      - run: conformance run
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: conformance-reports
          path: reports/
'''


def _pyproject(path: Path) -> tuple[str | None, str | None]:
    """(the pyproject.toml to write, or None; the reason it cannot be, or None)."""
    if not os.path.lexists(path):
        return TABLE, None
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise HarnessError(f"{path}: unreadable ({exc}); fix it, then run 'conformance init' "
                           f"again; nothing was written") from None
    if "conformance" in data.get("tool", {}):
        return None, "pyproject.toml already has [tool.conformance]"
    return text + ("" if text.endswith("\n") or not text else "\n") + "\n" + TABLE, None


def plan(root: Path) -> dict[Path, str]:
    """Every file `init` writes under `root` with its content; a one-line HarnessError, and
    nothing to write, when any of them is taken."""
    files: dict[Path, str] = {}
    taken: list[str] = []
    content, problem = _pyproject(root / "pyproject.toml")
    if content is not None:
        files[root / "pyproject.toml"] = content
    if problem:
        taken.append(problem)
    for name, text in ((SCENARIO_FILE, SCENARIOS), (WORKFLOW, CI)):
        if os.path.lexists(root / name):  # a dangling link is taken too
            taken.append(f"{name} exists")
        files[root / name] = text
    if taken:
        raise HarnessError(f"conformance init never overwrites: {'; '.join(taken)}; nothing "
                           f"was written (move them away, or edit them by hand)")
    return files


def _testpaths_note(root: Path) -> str | None:
    """A note when the project's pytest settings would not walk the example scenario file."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    paths = data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("testpaths")
    if isinstance(paths, list) and "." not in paths and SCENARIO_FILE not in paths:
        return (f"note: [tool.pytest.ini_options] testpaths leaves out {SCENARIO_FILE}: plain "
                f"pytest collects its cells once you add it there (or: pytest {SCENARIO_FILE})")
    return None


def init() -> None:
    """Start a project here: a [tool.conformance] table, an example scenario module and a CI
    workflow (never overwrites a file)."""
    from harness.recording.atomic import write_all_atomic

    root = Path.cwd()
    files = plan(root)
    existed = (root / "pyproject.toml").exists()
    try:
        write_all_atomic(files)
    except OSError as exc:
        raise HarnessError(f"cannot write {exc.filename or root}: {exc.strerror or exc}; "
                           f"nothing was written") from None
    how = "appended [tool.conformance] to" if existed else "wrote"
    say(f"{how} pyproject.toml; wrote {SCENARIO_FILE} and {WORKFLOW}")
    note = _testpaths_note(root)
    if note:
        say(note)
    say("next: conformance record (the scenarios against the local emulators, into "
        "cassettes/), then conformance run or pytest (offline replay, reports in reports/)")


def register(app: typer.Typer) -> None:
    """Add `init`."""
    app.command("init")(init)
