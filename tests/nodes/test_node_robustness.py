"""Nodes under pressure: concurrency, stale handles, bad arguments, config."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simplezarr.config import config
from simplezarr.errors import InvalidArgument, InvalidKey, SelectionError, UnknownCodec, ZarrError
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import MemoryStore, WrapperStore


def test_concurrent_chunk_writes_into_one_shard_are_all_kept() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(16,), dtype="int32", chunks=(2,), shards=(16,))
    futures = [a.set_chunk_future(np.full(2, i + 1), (i,)) for i in range(8)]
    for f in futures:
        f.result()
    assert a[...].tolist() == [i // 2 + 1 for i in range(16)]


def test_concurrent_partial_writes_into_one_chunk_are_all_kept() -> None:
    from simplezarr.concurrency import run_all

    a = ZarrArray.create(MemoryStore(), shape=(64,), dtype="int32", chunks=(64,))

    def put(i: int) -> None:
        a[i] = i + 1

    run_all([lambda i=i: put(i) for i in range(64)])
    assert a[...].tolist() == list(range(1, 65))


@pytest.mark.parametrize("shards", [None, (8, 8)])
def test_resize_of_sharded_and_plain_arrays(shards) -> None:
    a = ZarrArray.create(MemoryStore(), shape=(16, 16), dtype="int16", chunks=(4, 4), shards=shards)
    data = np.arange(256, dtype="int16").reshape(16, 16) + 1
    a[...] = data
    a.resize((6, 11))
    a.resize((16, 16))
    expected = np.zeros((16, 16), dtype="int16")
    expected[:6, :11] = data[:6, :11]
    np.testing.assert_array_equal(a[...], expected)


@pytest.mark.parametrize(
    ("dtype", "value"),
    [
        ("uint8", 300),
        ("int16", -40000),
        ("int32", float("nan")),
        ("int8", "abc"),
        ("float32", "x1"),
    ],
)
def test_values_that_do_not_fit_raise(dtype: str, value: object) -> None:
    a = ZarrArray.create(MemoryStore(), shape=(2,), dtype=dtype)
    with pytest.raises(InvalidArgument):
        a[0] = value
    assert a.store.list() == ["zarr.json"]  # nothing written


def test_wrong_shape_raises_invalid_argument() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(4,), dtype="f4")
    with pytest.raises(InvalidArgument, match="broadcast"):
        a[:2] = [1, 2, 3]
    with pytest.raises(ValueError):  # still the builtin a numpy user catches
        a[:2] = [1, 2, 3]


def test_a_stale_handle_does_not_undo_a_resize() -> None:
    store = MemoryStore()
    a1 = ZarrArray.create(store, "a", shape=(2,), dtype="i4")
    a2 = open_zarr(store, "a")
    a2.resize(10)
    a1.attrs["note"] = "x"
    again = open_zarr(store, "a")
    assert again.shape == (10,) and again.attrs["note"] == "x"
    assert a1.shape == (10,)  # the handle sees what it wrote back


def test_an_unreadable_child_does_not_break_navigation() -> None:
    store = MemoryStore()
    root = ZarrGroup.create(store)
    root.create_array("good", shape=(2,), dtype="i1")
    root.create_array("bad", shape=(2,), dtype="i1")
    doc = json.loads(store.get("bad/zarr.json"))
    doc["codecs"] = [{"name": "no-such-codec"}]
    store.set("bad/zarr.json", json.dumps(doc).encode())
    assert root.keys() == ["bad", "good"] and len(root) == 2
    assert "bad" not in root and "good" in root
    assert "bad <unreadable: UnknownCodec" in root.tree()
    with pytest.raises(UnknownCodec):
        root["bad"]


def test_bad_paths_and_chunk_indices() -> None:
    root = ZarrGroup.create(MemoryStore())
    a = root.create_array("a", shape=(4,), dtype="i2", chunks=(2,))
    with pytest.raises(InvalidKey):
        root[1]  # type: ignore[index]
    assert "../x" not in root and 1 not in root
    for bad in [(0.7,), ("1",), True, (1, 0), (2,)]:
        with pytest.raises(SelectionError):
            a.get_chunk(bad)


def test_config_write_empty_chunks_applies_to_open_arrays() -> None:
    store = MemoryStore()
    a = ZarrArray.create(store, "a", shape=(4,), dtype="f8", chunks=(2,))
    with config.set(write_empty_chunks=True):
        a[...] = 0
    assert store.exists("a/c/0")
    a[...] = 0
    assert not store.exists("a/c/0")


def test_array_config_is_checked() -> None:
    with pytest.raises(InvalidArgument, match="unknown array config"):
        ZarrArray.create(MemoryStore(), shape=(2,), dtype="i1", config={"write_empty_chunk": 1})
    a = ZarrArray.create(MemoryStore(), shape=(2, 3), dtype="i1", config={"order": "F"})
    assert a[...].flags.f_contiguous


def test_node_equality_and_hash_agree() -> None:
    store = MemoryStore()
    g = ZarrGroup.create(store)
    assert len({g, open_zarr(store)}) == 1 and g == open_zarr(store)


def test_set_chunk_accepts_the_full_chunk_shape_at_an_edge() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i4", chunks=(4,))
    a.set_chunk(np.array([7, 8, 9, 10]), (1,))  # only the first element is inside the array
    assert a[...].tolist() == [0, 0, 0, 0, 7]


def test_set_chunk_future_copies_its_data() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(4,), dtype="i4", chunks=(4,))
    data = np.arange(4)
    f = a.set_chunk_future(data, (0,))
    data[:] = -1
    f.result()
    assert a[...].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(("kwargs", "stored"), [({}, 0), ({"fill_value": None}, None)])
def test_v2_fill_value_none_is_null_as_in_zarr_python(kwargs, stored) -> None:
    store = MemoryStore()
    ZarrArray.create(store, "a", shape=(2,), dtype="i4", zarr_format=2, **kwargs)
    assert json.loads(store.get("a/.zarray"))["fill_value"] == stored
    assert open_zarr(store, "a")[...].tolist() == [0, 0]


class CountingStore(WrapperStore):
    def __init__(self, store) -> None:
        super().__init__(store)
        self.batches = 0

    def get_many(self, requests):
        self.batches += 1
        return super().get_many(requests)


@pytest.mark.parametrize("shards", [None, (4, 4)])
def test_one_thread_reads_in_one_batch(shards) -> None:
    inner = MemoryStore()
    a = ZarrArray.create(inner, shape=(8, 8), dtype="u1", chunks=(2, 2), shards=shards)
    a[...] = 1
    counting = CountingStore(inner)
    with config.set(threads=1):
        assert open_zarr(counting)[...].sum() == 64
    # metadata, then chunks (unsharded) or shard indexes + one coalesced read (sharded)
    assert counting.batches == (2 if shards is None else 3)


def test_errors_from_bad_input_stay_in_the_hierarchy() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(3,), dtype="i4")
    for call in (
        lambda: a.resize((-1,)),
        lambda: a.resize(1, 2),
        lambda: a.append(np.zeros((2, 2))),
    ):
        with pytest.raises(ZarrError):
            call()
