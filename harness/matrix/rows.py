"""Results → the guide's support table: one row per provider display name, evidence per symbol."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import UnknownNameError
from harness.matrix.levels import Level, Verdict, measured
from harness.matrix.rules import COLUMNS, decide_row
from harness.results import CellResult, RunResults

HEADER = ("Provider",) + COLUMNS


@dataclass(frozen=True)
class Row:
    """One row of the table: a display name, the providers pooled in it, a verdict per column."""

    display: str
    providers: tuple[str, ...]
    rank: int
    verdicts: dict[str, Verdict]

    def symbols(self) -> list[str]:
        """The row as the guide writes it."""
        return [self.display] + [self.verdicts[c].level.symbol for c in COLUMNS]


def display_of(provider: str) -> tuple[str, int]:
    """(display name, rank) of a provider; a provider this checkout lacks keeps its own name."""
    from harness.providers import get_provider
    try:
        entry = get_provider(provider)
    except UnknownNameError:
        return provider, 1000
    return entry.display, entry.rank


def build_rows(results: RunResults, *, unmeasured_too: bool = False) -> list[Row]:
    """Group cells by display name and decide every column, in the guide's row order.

    A row none of whose cells measured anything (a live-only provider without cassettes) is
    left out unless `unmeasured_too`: the table would otherwise claim ❌ None for it.
    """
    groups: dict[str, list[CellResult]] = {}
    ranks: dict[str, int] = {}
    for cell in results.cells.values():
        display, rank = display_of(cell.provider)
        groups.setdefault(display, []).append(cell)
        ranks[display] = min(rank, ranks.get(display, rank))
    rows = [Row(display, tuple(sorted({c.provider for c in cells})), ranks[display],
                decide_row(sorted(cells, key=lambda c: c.cell_id)))
            for display, cells in groups.items()
            if unmeasured_too or any(measured(c) for c in cells)]
    return sorted(rows, key=lambda r: (r.rank, r.display))


def unmeasured_rows(results: RunResults) -> list[str]:
    """Display names of the rows `build_rows` leaves out: nothing measured."""
    shown = {r.display for r in build_rows(results)}
    return [r.display for r in build_rows(results, unmeasured_too=True) if r.display not in shown]


def unmeasured(rows: Sequence[Row]) -> list[str]:
    """'Row / Column' for every column no cell measured."""
    return [f"{r.display} / {c}" for r in rows for c in COLUMNS
            if r.verdicts[c].level is Level.UNMEASURED]


def text_width(text: str) -> int:
    """Columns `text` takes in a monospace editor (emoji are two wide)."""
    width = 0
    for ch in text:
        if ch == "\ufe0f":  # emoji presentation: the previous symbol becomes two wide
            width += 1
        elif unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A pipe table padded to display width, in the guide's plain style (no alignment colons)."""
    widths = [max(text_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c) + " " * (w - text_width(str(c)))
                                 for c, w in zip(cells, widths, strict=False)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
            *(line(r) for r in rows)]


def guide_table(rows: Sequence[Row]) -> list[str]:
    """The guide's streaming-support table for `rows`, as markdown lines."""
    return markdown_table(HEADER, [r.symbols() for r in rows])


def parse_table(lines: Sequence[str]) -> list[list[str]]:
    """A pipe table's cells, stripped, without the delimiter row: for comparing content."""
    out = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(set(c) <= set(":- ") and c for c in cells):
            continue
        out.append(cells)
    return out
