"""What a run shows while it works: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from harness.results import cell_text


class RunProgress:
    """Cells done, passed, failed, retries and ETA; one plain line per cell when not a TTY.

    `--quiet` and non-TTY output stay plain text lines (CI logs, pipes): a line per cell that
    did not pass (every cell with --verbose), a line per retry unless quiet.
    """

    def __init__(self, total: int, console: Console, quiet: bool = False,
                 verbose: bool = False) -> None:
        self.total, self.console, self.quiet, self.verbose = total, console, quiet, verbose
        self.done = self.passed = self.failed = self.retries = 0
        self._bar: Progress | None = None
        self._task: Any = None
        if console.is_terminal and not quiet and total:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed[/] "
                           "[red]{task.fields[failed]} failed[/] "
                           "[yellow]{task.fields[retries]} retries[/]"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=console, transient=False)

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("cells", total=self.total, passed=0, failed=0,
                                            retries=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _print(self, text: str) -> None:
        target = self._bar.console if self._bar is not None else self.console
        target.print(text, highlight=False, markup=False, soft_wrap=True)

    def _refresh(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, passed=self.passed,
                             failed=self.failed, retries=self.retries)

    def message(self, text: str) -> None:
        """A line above the bar (or a plain line)."""
        self._print(text)

    def retrying(self, cell_id: str, reason: str, wait: float) -> None:
        """A cell will be retried after `wait` seconds."""
        self.retries += 1
        if not self.quiet:
            self._print(f"retrying {cell_id} in {wait:.1f}s ({reason})")
        self._refresh()

    def finished(self, result: Any) -> None:
        """A cell is final."""
        self.done += 1
        self.passed += result.outcome == "pass"
        self.failed += result.outcome in ("fail", "error")
        if (self.verbose and not self.quiet) or result.outcome not in ("pass", "skipped"):
            extra = f" — {result.exception_type}" if result.exception_type else ""
            self._print(f"[{self.done}/{self.total}] {result.cell_id}: "
                        f"{cell_text(result.outcome, result.layer)}{extra}")
        self._refresh()
