"""The grid's environments: cache key, requirements, uv's failures in one line, --force."""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from harness.grid import cache
from harness.grid.build import (
    BUILD_FAILED,
    NOT_INSTALLABLE,
    BuildError,
    ensure_env,
    failure_reason,
)
from harness.grid.cache import EnvSpec, cache_root, is_dev_checkout, sources_hash, spec_for
from harness.grid.reqs import unmet_of
from harness.grid.versions import Pair
from tests.grid_fakes import CONFLICT, FakeUv

REQS = ["pydantic<3,>=2.7", "rich<15,>=13"]


def test_the_cache_key_changes_when_the_harness_changes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "checkout" / "harness"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (package / "cli.py").write_text("def main() -> None: ...\n")
    monkeypatch.setattr(cache, "package_dir", lambda: package)
    assert is_dev_checkout(package)
    before = spec_for(Pair("1.17.0", "1.83.0"), REQS)
    assert before.sources == sources_hash(package)
    (package / "cli.py").write_text("def main() -> None: print()\n")
    after = spec_for(Pair("1.17.0", "1.83.0"), REQS)
    assert after.sources != before.sources and after.key() != before.key()
    assert after.dir_name() != before.dir_name()
    (package / "__pycache__").mkdir()  # not a source: the key stays
    (package / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"\0")
    assert spec_for(Pair("1.17.0", "1.83.0"), REQS).key() == after.key()


def test_an_installed_wheel_is_keyed_by_its_version_alone() -> None:
    purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert not is_dev_checkout(purelib / "harness")


def test_every_input_of_the_key_matters() -> None:
    base = EnvSpec("1.17.0", "1.83.0", "cpython-3.11.7-linux-x86_64", "0.1.0", "abc",
                   tuple(REQS))
    variants = [EnvSpec("1.16.0", *list(base.__dict__.values())[1:]),
                EnvSpec("1.17.0", "1.96.2", *list(base.__dict__.values())[2:]),
                EnvSpec("1.17.0", "1.83.0", "cpython-3.12.1-linux-x86_64", "0.1.0", "abc",
                        tuple(REQS)),
                EnvSpec("1.17.0", "1.83.0", base.python, "0.2.0", "abc", tuple(REQS)),
                EnvSpec("1.17.0", "1.83.0", base.python, "0.1.0", None, tuple(REQS)),
                EnvSpec("1.17.0", "1.83.0", base.python, "0.1.0", "abc", ("pydantic",)),
                EnvSpec("1.17.0", "1.83.0", base.python, "0.1.0", "abc", tuple(REQS), "forced"),
                EnvSpec("1.17.0", "1.83.0", base.python, "0.1.0", "abc", tuple(REQS),
                        "resolved", 1)]
    assert len({base.key(), *(v.key() for v in variants)}) == 1 + len(variants)
    assert base.dir_name() == (f"instructor-1.17.0_litellm-1.83.0_py3.11.7_resolved_"
                               f"{base.key()}")


