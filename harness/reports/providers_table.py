"""The README's provider table, rendered from the provider registry (never written by hand)."""

from __future__ import annotations

from collections.abc import Iterable

from harness.providers import PROVIDERS, Provider

START = "<!-- conformance:providers:start -->"
END = "<!-- conformance:providers:end -->"
MARKERS = (START, END)
COMMAND = "conformance providers-table README.md"  # what regenerates it


def _cell(text: str) -> str:
    # A pipe inside a cell would end it.
    return " ".join(text.split()).replace("|", "\\|")


def table_lines(providers: Iterable[Provider] = PROVIDERS) -> list[str]:
    """A pipe table: provider, litellm model string (default), credentials, emulator covers."""
    lines = ["| provider | litellm model string (default) | credentials (live) | emulator covers |",
             "|---|---|---|---|"]
    for p in providers:
        credentials = ", ".join(f"`{name}`" for name in p.credentials)
        lines.append(f"| `{p.name}` | `{p.model_string()}` | {credentials} | {_cell(p.covers)} |")
    return lines
