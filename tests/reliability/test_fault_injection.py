"""Every I/O call of a write fails in turn: the outcome is the old state or the new state of
each stored object, never a mix inside one, and the failure is a typed StoreError.

A wrapper store lets the first ``n - 1`` calls through and fails the ``n``-th (reads, writes,
deletes alike); the workload is a partial write across every chunk (or every inner chunk of
a shard) and a resize. After each failure, the store as it is must read back, each stored
object holding the values of before or after the write, whole.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simplezarr.errors import StoreError, ZarrError
from simplezarr.nodes import ZarrArray
from simplezarr.stores import LocalStore, MemoryStore, WrapperStore

IO_METHODS = frozenset(
    {
        "get",
        "get_many",
        "open_values",
        "set",
        "set_many",
        "delete",
        "erase_values",
        "erase_prefix",
        "set_partial_values",
        "getsize",
        "exists",
        "list_prefix",
        "list_dir",
    }
)


class FailAt(WrapperStore):
    """Fails the ``n``-th I/O call (counting from 1) with a StoreError."""

    def __init__(self, store: Any, n: int) -> None:
        super().__init__(store)
        self.n, self.calls = n, 0

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name in IO_METHODS and callable(attr):

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls += 1
                if self.calls == self.n:
                    raise StoreError(f"injected failure of call {self.calls} ({name})")
                return attr(*args, **kwargs)

            return counted
        return attr


SHAPE, CHUNKS = (8, 8), (4, 4)
OLD = np.arange(64, dtype="i4").reshape(SHAPE)
NEW = OLD.copy()
NEW[1:7, 1:7] = 1000 + OLD[1:7, 1:7]


def _store(kind: str, tmp_path: Path, n: int) -> Any:
    return MemoryStore() if kind == "memory" else LocalStore(tmp_path / f"s{n}")


def _check_objects(a: ZarrArray, blocks: tuple[int, int]) -> None:
    got = a[...]
    for i in range(0, SHAPE[0], blocks[0]):
        for j in range(0, SHAPE[1], blocks[1]):
            region = (slice(i, i + blocks[0]), slice(j, j + blocks[1]))
            old, new = (
                np.array_equal(got[region], OLD[region]),
                np.array_equal(got[region], NEW[region]),
            )
            assert old or new, f"object at {region} mixes old and new: {got[region].tolist()}"


@pytest.mark.parametrize("kind", ["memory", "local"])
@pytest.mark.parametrize("shards", [None, (8, 8)], ids=["chunks", "shard"])
def test_a_failed_partial_write_leaves_each_object_old_or_new(
    kind: str, shards: Any, tmp_path: Path
) -> None:
    failures = 0
    for n in range(1, 60):
        store = _store(kind, tmp_path, n)
        ZarrArray.create(store, "a", shape=SHAPE, dtype="i4", chunks=CHUNKS, shards=shards)
        ZarrArray(store, "a")[...] = OLD
        faulty = FailAt(store, n)
        try:
            ZarrArray(faulty, "a")[1:7, 1:7] = NEW[1:7, 1:7]
        except ZarrError as e:
            assert isinstance(e, StoreError) or isinstance(e.__cause__, StoreError), repr(e)
            failures += 1
        else:
            assert faulty.calls < n  # every call went through: nothing was injected
            np.testing.assert_array_equal(ZarrArray(store, "a")[...], NEW)
            break
        # a shard is one object: it is old or new as a whole; chunks each on their own
        _check_objects(ZarrArray(store, "a"), shards or CHUNKS)
    assert failures > 0  # the workload made I/O calls, and each was failed once


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_a_failed_resize_leaves_a_readable_array(kind: str, tmp_path: Path) -> None:
    for n in range(1, 40):
        store = _store(kind, tmp_path, n)
        ZarrArray.create(store, "a", shape=SHAPE, dtype="i4", chunks=CHUNKS)
        ZarrArray(store, "a")[...] = OLD
        faulty = FailAt(store, n)
        try:
            ZarrArray(faulty, "a").resize((6, 6))
        except ZarrError:
            pass
        else:
            break
        after = ZarrArray(store, "a")
        # The metadata says one shape or the other. Inside the new shape the data is the old
        # data; past it (shown only while the old shape stands) a failed resize may already
        # have discarded what the resize was asked to discard: old values or the fill value,
        # never anything else. (The data goes first so that a grown array never shows stale
        # values again.)
        assert after.shape in ((8, 8), (6, 6))
        got = after[...]
        np.testing.assert_array_equal(got[:6, :6], OLD[:6, :6])
        outside = np.ones(got.shape, dtype=bool)
        outside[:6, :6] = False
        assert np.all(
            (got[outside] == OLD[: got.shape[0], : got.shape[1]][outside]) | (got[outside] == 0)
        )


class TornAt(WrapperStore):
    """The control: the ``n``-th stored value is cut to half before it is stored (a torn
    write, what a store without atomic writes could leave), and the write fails."""

    def __init__(self, store: Any, n: int) -> None:
        super().__init__(store)
        self.n, self.writes = n, 0

    def _torn(self, key: str, value: Any) -> bytes:
        data = bytes(memoryview(value).cast("B"))
        self.writes += 1
        if self.writes == self.n:
            self.store.set(key, data[: len(data) // 2])
            raise StoreError("injected torn write")
        return data

    def set(self, key: str, value: Any) -> None:
        self.store.set(key, self._torn(key, value))

    def set_many(self, items: Any) -> None:
        self.store.set_many([(k, self._torn(k, v)) for k, v in items])


def test_control_a_torn_write_is_caught_by_the_checks() -> None:
    caught = 0
    for n in range(1, 20):
        store = MemoryStore()
        ZarrArray.create(store, "a", shape=SHAPE, dtype="i4", chunks=CHUNKS)
        ZarrArray(store, "a")[...] = OLD
        with contextlib.suppress(ZarrError):
            ZarrArray(TornAt(store, n), "a")[1:7, 1:7] = NEW[1:7, 1:7]
        try:
            _check_objects(ZarrArray(store, "a"), CHUNKS)
        except (AssertionError, ZarrError):
            caught += 1
    assert caught > 0
