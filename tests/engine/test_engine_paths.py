"""The engine's named fast paths are taken where they pay, and give numpy's answers."""

from __future__ import annotations

import logging
import threading
import tracemalloc
from typing import Any

import numpy as np
import pytest
import zstandard

from simplezarr import config
from simplezarr.codecs import ChunkSpec, CodecChain, codec_from_json
from simplezarr.dtypes import from_numpy
from simplezarr.engine.work import PARALLEL_MIN_BYTES
from simplezarr.engine.work import batches as _batches
from simplezarr.errors import CorruptChunk
from simplezarr.nodes import ZarrArray
from simplezarr.stores import LoggingStore, MemoryStore
from tests.store_helpers import RequestLog

ZSTD = [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}]


def _array(shape, chunks, compressors=ZSTD, dtype="uint32"):
    a = ZarrArray.create(
        MemoryStore(), shape=shape, dtype=dtype, chunks=chunks, compressors=compressors
    )
    data = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
    a[...] = data
    return a, data


def key(*coords: int) -> str:
    """The v3 key of a chunk (default chunk key encoding)."""
    return "c/" + "/".join(map(str, coords))


def first_block_only(frame: bytes) -> bytes:
    """A zstd frame cut right after its first block: a decoder that stops at the bytes it
    needs can still give the first block's content; one that decodes the frame fails."""
    pos = zstandard.frame_header_size(frame)
    header = frame[pos] | frame[pos + 1] << 8 | frame[pos + 2] << 16
    assert (header >> 1) & 3 == 2 and not header & 1, "a compressed block, not the last"
    return frame[: pos + 3 + (header >> 3)]


def test_large_zstd_chunk_decodes_only_a_prefix() -> None:
    a, data = _array((256, 256), (256, 256))  # 256 KiB chunk: two zstd blocks
    a.store.set(key(0, 0), first_block_only(a.store.get(key(0, 0))))
    # within the first block: decoding stops there and never sees the missing rest
    np.testing.assert_array_equal(a[3, 10:20], data[3, 10:20])
    with pytest.raises(CorruptChunk):  # most of the frame: decoded whole, the cut found
        a[200:201, ::7]


def test_small_zstd_chunk_is_decoded_whole() -> None:
    # One zstd block (<= 128 KiB): a prefix costs the same as all of it, so no window, and
    # the whole frame is checked even for a partial read (trailing bytes are refused).
    a, data = _array((64, 64), (32, 32))
    np.testing.assert_array_equal(a[5, 3:40], data[5, 3:40])
    a.store.set(key(0, 0), a.store.get(key(0, 0)) + b"\0")
    with pytest.raises(CorruptChunk):
        a[5, 3:10]


def test_uncompressed_chunks_always_take_a_window() -> None:
    store = RequestLog(MemoryStore())
    a = ZarrArray.create(store, shape=(16, 16), dtype="uint32", chunks=(8, 8), compressors=None)
    data = np.arange(256, dtype="uint32").reshape(16, 16)
    a[...] = data
    store.requests.clear()
    np.testing.assert_array_equal(a[3, 1:7], data[3, 1:7])
    # only the 6 items of row 3, columns 1..6 of chunk (0, 0) are fetched: 24 bytes
    assert store.requests == [(key(0, 0), ((3 * 8 + 1) * 4, 6 * 4))]


