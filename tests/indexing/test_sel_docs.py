"""docs/indexing.md's examples run as written, and so do the selection modules' docstrings."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "indexing.md"
MODULES = [
    "simplezarr.indexing",
    "simplezarr.indexing.subproject",
    "simplezarr.indexing.items",
    "simplezarr.indexing.orthogonal",
    "simplezarr.indexing.vectorized",
    "simplezarr.indexing.blocks",
    "simplezarr.nodes.selection",
]


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_doc_example_runs(index: int) -> None:
    exec(compile(python_blocks()[index], f"docs/indexing.md block {index}", "exec"), {})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), raise_on_error=False)
    assert result.failed == 0 and result.attempted > 0
