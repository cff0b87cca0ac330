"""Find anything credential-like in files (cassettes, reports): file:line and kind, never the
secret.

Three detectors: a real key format anywhere (harness.secrets.patterns); a long value in an auth
position (`api-key: ...`, `"api_key": "..."`, `Authorization: Bearer ...`), which catches keys
without a prefix (Azure, Cohere, Mistral); and, in YAML cassettes, a credential header kept
with any value (`authorization:` followed by `- <value>`), which the recorder never writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.secrets import patterns

_SKIP_DIRS = frozenset({".git", "__pycache__", ".pytest_cache", ".hypothesis", "node_modules"})
_YAML_HEADER = re.compile(
    r"^\s*(?:-\s+)?[\"']?(authorization|proxy-authorization|api-key|x-api-key|x-goog-api-key|"
    r"cookie|set-cookie|x-amz-security-token|openai-organization|openai-project)[\"']?:\s*$",
    re.IGNORECASE)
_YAML_ITEM = re.compile(r"^\s*-\s+[\"']?(?P<value>[^\"'\s][^\"']*)[\"']?\s*$")
_MAX_BYTES = 50_000_000


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


def scan_text(text: str, where: str) -> list[Finding]:
    """Every credential-like string in `text`, by line."""
    findings: list[Finding] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        spans = patterns.find(line)
        for kind, start, end in spans:
            findings.append(Finding(where, number, kind, patterns.mask(line[start:end])))
        for regex in (patterns.AUTH_VALUE, patterns.BEARER):
            for match in regex.finditer(line):
                value = match.group("value")
                start = match.start("value")
                if _placeholder(value) or any(s <= start < e for _, s, e in spans):
                    continue
                findings.append(Finding(where, number, "credential in an auth position",
                                        patterns.mask(value)))
                break
        header = _YAML_HEADER.match(line)
        if header and number < len(lines):
            item = _YAML_ITEM.match(lines[number])
            if item and not _placeholder(item.group("value")):
                findings.append(Finding(where, number + 1, f"{header.group(1).lower()} header "
                                        f"kept in a cassette", patterns.mask(item.group("value"))))
    return _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.line, finding.hint)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


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
            raw = file.read_bytes()[:_MAX_BYTES]
        except OSError as exc:
            raise HarnessError(f"{file}: cannot read it to scan ({exc.strerror}); fix its "
                               f"permissions or leave it out") from None
        count += 1
        findings += scan_text(raw.decode("utf-8", errors="replace"), str(file))
    return findings, count
