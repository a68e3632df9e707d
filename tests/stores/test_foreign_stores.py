"""zarr-python's store objects handed to simplezarr open as simplezarr's stores over the
same data (simplezarr.stores.foreign): what each library writes the other reads at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import UnsupportedStoreError

zarr = pytest.importorskip("zarr")


def _local(tmp_path: Path) -> Any:
    return zarr.storage.LocalStore(tmp_path / "data")


def _memory(tmp_path: Path) -> Any:
    return zarr.storage.MemoryStore()


def _fsspec(tmp_path: Path) -> Any:
    pytest.importorskip("fsspec")
    return zarr.storage.FsspecStore.from_url(f"memory://{tmp_path.name}/data")


def _obstore(tmp_path: Path) -> Any:
    obstore = pytest.importorskip("obstore")
    return zarr.storage.ObjectStore(obstore.store.LocalStore(str(tmp_path), mkdir=True))


pytestmark = pytest.mark.filterwarnings("ignore::simplezarr.errors.UnsafePartialWrite")

MAKERS: list[Callable[[Path], Any]] = [_local, _memory, _fsspec, _obstore]


@pytest.mark.parametrize("make", MAKERS, ids=lambda m: m.__name__.strip("_"))
def test_each_library_reads_what_the_other_wrote(
    make: Callable[[Path], Any], tmp_path: Path
) -> None:
    store = make(tmp_path)
    theirs = zarr.create_array(store, name="a", shape=(7,), chunks=(3,), dtype="i4")
    theirs[:] = np.arange(7)
    ours = simplezarr.open_array(store, path="a")
    np.testing.assert_array_equal(ours[:], np.arange(7))
    ours[2:5] = -1
    np.testing.assert_array_equal(zarr.open_array(store, path="a")[:], [0, 1, -1, -1, -1, 5, 6])
    group = simplezarr.open_group(store, mode="r")
    assert sorted(group.array_keys()) == ["a"]


def test_a_read_only_store_stays_read_only(tmp_path: Path) -> None:
    zarr.create_array(zarr.storage.LocalStore(tmp_path), shape=(2,), dtype="i1")
    ours = simplezarr.open_array(zarr.storage.LocalStore(tmp_path, read_only=True))
    assert ours.read_only
    with pytest.raises(simplezarr.errors.ReadOnlyError):
        ours[:] = 1


def test_a_zip_store_open_for_writing_is_refused_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    store = zarr.storage.ZipStore(path, mode="w")
    zarr.create_array(store, shape=(3,), dtype="i1", fill_value=0)[:] = 7
    with pytest.raises(UnsupportedStoreError, match="close it"):
        simplezarr.open_array(store)
    store.close()
    # appended to, never truncated
    ours = simplezarr.open_array(zarr.storage.ZipStore(path, mode="w"))
    np.testing.assert_array_equal(ours[:], [7, 7, 7])
    np.testing.assert_array_equal(
        simplezarr.open_array(zarr.storage.ZipStore(path, mode="r"))[:], [7, 7, 7]
    )


def test_other_zarr_python_stores_are_refused_with_what_works(tmp_path: Path) -> None:
    wrapped = zarr.storage.LoggingStore(zarr.storage.MemoryStore())
    with pytest.raises(UnsupportedStoreError, match="LocalStore, MemoryStore, ZipStore"):
        simplezarr.open_array(wrapped)


def test_the_xarray_engine_takes_a_zarr_python_store(tmp_path: Path) -> None:
    xr = pytest.importorskip("xarray")
    store = zarr.storage.LocalStore(tmp_path / "ds")
    ds = xr.Dataset({"t": ("x", np.arange(4.0))}, attrs={"title": "demo"})
    ds.to_zarr(store, zarr_format=3, consolidated=False)
    got = xr.open_dataset(store, engine="simplezarr", consolidated=False)
    xr.testing.assert_identical(got.load(), ds)
