"""Lost updates across processes: 2-4 processes (multiprocessing, spawn) each increment
their own element of one chunk, or their own inner chunk of one shard, of a LocalStore
array. Every increment is a partial write, a read-modify-write of the chunk (shard);
LocalStore's byte-range locks on ``<root>/.simplezarr-lock`` keep the processes apart, so
none is lost. The control switches the locks off in the workers and sees updates lost."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import warnings
from pathlib import Path

import pytest

import simplezarr as sz
from simplezarr.stores import LocalStore
from simplezarr.stores.local import LOCK_NAME

INCREMENTS = 60


def _worker(path: str, element: int, increments: int, locks: bool, start: object) -> None:
    if not locks:  # the control: no lock between processes (threads' locks are kept)
        LocalStore.partial_write_lock = lambda self, keys: contextlib.nullcontext()  # type: ignore[method-assign]
    a = sz.open_array(path, mode="r+")
    start.wait()  # type: ignore[attr-defined]  # all processes start their increments together
    for _ in range(increments):
        a[element] = a[element] + 1


def lost_updates(path: str, processes: int, sharded: bool, locks: bool = True) -> int:
    if sharded:  # one shard of 4 inner chunks; process p writes inner chunk p
        sz.create_array(path, shape=(16,), chunks=(4,), shards=(16,), dtype="i4", fill_value=0)
    else:  # one chunk; process p writes element 4 p
        sz.create_array(path, shape=(16,), chunks=(16,), dtype="i4", fill_value=0)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes)
    workers = [
        ctx.Process(target=_worker, args=(path, 4 * p, INCREMENTS, locks, start))
        for p in range(processes)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0, f"worker failed with exit code {w.exitcode}"
    return processes * INCREMENTS - int(sz.open_array(path)[:].sum())


@pytest.mark.parametrize("sharded", [False, True], ids=["chunk", "shard"])
@pytest.mark.parametrize(
    "processes", [2, pytest.param(4, marks=pytest.mark.slow)], ids=["2-processes", "4-processes"]
)
def test_processes_lose_no_partial_write(tmp_path: Path, processes: int, sharded: bool) -> None:
    path = str(tmp_path / "a.zarr")
    assert lost_updates(path, processes, sharded) == 0
    store = LocalStore(path)
    assert (store.root / LOCK_NAME).is_file()  # the one lock file, at the root
    assert LOCK_NAME not in store.list() and store.list_dir("") != []


def test_control_without_the_locks_processes_lose_updates(tmp_path: Path) -> None:
    # Usually about half the increments are lost; a second run only if the first lost none.
    lost = lost_updates(str(tmp_path / "0.zarr"), 4, False, locks=False)
    if lost == 0:
        lost = lost_updates(str(tmp_path / "1.zarr"), 4, False, locks=False)
    assert lost > 0


def test_the_lock_file_is_no_key_and_survives_clear(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s")
    store.set_partial_values([("c/0", 0, b"ab")])
    assert store.list() == ["c/0"]
    with pytest.raises(ValueError, match="lock file"):
        store.set(LOCK_NAME, b"x")
    store.clear()
    assert store.list() == [] and (store.root / LOCK_NAME).exists()


def test_whole_chunk_writes_take_no_process_lock(tmp_path: Path) -> None:
    path = tmp_path / "a.zarr"
    a = sz.create_array(str(path), shape=(8,), chunks=(4,), dtype="i4")
    a[:] = 1  # two whole chunks: no read, no lock file
    assert not (path / LOCK_NAME).exists()
    a[1] = 2  # a partial write: locked
    assert (path / LOCK_NAME).exists()


@pytest.mark.skipif(os.name != "posix", reason="byte-range locks are POSIX")
def test_set_partial_values_is_safe_across_store_objects(tmp_path: Path) -> None:
    stores = [LocalStore(tmp_path / "s"), LocalStore(tmp_path / "s")]
    stores[0].set("k", bytes(8))
    for i in range(8):
        stores[i % 2].set_partial_values([("k", i, b"\x01")])
    assert stores[0].get("k") == b"\x01" * 8


def test_remote_stores_warn_once_on_a_partial_write(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fsspec")
    from simplezarr.errors import UnsafePartialWrite
    from simplezarr.stores import base

    monkeypatch.setattr(base, "_WARNED", set())
    store = sz.storage.FsspecStore.from_url("memory://reliability-warn")
    a = sz.create_array(store, shape=(8,), chunks=(4,), dtype="i4", overwrite=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a[:] = 1  # whole chunks: no warning
        a[1] = 2  # a partial write: one warning
        a[2] = 3  # and no second one
    assert [w.category for w in caught] == [UnsafePartialWrite]
    assert "docs/guarantees.md" in str(caught[0].message)


def _partial_write(path: str) -> None:
    sz.open_array(path, mode="r+")[1] = 5


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_inherit_held_key_locks(tmp_path: Path) -> None:
    from simplezarr.concurrency import key_locks

    path = str(tmp_path / "a.zarr")
    sz.create_array(path, shape=(8,), chunks=(8,), dtype="i4", fill_value=0)
    locks = key_locks(LocalStore(path).lock_scope, ["c/0"])
    for lock in locks:  # as a thread of the parent in the middle of a write
        lock.acquire()
    try:
        child = multiprocessing.get_context("fork").Process(
            target=_partial_write, args=(path,), daemon=True
        )
        child.start()
        child.join(20)
        if child.is_alive():
            child.kill()
        assert child.exitcode == 0  # not blocked forever on the parent's lock
    finally:
        for lock in locks:
            lock.release()
    assert sz.open_array(path)[1] == 5


def _partial_writer(path: str, writes: int, locks: bool, start: object) -> None:
    if not locks:
        LocalStore.whole_write_lock = lambda self, keys: contextlib.nullcontext()  # type: ignore[method-assign]
    a = sz.open_array(path, mode="r+")
    start.wait()  # type: ignore[attr-defined]
    for i in range(writes):
        a[0] = -i  # a read-modify-write of the chunk: element 0 only


def _whole_writer(path: str, writes: int, locks: bool, start: object, result: object) -> None:
    if not locks:
        LocalStore.whole_write_lock = lambda self, keys: contextlib.nullcontext()  # type: ignore[method-assign]
    a = sz.open_array(path, mode="r+")
    start.wait()  # type: ignore[attr-defined]
    undone = 0
    for k in range(1, writes + 1):
        a[:] = k  # the whole chunk: no read
        undone += int(int(a[1:].min()) < k)  # the partial writer only ever changes a[0]
    undone += int(int(a[1:].min()) < writes)
    result.value = undone  # type: ignore[attr-defined]


def undone_whole_writes(path: str, locks: bool, writes: int = 150) -> int:
    """How often a whole write of one process was undone by a partial write of another
    (which read the chunk before the whole write and wrote it back after)."""
    sz.create_array(path, shape=(16,), chunks=(16,), dtype="i4", fill_value=0)
    sz.open_array(path, mode="r+")[0] = 1  # a partial write: the lock file exists
    ctx = multiprocessing.get_context("spawn")
    start, result = ctx.Barrier(2), ctx.Value("i", -1)
    workers = [
        ctx.Process(target=_partial_writer, args=(path, 4 * writes, locks, start)),
        ctx.Process(target=_whole_writer, args=(path, writes, locks, start, result)),
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0, f"worker failed with exit code {w.exitcode}"
    return int(result.value)


def test_a_partial_write_never_undoes_a_whole_write(tmp_path: Path) -> None:
    assert undone_whole_writes(str(tmp_path / "a.zarr"), locks=True) == 0


@pytest.mark.slow
def test_control_without_whole_write_locks_whole_writes_are_undone(tmp_path: Path) -> None:
    undone = sum(undone_whole_writes(str(tmp_path / f"a{i}.zarr"), locks=False) for i in range(3))
    assert undone > 0
