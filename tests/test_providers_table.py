"""The README's provider table is generated from the provider registry, never edited by hand."""

from __future__ import annotations

from pathlib import Path

from harness.providers import PROVIDERS
from harness.reports.docs_page import rewrite
from harness.reports.providers_table import COMMAND, MARKERS, table_lines

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_provider_table_matches_the_registry() -> None:
    change = rewrite(README.read_text(encoding="utf-8"), table_lines(), None, MARKERS)
    assert change.same, (f"README.md's provider table differs from the registry; regenerate "
                         f"it with: {COMMAND}\n{change.diff('README.md')}")


def test_the_table_has_a_row_per_provider_and_escapes_pipes() -> None:
    lines = table_lines(PROVIDERS)
    assert len(lines) == 2 + len(PROVIDERS)
    assert all(line.count(" | ") == 3 for line in lines[2:])
    assert f"| `{PROVIDERS[0].name}` | `{PROVIDERS[0].model_string()}` |" in lines[2]
