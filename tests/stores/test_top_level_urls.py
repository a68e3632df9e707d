"""The top-level API turns paths and URLs into stores exactly as ``stores.from_url`` does:
``file://`` URLs (``localhost``, percent-encoding), ``~``, ``.zip`` archives, storage_options."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import InvalidArgument, UnsupportedStoreError
from simplezarr.storage import make_store
from simplezarr.stores import LocalStore, ZipStore, from_url


def test_file_url_with_localhost_is_the_local_path(tmp_path: Path) -> None:
    target = tmp_path / "x.zarr"
    arr = simplezarr.create_array(f"file://localhost{target}", shape=(4,), dtype="i2", chunks=(2,))
    arr[:] = np.arange(4)
    assert (target / "zarr.json").is_file()
    assert not Path("localhost").exists()
    back = simplezarr.open_array(f"file://localhost{target}", mode="r")
    assert back[:].tolist() == [0, 1, 2, 3]


def test_file_url_is_percent_decoded(tmp_path: Path) -> None:
    target = tmp_path / "a b#c.zarr"
    url = "file://" + quote(str(target))
    assert "%20" in url
    simplezarr.create_array(url, shape=(3,), dtype="u1", chunks=(3,))[:] = 7
    assert (target / "zarr.json").is_file()
    assert simplezarr.open_array(url, mode="r")[:].tolist() == [7, 7, 7]
    store = make_store(url, mode="r")
    assert store == from_url(url, read_only=True)


def test_storage_options_for_a_file_url_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="storage_options"):
        simplezarr.create_array(
            f"file://{tmp_path}/s.zarr", shape=(2,), dtype="i1", storage_options={"anon": True}
        )
    with pytest.raises(UnsupportedStoreError, match="local path"):
        simplezarr.open_array(str(tmp_path / "s.zarr"), storage_options={"anon": True})


def test_zip_paths_open_as_zip_stores(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with ZipStore(path, mode="w") as store:
        simplezarr.create_array(store, shape=(5,), dtype="f8", chunks=(2,))[:] = 1.5
    arr = simplezarr.open_array(str(path), mode="r")
    assert arr[:].tolist() == [1.5] * 5
    assert isinstance(make_store(str(path), mode="r"), ZipStore)
    assert isinstance(make_store(f"file://{path}", mode="r"), ZipStore)
    with pytest.raises(InvalidArgument, match="ZipStore"):
        simplezarr.open_array(path, mode="a")  # writing into an archive needs a ZipStore


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    store = from_url("~/h.zarr")
    assert isinstance(store, LocalStore)
    assert store.root == Path(os.path.realpath(tmp_path / "h.zarr"))
    simplezarr.create_array("~/h.zarr", shape=(2,), dtype="i1")[:] = 3
    assert simplezarr.open_array("~/h.zarr", mode="r")[:].tolist() == [3, 3]
    assert (tmp_path / "h.zarr" / "zarr.json").is_file()
