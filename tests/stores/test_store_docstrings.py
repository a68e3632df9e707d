"""The examples in the docstrings of the stores modules run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "simplezarr.stores.fsspec_store",
    "simplezarr.stores.http_reads",
    "simplezarr.stores.logging_store",
    "simplezarr.stores.obstore_store",
    "simplezarr.stores.remote",
    "simplezarr.stores.url",
    "simplezarr.stores.zip",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    if name.endswith(("fsspec_store", "url", "remote")):
        pytest.importorskip("fsspec")
    if name.endswith(("obstore_store", "remote")):
        pytest.importorskip("obstore")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
