"""The examples in the docstrings of the API, node and metadata modules run and give what
they show, and docs/api.md's examples run as written."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

MODULES = [
    "simplezarr",
    "simplezarr.api",
    "simplezarr.api._args",
    "simplezarr.api.arrays",
    "simplezarr.api.asynchronous",
    "simplezarr.api.consolidated",
    "simplezarr.api.copy",
    "simplezarr.api.hierarchy",
    "simplezarr.api.synchronous",
    "simplezarr.config",
    "simplezarr.errors",
    "simplezarr.metadata.consolidated",
    "simplezarr.metadata.defaults",
    "simplezarr.dtypes.base",
    "simplezarr.metadata.model",
    "simplezarr.metadata.store_io",
    "simplezarr.metadata.v2",
    "simplezarr.nodes.info",
    "simplezarr.nodes",
    "simplezarr.nodes.array",
    "simplezarr.nodes.base",
    "simplezarr.nodes.group",
    "simplezarr.storage",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)  # simplezarr.config: the module, not the object
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_doc_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(python_blocks()[index], f"docs/api.md block {index}", "exec"), {})
