"""Selections cost what they select: each touched chunk fetched once, memory proportional to
the selection and the touched chunks, one Python step per chunk (never per point)."""

from __future__ import annotations

import itertools
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from simplezarr import MemoryStore, ZarrArray
from simplezarr.indexing import orthogonal_indexer, vectorized_indexer
from simplezarr.stores.base import ByteRange
from simplezarr.stores.wrappers import WrapperStore


class CountingStore(WrapperStore):
    """Records every (key, byte range) read, whichever call asked for it."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.reads: list[tuple[str, ByteRange]] = []
        self._lock = threading.Lock()

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        with self._lock:
            self.reads.append((key, byte_range))
        return super().get(key, byte_range)

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        with self._lock:
            self.reads.extend(requests)
        return super().get_many(requests)


def chunk_key(coords: Any) -> str:
    return "c/" + "/".join(str(int(c)) for c in coords)


def test_each_touched_chunk_is_read_once() -> None:
    rng = np.random.default_rng(1)
    data = rng.integers(0, 1000, (40, 30, 20), dtype=np.int32)
    store = CountingStore(MemoryStore())
    a = ZarrArray.create(store, shape=data.shape, dtype=data.dtype, chunks=(8, 8, 8))
    a[...] = data
    points = tuple(rng.integers(0, n, 3000) for n in data.shape)
    for select, expected in [
        (lambda: a.vindex[points], data[points]),
        (
            lambda: a.oindex[points[0][:50], points[1][:40], 3],
            data[np.ix_(points[0][:50], points[1][:40], [3])][..., 0],
        ),
        (lambda: a[np.sort(points[0][:9]), 5:25], data[np.sort(points[0][:9]), 5:25]),
    ]:
        store.reads.clear()
        assert np.array_equal(select(), expected)
        keys = Counter(key for key, _ in store.reads if not key.endswith("zarr.json"))
        assert max(keys.values()) == 1, "a chunk was read twice"
    touched = {chunk_key(c) for c in zip(*(p // 8 for p in points))}
    store.reads.clear()
    a.vindex[points]
    assert {key for key, _ in store.reads} == touched


def test_each_shard_index_and_inner_chunk_is_read_once() -> None:
    rng = np.random.default_rng(2)
    data = rng.integers(0, 1000, (64, 64), dtype=np.int32)
    store = CountingStore(MemoryStore())
    a = ZarrArray.create(store, shape=data.shape, dtype=data.dtype, chunks=(4, 4), shards=(32, 32))
    a[...] = data
    points = (rng.integers(0, 64, 500), rng.integers(0, 64, 500))
    rows, cols = points[0][:20], points[1][:30]

    def reads_per_shard(select: Any, expected: np.ndarray) -> dict[str, list[ByteRange]]:
        store.reads.clear()
        assert np.array_equal(select(), expected)
        by_key: dict[str, list[ByteRange]] = {}
        for key, byte_range in store.reads:
            by_key.setdefault(key, []).append(byte_range)
        return by_key

    for by_key in (
        reads_per_shard(lambda: a.vindex[points], data[points]),
        reads_per_shard(lambda: a.oindex[rows, cols], data[np.ix_(rows, cols)]),
    ):
        assert len(by_key) == 4  # the four shards
        # per shard: its index once, then byte ranges of inner chunks that never overlap
        for ranges in by_key.values():
            suffixes = [r for r in ranges if r is not None and r[0] < 0]
            assert len(suffixes) == 1, "the shard index was read more than once"
            spans = sorted((r[0], r[0] + r[1]) for r in ranges if r is not None and r[0] >= 0)
            overlapping = [(s, t) for s, t in itertools.pairwise(spans) if s[1] > t[0]]
            assert not overlapping, "an inner chunk was read twice"


def test_scattered_points_from_a_huge_array_allocate_nothing_array_sized() -> None:
    # 2**31 elements, nothing stored: every point reads the fill value.
    a = ZarrArray.create(
        MemoryStore(), shape=(2048, 1024, 1024), dtype="uint8", chunks=(64, 64, 64), fill_value=7
    )
    rng = np.random.default_rng(3)
    points = tuple(rng.integers(0, n, 4000) for n in a.shape)
    rows = rng.integers(0, 2048, 60)
    a.vindex[points]  # warm up (imports, pool threads)
    tracemalloc.start()
    try:
        result = a.vindex[points]
        ortho = a.oindex[rows, rows[:50] % 1024, 3]
        mask_rows = a[np.sort(rows), 5]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (result == 7).all() and result.shape == (4000,)
    assert ortho.shape == (60, 50) and mask_rows.shape == (60, 1024)
    assert peak < 16 * 2**20, f"peak {peak} bytes for a 4,000 point selection"  # array: 2 GiB


def test_scattered_writes_hold_only_the_touched_chunks() -> None:
    a = ZarrArray.create(
        MemoryStore(), shape=(2048, 1024, 1024), dtype="uint8", chunks=(32, 32, 32)
    )
    rng = np.random.default_rng(4)
    points = tuple(rng.integers(0, n, 2000) for n in a.shape)
    a.vindex[points[0][:5], points[1][:5], points[2][:5]] = 1  # warm up
    tracemalloc.start()
    try:
        a.vindex[points] = 9
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # each task holds one 32 KiB chunk and its encoding at a time
    assert peak < 32 * 2**20, f"peak {peak} bytes for a 2,000 point write"
    assert (a.vindex[points] == 9).all()


def test_grouping_is_vectorized() -> None:
    """A million points in 512 chunks: a few numpy passes and 512 projections, fast."""
    rng = np.random.default_rng(5)
    shape, chunks = (512, 512, 512), (64, 64, 64)
    points = tuple(rng.integers(0, 512, 1_000_000) for _ in range(3))
    start = time.perf_counter()
    projections = list(vectorized_indexer(points, shape, chunks))
    elapsed = time.perf_counter() - start
    assert len(projections) == 512
    assert sum(p.chunk_selection[0].shape[0] for p in projections) == 1_000_000
    assert elapsed < 10, f"grouping took {elapsed:.1f} s"
    rows = rng.integers(0, 512, 100_000)
    ortho = list(orthogonal_indexer((rows, slice(None), 0), shape, chunks))
    assert len(ortho) == 64


@pytest.mark.parametrize("ordered", [True, False])
def test_ordered_points_are_not_sorted(ordered: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = np.argsort
    monkeypatch.setattr(np, "argsort", lambda *a, **k: calls.append(1) or real(*a, **k))
    rows = np.arange(0, 100, 3) if ordered else np.arange(99, 0, -3)
    list(vectorized_indexer((rows, rows), (100, 100), (10, 10)))
    assert bool(calls) != ordered


def test_slices_in_disguise_take_the_basic_paths() -> None:
    """Integer runs and masks covering whole chunks become complete plain projections: a
    write through them reads nothing, whatever their order."""
    store = CountingStore(MemoryStore())
    a = ZarrArray.create(store, shape=(8, 6), dtype="int32", chunks=(4, 3))
    rows = np.arange(8)[::-1]
    cols = np.ones(6, dtype=bool)
    projections = list(orthogonal_indexer((rows, cols), a.shape, a.chunks))
    assert len(projections) == 4
    assert all(type(p).__name__ == "ChunkProjection" and p.is_complete for p in projections)
    store.reads.clear()
    value = np.arange(48, dtype=np.int32).reshape(8, 6)
    a.oindex[rows, cols] = value
    assert [key for key, _ in store.reads if "zarr.json" not in key] == []
    assert np.array_equal(a[...], value[::-1])
