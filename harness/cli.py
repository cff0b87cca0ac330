"""The `conformance` command line: the app, its commands in help order, and the entry point."""

from __future__ import annotations

import sys

import typer

from harness.commands import register_all
from harness.commands.common import error_line
from harness.errors import HarnessError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Cross-provider conformance harness for structured LLM outputs.")
register_all(app)


def main() -> None:
    """Entry point: harness errors become one clear line and exit code 2."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except HarnessError as exc:
        error_line(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors
        import click
        # typer >= 0.2x raises the usage errors of its own vendored click, which are not
        # click.ClickException: both kinds have show() and an exit code.
        if isinstance(exc, click.ClickException) or (
                callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code")):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(2)
        if isinstance(exc, (click.exceptions.Abort, typer.Abort)):
            sys.exit(130)
        raise


if __name__ == "__main__":  # `python -m harness.cli`: how `conformance grid` runs each pair
    main()
