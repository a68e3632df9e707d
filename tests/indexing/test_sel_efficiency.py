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
from indexing_helpers import arange_of, make_array

from simplezarr import MemoryStore, ZarrArray
from simplezarr.indexing import items, orthogonal_indexer, vectorized_indexer
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


# -- memory: a few bytes of temporaries per selected point -------------------------------

#: Bytes of temporaries allowed per selected point, on top of the result itself.
BYTES_PER_POINT = 24


def _peak(call: Any) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("sharded", [False, True])
def test_mask_and_point_selections_cost_a_few_bytes_per_point(sharded: bool) -> None:
    n = 1024
    a = ZarrArray.create(
        MemoryStore(),
        shape=(n, n),
        dtype="uint8",
        chunks=(128, 128),
        shards=(256, 256) if sharded else None,
        compressors=None,
    )
    a[...] = 1
    mask = np.ones((n, n), dtype=bool)
    mask[::7, ::3] = False  # not all True: no run covers a whole chunk
    points = np.nonzero(mask)
    npoints = points[0].shape[0]
    result_bytes = npoints  # uint8
    a.vindex[points[0][:10], points[1][:10]]  # warm up (imports, pool threads)
    bound = BYTES_PER_POINT * npoints + result_bytes + (1 << 20)
    cases = {
        "vindex[mask]": lambda: a.vindex[mask],
        "a[mask]": lambda: a[mask],
        "get_mask_selection": lambda: a.get_mask_selection(mask),
        "vindex[mask] = v": lambda: a.vindex.__setitem__(mask, 2),
        "vindex[nonzero(mask)]": lambda: a.vindex[points],
        "vindex[nonzero(mask)] = v": lambda: a.vindex.__setitem__(points, 3),
    }
    # the smaller of two peaks: a pool thread's unrelated allocation can land in one
    peaks = {name: min(_peak(call), _peak(call)) for name, call in cases.items()}
    too_big = {
        k: f"{(v - result_bytes) / npoints:.1f} B/point" for k, v in peaks.items() if v > bound
    }
    assert not too_big, too_big
    assert (a.vindex[mask] == 3).all()


def test_whole_mask_is_projected_chunk_by_chunk_without_nonzero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = make_array(arange_of((9, 7)), (4, 3))
    mask = arange_of((9, 7)) % 3 == 0

    def no_nonzero_of_the_whole_mask(arr: Any, *args: Any, **kwargs: Any) -> Any:
        assert np.shape(arr) != mask.shape, "np.nonzero of the whole mask"
        return real(arr, *args, **kwargs)

    real = np.nonzero
    monkeypatch.setattr(np, "nonzero", no_nonzero_of_the_whole_mask)
    assert np.array_equal(a.vindex[mask], arange_of((9, 7))[mask])
    assert np.array_equal(a[mask], arange_of((9, 7))[mask])


@pytest.mark.parametrize("layout", [(3, None), (3, (2, 1)), (2, None)])
@pytest.mark.parametrize(
    "shape,chunks",
    [
        ((9, 7), (4, 3)),
        ((5,), (2,)),
        ((4, 5, 6), (3, 2, 4)),
        ((6, 4), (6, 4)),
        ((6, 4), (2, 4)),
        ((0, 3), (2, 2)),
    ],
)
def test_whole_masks_read_and_write_like_numpy(
    shape: tuple[int, ...], chunks: tuple[int, ...], layout: Any
) -> None:
    zarr_format, factor = layout
    factor = factor[: len(shape)] + (1,) * (len(shape) - len(factor)) if factor else None
    rng = np.random.default_rng(len(shape))
    data = arange_of(shape)
    for density in (0.0, 0.3, 1.0):
        mask = rng.random(shape) < density
        a = make_array(data, chunks, zarr_format=zarr_format, shard_factor=factor)
        assert np.array_equal(a.vindex[mask], data[mask])
        assert np.array_equal(a.vindex[..., mask], data[mask])
        value = np.arange(int(mask.sum()), dtype=np.int32) + 1000
        a.vindex[mask] = value
        expected = data.copy()
        expected[mask] = value
        assert np.array_equal(a[...], expected)


# -- plain a[list]: the list is converted once, never checked element by element ---------


def test_plain_list_selection_is_not_checked_element_by_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = items.as_index

    def counting(value: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(value)

    monkeypatch.setattr(items, "as_index", counting)
    big = list(range(0, 100_000, 3))
    for sel, ndim in [
        (big, 1),
        ((big, big), 2),
        ((big, slice(None)), 2),
        ([True] * 1000, 1),
        ((big, 5), 2),
    ]:
        calls = 0
        items.classify(sel, ndim)
        assert calls < 10, (ndim, calls)
    a = make_array(np.arange(100_000, dtype=np.int32), (1000,))
    assert np.array_equal(a[big], np.arange(100_000)[big])


@pytest.mark.parametrize(
    "sel",
    [[True, 1], [np.int8(1), 2], [], [[0, 1], [1, 0]], [True, False] * 5, [[0], [1]], range(0)],
    ids=repr,
)
def test_lists_keep_numpy_semantics(sel: Any) -> None:
    data = arange_of((10,))
    a = make_array(data, (3,))
    assert np.array_equal(a[sel], data[sel])
    assert a[sel].shape == data[sel].shape
