"""docs-check, before anything runs: a page's blocks as extracted, and what is skipped and why."""

from __future__ import annotations

import ast
import textwrap

import pytest

from harness.docscheck.blocks import Block, extract_blocks, language
from harness.docscheck.classify import bound_names, fragment_reason, input_reason, skip_reason


def _page(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _block(code: str, lang: str = "python", line: int = 10) -> Block:
    return Block(number=1, line=line, lang=lang, code=textwrap.dedent(code).lstrip("\n"))


def test_blocks_in_page_order_with_lines_languages_and_headings() -> None:
    page = _page("""
        # Title

        ```bash
        pip install x
        ```

        ## Sync

        ```python
        a = 1
        print(a)
        ```

        Text, then a tilde fence holding a backtick fence:

        ~~~~markdown
        ```python
        not a block of its own
        ```
        ~~~~

        1. A list item

           ```py title="x.py"
           b = 2
           ```
        """)
    blocks = extract_blocks(page)
    assert [(b.number, b.line, b.lang, b.heading) for b in blocks] == [
        (1, 3, "bash", "Title"), (2, 9, "python", "Sync"), (3, 16, "markdown", "Sync"),
        (4, 24, "py", "Sync")]
    assert blocks[1].code == "a = 1\nprint(a)\n"
    assert blocks[1].code_line == 10 and blocks[1].page_line(2) == 11
    assert blocks[2].code == "```python\nnot a block of its own\n```\n"
    assert blocks[3].code == "b = 2\n"  # the list item's indentation removed
    assert blocks[1].first_line == "a = 1"


def test_an_unclosed_fence_runs_to_the_end_and_a_heading_inside_a_block_is_code() -> None:
    blocks = extract_blocks("## Real\n\n```python\n# not a heading\nx = 1\n")
    assert [(b.line, b.heading, b.code) for b in blocks] == [(3, "Real",
                                                              "# not a heading\nx = 1\n")]
    assert extract_blocks("no code here\n") == []


@pytest.mark.parametrize("info,lang", [
    ("python", "python"), ("Python3 linenums='1'", "python3"), ("{.python .numberLines}",
                                                                 "python"),
    ("", ""), ("  py  ", "py"), ("json,", "json")])
def test_the_language_is_the_info_strings_first_word(info: str, lang: str) -> None:
    assert language(info) == lang


@pytest.mark.parametrize("lang,code,reason", [
    ("bash", "pip install x\n", "a shell block (bash), not Python"),
    ("console", "$ conformance run\n", "a shell block (console), not Python"),
    ("pycon", ">>> 1 + 1\n2\n", "an interactive session (pycon): prompts and output, not a "
                                 "script"),
    ("", "x = 1\n", "not Python: the block names no language"),
    ("json", "{}\n", "not Python (json)"),
    ("python", "\n\n", "an empty block"),
    ("python", "pip install instructor\n", "a shell/pip command in a Python block: pip install "
                                           "instructor"),
    ("python", "!pip install instructor\n", "a shell/pip command in a Python block: !pip "
                                            "install instructor"),
    ("python", "x = 1\n", None),
    ("py", "import os\n", None),
])
def test_skip_reasons(lang: str, code: str, reason: str | None) -> None:
    assert skip_reason(_block(code, lang)) == reason


def test_a_block_that_does_not_compile_is_an_incomplete_fragment_named_by_page_line() -> None:
    block = _block("""
        x = 1
        def f(x):
        """, line=10)
    with pytest.raises(SyntaxError) as caught:
        compile(block.code, "<block>", "exec")
    assert fragment_reason(block, caught.value) == (
        "incomplete fragment: expected an indented block after function definition on line "
        "12 (line 12: def f(x):)")


def _input(code: str, files: frozenset[str] = frozenset(),
           env: dict[str, str] | None = None) -> str | None:
    block = _block(code, line=20)
    return input_reason(block, ast.parse(block.code), exists=files.__contains__, env=env or {})


def test_a_block_needing_an_input_it_names_is_skipped_with_the_input() -> None:
    assert _input("name = input('name? ')\n") == (
        "needs an input: it reads stdin (input() at line 21)")
    assert _input("x = 1\ndata = open('data.csv').read()\n") == (
        "needs an input it names: the file 'data.csv' (line 22), which the page does not "
        "provide")
    assert _input("from pathlib import Path\nPath('in.txt').read_text()\n") == (
        "needs an input it names: the file 'in.txt' (line 22), which the page does not provide")
    assert _input("img = Image.from_path('receipt.png')\n") == (
        "needs an input it names: the file 'receipt.png' (line 21), which the page does not "
        "provide")
    assert _input("import os\nkey = os.environ['MY_SERVICE_KEY']\n") == (
        "needs an input it names: the environment variable MY_SERVICE_KEY (line 22), which is "
        "not set")


def test_inputs_that_are_there_or_written_first_are_not_missing() -> None:
    assert _input("open('data.csv').read()\n", files=frozenset({"data.csv"})) is None
    assert _input("open('o.txt', 'w').write('x')\nopen('o.txt').read()\n") is None
    assert _input("import os\nos.environ['K']\n", env={"K": "v"}) is None
    assert _input("import os\nos.environ['K'] = 'v'\n") is None  # a write, not a read
    assert _input("open(name).read()\n") is None  # not a literal: the run decides


def test_bound_names_are_the_top_levels() -> None:
    tree = ast.parse(textwrap.dedent("""
        import os.path, json as j
        from typing import List
        from x import *
        a, (b, c) = 1, (2, 3)
        d: int = 4
        def f():
            inner = 1
        class K:
            attr = 1
        async def g():
            pass
        for e in []:
            pass
        with open('f') as fh:
            pass
        squares = [k * k for k in range(3)]
        if True:
            z = 1
        """))
    assert bound_names(tree) == {"os", "j", "List", "a", "b", "c", "d", "f", "K", "g", "e",
                                 "fh", "squares", "z"}