def test_checksummed_zstd_never_takes_a_window() -> None:
    # The checksum covers the whole frame: even a read within the first block decodes it
    # all, so a frame cut after its first block fails where an unchecked one reads.
    a, data = _array(
        (256, 256),
        (256, 256),
        compressors=[{"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
    )
    np.testing.assert_array_equal(a[3, 10:20], data[3, 10:20])
    a.store.set(key(0, 0), first_block_only(a.store.get(key(0, 0))))
    with pytest.raises(CorruptChunk):
        a[3, 10:20]


def test_truncated_large_chunk_fails_on_partial_read() -> None:
    a, _ = _array((256, 256), (256, 256))
    good = a.store.get(key(0, 0))
    a.store.set(key(0, 0), good[:100])
    with pytest.raises(CorruptChunk):
        a[255, :]


def test_small_work_runs_in_one_batch() -> None:
    with config.set(threads=2):
        items = list(range(8))
        assert _batches(items, 1024) == [items]  # 8 KiB in all: not worth the pool
        assert len(_batches(items, PARALLEL_MIN_BYTES)) == 8
        assert len(_batches(items)) == 8  # size unknown: parallel
    with config.set(threads=1):
        assert _batches(items, PARALLEL_MIN_BYTES) == [items]


def _big_zstd(store=None):
    a = ZarrArray.create(
        store or MemoryStore(),
        shape=(128, 128, 32),
        dtype="uint32",
        chunks=(32, 32, 16),
        compressors=ZSTD,
    )
    data = np.random.default_rng(1).integers(0, 1000, a.shape, dtype="uint32")
    a[...] = data
    return a, data


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def fetching_threads(store: LoggingStore, handler: Records, read: Any) -> set[bool]:
    """Run ``read``; for each get_many it made, whether the calling thread made it."""
    handler.records.clear()
    store.counter.clear()
    read()
    calls = [r for r in handler.records if r.getMessage().startswith("Calling")]
    assert calls and store.counter["get_many"] == len(calls) >= 2  # part after part
    return {r.thread == threading.get_ident() for r in calls}


def test_pipelined_read_matches_numpy_with_missing_chunks() -> None:
    # Pipelined: the calling thread fetches part after part while the pool decodes, so
    # every store request comes from the calling thread (the batched path fetches in the
    # pool's threads, as the large chunks below show).
    handler = Records()
    with config.set(threads=2):
        store = LoggingStore(MemoryStore(), log_level="INFO", log_handler=handler)
        a, data = _big_zstd(store)
        store.delete(key(1, 2, 1))
        data[32:64, 64:96, 16:32] = 0
        assert fetching_threads(store, handler, lambda: a[...]) == {True}
        np.testing.assert_array_equal(a[...], data)
        np.testing.assert_array_equal(a[5:120, ::3, 7], data[5:120, ::3, 7])
        store = LoggingStore(MemoryStore(), log_level="INFO", log_handler=handler)
        big = ZarrArray.create(
            store, shape=(128, 128, 32), dtype="uint32", chunks=(64, 64, 32), compressors=ZSTD
        )  # 512 KiB chunks: too large to pipeline
        big[...] = data
        assert False in fetching_threads(store, handler, lambda: big[...])
        np.testing.assert_array_equal(big[...], data)


@pytest.mark.parametrize("damage", ["truncate", "trailing", "garbage"])
def test_pipelined_read_refuses_a_corrupt_chunk(damage: str) -> None:
    with config.set(threads=2):
        a, _ = _big_zstd()
        good = a.store.get(key(2, 1, 0))
        bad = {"truncate": good[:-7], "trailing": good + b"\0", "garbage": b"x" * len(good)}
        a.store.set(key(2, 1, 0), bad[damage])
        with pytest.raises(CorruptChunk):
            a[...]


def test_pipelined_read_of_a_local_store(tmp_path) -> None:
    from simplezarr.stores import LocalStore

    with config.set(threads=2):
        a, data = _big_zstd(LocalStore(tmp_path / "a.zarr"))
        np.testing.assert_array_equal(a[...], data)


def test_decode_many_equals_decode() -> None:
    a, _ = _big_zstd()
    spec = ChunkSpec((32, 32, 16), from_numpy("uint32"), 0)
    chain = CodecChain([codec_from_json("bytes"), codec_from_json(ZSTD[0])], spec)
    frames = [a.store.get(key(i, j, k)) for i in range(2) for j in range(2) for k in range(2)]
    for one, many in zip(map(chain.decode, frames), chain.decode_many(frames), strict=True):
        np.testing.assert_array_equal(one, many)


@pytest.mark.parametrize(
    ("shape", "selection", "value"),
    [
        ((4, 5), 0, np.ones((1, 5))),
        ((4, 5), (slice(0, 2), slice(None)), np.ones((1, 1, 2, 5))),
        ((), Ellipsis, np.ones((1, 1))),
        ((4, 5), (1, slice(2, 3)), np.array([[7]])),
    ],
)
def test_values_with_leading_length_one_axes_broadcast_as_numpy(shape, selection, value) -> None:
    a = ZarrArray.create(MemoryStore(), shape=shape, dtype="i8", chunks=shape or (), fill_value=0)
    expected = np.zeros(shape, "i8")
    expected[selection] = value
    a[selection] = value
    np.testing.assert_array_equal(a[...], expected)


def test_values_that_numpy_refuses_are_refused() -> None:
    from simplezarr.errors import InvalidArgument

    a = ZarrArray.create(MemoryStore(), shape=(4, 5), dtype="i8", chunks=(2, 2))
    with pytest.raises(ValueError):
        np.zeros((4, 5))[0] = np.ones((2, 5))
    with pytest.raises(InvalidArgument):
        a[0] = np.ones((2, 5))


BLOSC = [
    {
        "name": "blosc",
        "configuration": {
            "cname": "lz4",
            "clevel": 1,
            "shuffle": "shuffle",
            "typesize": 4,
            "blocksize": 0,
        },
    }
]


def allocated_beyond_the_result(read: Any) -> int:
    """Peak bytes allocated by ``read()`` on top of the array it returns."""
    read()  # warm up (imports, pool threads)
    tracemalloc.start()
    try:
        out = read()
        return tracemalloc.get_traced_memory()[1] - out.nbytes
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("compressors", [ZSTD, BLOSC], ids=["zstd", "blosc"])
def test_whole_chunks_decode_straight_into_the_output(compressors) -> None:
    # slabs: (2, 256, 256) chunks of a (9, 256, 256) array lie contiguously in the output.
    # Decoded into it directly, a read allocates little beyond the result; the usual way,
    # each chunk is decoded into a buffer of its own (512 KiB) and copied.
    a, data = _array((9, 256, 256), (2, 256, 256), compressors=compressors)
    chunk_bytes = 2 * 256 * 256 * 4
    np.testing.assert_array_equal(a[...], data)
    assert allocated_beyond_the_result(lambda: a[0:8]) < chunk_bytes // 8  # four whole slabs
    assert allocated_beyond_the_result(lambda: a[2:4]) < chunk_bytes // 8  # exactly one chunk
    # the edge chunk (1 row) and partly read chunks go the usual way
    assert allocated_beyond_the_result(lambda: a[1:6]) >= chunk_bytes // 2
    np.testing.assert_array_equal(a[2:4], data[2:4])
    np.testing.assert_array_equal(a[1:6, :, :], data[1:6])
    np.testing.assert_array_equal(a[:, 3], data[:, 3])  # not contiguous: the usual way


@pytest.mark.parametrize("compressors", [ZSTD, BLOSC], ids=["zstd", "blosc"])
@pytest.mark.parametrize("damage", ["truncate", "trailing", "garbage", "other_size", "concat"])
def test_decoding_into_the_output_refuses_corrupt_chunks(compressors, damage) -> None:
    a, _ = _array((8, 16), (4, 16), compressors=compressors)
    other, _ = _array((8, 16), (2, 16), compressors=compressors)  # chunks half the size
    good = a.store.get(key(1, 0))
    bad = {
        "truncate": good[:-5],
        "trailing": good + b"\0\0",
        "garbage": bytes(len(good)),
        "other_size": other.store.get(key(0, 0)),
        "concat": good + good,
    }[damage]
    a.store.set(key(1, 0), bad)
    with pytest.raises(CorruptChunk):
        a[4:8]
    with pytest.raises(CorruptChunk):
        a[...]


def test_v2_big_endian_output_is_not_decoded_into() -> None:
    a = ZarrArray.create(
        MemoryStore(),
        shape=(8, 4),
        dtype=">i4",
        chunks=(2, 4),
        zarr_format=2,
        compressors={"id": "zstd", "level": 1},
    )
    data = np.arange(32, dtype=">i4").reshape(8, 4)
    a[...] = data
    np.testing.assert_array_equal(a[...], data)
    np.testing.assert_array_equal(a[2:4], data[2:4])


def test_zero_dimensional_arrays_read_back() -> None:
    for compressors in (ZSTD, BLOSC, None):
        a = ZarrArray.create(MemoryStore(), shape=(), dtype="int32", compressors=compressors)
        a[()] = 7
        assert a[()] == 7 and a[...].tolist() == 7


def test_malloc_tuning_runs_once_and_can_be_turned_off() -> None:
    import subprocess
    import sys

    code = (
        "import simplezarr as z, simplezarr.engine.allocator as m; print(m._done, end=' ');"
        "a = z.zeros((4,), chunks=(2,), store={}); a[:]; print(m._done)"
    )
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    off = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "SIMPLEZARR_MALLOC_TUNING": "0"},
    )
    import platform

    expected = (
        "True" if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc" else "False"
    )
    assert on.stdout.strip() == f"None {expected}"  # not at import: at the first read
    assert off.stdout.strip() == "None None"
