"""Every public name of zarr-python's zarr, zarr.storage, zarr.codecs, zarr.errors and
zarr.dtype exists in simplezarr's module of the same name."""

from __future__ import annotations

import importlib

import pytest

import simplezarr
from simplezarr.errors import MissingDependency
from tests.dropin.conftest import zarr


@pytest.mark.parametrize("module", ["", ".storage", ".codecs", ".errors", ".dtype"])
def test_public_names(module: str) -> None:
    theirs = importlib.import_module("zarr" + module)
    ours = importlib.import_module("simplezarr" + module)
    missing = [
        n
        for n in theirs.__all__
        if "JSON" not in n and not n.startswith("_") and not hasattr(ours, n)
    ]
    assert missing == []


def test_gpu_memory_store_says_there_is_no_gpu() -> None:
    with pytest.raises(MissingDependency, match="GPU"):
        simplezarr.storage.GpuMemoryStore()


def test_print_debug_info(capsys: pytest.CaptureFixture[str]) -> None:
    simplezarr.print_debug_info()
    out = capsys.readouterr().out
    assert "simplezarr:" in out and "numpy:" in out
    assert zarr is not None
