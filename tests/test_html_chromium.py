"""The HTML report rendered by real headless Chromium: the table and its evidence are in the DOM."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.reports import write_all_reports
from tests.test_matrix_reports import synthetic_results

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason="headless Chromium missing: apt-get update && apt-get install -y "
                              "chromium"),
]


class _Support(HTMLParser):
    """Collects the support table's rows: header text, then each cell's summary and title."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.titles: dict[tuple[str, str], str] = {}
        self.panels: dict[tuple[str, str], str] = {}
        self._in_table = False
        self._where: str | None = None  # "th", "summary" or "panel"
        self._column = ""
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and "support" in (a.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag == "th":
            self.rows[-1].append("")
            self._where = "th"
        elif tag == "td":
            self._column = a.get("data-column") or ""
            self.titles[(self.rows[-1][0], self._column)] = a.get("title") or ""
            self.rows[-1].append("")
        elif tag == "summary":
            self._where = "summary"
        elif tag == "div" and a.get("class") == "panel":
            self._where, self._depth = "panel", 1
            self.panels[(self.rows[-1][0], self._column)] = ""
        elif self._where == "panel" and tag == "div":
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "summary"):
            self._where = None
        elif tag == "div" and self._where == "panel":
            self._depth -= 1
            self._where = None if self._depth == 0 else "panel"

    def handle_data(self, data: str) -> None:
        if not self._in_table or self._where is None:
            return
        if self._where == "panel":
            self.panels[(self.rows[-1][0], self._column)] += data
        else:
            self.rows[-1][-1] += data.strip()


def _dump_dom(page: Path, profile: Path) -> str:
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # The page's own script must run cleanly (console errors are logged to stderr).
    assert "Uncaught" not in proc.stderr, proc.stderr[-2000:]
    return proc.stdout


def test_chromium_renders_the_table_and_the_evidence(tmp_path: Path) -> None:
    write_all_reports(synthetic_results(), tmp_path / "reports")
    dom = _dump_dom(tmp_path / "reports" / "streaming-support.html", tmp_path / "profile")
    parsed = _Support()
    parsed.feed(dom)
    assert parsed.rows == [
        ["Provider", "Full Streaming", "Partial Streaming", "Iterable Streaming", "Async Support"],
        ["OpenAI", "✅ Full", "⚠️ Limited", "⚠️ Limited", "✅ Full"],
        ["Azure", "⚠️ Limited", "⚠️ Limited", "⚠️ Limited", "✅ Full"],
        ["Mistral", "⚠️ Limited", "⚠️ Limited", "⚠️ Limited", "✅ Full"],
    ]
    hover = parsed.titles[("Mistral", "Full Streaming")]
    assert hover.startswith("⚠️ Limited: streams in json; payload in a single delta in tools")
    assert ("mistral-tools-raw_stream: single delta: 1 payload delta over 1 HTTP stream "
            "[cassettes/mistral/tools/raw_stream.yaml]") in hover
    panel = parsed.panels[("Azure", "Full Streaming")]
    assert "azure-json_schema-raw_stream: error (litellm): APIError" in panel
    assert "APIError: boom | <script>alert(1)</script>" in panel  # shown as text, not run
    assert "cassettes/azure/json_schema/raw_stream.yaml" in panel
    assert "Recorded against" in dom and "instructor 1.17.0, litellm 1.83.0" in dom
