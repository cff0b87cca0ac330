"""Per-project configuration, with one precedence written down once and followed everywhere:

    defaults  <  [tool.conformance] in pyproject.toml  <  CONFORMANCE_* variables  <  flags

The project root is the nearest folder, from the current one upward, whose pyproject.toml
holds a [tool.conformance] table; else the current folder. Relative paths in the table are
relative to that root. An unknown key is an error listing the valid ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(HarnessError):
    """A [tool.conformance] table or a CONFORMANCE_* variable the harness cannot use."""


# key -> (type, what it is); the README's configuration table is this one.
KEYS: dict[str, tuple[type, str]] = {
    "cassettes": (str, "folder of the project's cassettes (default: cassettes)"),
    "reports": (str, "folder of results and reports (default: reports)"),
    "scenarios": (list, "modules declaring the project's scenarios (e.g. my_pkg.scenarios)"),
    "builtin": (bool, "also run the guide's built-in scenarios (default: true)"),
    "providers": (list, "providers to run (default: all)"),
    "modes": (list, "modes to run (default: every mode each provider offers)"),
    "timeout": (float, "live/emulator wall-clock bound per call, in seconds"),
    "strict_replay": (bool, "a replayed request that drifted fails instead of re-answered"),
    "expected_failures": (list, "known failures: tables of cells, reason, outcome, layer, "
                                "exception, message"),
    "develop_packs": (bool, "the built-in packs' cassettes are read and written in each "
                            "pack's folder (the harness's own repository)"),
}


@dataclass(frozen=True)
class Config:
    """The resolved configuration and where each value came from."""

    root: Path
    cassettes: Path
    reports: Path
    scenarios: tuple[str, ...] = ()
    builtin: bool = True
    providers: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    timeout: float | None = None
    strict_replay: bool = False
    expected_failures: tuple[dict[str, Any], ...] = ()
    develop_packs: bool = False
    sources: dict[str, str] = field(default_factory=dict)


def project_root(start: Path | None = None) -> Path:
    """The nearest folder upward holding a pyproject.toml with [tool.conformance]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        table = _table(folder / "pyproject.toml")
        if table is not None:
            return folder
    return here


def _table(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: unreadable TOML ({exc}); fix the file") from None
    table = data.get("tool", {}).get("conformance")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.conformance] must be a table")
    return table


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key][0]
    if kind is list:
        if isinstance(value, str):  # from an environment variable: comma-separated
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: {key} must be a list, got {value!r}")
        return tuple(value)
    if kind is bool:
        if isinstance(value, str):
            if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ConfigError(f"{where}: {key} must be true or false, got {value!r}")
            value = value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {key} must be true or false, got {value!r}")
        return value
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be a {kind.__name__}, got {value!r}") from None


def _check_keys(table: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; valid keys: "
                          f"{', '.join(KEYS)}")


def load(start: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults, then [tool.conformance], then CONFORMANCE_* variables (flags come last,
    applied by each command with `with_flags`)."""
    root = project_root(start)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    table = _table(root / "pyproject.toml") or {}
    where = f"{root / 'pyproject.toml'} [tool.conformance]"
    _check_keys(table, where)
    for key, value in table.items():
        values[key], sources[key] = _coerce(key, value, where), "pyproject.toml"
    env = os.environ if env is None else env
    for key in KEYS:
        name = f"CONFORMANCE_{key.upper()}"
        if name in env and key != "expected_failures":
            values[key], sources[key] = _coerce(key, env[name], name), name
    cassettes = root / values.pop("cassettes", "cassettes")
    reports = root / values.pop("reports", "reports")
    return Config(root=root, cassettes=cassettes, reports=reports, sources=sources,
                  **values)


def with_flags(config: Config, **flags: Any) -> Config:
    """`config` with the command-line flags that were given (None and empty mean not given)."""
    given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in flags.items()
             if v is not None and v != [] and v != ()}
    sources = {**config.sources, **{k: "flag" for k in given}}
    return replace(config, sources=sources, **given)  # type: ignore[arg-type]
