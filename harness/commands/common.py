"""What every command shares: the stderr console, the one-line error, the selection options."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

console = Console(stderr=True)

ProviderOpt = typer.Option(None, "--provider", "-p", help="Provider name (repeatable).")
ModeOpt = typer.Option(None, "--mode", "-m", help="Mode name (repeatable).")
ScenarioOpt = typer.Option(None, "--scenario", "-s", help="Scenario name (repeatable).")
ModulesOpt = typer.Option(None, "--scenarios", help="A module declaring scenarios, e.g. "
                          "my_pkg.scenarios (repeatable; adds to [tool.conformance] "
                          "scenarios).")
CassetteOpt = typer.Option(None, "--cassettes", help="Cassette folder (default: ./cassettes).")
OutOpt = typer.Option(None, "--out", help="Report folder (default: ./reports).")
ShardOpt = typer.Option(None, "--shard", help="Run only shard i of n of the selected cells "
                        "(i/n, e.g. 2/4; by cell id: CI jobs split a run, conformance merge "
                        "joins them).")


def error_line(message: str) -> None:
    """Print `error: message` on stderr as one line, never read as rich markup."""
    # One line however narrow the terminal, and a cassette path like
    # test[required-bedrock].yaml is not markup.
    console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)


def say(line: str) -> None:
    """Print a plain line on stderr (no markup, no highlighting, no wrapping)."""
    console.print(line, highlight=False, markup=False, soft_wrap=True)

