"""What is skipped, and why, decided before a block runs; the names a block binds."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping

from harness.docscheck.blocks import Block

PYTHON = frozenset({"python", "py", "python3", "py3"})
SHELL = frozenset({"bash", "sh", "shell", "zsh", "fish", "console", "shell-session",
                   "shellsession", "powershell", "ps1", "pwsh", "bat", "cmd", "terminal"})
SESSION = frozenset({"pycon", "python-console", "pytb", "ipython", "python-repl", "repl"})
# A Python block whose first statement is really a command: a prompt, pip, a notebook magic.
_COMMAND = re.compile(r"^(\$ |> |%|!|pip3? |python3? -m |uv |conda |poetry |export )")


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def skip_reason(block: Block) -> str | None:
    """Why `block` is not run at all, or None when it is Python to run."""
    lang = block.lang
    if lang in SHELL:
        return f"a shell block ({lang}), not Python"
    if lang in SESSION:
        return f"an interactive session ({lang}): prompts and output, not a script"
    if not lang:
        return "not Python: the block names no language"
    if lang not in PYTHON:
        return f"not Python ({lang})"
    if not block.first_line:
        return "an empty block"
    if _COMMAND.match(block.first_line):
        return f"a shell/pip command in a Python block: {_one_line(block.first_line)}"
    return None


def fragment_reason(block: Block, error: SyntaxError) -> str:
    """The skip reason of a block that does not compile: an incomplete fragment."""
    line = error.lineno or 1
    # The compiler counts the block's lines ("… on line 1"): the report counts the page's.
    message = re.sub(r"\bon line (\d+)", lambda m: f"on line {block.page_line(int(m[1]))}",
                     error.msg)
    source = block.source_line(line)
    return (f"incomplete fragment: {message} (line {block.page_line(line)}"
            + (f": {_one_line(source, 80)}" if source else "") + ")")


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")


def _read_mode(call: ast.Call) -> bool:
    mode = _literal(call.args[1]) if len(call.args) > 1 else next(
        (_literal(k.value) for k in call.keywords if k.arg == "mode"), "r")
    return mode is None or not any(c in mode for c in "wax+")


def _opened_files(tree: ast.AST) -> Iterator[tuple[str, int, bool]]:
    """(path, line, read) of every file the code opens by a literal name."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        first = _literal(node.args[0]) if node.args else None
        if name == "open" and first is not None:
            yield first, node.lineno, _read_mode(node)
        elif name in ("from_path", "from_file") and first is not None:
            yield first, node.lineno, True
        elif (name in ("read_text", "read_bytes") and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Call) and node.func.value.args):
            path = _literal(node.func.value.args[0])
            if _call_name(node.func.value) == "Path" and path is not None:
                yield path, node.lineno, True


def _environment_reads(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(variable, line) of every `os.environ["NAME"]` read (a missing one is a KeyError)."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Attribute) and node.value.attr == "environ"):
            name = _literal(node.slice)
            if name is not None:
                yield name, node.lineno


def input_reason(block: Block, tree: ast.AST, exists: Callable[[str], bool],
                 env: Mapping[str, str]) -> str | None:
    """Why `block` cannot run here for want of an input it names, or None.

    `exists` tells whether a file is there (relative to the folder blocks run in).
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "input":
            line = block.page_line(node.lineno)
            return f"needs an input: it reads stdin (input() at line {line})"
    written = {path for path, _, read in _opened_files(tree) if not read}
    for path, line, read in _opened_files(tree):
        if read and path not in written and not exists(path):
            return (f"needs an input it names: the file {path!r} (line "
                    f"{block.page_line(line)}), which the page does not provide")
    for name, line in _environment_reads(tree):
        if name not in env:
            return (f"needs an input it names: the environment variable {name} (line "
                    f"{block.page_line(line)}), which is not set")
    return None


class _Binder(ast.NodeVisitor):
    """Names a module's top level binds (not inside functions, classes or comprehensions)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.names.add(node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_ListComp(self, node: ast.ListComp) -> None:
        return None

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp  # type: ignore[assignment]

    def visit_alias(self, node: ast.alias) -> None:
        if node.name != "*":
            self.names.add((node.asname or node.name).split(".")[0])


def bound_names(tree: ast.AST) -> frozenset[str]:
    """Every name the top level of `tree` binds: assignments, imports, defs, classes."""
    binder = _Binder()
    binder.visit(tree)
    return frozenset(binder.names)