def test_the_cache_follows_xdg_and_the_override(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFORMANCE_GRID_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == (tmp_path / "xdg" / "conformance-harness" / "grid").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_root() == (Path.home() / ".cache" / "conformance-harness" / "grid").resolve()
    monkeypatch.setenv("CONFORMANCE_GRID_CACHE", str(tmp_path / "mine"))
    assert cache_root() == (tmp_path / "mine").resolve()


def test_requirements_come_from_the_metadata_without_the_pinned_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    declared = ["instructor[litellm]<1.18,>=1.17", "litellm<=1.83.7,>=1.80", "pydantic<3,>=2.7",
                "uv>=0.5", "rich<15,>=13", 'ruff<0.18,>=0.15; extra == "dev"',
                'tomli>=2; python_version < "3.11"']
    monkeypatch.setattr(cache.metadata, "requires", lambda name: declared)
    assert cache.harness_requirements() == ["pydantic<3,>=2.7", "rich<15,>=13",
                                            'tomli>=2; python_version < "3.11"']


def test_the_real_metadata_lists_the_harness_dependencies() -> None:
    found = cache.harness_requirements()
    assert any(r.startswith("pydantic") for r in found)
    assert not any(r.startswith(("instructor", "litellm", "ruff")) for r in found)


def test_failure_reasons_are_one_line() -> None:
    assert failure_reason(CONFLICT) == (
        "Because litellm==1.83.5 depends on aiohttp==3.13.5 and instructor==1.17.0 depends on "
        "aiohttp>=3.14.3, we can conclude that instructor==1.17.0 and litellm==1.83.5 are "
        "incompatible.")
    network = ("Using Python 3.11.7\nerror: Failed to fetch: `https://pypi.org/simple/litellm/`"
               "\n  Caused by: Request failed after 3 retries\n  Caused by: dns error\n")
    assert failure_reason(network) == ("Failed to fetch: `https://pypi.org/simple/litellm/`: "
                                       "Request failed after 3 retries: dns error")
    assert failure_reason("\x1b[31m× No solution found\x1b[0m\n  ╰─▶ Because a==1 depends on "
                          "b==2 and c==1 depends on b==3, we can conclude that a==1 and c==1 "
                          "are incompatible.") .startswith("Because a==1 depends on b==2")


def test_a_pair_is_built_once_then_reused(tmp_path: Path) -> None:
    uv = FakeUv()
    env = ensure_env(Pair("1.17.0", "1.83.0"), REQS, tmp_path, uv, force=False)
    assert [c[:2] for c in uv.calls] == [["venv", "--quiet"], ["pip", "install"]]
    assert uv.calls[1][2] == "--compile-bytecode"  # a run never compiles what it imports
    assert uv.calls[1][-4:] == ["instructor==1.17.0", "litellm==1.83.0", *REQS]
    assert not env.cached and not env.forced and env.unmet == ()
    recorded = json.loads((env.path / "env.json").read_text())
    assert recorded["key"] == env.spec.key() and recorded["installed"]["litellm"] == "1.83.0"
    again = ensure_env(Pair("1.17.0", "1.83.0"), REQS, tmp_path, uv, force=False)
    assert again.cached and again.path == env.path and len(uv.calls) == 2
    assert [p.name for p in tmp_path.iterdir()] == [env.path.name]  # no temporary folder left


def test_a_conflicting_pair_is_not_installable(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as info:
        ensure_env(Pair("1.17.0", "1.83.5"), REQS, tmp_path, FakeUv(), force=False)
    assert info.value.status == NOT_INSTALLABLE
    assert info.value.reason.startswith("Because litellm==1.83.5 depends on aiohttp==3.13.5")
    assert list(tmp_path.iterdir()) == []


def test_force_installs_litellm_first_then_instructor_alone(tmp_path: Path) -> None:
    uv = FakeUv()
    env = ensure_env(Pair("1.17.0", "1.83.5"), REQS, tmp_path, uv, force=True)
    assert env.forced and env.spec.strategy == "forced"
    assert env.conflict.startswith("Because litellm==1.83.5 depends on aiohttp==3.13.5")
    assert env.unmet == ("aiohttp>=3.14.3 (installed: 3.13.5)",)
    installs = [c[4:] for c in uv.calls if c[:2] == ["pip", "install"]]
    assert all(c[2] == "--compile-bytecode" for c in uv.calls if c[:2] == ["pip", "install"])
    venv_python = uv.calls[-1][4]
    assert installs[1:] == [
        [venv_python, "litellm==1.83.5", *REQS],
        [venv_python, "--no-deps", "instructor==1.17.0"],
        [venv_python, "-c", str(Path(venv_python).parents[2] / "constraints.txt"),
         "docstring-parser>=0.16"]]
    # A later --force run reuses it; a run without --force does not take a forced env.
    assert ensure_env(Pair("1.17.0", "1.83.5"), REQS, tmp_path, FakeUv(), force=True).cached
    with pytest.raises(BuildError):
        ensure_env(Pair("1.17.0", "1.83.5"), REQS, tmp_path, FakeUv(), force=False)


def test_force_leaves_an_installable_pair_resolved(tmp_path: Path) -> None:
    env = ensure_env(Pair("1.16.0", "1.83.5"), REQS, tmp_path, FakeUv(), force=True)
    assert not env.forced and env.conflict == ""


def test_a_build_failure_is_not_a_conflict(tmp_path: Path) -> None:
    uv = FakeUv(fail_with="error: Failed to fetch: `https://pypi.org/simple/litellm/`\n"
                          "  Caused by: dns error\n")
    with pytest.raises(BuildError) as info:
        ensure_env(Pair("1.17.0", "1.83.0"), REQS, tmp_path, uv, force=True)
    assert info.value.status == BUILD_FAILED
    assert info.value.reason == "Failed to fetch: `https://pypi.org/simple/litellm/`: dns error"
    assert list(tmp_path.iterdir()) == []


def test_unmet_requirements_read_without_their_markers() -> None:
    wanted = [Requirement('aiohttp<4.0.0,>=3.14.3; python_version >= "3.10"'),
              Requirement("jiter<0.15,>=0.6.1"), Requirement("docstring-parser>=0.16"),
              Requirement("pydantic>=2")]
    have = {"aiohttp": "3.13.5", "jiter": "0.19.0", "pydantic": "2.14.4"}
    assert unmet_of(wanted, have) == (
        ["aiohttp<4.0.0,>=3.14.3 (installed: 3.13.5)", "jiter<0.15,>=0.6.1 (installed: 0.19.0)"],
        ["docstring-parser>=0.16"])
