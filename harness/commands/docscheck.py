"""Command `docs-check`: run a markdown page's Python blocks against the emulators, report each."""

from __future__ import annotations

from pathlib import Path

import typer

from harness.commands.common import say
from harness.errors import HarnessError

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx", ".mkd")
PAGE_LIMIT = 16 << 20


def read_markdown(page: Path) -> bytes:
    """The page's bytes, or a one-line HarnessError: missing, not a file, not markdown."""
    from harness.recording.bounded import BoundedReadError, read_bounded, size_text

    if page.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise HarnessError(f"{page}: not a markdown page (expected a name ending in "
                           f"{', '.join(MARKDOWN_SUFFIXES)})")
    try:
        data = read_bounded(page, PAGE_LIMIT)
    except FileNotFoundError:
        raise HarnessError(f"{page}: no such page") from None
    except BoundedReadError as exc:
        raise HarnessError(f"{page}: {exc} (a page is a markdown file of at most "
                           f"{size_text(PAGE_LIMIT)})") from None
    except OSError as exc:
        raise HarnessError(f"{page}: cannot read the page ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HarnessError(f"{page}: not markdown: the file is not UTF-8 text") from None
    if "\0" in text:
        raise HarnessError(f"{page}: not markdown: the file holds NUL bytes (binary)")
    return data


def docs_check(page: Path = typer.Argument(..., help="The markdown page to check."),
               out: Path | None = typer.Option(None, "--out", help="Report folder (default: "
                                                "<reports>/docs-check)."),
               timeout: float = typer.Option(60.0, "--timeout", help="Wall-clock limit of "
                                             "each block, in seconds."),
               strict: bool = typer.Option(False, "--strict", help="Exit 1 when any block "
                                           "fails.")) -> None:
    """Run PAGE's Python blocks against the emulators: each runs, fails or is skipped.

    Blocks run in page order in one namespace; the report goes to <reports>/docs-check/.
    Exit 0; 1 with --strict when a block fails; 2 for bad input.
    """
    from harness.config import load
    from harness.docscheck.execute import can_bound_time
    from harness.docscheck.outcome import FAILS
    from harness.docscheck.report import (
        PageRun,
        block_line,
        digest,
        report_paths,
        summary_line,
        write_report,
    )
    from harness.run.session import check_writable
    from harness.versions import library_versions

    if not timeout > 0:
        raise HarnessError(f"--timeout must be a positive number of seconds, not {timeout!r}")
    data = read_markdown(page)
    folder = out or load().reports / "docs-check"
    check_writable(folder, "the docs-check report", "--out",
                   [p.name for p in report_paths(folder, str(page))])
    from harness.docscheck.check import check_page  # after the input checks: it starts slower

    try:
        blocks = check_page(page, data.decode("utf-8"), timeout,
                            on_block=lambda result: typer.echo(block_line(result)))
    except KeyboardInterrupt:
        say("interrupted: no report written")
        raise typer.Exit(130) from None
    run = PageRun(page=str(page), sha256=digest(data), versions=library_versions(),
                  timeout=timeout, timeout_enforced=can_bound_time(), blocks=blocks)
    md, js = write_report(run, folder)
    typer.echo(f"{summary_line(run)}.")
    say(f"Wrote {md} and {js}")
    if strict and any(b.status == FAILS for b in blocks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the command."""
    app.command("docs-check")(docs_check)
