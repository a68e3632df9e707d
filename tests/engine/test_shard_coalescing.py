"""How reads of one shard's inner chunks are merged: ``config.sharding_coalesce_*`` and an
array's own ``config=`` (zarr-python 3.4's settings), applied as given to stores with
latency to hide and capped at 64 KiB gaps for local ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.engine import shards
from simplezarr.engine.work import COALESCE_GAP
from simplezarr.stores import MemoryStore
from simplezarr.stores.values import BytesValue


class _Recorded(BytesValue):
    def __init__(self, data: bytes, log: list[list[tuple[int, int]]]) -> None:
        super().__init__(data)
        self._log = log

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        self._log.append(list(ranges))
        return super().read(ranges)


class _RemoteLike(MemoryStore):
    """A memory store that says it has latency to hide, and records every shard read."""

    read_batch_size = 64

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[list[tuple[int, int]]] = []

    def open_values(self, requests: Any) -> list[Any]:
        out = []
        for item in super().open_values(requests):
            if item is None:
                out.append(None)
                continue
            value, head = item
            [data] = value.read([(0, value.size)])
            out.append((_Recorded(bytes(data), self.reads), head))
        return out


def _sharded(store: Any, config: dict[str, Any] | None = None) -> Any:
    # 8 inner chunks of 4 KiB (uncompressed), every other one read by a[::2] style boxes
    a = simplezarr.create_array(
        store, shape=(8, 1024), chunks=(1, 1024), shards=(8, 1024), dtype="i4",
        compressors=None, config=config,
    )  # fmt: skip
    a[:] = np.arange(8 * 1024, dtype="i4").reshape(8, 1024)
    return a


def _read_every_other_row(a: Any) -> list[list[tuple[int, int]]]:
    a.store.reads.clear()
    got = a.oindex[[0, 2, 4, 6], :]
    np.testing.assert_array_equal(got, np.arange(8 * 1024, dtype="i4").reshape(8, 1024)[::2])
    return [r for r in a.store.reads if r and r[0][1] - r[0][0] != 8 * 16]  # not the index


def test_a_large_gap_limit_merges_a_shards_reads_into_one() -> None:
    a = _sharded(_RemoteLike())
    [ranges] = _read_every_other_row(a)
    assert len(ranges) == 1  # the 4 KiB gaps are below the 1 MiB default


def test_a_zero_gap_limit_reads_each_inner_chunk_on_its_own() -> None:
    with simplezarr.config.set({"array.sharding_coalesce_max_gap_bytes": 0}):
        a = _sharded(_RemoteLike())
        [ranges] = _read_every_other_row(a)
    assert len(ranges) == 4


def test_an_arrays_own_limits_win_over_the_global_ones() -> None:
    a = _sharded(_RemoteLike(), config={"sharding_coalesce_max_gap_bytes": 0})
    assert a.config.sharding_coalesce_max_gap_bytes == 0
    [ranges] = _read_every_other_row(a)
    assert len(ranges) == 4


def test_the_merged_size_limit_splits_merged_reads() -> None:
    # 4 KiB chunks 4 KiB apart: a 12 KiB limit takes two chunks and the gap between them
    a = _sharded(_RemoteLike(), config={"sharding_coalesce_max_bytes": 12 * 1024})
    [ranges] = _read_every_other_row(a)
    assert len(ranges) == 2
    assert all(stop - start <= 12 * 1024 for start, stop in ranges)


def test_local_stores_merge_small_gaps_only() -> None:
    local = MemoryStore()
    assert shards.coalescing(local) == (0, COALESCE_GAP, 16 << 20)
    with simplezarr.config.set({"array.sharding_coalesce_max_gap_bytes": 1024}):
        assert shards.coalescing(local) == (0, 1024, 16 << 20)
    assert shards.coalescing(_RemoteLike()) == (64, 1 << 20, 16 << 20)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"])
def test_bad_limits_are_refused(bad: object) -> None:
    with pytest.raises(simplezarr.errors.InvalidArgument, match="sharding_coalesce_max_bytes"):
        simplezarr.create_array(
            {}, shape=(2,), dtype="i1", config={"sharding_coalesce_max_bytes": bad}
        )
    with pytest.raises(simplezarr.errors.InvalidArgument):
        simplezarr.config.set({"array.sharding_coalesce_max_gap_bytes": bad})
