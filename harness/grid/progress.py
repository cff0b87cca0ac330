"""What a grid shows while it works: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.grid.pairs import OK, PairOutcome
from harness.grid.versions import Pair
from harness.reports.results_table import counts


def outcome_line(outcome: PairOutcome) -> str:
    """One line per finished pair: its status, cell counts, timing, forced or not."""
    label = outcome.pair.label
    if outcome.status != OK or outcome.results is None:
        return f"{label}: {outcome.status}: {outcome.reason}"
    tally = ", ".join(f"{n} {o}" for o, n in sorted(counts(outcome.results).items()))
    env = "cached environment" if outcome.env_cached else f"built in {outcome.build_s:.0f} s"
    forced = " [FORCED: conflicting requirements]" if outcome.forced else ""
    return f"{label}: {tally} ({env}, replay {outcome.run_s:.0f} s){forced}"


class GridProgress:
    """Pairs done out of all, with a line per step and per finished pair above the bar."""

    def __init__(self, total: int, console: Console, quiet: bool = False) -> None:
        self.console, self.quiet = console, quiet
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task: Any = None
        if console.is_terminal and not quiet and total:
            self._bar = Progress(TextColumn("[bold]pairs"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=console, transient=False)
            self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> GridProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _print(self, text: str) -> None:
        target = self._bar.console if self._bar is not None else self.console
        with self._lock:
            target.print(text, highlight=False, markup=False, soft_wrap=True)

    def step(self, pair: Pair, what: str) -> None:
        """A pair starts a step (environment, replay): shown on the bar, or as a line."""
        if self._bar is not None:
            self._bar.update(self._task, description=f"{pair.label}: {what}")
        elif not self.quiet:
            self._print(f"{pair.label}: {what}")

    def finished(self, outcome: PairOutcome) -> None:
        """A pair is final."""
        self._print(outcome_line(outcome))
        if self._bar is not None:
            self._bar.advance(self._task)
