"""simplezarr arrays as dask sources and targets under the threaded scheduler: what dask
reads of an array (chunks, shards, dtype, ...), tokens that name the array and never read
its data, parallel reads and writes, sub-shard writes from many threads (with a control
that loses updates), and simplezarr.dask's aligned to_dask / store."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

import simplezarr  # noqa: E402
from simplezarr import dask as sdask  # noqa: E402
from simplezarr.errors import InvalidArgument  # noqa: E402
from simplezarr.nodes import ZarrArray  # noqa: E402
from simplezarr.stores import (  # noqa: E402
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    SlowStore,
)
from tests.dask.dask_helpers import UnlockedLocalStore  # noqa: E402
from tests.stores.store_servers import S3Server  # noqa: E402

THREADS = {"scheduler": "threads", "num_workers": 4}


def _sharded(store: object, shape: tuple[int, ...] = (32, 24)) -> ZarrArray:
    return simplezarr.create_array(
        store, shape=shape, chunks=(4, 4), shards=(8, 12), dtype="i4", fill_value=0
    )


def test_an_array_describes_itself_as_dask_expects() -> None:
    a = _sharded(MemoryStore())
    x = da.from_array(a, chunks=a.chunks)
    assert (a.ndim, a.chunks, a.shards, a.dtype, a.nbytes) == (2, (4, 4), (8, 12), "i4", 3072)
    assert (x.dtype, x.nbytes, x.chunksize, x.shape) == (a.dtype, a.nbytes, (4, 4), a.shape)
    assert da.from_array(a).chunksize == (32, 24)  # "auto": whole shards, up to dask's size
    plain = simplezarr.create_array(MemoryStore(), shape=(8,), chunks=(3,), dtype="f2")
    assert plain.shards is None and da.from_array(plain, chunks=plain.chunks).chunks == ((3, 3, 2),)


def test_tokens_name_the_array_and_read_nothing(tmp_path: Path) -> None:
    from dask.base import tokenize

    logged = LoggingStore(LocalStore(tmp_path / "a.zarr"))
    a = _sharded(logged)
    a[...] = 1
    reads = dict(logged.counter)
    token = tokenize(a)
    assert dict(logged.counter) == reads  # no read for the token
    assert token == tokenize(ZarrArray(LocalStore(tmp_path / "a.zarr"), "")) == tokenize(a)
    assert token == tokenize(pickle.loads(pickle.dumps(a)))
    other = simplezarr.create_array(LocalStore(tmp_path / "b.zarr"), shape=(32, 24), dtype="i4")
    assert tokenize(other) != token
    a.resize((32, 25))
    assert tokenize(a) != token  # the metadata is part of the name
    assert tokenize(a.with_config({"write_empty_chunks": True})) != tokenize(a)
    # Stores without a location (memory) are told apart by object, never by content.
    m1, m2 = MemoryStore(), MemoryStore()
    assert tokenize(_sharded(m1)) != tokenize(_sharded(m2))


def test_threads_read_and_write_in_parallel(tmp_path: Path) -> None:
    a = _sharded(LocalStore(tmp_path / "a.zarr"), shape=(64, 48))
    data = np.arange(64 * 48, dtype="i4").reshape(64, 48)
    da.store(da.from_array(data, chunks=(8, 12)), a, lock=False, compute=True)
    np.testing.assert_array_equal(a[...], data)
    x = da.from_array(a, chunks=a.chunks)
    with dask.config.set(THREADS):
        assert int(x.sum().compute()) == int(data.sum())
        np.testing.assert_array_equal((x * 2).compute(), data * 2)
        da.store(x + 1, a, lock=False)  # reads and writes of one array in one graph
    np.testing.assert_array_equal(a[...], data + 1)


def _sub_shard_writes(array: ZarrArray, rounds: int) -> int:
    """Each round adds 1 to every element with one dask task per inner chunk (12 tasks
    into each shard, all partial writes); returns how many increments were lost."""
    x = da.from_array(array, chunks=array.chunks)
    with dask.config.set(THREADS):
        for _ in range(rounds):
            da.store(x + 1, array, lock=False)
            x = da.from_array(array, chunks=array.chunks, name=False)  # read afresh
    return int(rounds * array.size - np.asarray(array[...]).sum())


def test_sub_shard_writes_from_threads_lose_nothing(tmp_path: Path) -> None:
    a = _sharded(SlowStore(LocalStore(tmp_path / "a.zarr"), 0.002), shape=(16, 24))
    assert _sub_shard_writes(a, 3) == 0


def test_control_sub_shard_writes_without_locks_are_lost(tmp_path: Path) -> None:
    a = _sharded(SlowStore(UnlockedLocalStore(tmp_path / "a.zarr"), 0.002), shape=(16, 24))
    assert _sub_shard_writes(a, 3) > 0


def test_to_dask_is_shard_aligned_by_default(tmp_path: Path) -> None:
    a = _sharded(LocalStore(tmp_path / "a.zarr"), shape=(20, 30))
    a[...] = 5
    assert sdask.to_dask(a).chunks == ((20,), (30,))  # one block: under dask's chunk size
    assert sdask.to_dask(a, chunks=(3, 30)).chunks[0] == (3,) * 6 + (2,)  # as asked
    np.testing.assert_array_equal(sdask.to_dask(str(tmp_path / "a.zarr")).compute(), a[...])
    with dask.config.set({"array.chunk-size": "1KiB"}):  # small dask chunks: whole shards
        chunks = sdask.to_dask(a).chunks
    assert len(chunks[0]) * len(chunks[1]) > 1
    for sizes, unit in zip(chunks, (8, 12), strict=True):
        assert all(edge % unit == 0 for edge in np.cumsum(sizes)[:-1]), chunks
    with pytest.raises(InvalidArgument, match="simplezarr array"):
        sdask.to_dask(np.zeros(3))  # type: ignore[arg-type]


def test_store_aligns_writes_to_shards_and_reads_none_back(tmp_path: Path) -> None:
    data = np.arange(20 * 30, dtype="i4").reshape(20, 30)
    x = da.from_array(data, chunks=(5, 7))  # every boundary cuts a shard
    for aligned in (True, False):
        logged = LoggingStore(LocalStore(tmp_path / f"{aligned}.zarr"))
        a = _sharded(logged, shape=(20, 30))
        before = logged.counter.copy()
        # Without the stale-metadata check's one read of zarr.json per write call, every
        # read counted is a read of a shard.
        with dask.config.set(THREADS), simplezarr.config.set(check_metadata_on_write=False):
            if aligned:
                sdask.store(x, a)
            else:  # the control: dask's own store writes parts of shards
                da.store(x, a, lock=False)
        chunk_reads = sum(logged.counter[m] - before[m] for m in ("get", "get_many", "open_values"))
        np.testing.assert_array_equal(a[...], data)
        if aligned:
            assert chunk_reads == 0  # whole shards: nothing read back
        else:
            assert chunk_reads > 0


def test_store_into_a_region_and_its_errors() -> None:
    a = _sharded(MemoryStore(), shape=(20, 30))
    x = da.ones((10, 13), chunks=(3, 5), dtype="i4")
    sdask.store(x, a, region=(slice(5, 15), slice(10, 23)))
    expected = np.zeros((20, 30), dtype="i4")
    expected[5:15, 10:23] = 1
    np.testing.assert_array_equal(a[...], expected)
    with pytest.raises(InvalidArgument, match="shape"):
        sdask.store(x, a)
    with pytest.raises(InvalidArgument, match="step 1"):
        sdask.store(x, a, region=(slice(0, 20, 2), slice(0, 13)))
    delayed = sdask.store(da.zeros((20, 30), chunks=10, dtype="i4"), a, compute=False)
    assert int(a[5, 10]) == 1  # nothing written yet
    delayed.compute()
    assert int(a[...].sum()) == 0


def test_aligned_chunks_put_every_boundary_on_the_unit() -> None:
    for length, offset, unit, size in [(10, 0, 4, 4), (10, 2, 4, 7), (1, 3, 4, 4), (37, 5, 3, 10)]:
        (chunks,) = sdask.aligned_chunks((length,), (unit,), (size,), (offset,))
        assert sum(chunks) == length
        edges = np.cumsum(chunks)[:-1] + offset
        assert all(e % unit == 0 for e in edges), (length, offset, chunks)


def test_to_dask_opens_a_url_with_storage_options(s3: S3Server) -> None:
    url = f"s3://{s3.new_prefix()}/a.zarr"
    store = FsspecStore.from_url(url, storage_options=s3.fsspec_options())
    a = _sharded(store, shape=(16, 24))
    a[...] = 3
    x = sdask.to_dask(url, storage_options=s3.fsspec_options())
    with dask.config.set(THREADS):
        assert int(x.sum().compute()) == 3 * 16 * 24


def test_rectilinear_arrays_read_and_written_along_their_chunks(tmp_path: Path) -> None:
    """A rectilinear array's dask blocks are its chunks (it has no one chunk shape for
    dask to ask); store() rechunks to the target's chunks, each block one write."""
    with simplezarr.config.set({"array.rectilinear_chunks": True}):
        a = simplezarr.create_array(
            LocalStore(tmp_path / "a"), shape=(60, 10), chunks=[[10, 20, 30], 5], dtype="i4"
        )
        b = simplezarr.create_array(
            LocalStore(tmp_path / "b"), shape=(60, 10), chunks=[[25, 35], [3, 7]], dtype="i4"
        )
    data = np.arange(600, dtype="i4").reshape(60, 10)
    a[...] = data
    x = sdask.to_dask(a)
    assert x.chunks == ((10, 20, 30), (5, 5))
    np.testing.assert_array_equal(x[15:45].compute(), data[15:45])
    assert pickle.loads(pickle.dumps(x)).sum().compute() == data.sum()
    assert sdask.to_dask(a, chunks=(7, 10)).chunks[0][:2] == (7, 7)
    sdask.store(x * 2, b)
    np.testing.assert_array_equal(b[...], data * 2)
    with pytest.raises(InvalidArgument, match="rectilinear"):
        sdask.store(x[:10], b, region=(slice(0, 10), slice(None)))
