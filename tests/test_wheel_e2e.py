"""The wheel, end to end: built from this checkout, installed with uv into a fresh environment,
and used from an empty project folder the way a user would (commands and plain pytest).

Needs PyPI (uv resolves the harness's dependencies; its cache makes a rerun take seconds).
Deselect with `-m "not wheel"` when offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.wheel
CASSETTES = "harness/packs/guide/cassettes"

SCENARIOS = '''
from pydantic import BaseModel, field_validator

from harness.scenarios import scenario


class Product(BaseModel):
    name: str
    price: float

    @field_validator("name")
    @classmethod
    def titled(cls, value: str) -> str:
        return value.title()


scenario("product", model=Product, prompt="Extract: the Widget costs 9.99 dollars",
         expected={"name": "Widget", "price": 9.99})
'''


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built from a copy of its sources: setuptools leaves build/
    and *.egg-info beside what it builds, and a stale build/ would package deleted files."""
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    shutil.copytree(REPO / "harness", src / "harness",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    _run([sys.executable, "-m", "uv", "build", "--quiet", "--wheel", "--out-dir", str(dist),
          str(src)], src, dict(os.environ))
    (found,) = dist.glob("llm_conformance_harness-*.whl")
    return found


def test_the_wheel_ships_the_guide_cassettes_and_the_plugin(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith(CASSETTES + "/") and n.endswith(".yaml")}
    assert shipped == {str(p.relative_to(REPO)) for p in (REPO / CASSETTES).glob("*/*/*.yaml")}
    assert len(shipped) > 300
    assert {"harness/py.typed", "harness/pytest_plugin.py"} <= names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]\nconformance = harness.pytest_plugin" in text


def _environment(tmp: Path, wheel: Path) -> tuple[Path, dict[str, str]]:
    """A fresh uv environment holding the wheel, and the variables a user's shell would have
    (none of this checkout's: no PYTHONPATH, no active environment, no CONFORMANCE_*)."""
    venv = tmp / "venv"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
           and not k.startswith("CONFORMANCE_")}
    _run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable,
          str(venv)], tmp, env)
    _run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python",
          str(venv / "bin" / "python"), str(wheel)], tmp, env)
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               LITELLM_LOCAL_MODEL_COST_MAP="True")
    return venv, env


def test_an_installed_wheel_serves_a_project_of_its_own(tmp_path: Path, wheel: Path) -> None:
    venv, env = _environment(tmp_path, wheel)
    (site,) = (venv / "lib").glob("python*/site-packages")
    shop = tmp_path / "shop"  # the user's project: nothing but a config and a scenario file
    shop.mkdir()
    (shop / "pyproject.toml").write_text(
        '[tool.conformance]\nscenarios = ["shop_scenarios"]\nproviders = ["openai"]\n')
    (shop / "shop_scenarios.py").write_text(textwrap.dedent(SCENARIOS))

    _run([str(venv / "bin" / "conformance"), "record", "-q", "-s", "product"], shop, env)
    recorded = sorted(str(p.relative_to(shop)) for p in (shop / "cassettes").rglob("*"))
    assert recorded == ["cassettes/openai", *[f"cassettes/openai/{m}{f}" for m in sorted(
        ("tools", "json", "json_schema", "md_json")) for f in ("", "/product.yaml")]]

    # The project's cells and, of the built-in guide's, the sync ones (all would only be slower).
    _run([str(venv / "bin" / "conformance"), "run", "-s", "product", "-s", "sync"], shop, env)
    cells = {c["id"]: c for c in json.loads((shop / "reports/results.json").read_text())["cells"]}
    for mode in ("tools", "json", "json_schema", "md_json"):
        own = cells[f"openai-{mode}-product"]
        assert own["outcome"] == "pass"
        assert own["cassette"] == f"cassettes/openai/{mode}/product.yaml"
    # The built-in guide replays from the cassettes inside the installed package.
    guide = cells["openai-tools-sync"]
    assert (guide["outcome"], guide["cassette"]) == ("pass", f"{CASSETTES}/openai/tools/sync.yaml")
    assert not (shop / "cassettes/openai/tools/sync.yaml").exists()
    assert (site / CASSETTES / "openai/tools/sync.yaml").is_file()
    # Nothing was written inside the environment: the project's folders are the project's.
    assert not list(venv.rglob("results.json")) and not list(site.glob("*/cassettes/openai"))
    assert not (site / "cassettes").exists() and not (site / "reports").exists()

    tests = _run([str(venv / "bin" / "pytest")], shop, env)  # plain pytest: the plugin's
    assert "shop_scenarios.py ...." in tests.stdout
    assert "conformance: 4 cells (4 pass); wrote reports/results.json" in tests.stdout
    assert tests.stdout.rstrip().splitlines()[-1].startswith("==") and \
        " 4 passed" in tests.stdout.rstrip().splitlines()[-1]
    run = json.loads((shop / "reports/results.json").read_text())["run"]
    assert (run["source"], run["target"]) == ("pytest", "replay")
