"""Every Python snippet of crates/vsend-py/README.md runs as shown (issue 16.7).

The fenced ``python`` blocks are run in order, in one namespace, in a temporary
directory holding the fixtures the repository ships (so the paths the README
names resolve and the charts it saves land there). A line that is a bare
expression followed by a comment that reads like a repr (``result  #
ScoreResult(...)``) must show exactly that repr.
"""
import ast
import importlib.util
import os
import re
import shutil
import warnings

import pytest

from conftest import FIXTURES, ROOT

README = ROOT / "crates" / "vsend-py" / "README.md"
REPR_COMMENT = re.compile(r"#\s*([A-Z]\w*\(.*\))\s*$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(first line, code)`` of every fenced python block."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start, body = i + 2, []
            i += 1
            while lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            blocks.append((start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def test_readme_has_python_snippets():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    assert all(code.strip() for _, code in blocks)


def test_readme_snippets_run_as_shown(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    checked = 0
    for start, code in python_blocks(README.read_text(encoding="utf-8")):
        # A block headed `# needs: polars, pyarrow` runs when those optional packages are there.
        needs = re.match(r"#\s*needs:\s*(.*)", code)
        if needs and not all(importlib.util.find_spec(m.strip()) for m in needs.group(1).split(",")):
            continue
        tree = ast.parse(code, filename=f"README.md:{start}")
        source = code.splitlines()
        for stmt in tree.body:
            where = f"README.md:{start + stmt.lineno - 1}"
            line = source[stmt.end_lineno - 1]
            shown = REPR_COMMENT.search(line) if isinstance(stmt, ast.Expr) else None
            module = ast.Module(body=[stmt], type_ignores=[])
            with warnings.catch_warnings():
                # Rows rejected on purpose warn (RejectedRowsWarning): that is
                # the README's point. Any other warning (pandas deprecations) fails.
                warnings.simplefilter("error")
                warnings.simplefilter("ignore", namespace.get("vsend", __import__("vsend")).RejectedRowsWarning)
                try:
                    if shown:
                        value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
                        assert repr(value) == shown.group(1), f"{where}: shows {repr(value)}, README says {shown.group(1)}"
                        checked += 1
                    else:
                        exec(compile(module, where, "exec"), namespace)
                except AssertionError:
                    raise
                except BaseException as e:  # noqa: BLE001 - report which snippet line failed
                    pytest.fail(f"{where}: {type(e).__name__}: {e}\n    {ast.get_source_segment(code, stmt)}")
    assert checked >= 2, "the README's sample reprs were not checked"
    # The charts the README saves were written.
    assert os.path.getsize("C010000011.png") > 0 and os.path.getsize("S0001.svg") > 0
