"""Regenerate a table inside a markdown page, leaving every other byte as it was.

The streaming-support table by default; any other generated table (the README's providers)
names its own start and end markers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.matrix.rows import parse_table
from harness.recording.atomic import write_atomic
from harness.reports.markdown import END, START

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


class DocsTableError(HarnessError):
    """The page has no place for the table (exit 2)."""


@dataclass(frozen=True)
class Span:
    """Lines [start, end) of the page that hold the table; how they were found."""

    start: int
    end: int
    found_by: str


def _outside_fences(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is outside fenced code (a '# comment' there is no heading)."""
    out, fence = [], ""
    for line in lines:
        m = _FENCE.match(line)
        if fence:
            out.append(False)
            # A closing fence: the same character, at least as long, no info string.
            if (m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
                    and not line.strip().lstrip(fence[0])):
                fence = ""
        elif m:
            fence = m.group(1)
            out.append(False)
        else:
            out.append(True)
    return out


def find_span(lines: Sequence[str], heading: str | None,
              markers: tuple[str, str] = (START, END)) -> Span:
    """Where the table is: between the markers, else the first table under `heading`."""
    free = _outside_fences(lines)
    start, end = markers
    starts = [i for i, line in enumerate(lines) if free[i] and line.strip() == start]
    ends = [i for i, line in enumerate(lines) if free[i] and line.strip() == end]
    if starts or ends:
        if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
            raise DocsTableError(f"expected one {start} line followed by one {end} line, found "
                                 f"{len(starts)} start and {len(ends)} end markers")
        return Span(starts[0] + 1, ends[0], "markers")
    if not heading:
        raise DocsTableError(f"no {start} markers in the page; pass --heading "
                             f"'Provider-Specific Streaming Support' or add the markers")
    want = heading.strip().lstrip("#").strip().lower()
    for i, line in enumerate(lines):
        m = _HEADING.match(line.rstrip("\r\n")) if free[i] else None
        if m and m.group(2).strip().lower() == want:
            return _table_after(lines, free, i, len(m.group(1)), heading)
    raise DocsTableError(f"no heading {heading!r} in the page (headings inside code blocks "
                         f"do not count)")


def _table_after(lines: Sequence[str], free: list[bool], at: int, level: int,
                 heading: str) -> Span:
    for j in range(at + 1, len(lines)):
        m = _HEADING.match(lines[j].rstrip("\r\n")) if free[j] else None
        if m and len(m.group(1)) <= level:
            break
        if (free[j] and lines[j].lstrip().startswith("|") and j + 1 < len(lines)
                and _DELIMITER.match(lines[j + 1].rstrip("\r\n"))):
            end = j
            while end < len(lines) and free[end] and lines[end].lstrip().startswith("|"):
                end += 1
            return Span(j, end, "heading")
    raise DocsTableError(f"no markdown table under the heading {heading!r}")


def newline_of(text: str) -> str:
    """The page's line ending."""
    return "\r\n" if "\r\n" in text else "\n"


@dataclass(frozen=True)
class Rewrite:
    """The page before and after, and the table lines that differ."""

    old_text: str
    new_text: str
    old_table: list[str]
    new_table: list[str]
    span: Span

    @property
    def same(self) -> bool:
        """Whether the page's table already says what was measured (cell text, stripped)."""
        return parse_table(self.old_table) == parse_table(self.new_table)

    def diff(self, page: str) -> str:
        """A unified diff of the page's table against the measured one."""
        return "".join(difflib.unified_diff([line + "\n" for line in self.old_table],
                                            [line + "\n" for line in self.new_table],
                                            f"{page} (page)", f"{page} (measured)"))


def rewrite(text: str, table: Sequence[str], heading: str | None,
            markers: tuple[str, str] = (START, END)) -> Rewrite:
    """The page with its table replaced by `table` (unchanged when the content is the same)."""
    lines = text.splitlines(keepends=True)
    span = find_span(lines, heading, markers)
    region = lines[span.start:span.end]
    old_table = [line.rstrip("\r\n") for line in region if line.lstrip().startswith("|")]
    nl = newline_of(text)
    result = Rewrite(text, text, old_table, list(table), span)
    if result.same:
        return result  # whitespace-only differences are kept: no churn in the page
    # Between markers the region is the table alone; under a heading the last table line
    # keeps whatever ended it (a page may end without a newline).
    last = region[-1] if region else ""
    tail = last[len(last.rstrip("\r\n")):] if span.found_by == "heading" else nl
    body = [line + nl for line in table[:-1]] + [table[-1] + tail]
    new = "".join(lines[:span.start]) + "".join(body) + "".join(lines[span.end:])
    return Rewrite(text, new, old_table, list(table), span)


def read_page(path: Path) -> str:
    """The page's text, line endings untouched."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DocsTableError(f"{path}: no such page") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DocsTableError(f"{path}: cannot read the page ({exc})") from None


def write_page(path: Path, text: str) -> None:
    """Write atomically, keeping the page's permissions (write_atomic keeps them)."""
    write_atomic(path, text.encode("utf-8"))
