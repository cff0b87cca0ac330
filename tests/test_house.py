"""The house rules, checked: every import points down the layering, and nothing grows too big.

The layering, lowest first. A module may import its own package and anything in a lower
layer, never a higher one; every module of harness/ must have a place here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "harness"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("harness", "harness.errors", "harness.versions", "harness.wire"),  # plain facts
    # pure functions over values and exceptions; the project configuration
    ("harness.secrets", "harness.failures", "harness.config"),
    ("harness.recording", "harness.results", "harness.results_schema", "harness.modes",
     "harness.llamacpp"),
    ("harness.scenarios", "harness.expectation", "harness.expectations",
     "harness.expectations_beyond", "harness.expected_failures", "harness.packs"),
    ("harness.emulators",),
    ("harness.providers", "harness.cells"),
    ("harness.verdict", "harness.matrix"),  # decisions over results and evidence
    # the runner; docs-check runs a page's blocks against the emulators like a run's cells;
    # merging runs' results
    ("harness.run", "harness.baseline", "harness.gonogo", "harness.exact", "harness.docscheck",
     "harness.merge"),
    # report writers; the grid runs and reports pairs; standalone reproductions
    ("harness.reports", "harness.grid", "harness.repro"),
    # the command modules; the pytest plugin and its session, which run and report like them
    ("harness.commands", "harness.pytest_plugin", "harness.pytest_session"),
    ("harness.cli",),
)
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(HARNESS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """The layer of `module`: that of the longest prefix listed in LAYERS."""
    best: tuple[int, int] | None = None
    for level, names in enumerate(LAYERS):
        for name in names:
            # The root package holds only itself: every other module names its own place.
            inside = module.startswith(name + ".") and name != "harness"
            if (module == name or inside) and (
                    best is None or len(name) > best[1]):
                best = (level, len(name))
    return best[0] if best else None


def _package(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every harness module `path` imports."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("harness"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                # `from harness.x import y`: y is a module when harness/x/y(.py) exists.
                sub = HARNESS.parent / Path(*full.split("."))
                is_module = sub.with_suffix(".py").exists() or sub.is_dir()
                out.append((node.lineno, full if is_module else node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("harness")]
    return out


MODULES = sorted(HARNESS.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    missing = [_module_name(p) for p in MODULES if layer_of(_module_name(p)) is None]
    assert not missing, f"give these modules a layer in tests/test_house.py: {missing}"


def test_imports_point_down() -> None:
    upward = []
    for path in MODULES:
        name = _module_name(path)
        here = layer_of(name)
        for line, target in imports_of(path):
            there = layer_of(target)
            same_package = _package(target) == _package(name)
            if here is not None and there is not None and there > here and not same_package:
                upward.append(f"{path.relative_to(HARNESS.parent)}:{line} imports {target}")
    assert not upward, "imports that point up the layering:\n" + "\n".join(upward)


def test_layer_of_reads_the_table() -> None:
    assert layer_of("harness.recording.vcr_setup") == 2
    assert layer_of("harness.run.runner") == 7
    assert layer_of("harness.cli") == 10
    assert layer_of("harness") == 0
    assert layer_of("harness.nowhere") is None  # a new module must be given its place


def _too_long(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        # A CLI command's option declarations do not count: the body from its docstring does.
        start = node.body[0].lineno if path.parent.name == "commands" else node.lineno
        length = (node.end_lineno or start) - start + 1
        if length > MAX_FUNCTION_LINES:
            out.append(f"{path.relative_to(HARNESS.parent)}:{node.lineno} {node.name} "
                       f"({length} lines)")
    return out


def test_functions_are_short() -> None:
    found = [item for path in MODULES for item in _too_long(path)]
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(found)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(HARNESS)))
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path} has {lines} lines (> {MAX_MODULE_LINES})"
