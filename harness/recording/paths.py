"""Where cassettes live: cassettes/<provider>/<mode>/<scenario>.yaml."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The guide pack's reference cassettes, shipped inside the package.
DEFAULT_CASSETTE_DIR = Path(__file__).resolve().parents[1] / "packs" / "guide" / "cassettes"
DEFAULT_REPORT_DIR = REPO_ROOT / "reports"


def cassette_path(root: Path, provider: str, mode: str, scenario: str) -> Path:
    """The cassette file of one cell."""
    return root / provider / mode / f"{scenario}.yaml"
