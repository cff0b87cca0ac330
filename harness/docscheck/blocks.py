"""A markdown page's fenced code blocks: where each starts, its language, its code."""

from __future__ import annotations

import re
from dataclasses import dataclass

# An opening fence: up to any indentation (a fence inside a list item is indented), three or
# more backticks or tildes, then the info string (a backtick fence's may hold no backtick).
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<title>.*?)[ \t#]*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    number: int  # 1-based, in page order, every fenced block counted
    line: int  # the page line of its opening fence (1-based)
    lang: str  # the info string's first word, lower-cased ("" when untagged)
    code: str  # its lines, the fence's indentation removed
    heading: str = ""  # the title of the last heading above it

    @property
    def code_line(self) -> int:
        """The page line of the code's first line."""
        return self.line + 1

    @property
    def first_line(self) -> str:
        """The first line of code that is not blank."""
        return next((ln.strip() for ln in self.code.splitlines() if ln.strip()), "")

    def page_line(self, block_line: int) -> int:
        """The page line of line `block_line` (1-based) of the code."""
        return self.code_line + block_line - 1

    def source_line(self, block_line: int) -> str:
        """Line `block_line` (1-based) of the code, stripped ("" outside it)."""
        lines = self.code.splitlines()
        return lines[block_line - 1].strip() if 1 <= block_line <= len(lines) else ""


def language(info: str) -> str:
    """The language an info string names: `python`, `{.python}`, `py title="a.py"` → python."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    word = word.strip("{}").lstrip(".").split(",")[0]
    return word.lower()


def _dedent(line: str, indent: str) -> str:
    """`line` without the opening fence's indentation (as much of it as the line has)."""
    n = 0
    while n < len(indent) and n < len(line) and line[n] in " \t":
        n += 1
    return line[n:]


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def extract_blocks(text: str) -> list[Block]:
    """Every fenced code block of markdown `text`, in page order.

    A fence is closed by a line of the same character, at least as long, and nothing else;
    an unclosed fence runs to the end of the page (CommonMark).
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    heading = ""
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        title = _HEADING.match(lines[i])
        if title:
            heading = title.group("title")
        if not match or (match.group("fence")[0] == "`" and "`" in match.group("info")):
            i += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(_dedent(lines[j], indent))
            j += 1
        code = "\n".join(body) + ("\n" if body else "")
        blocks.append(Block(number=len(blocks) + 1, line=i + 1,
                            lang=language(match.group("info")), code=code, heading=heading))
        i = j + 1
    return blocks
