"""Readers racing a shard rewriter (issue 13, item 1): a reader of one inner chunk while
another thread rewrites the shard gets the old or the new inner chunk, never a neighbour's
bytes. The rewrites move the inner chunks (the first one alternates between incompressible
and constant content, so the others' offsets change), so a reader that took the index of
one version and the bytes of another would see another chunk's values."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.errors import CorruptChunk
from simplezarr.stores import LocalStore, MemoryStore
from simplezarr.stores.base import ReadableStore
from simplezarr.stores.dict_store import DictStore

REWRITES = 150


def _version(v: int) -> np.ndarray:
    data = np.repeat(np.arange(4, dtype="i4"), 8) + 10 * v  # inner chunk k holds k + 10 v
    if v % 2:
        data[:8] = np.random.default_rng(v).integers(0, 10**6, 8) * 10  # chunk 0 grows
    return data


def wrong_reads(store: object) -> int:
    """Reads of inner chunk 2 (by 2 threads while the shard is rewritten REWRITES times)
    that returned other values than one version's, or raised CorruptChunk."""
    a = sz.create_array(
        store, shape=(32,), chunks=(8,), shards=(32,), dtype="i4", compressors=[{"name": "zstd"}]
    )
    a[:] = _version(0)
    done = threading.Event()
    wrong: list[np.ndarray] = []

    def read() -> None:
        b = sz.open_array(store)
        while not done.is_set():
            try:
                got = b[16:24]  # inner chunk 2
            except CorruptChunk as e:  # a spurious error: bytes of two versions mixed
                wrong.append(np.array([str(e)]))
                continue
            if not (got % 10 == 2).all() or len(set(got.tolist())) != 1:
                wrong.append(got)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        for v in range(1, REWRITES):
            a[:] = _version(v)
    finally:
        done.set()
        for r in readers:
            r.join()
    return len(wrong)


STORES: dict[str, Callable[[Path], object]] = {
    "local": lambda p: LocalStore(p / "a.zarr"),
    "memory": lambda p: MemoryStore(),
    "dict": lambda p: DictStore({}),
}


@pytest.mark.parametrize("kind", list(STORES))
def test_readers_of_a_shard_being_rewritten_never_see_a_neighbours_bytes(
    tmp_path: Path, kind: str
) -> None:
    assert wrong_reads(STORES[kind](tmp_path)) == 0


def test_control_a_store_that_rereads_by_key_serves_wrong_bytes() -> None:
    # The control: a dict store without a pinned version (what DictStore was) mixes the
    # index of one version with the bytes of the next.
    class Rereading(DictStore):
        _open_values = ReadableStore._open_values

    wrong = max(wrong_reads(Rereading({})) for _ in range(3))
    assert wrong > 0
