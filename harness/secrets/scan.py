"""Find anything credential-like in files (cassettes, reports): file:line and kind, never the
secret.

Detectors: a real key format anywhere, or a random-looking value in a field named like a
credential (harness.secrets.patterns, shared with the scrubber); a long value in an auth
position (`api-key: ...`, `"api_key": "..."`, `Authorization: Bearer ...`), which catches keys
without a prefix (Azure, Cohere, Mistral); and, in YAML cassettes, a credential header kept
with any value (`authorization:` followed by `- <value>`), which the recorder never writes, or
any field named like a credential followed by a random-looking `- <value>`.

Files are read line by line, whatever their size: nothing is skipped or cut short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from harness.errors import HarnessError
from harness.secrets import patterns

_SKIP_DIRS = frozenset({".git", "__pycache__", ".pytest_cache", ".hypothesis", "node_modules"})
# Headers the recorder always drops: kept in a cassette with any value, they are a leak.
_FIXED_HEADERS = ("authorization", "proxy-authorization", "api-key", "x-api-key",
                  "x-goog-api-key", "cookie", "set-cookie", "x-amz-security-token",
                  "openai-organization", "openai-project")
_YAML_KEY = re.compile(r"^\s*(?:-\s+)?[\"']?(?P<name>[A-Za-z0-9_.-]{1,100})[\"']?:\s*$")
_YAML_ITEM = re.compile(r"^\s*-\s+[\"']?(?P<value>[^\"'\s][^\"']*)[\"']?\s*$")
# A line longer than this is scanned in windows overlapping by _OVERLAP, so that a file
# of one endless line is read in bounded memory and a key across a window edge is whole in one.
_WINDOW = 1 << 20
_OVERLAP = 1 << 12


@dataclass(frozen=True)
class Finding:
    """A credential-like string: where, what kind, and a masked hint (never the full value)."""

    path: str
    line: int
    kind: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} ({self.hint})"


def _placeholder(value: str) -> bool:
    stripped = value.strip().strip("\"'")
    return stripped in patterns.PLACEHOLDERS or set(stripped) <= {"*", "x", "X", "R"} \
        or "REDACTED" in stripped


def _in_line(line: str, number: int, where: str, more: bool) -> Iterator[Finding]:
    """What one line (or window of a long line) holds, by the line's detectors.

    `more`: the line goes on past this window; a match reaching its end may be cut short,
    and is left to the next window, which starts _OVERLAP characters earlier.
    """
    cut = len(line) if more else -1
    spans = [span for span in patterns.find(line) if span[2] != cut]
    keys = [span for span in spans if span[0] != patterns.FIELD_KIND]
    auth: list[tuple[int, int]] = []
    for regex in (patterns.AUTH_VALUE, patterns.BEARER):
        for match in regex.finditer(line):
            start, end = match.span("value")
            if not _placeholder(match.group("value")) and end != cut \
                    and not any(s <= start < e for _, s, e in keys):
                auth.append((start, end))
                break
    # A random value the auth-position detector names already is not reported twice.
    fields = [(kind, start, end) for kind, start, end in spans if kind == patterns.FIELD_KIND
              and not any(s < end and start < e for s, e in auth)]
    named = [(kind, start, end) for kind, start, end in keys] + [
        ("credential in an auth position", start, end) for start, end in auth] + fields
    for kind, start, end in named:
        yield Finding(where, number, kind, patterns.mask(line[start:end]))


def _header_item(header: str | None, line: str, number: int, where: str) -> Iterator[Finding]:
    """The `- <value>` line under a YAML key named like a credential, when it is one."""
    item = _YAML_ITEM.match(line) if header else None
    if header is None or item is None or _placeholder(item.group("value")):
        return
    value = item.group("value")
    if header.lower() in _FIXED_HEADERS:
        yield Finding(where, number, f"{header.lower()} header kept in a cassette",
                      patterns.mask(value))
    elif patterns.looks_random(value) and not patterns.find(line):
        yield Finding(where, number, patterns.FIELD_KIND, patterns.mask(value))


def _yaml_key(line: str) -> str | None:
    """The credential-like YAML key a line opens, its value on the next line (or None)."""
    key = _YAML_KEY.match(line)
    if key is None:
        return None
    name = key.group("name")
    return name if name.lower() in _FIXED_HEADERS or patterns.is_credential_name(name) else None


def scan_lines(lines: Iterable[tuple[int, str, bool]], where: str) -> Iterator[Finding]:
    """Every credential-like string in (number, text, more) lines, in order, without repeats.

    `more`: the text is a window of a line that goes on (read_lines).
    """
    header: str | None = None
    seen: set[tuple[int, str]] = set()
    for number, line, more in lines:
        found = list(_header_item(header, line, number, where))
        # Every name a detector looks for holds an anchor: a line without one is skipped whole.
        hot = patterns.may_hold_secret(line)
        header = _yaml_key(line) if hot else None
        if hot:
            found += _in_line(line, number, where, more)
        for finding in found:
            if (finding.line, finding.hint) not in seen:  # a window overlap, two detectors
                seen.add((finding.line, finding.hint))
                yield finding


def scan_text(text: str, where: str) -> list[Finding]:
    """Every credential-like string in `text`, by line."""
    return list(scan_lines(((n, line, False) for n, line in enumerate(text.splitlines(), 1)),
                           where))


def read_lines(handle: BinaryIO) -> Iterator[tuple[int, str, bool]]:
    """(number, text, more) of every line of a binary file, streamed; long lines in windows.

    A window of a line longer than _WINDOW bytes starts with the last _OVERLAP bytes of the
    one before; `more` says the line goes on after it.
    """
    number, tail = 0, b""
    while True:
        piece = handle.readline(_WINDOW)
        if not piece:
            return
        if not tail:  # a new line starts (the previous piece ended with one)
            number += 1
        more = not piece.endswith(b"\n")
        text = (tail + piece).decode("utf-8", errors="replace")
        yield number, text.rstrip("\r\n"), more
        tail = piece[-_OVERLAP:] if more else b""


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _SKIP_DIRS & set(child.parts):
                    yield child
        elif path.is_file():
            yield path
        else:
            raise HarnessError(f"{path}: no such file or folder to scan; pass existing paths "
                               f"(default: cassettes/ and reports/)")


def scan_paths(paths: Iterable[Path]) -> tuple[list[Finding], int]:
    """(findings, files scanned) over files and folders; an unreadable file is an error."""
    findings: list[Finding] = []
    count = 0
    for file in _files(paths):
        try:
            with file.open("rb") as handle:
                findings += scan_lines(read_lines(handle), str(file))
        except OSError as exc:
            raise HarnessError(f"{file}: cannot read it to scan ({exc.strerror}); fix its "
                               f"permissions or leave it out") from None
        count += 1
    return findings, count
