"""docs/xarray.md's examples run as written and print what the page shows (doctest), and
the modules of the engine pass their own docstring examples."""

from __future__ import annotations

import doctest
import importlib
import warnings
from pathlib import Path

import pytest

pytest.importorskip("xarray")
pytest.importorskip("zarr")  # the page writes its data with to_zarr
pytest.importorskip("dask")

DOC = Path(__file__).resolve().parents[2] / "docs" / "xarray.md"
MODULES = [
    "simplezarr.xarray.array",
    "simplezarr.xarray.store",
    "simplezarr.xarray.entrypoint",
    "simplezarr.nodes.html",
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_the_page_runs_and_prints_what_it_shows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testfile(str(DOC), module_relative=False, optionflags=FLAGS)
    assert result.failed == 0
    assert result.attempted >= 25  # the page's examples were found


def test_a_wrong_printed_output_fails(tmp_path: Path) -> None:  # control for the above
    page = tmp_path / "page.md"
    page.write_text("```python\n>>> print(1 + 1)\n3\n\n```\n")
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, verbose=False,
                              report=False)  # fmt: skip
    assert result.failed == 1


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0 and result.attempted > 0
