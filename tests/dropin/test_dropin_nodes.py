"""zarr-python's node classmethods and the sync/async node pairs, run against both."""

from __future__ import annotations

import asyncio
from types import ModuleType

import numpy as np
import pytest

from tests.dropin.conftest import ZARR_34, both, raised


def test_group_from_store_then_open(lib: ModuleType) -> None:
    store = lib.storage.MemoryStore()
    g = lib.Group.from_store(store, attributes={"title": "t"})
    g.create_array("x", shape=(3,), dtype="i2")
    again = lib.Group.open(store)
    assert isinstance(again, lib.Group)
    assert dict(again.attrs) == {"title": "t"}
    assert list(again.array_keys()) == ["x"]


def test_group_from_store_v2_and_open_any_format(lib: ModuleType) -> None:
    store = lib.storage.MemoryStore()
    lib.Group.from_store(store, zarr_format=2)
    assert lib.Group.open(store, zarr_format=None).metadata.zarr_format == 2


def test_group_from_store_existing_and_missing_raise_alike() -> None:
    def run(lib: ModuleType) -> object:
        store = lib.storage.MemoryStore()
        lib.Group.from_store(store)
        again = raised(lambda: lib.Group.from_store(store))
        replaced = lib.Group.from_store(store, overwrite=True, attributes={"a": 1})
        missing = lib.storage.MemoryStore()
        return again is not None, dict(replaced.attrs), raised(lambda: lib.Group.open(missing))

    theirs, ours = both(run)
    assert ours[:2] == theirs[:2]
    assert theirs[2] is not None and ours[2] is not None
    assert issubclass(ours[2], FileNotFoundError) == issubclass(theirs[2], FileNotFoundError)


def test_array_open(lib: ModuleType) -> None:
    store = lib.storage.MemoryStore()
    a = lib.create_array(store, shape=(4,), dtype="f4", chunks=(2,))
    a[:] = np.arange(4)
    b = lib.Array.open(store)
    assert isinstance(b, lib.Array)
    assert b[:].tolist() == [0, 1, 2, 3]
    b[0] = 9
    assert a[0] == 9


def test_array_open_read_only_store(lib: ModuleType, tmp_path: object) -> None:
    lib.create_array(str(tmp_path), shape=(2,), dtype="i1", fill_value=3)
    ro = lib.storage.LocalStore(str(tmp_path), read_only=True)
    assert lib.Array.open(ro)[:].tolist() == [3, 3]
    assert raised(lambda: lib.Array.open(ro).__setitem__(0, 1)) is not None


def test_async_array_round_trip(lib: ModuleType) -> None:
    a = lib.create_array({}, shape=(4,), dtype="i4", chunks=(2,))
    a[:] = [1, 2, 3, 4]
    aa = a.async_array
    assert isinstance(aa, lib.AsyncArray)
    assert asyncio.run(aa.getitem(slice(1, 3))).tolist() == [2, 3]
    wrapped = lib.Array(aa)
    assert isinstance(wrapped, lib.Array)
    assert wrapped[:].tolist() == [1, 2, 3, 4]
    assert wrapped.shape == a.shape and wrapped.path == a.path


def test_async_classmethods(lib: ModuleType) -> None:
    async def main() -> object:
        store = lib.storage.MemoryStore()
        g = await lib.AsyncGroup.from_store(store, attributes={"k": 1})
        await g.create_array("x", shape=(2,), dtype="u1")
        opened = await lib.AsyncGroup.open(store)
        arr = await opened.getitem("x")
        return isinstance(g, lib.AsyncGroup), opened.attrs, isinstance(arr, lib.AsyncArray)

    assert asyncio.run(main()) == (True, {"k": 1}, True)


@pytest.mark.parametrize("name", ["AsyncArray", "AsyncGroup", "Array", "Group"])
def test_top_level_classes(name: str) -> None:
    theirs, ours = both(lambda lib: isinstance(getattr(lib, name), type))
    assert ours == theirs is True


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"write_empty_chunks": True},
        {"order": "F"},
        {"order": "F", "write_empty_chunks": False},
    ],
)
def test_array_config_attributes(config: dict[str, object] | None) -> None:
    def run(lib: ModuleType) -> object:
        a = lib.create_array({}, shape=(2, 2), dtype="i1", config=config)
        return a.config.order, a.config.write_empty_chunks, a.config.to_dict()

    theirs, ours = both(run)
    if not ZARR_34:  # 3.1's to_dict has two keys, 3.4's five (simplezarr's, docs/api.md)
        added = {
            "read_missing_chunks": True,
            "sharding_coalesce_max_gap_bytes": 1 << 20,
            "sharding_coalesce_max_bytes": 16 << 20,
        }
        theirs = (*theirs[:2], theirs[2] | added)
    assert ours == theirs


def test_array_config_object_is_accepted() -> None:
    def run(lib: ModuleType) -> object:
        first = lib.create_array({}, shape=(2,), dtype="i1", config={"write_empty_chunks": True})
        store: dict[str, object] = {}
        second = lib.create_array(store, shape=(2,), chunks=(1,), dtype="i1", config=first.config)
        second[:] = 0
        return second.config.write_empty_chunks, sum(k.startswith("c/") for k in store)

    theirs, ours = both(run)
    assert ours == theirs == (True, 2)


def test_metadata_chunk_grid() -> None:
    def run(lib: ModuleType) -> object:
        a = lib.create_array({}, shape=(10, 10), chunks=(5, 5), shards=(10, 10), dtype="i1")
        grid = a.metadata.chunk_grid
        return repr(grid), grid.chunk_shape, grid.to_dict()

    theirs, ours = both(run)
    if not ZARR_34:  # the class is RegularChunkGridMetadata in 3.4 (docs/api.md)
        theirs = (theirs[0].replace("RegularChunkGrid(", "RegularChunkGridMetadata("), *theirs[1:])
    assert ours == theirs


@pytest.mark.parametrize(
    ("method", "path"),
    [("get_array", "a/b"), ("get_group", "a"), ("get_array", "a"), ("get_group", "a/b"),
     ("get_array", "nope"), ("get_group", "nope")],
)  # fmt: skip
def test_get_array_and_get_group(method: str, path: str) -> None:
    def run(lib: ModuleType) -> object:
        root = lib.group()
        if not hasattr(root, method):
            pytest.skip("zarr-python 3.4's")
        root.create_array("a/b", shape=(2,), dtype="i1")
        try:
            node = getattr(root, method)(path)
        except Exception as e:
            return [c.__name__ for c in type(e).__mro__ if c.__name__.endswith("Error")][:2]
        return type(node).__name__, node.path

    theirs, ours = both(run)
    if isinstance(theirs, tuple):
        theirs = ("ZarrArray" if theirs[0] == "Array" else "ZarrGroup", theirs[1])
    assert ours == theirs
