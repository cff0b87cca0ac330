"""The docs-check report: a markdown page for people, a JSON file for tools, written together."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.docscheck.outcome import FAILS, PAGE, RUNS, SKIPPED, BlockResult, Raised
from harness.recording.atomic import write_all_atomic
from harness.secrets.record import scrub_record

VERSION = 1
_MARK = {RUNS: "✅ runs", FAILS: "❌ fails", SKIPPED: "⏭️ skipped"}


@dataclass(frozen=True)
class PageRun:
    """A checked page: what was checked, with what, and every block's result."""

    page: str  # the page as named on the command line
    sha256: str
    versions: dict[str, str]
    timeout: float
    timeout_enforced: bool
    blocks: list[BlockResult]

    def counts(self) -> dict[str, int]:
        """How many blocks runs, fails, skipped (and in all)."""
        out = {"blocks": len(self.blocks)}
        out.update({s: sum(1 for b in self.blocks if b.status == s) for s in (RUNS, FAILS,
                                                                                SKIPPED)})
        return out


def digest(data: bytes) -> str:
    """The page's sha256."""
    return hashlib.sha256(data).hexdigest()


def summary_line(run: PageRun) -> str:
    """`9 blocks: 0 run, 8 fail, 1 skipped`."""
    c = run.counts()
    return (f"{c['blocks']} block{'s' if c['blocks'] != 1 else ''}: {c[RUNS]} run"
            f"{'s' if c[RUNS] == 1 else ''}, {c[FAILS]} fail{'s' if c[FAILS] == 1 else ''}, "
            f"{c[SKIPPED]} skipped")


def where(error: Raised) -> str:
    """`line 26 (client = …), raised in the page's code` or in a library."""
    at = f"line {error.line}" + (f" `{error.source}`" if error.source else "") \
        if error.line else "outside the block's lines"
    inside = "the page's code" if error.raised_in == PAGE else error.raised_in
    return f"at {at}, raised in {inside}"


def block_line(result: BlockResult) -> str:
    """The one line the command prints for a block."""
    head = f"block {result.number} (line {result.line}) {result.status}"
    if result.status == SKIPPED:
        return f"{head}: {result.reason}"
    if result.status == FAILS and result.error:
        tail = f" [{result.note}]" if result.note else ""
        return f"{head}: {_one_line(result.error.headline)} ({where(result.error)}){tail}"
    return f"{head} in {result.seconds:.2f} s"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _code(text: str) -> str:
    text = _one_line(text, 80).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _cell(text: str) -> str:
    return _one_line(text, 200).replace("|", "\\|")


def _table(run: PageRun) -> list[str]:
    lines = ["| block | line | section | first line | result |", "|---|---|---|---|---|"]
    for b in run.blocks:
        detail = (b.reason if b.status == SKIPPED else
                  f"`{_cell(b.error.headline)}` at line {b.error.line}" if b.error else "")
        lines.append(f"| {b.number} | {b.line} | {_cell(b.heading)} | {_code(b.first_line)} "
                     f"| {_MARK[b.status]}" + (f": {detail}" if detail else "") + " |")
    return lines


def _failure(b: BlockResult) -> list[str]:
    assert b.error is not None
    headline = _one_line(b.error.headline, 400)
    out = [f"- **Block {b.number}** (line {b.line}, “{b.heading}”): `{headline}` "
           f"{where(b.error)}."]
    if b.note:
        out.append(f"  {b.note[0].upper()}{b.note[1:]}.")
    if b.error.cause:
        out.append(f"  Root cause: `{_one_line(b.error.cause, 400)}`.")
    return out


def _numbers(blocks: Sequence[BlockResult]) -> str:
    return ", ".join(str(b.number) for b in blocks)


