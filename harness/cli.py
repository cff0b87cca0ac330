"""The `conformance` command line: the app, its commands in help order, and the entry point."""

from __future__ import annotations

import contextlib
import importlib
import sys
from types import ModuleType

import typer

from harness.commands import register_all
from harness.commands.common import error_line
from harness.errors import HarnessError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Cross-provider conformance harness for structured LLM outputs.")
register_all(app)

PROGRAM = "conformance"


def _click_exception_modules() -> list[ModuleType]:
    """The exceptions modules of every click in use.

    Recent typer releases bundle their own copy of click (`typer._click`) and raise its
    exceptions, not click's: a handler matching only `click.ClickException` never fires. The
    copy typer uses is found from a class typer exports, whichever copy that is; the standalone
    click is kept too, when installed, for anything raising its exceptions directly.
    """
    modules = [sys.modules[typer.BadParameter.__module__]]
    with contextlib.suppress(ImportError):
        modules.append(importlib.import_module("click.exceptions"))
    return modules


def _classes(name: str) -> tuple[type[BaseException], ...]:
    """The exception class `name` from every click in use (absent ones left out)."""
    found = [getattr(module, name, None) for module in _click_exception_modules()]
    return tuple({cls for cls in found if isinstance(cls, type)})


def _command_path(ctx: object) -> str:
    """`conformance SUBCOMMAND…` of a click context, whatever argv[0] was (python -c, a shim)."""
    names: list[str] = []
    while ctx is not None:
        names.append(str(getattr(ctx, "info_name", "") or ""))
        ctx = getattr(ctx, "parent", None)
    return " ".join([PROGRAM, *[n for n in reversed(names[:-1]) if n]])


def usage_line(exc: BaseException) -> str:
    """One line for a click usage error: the problem, then where the valid usage is."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    message = " ".join(str(message).split()).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    return f"{message}; see '{_command_path(ctx)} --help'"


def _exit_for_click(exc: Exception) -> None:
    """Exit as a click exception asks, as one line; re-raise anything else."""
    if isinstance(exc, _classes("Abort")):
        sys.exit(130)
    if type(exc).__name__ == "NoArgsIsHelpError":
        # No arguments: typer has already printed the help (older releases carry it in the
        # message instead). Exit 2 as click does.
        text = str(getattr(exc, "format_message", lambda: "")() or "").strip()
        if text:
            print(text)
        sys.exit(2)
    if isinstance(exc, _classes("ClickException")):
        error_line(usage_line(exc))
        sys.exit(2)
    raise exc


def main() -> None:
    """Entry point: harness errors and usage errors become one clear line and exit code 2."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except HarnessError as exc:
        error_line(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's exceptions, from whichever click typer uses
        _exit_for_click(exc)


if __name__ == "__main__":  # `python -m harness.cli`: how `conformance grid` runs each pair
    main()
