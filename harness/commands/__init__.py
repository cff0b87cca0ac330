"""CLI command modules: each has a `register(app)` function that adds its commands."""

from __future__ import annotations

import importlib

import typer

# Help order: the everyday commands first.
MODULES = ("init", "run", "merge", "validate", "secrets", "matrix", "docscheck", "grid",
           "repro", "providers", "llamacpp")


def register_all(app: typer.Typer) -> None:
    """Let every command module add its commands to `app`, in help order."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app)