def _tally(failing: Sequence[BlockResult]) -> str:
    """How many fail on their own, and how many only because an earlier block failed."""
    following = [b for b in failing if b.follows_from is not None]
    own = [b for b in failing if b.follows_from is None]
    text = f"{len(failing)} Python block{'s' if len(failing) != 1 else ''} fail"
    text += "s" if len(failing) == 1 else ""
    parts = []
    if own:
        parts.append(f"{len(own)} on {'its' if len(own) == 1 else 'their'} own code "
                     f"(block{'s' if len(own) != 1 else ''} {_numbers(own)})")
    if following:
        parts.append(f"{len(following)} only because an earlier block failed or was skipped "
                     f"before defining a name {'it uses' if len(following) == 1 else 'they use'} "
                     f"(block{'s' if len(following) != 1 else ''} {_numbers(following)})")
    return f"{text}: {'; '.join(parts)}."


def closing_note(run: PageRun) -> list[str]:
    """The page's blocks that do not run, with why; then the skipped ones."""
    failing = [b for b in run.blocks if b.status == FAILS]
    skipped = [b for b in run.blocks if b.status == SKIPPED]
    out = ["## Snippets that do not run", ""]
    if not failing:
        out.append("Every Python block that was run ran to its end.")
    else:
        out += [_tally(failing), ""]
    for b in failing:
        out += _failure(b)
    if skipped:
        out += ["", "Not run (skipped):", ""]
        out += [f"- Block {b.number} (line {b.line}, “{b.heading}”): {b.reason}." for b in
                skipped]
    return out


def _outputs(run: PageRun) -> list[str]:
    ran = [b for b in run.blocks if b.status == RUNS and b.output.strip()]
    out: list[str] = []
    for b in ran:
        out += ["", f"Block {b.number} (line {b.line}) printed:", "", "```text",
                b.output.rstrip("\n"), "```"]
    return (["", "## What the blocks that ran printed"] + out) if out else []


def render_markdown(run: PageRun) -> str:
    """The report for people."""
    name = Path(run.page).name
    versions = ", ".join(f"{k} {v}" for k, v in run.versions.items())
    limit = (f"{run.timeout:g} s per block" if run.timeout_enforced else
             "no time limit (not enforced outside the main thread)")
    lines = [f"# docs-check: {name}", "",
             f"`conformance docs-check {run.page}` extracts every fenced code block of the page "
             f"and runs its Python blocks in page order, in one shared namespace, against the "
             f"harness's local provider emulators (every litellm model name pointed at its "
             f"emulator; any other connection refused), {limit}.", "",
             f"- page: `{run.page}` (sha256 `{run.sha256[:16]}…`)", f"- versions: {versions}",
             "", f"**{summary_line(run)}.**", ""]
    lines += _table(run) + [""] + closing_note(run) + _outputs(run)
    return "\n".join(scrub_record(lines)) + "\n"


def to_json(run: PageRun) -> dict[str, Any]:
    """The report for tools."""
    return scrub_record({
        "docs_check_version": VERSION, "page": run.page, "sha256": run.sha256,
        "versions": run.versions, "timeout": run.timeout,
        "timeout_enforced": run.timeout_enforced, "summary": run.counts(),
        "blocks": [b.to_dict() for b in run.blocks]})


def report_paths(folder: Path, page: str) -> tuple[Path, Path]:
    """Where the report of `page` goes: <folder>/<page stem>.md and .json."""
    stem = Path(page).stem
    return folder / f"{stem}.md", folder / f"{stem}.json"


def write_report(run: PageRun, folder: Path) -> tuple[Path, Path]:
    """Write both files atomically (both or neither); their paths."""
    md, js = report_paths(folder, run.page)
    write_all_atomic({md: render_markdown(run),
                      js: json.dumps(to_json(run), indent=2, ensure_ascii=False) + "\n"})
    return md, js


def load_statuses(path: Path) -> list[tuple[int, int, str]]:
    """(block, line, status) of every block of a written JSON report."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(b["number"], b["line"], b["status"]) for b in data["blocks"]]


def statuses(blocks: Sequence[BlockResult]) -> list[tuple[int, int, str]]:
    """(block, line, status) of every result."""
    return [(b.number, b.line, b.status) for b in blocks]
