"""The engine's named fast paths are taken where they pay, and give numpy's answers."""

from __future__ import annotations

import numpy as np
import pytest

from simplezarr import config
from simplezarr.codecs import zstd as zstd_module
from simplezarr.engine.work import PARALLEL_MIN_BYTES
from simplezarr.engine.work import batches as _batches
from simplezarr.errors import CorruptChunk
from simplezarr.nodes import ZarrArray
from simplezarr.stores import MemoryStore

ZSTD = [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}]


def _array(shape, chunks, compressors=ZSTD, dtype="uint32"):
    a = ZarrArray.create(
        MemoryStore(), shape=shape, dtype=dtype, chunks=chunks, compressors=compressors
    )
    data = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
    a[...] = data
    return a, data


def test_large_zstd_chunk_decodes_only_a_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    a, data = _array((256, 256), (256, 256))  # 256 KiB chunk: two zstd blocks
    assert a._io.chain.windowed

    def whole(*args):
        raise AssertionError("decoded the whole frame")

    monkeypatch.setattr(zstd_module, "zstd_decompress", whole)
    np.testing.assert_array_equal(a[3, 10:20], data[3, 10:20])  # within the first block
    with pytest.raises(CorruptChunk, match="decoded the whole frame"):  # most of the frame
        a[200:201, ::7]


def test_small_zstd_chunk_is_decoded_whole() -> None:
    # One zstd block (<= 128 KiB): a prefix costs the same as all of it, so no window.
    a, data = _array((64, 64), (32, 32))
    assert not a._io.chain.windowed
    np.testing.assert_array_equal(a[5, 3:40], data[5, 3:40])


def test_uncompressed_chunks_always_take_a_window() -> None:
    a, data = _array((16, 16), (8, 8), compressors=None)
    assert a._io.chain.windowed and a._io.chain.is_raw
    np.testing.assert_array_equal(a[3, 1:7], data[3, 1:7])


def test_checksummed_zstd_never_takes_a_window() -> None:
    a, _ = _array(
        (256, 256),
        (256, 256),
        compressors=[{"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
    )
    assert not a._io.chain.windowed


def test_truncated_large_chunk_fails_on_partial_read() -> None:
    a, _ = _array((256, 256), (256, 256))
    key = a._io.key((0, 0))
    good = a.store.get(key)
    a.store.set(key, good[:100])
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


def test_pipelined_read_matches_numpy_with_missing_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    engine = importlib.import_module("simplezarr.engine.read")  # the module, not engine.read
    calls = []
    real = engine._read_pipelined
    monkeypatch.setattr(engine, "_read_pipelined", lambda *a: calls.append(1) or real(*a))
    with config.set(threads=2):
        a, data = _big_zstd()
        a.store.delete(a._io.key((1, 2, 1)))
        data[32:64, 64:96, 16:32] = 0
        np.testing.assert_array_equal(a[...], data)
        np.testing.assert_array_equal(a[5:120, ::3, 7], data[5:120, ::3, 7])
    assert calls  # the path under test was taken


@pytest.mark.parametrize("damage", ["truncate", "trailing", "garbage"])
def test_pipelined_read_refuses_a_corrupt_chunk(damage: str) -> None:
    with config.set(threads=2):
        a, _ = _big_zstd()
        key = a._io.key((2, 1, 0))
        good = a.store.get(key)
        bad = {"truncate": good[:-7], "trailing": good + b"\0", "garbage": b"x" * len(good)}
        a.store.set(key, bad[damage])
        with pytest.raises(CorruptChunk):
            a[...]


def test_pipelined_read_of_a_local_store(tmp_path) -> None:
    from simplezarr.stores import LocalStore

    with config.set(threads=2):
        a, data = _big_zstd(LocalStore(tmp_path / "a.zarr"))
        np.testing.assert_array_equal(a[...], data)


def test_decode_many_equals_decode() -> None:
    a, data = _big_zstd()
    chain, store = a._io.chain, a.store
    frames = [store.get(a._io.key((i, j, k))) for i in range(2) for j in range(2) for k in range(2)]
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


@pytest.mark.parametrize("compressors", [ZSTD, BLOSC], ids=["zstd", "blosc"])
def test_whole_chunks_decode_straight_into_the_output(monkeypatch, compressors) -> None:
    from simplezarr.codecs.chain import CodecChain

    into = []
    real = CodecChain.decode_into
    monkeypatch.setattr(
        CodecChain, "decode_into", lambda self, d, t: into.append(1) or real(self, d, t)
    )
    # slabs: (2, 16, 12) chunks of a (9, 16, 12) array lie contiguously in the output
    a, data = _array((9, 16, 12), (2, 16, 12), compressors=compressors)
    assert a._io.chain.direct_decode
    np.testing.assert_array_equal(a[...], data)
    assert len(into) == 4  # the four whole slabs; the edge chunk (1 row) goes the usual way
    np.testing.assert_array_equal(a[2:4], data[2:4])  # exactly one chunk
    np.testing.assert_array_equal(a[1:6, :, :], data[1:6])
    np.testing.assert_array_equal(a[:, 3], data[:, 3])  # not contiguous: the usual way


@pytest.mark.parametrize("compressors", [ZSTD, BLOSC], ids=["zstd", "blosc"])
@pytest.mark.parametrize("damage", ["truncate", "trailing", "garbage", "other_size", "concat"])
def test_decoding_into_the_output_refuses_corrupt_chunks(compressors, damage) -> None:
    a, _ = _array((8, 16), (4, 16), compressors=compressors)
    other, _ = _array((8, 16), (2, 16), compressors=compressors)  # chunks half the size
    key = a._io.key((1, 0))
    good = a.store.get(key)
    bad = {
        "truncate": good[:-5],
        "trailing": good + b"\0\0",
        "garbage": bytes(len(good)),
        "other_size": other.store.get(other._io.key((0, 0))),
        "concat": good + good,
    }[damage]
    a.store.set(key, bad)
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
