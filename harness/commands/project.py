"""The project a command runs in: its configuration, with the command's flags on top, and the
scenarios it declares loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.config import Config, load, with_flags


def project_config(**flags: Any) -> Config:
    """The project's configuration (flags last) with its scenario modules loaded."""
    from harness.scenarios import configure

    # --scenarios adds modules to the configured ones; every other flag replaces its key.
    modules = tuple(flags.pop("scenarios", None) or ())
    if flags.get("cassettes"):
        flags["develop_packs"] = False  # a folder named on the command line is the one used
    config = with_flags(load(), **flags)
    if modules:
        config = with_flags(config, scenarios=config.scenarios + modules)
    configure(config.scenarios, config.builtin, config.root)
    return config


def relative_to_root(path: Path, config: Config) -> str:
    """`path` as the user would type it from the project root."""
    try:
        return str(path.resolve().relative_to(config.root))
    except ValueError:
        return str(path)
