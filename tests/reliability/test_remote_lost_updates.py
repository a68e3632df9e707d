"""Lost updates on S3 (moto; issue 13, item 3): partial writes into one chunk or shard by
writers that share no lock (as processes or machines would: each thread here has its own
store object with its own lock scope), each incrementing its own element through
``a[i] = a[i] + 1``.

A partial write into an object store is a compare-and-swap: the object is read with its
ETag and put back with ``If-Match`` (``If-None-Match: *`` when new), retried when another
writer came first. The figure is the number of increments missing at the end: 0 with the
conditional writes, many without them (the controls, ``conditional_writes=False``, which
warn ``UnsafePartialWrite``).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.engine.write import MAX_SWAPS
from simplezarr.errors import ConcurrentModification, UnsafePartialWrite
from simplezarr.stores import FsspecStore, ObjectStore
from tests.stores.store_servers import S3Server

WORKERS = 3
INCREMENTS = 15


def _unshared(store: Any) -> Any:
    """``store`` with a lock scope of its own: its writes share no thread lock with any
    other store object's (as in another process)."""

    class Unshared(type(store)):  # type: ignore[misc]
        @property
        def lock_scope(self) -> object:
            return ("unshared", id(self))

    store.__class__ = Unshared
    return store


def _obstore(s3: S3Server, prefix: str, conditional: bool | None = None) -> Any:
    return ObjectStore.from_url(
        f"s3://{prefix}", s3.obstore_options(), conditional_writes=conditional
    )


def _s3fs(s3: S3Server, prefix: str, conditional: bool | None = None) -> Any:
    return FsspecStore.from_url(
        f"s3://{prefix}", s3.fsspec_options(), conditional_writes=conditional
    )


MAKERS: dict[str, Callable[..., Any]] = {"obstore": _obstore, "s3fs": _s3fs}


def lost_updates(make: Callable[[], Any], sharded: bool) -> int:
    """Increments lost when WORKERS threads, each with its own store from ``make()``,
    write their own element (chunk) or inner chunk (shard) INCREMENTS times."""
    if sharded:
        sz.create_array(make(), shape=(16,), chunks=(4,), shards=(16,), dtype="i4", fill_value=0)
    else:
        sz.create_array(make(), shape=(16,), chunks=(16,), dtype="i4", fill_value=0)
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(t: int) -> None:
        try:
            a = sz.open_array(_unshared(make()), mode="r+")
            i = 4 * t
            start.wait()
            for _ in range(INCREMENTS):
                a[i] = a[i] + 1
        except BaseException as e:
            errors.append(e)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafePartialWrite)
        threads = [threading.Thread(target=work, args=(t,)) for t in range(WORKERS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    if errors:
        raise errors[0]
    return WORKERS * INCREMENTS - int(sz.open_array(make())[:].sum())


CASES = [
    pytest.param("obstore", False, id="obstore-chunk"),
    pytest.param("s3fs", True, id="s3fs-shard"),
    pytest.param("obstore", True, id="obstore-shard"),
    pytest.param("s3fs", False, id="s3fs-chunk"),
]


@pytest.mark.parametrize(("client", "sharded"), CASES)
def test_partial_writes_of_unlocked_writers_lose_nothing(
    s3: S3Server, client: str, sharded: bool
) -> None:
    prefix = s3.new_prefix()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsafePartialWrite)  # safe: no warning either
        assert lost_updates(lambda: MAKERS[client](s3, prefix), sharded) == 0


@pytest.mark.parametrize(("client", "sharded"), CASES)
def test_control_without_conditional_writes_updates_are_lost(
    s3: S3Server, client: str, sharded: bool
) -> None:
    lost = 0
    for _ in range(3):
        prefix = s3.new_prefix()
        lost = lost_updates(lambda p=prefix: MAKERS[client](s3, p, False), sharded)
        if lost:
            break
    assert lost > 0


@pytest.mark.parametrize("client", list(MAKERS))
def test_a_partial_write_without_conditional_writes_warns(s3: S3Server, client: str) -> None:
    store = MAKERS[client](s3, s3.new_prefix(), False)
    a = sz.create_array(store, shape=(4,), chunks=(4,), dtype="i4")
    from simplezarr.stores import base

    base._WARNED.discard(type(store).__name__)
    with pytest.warns(UnsafePartialWrite):
        a[1] = 5


@pytest.mark.parametrize("client", list(MAKERS))
def test_a_write_that_always_loses_the_race_raises_naming_the_array_and_key(
    s3: S3Server, client: str
) -> None:
    prefix = s3.new_prefix()
    plain = MAKERS[client](s3, prefix)
    sz.create_array(plain, name="g/arr", shape=(4,), chunks=(4,), dtype="i4", fill_value=0)[:] = 1
    other = sz.open_array(plain, path="g/arr", mode="r+")
    store = MAKERS[client](s3, prefix)
    attempts = [0]

    class Losing(type(store)):  # type: ignore[misc]
        def _set_if_version(self, key: str, data: bytes, version: str | None) -> bool:
            attempts[0] += 1
            other[:] = 1 + attempts[0]  # another writer came first: a new ETag ...
            return bool(super()._set_if_version(key, data, version))  # ... so this fails

    store.__class__ = Losing
    a = sz.open_array(store, path="g/arr", mode="r+")
    with pytest.raises(ConcurrentModification) as info:
        a[1] = 7
    assert "'g/arr'" in str(info.value) and "g/arr/c/0" in str(info.value)
    assert attempts[0] == MAX_SWAPS
    # nothing of the refused write landed: the other writer's last values stand
    np.testing.assert_array_equal(other[:], [1 + MAX_SWAPS] * 4)


@pytest.mark.parametrize("client", list(MAKERS))
def test_a_chunk_left_all_fill_is_overwritten_not_deleted(s3: S3Server, client: str) -> None:
    # A delete cannot be conditional: a partial write that leaves a chunk all fill stores
    # the fill (conditionally) instead of deleting a chunk another writer may have changed.
    store = MAKERS[client](s3, s3.new_prefix())
    a = sz.create_array(store, shape=(4,), chunks=(4,), dtype="i4", fill_value=0)
    a[1] = 3
    a[1] = 0
    assert store.get("c/0") is not None
    np.testing.assert_array_equal(a[:], [0, 0, 0, 0])
    a[2:4] = 0  # a chunk that is missing stays missing
    other = MAKERS[client](s3, s3.new_prefix())
    b = sz.create_array(other, shape=(8,), chunks=(4,), dtype="i4", fill_value=0)
    b[1] = 0
    assert other.get("c/0") is None


def _process_worker(endpoint: str, prefix: str, t: int, start: Any) -> None:
    """One writer process: its own element of the shared chunk, INCREMENTS times."""
    options = S3Server(endpoint, None).obstore_options()  # type: ignore[arg-type]
    a = sz.open_array(ObjectStore.from_url(f"s3://{prefix}", options), mode="r+")
    start.wait()
    for _ in range(INCREMENTS):
        a[4 * t] = a[4 * t] + 1


def test_partial_writes_of_two_processes_lose_nothing(s3: S3Server) -> None:
    # The same with real processes (no simulation of unshared locks): 2 writer processes.
    import multiprocessing

    prefix = s3.new_prefix()
    sz.create_array(_obstore(s3, prefix), shape=(16,), chunks=(16,), dtype="i4", fill_value=0)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "simplezarr"])
    start = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_process_worker, args=(s3.endpoint, prefix, t, start)) for t in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sz.open_array(_obstore(s3, prefix))[:].sum() == 2 * INCREMENTS


def test_a_wrapper_store_keeps_the_conditional_writes(s3: S3Server) -> None:
    # A LoggingStore (any WrapperStore) over an object store forwards the compare-and-swap:
    # a partial write through it still refuses to undo another writer's change.
    from simplezarr.stores import LoggingStore

    prefix = s3.new_prefix()
    inner = _obstore(s3, prefix)
    store = LoggingStore(inner)
    assert store.conditional_writes
    a = sz.create_array(store, shape=(4,), chunks=(4,), dtype="i4", fill_value=0)
    other = sz.open_array(_obstore(s3, prefix), mode="r+")
    calls = [0]

    class Racing(type(inner)):  # type: ignore[misc]
        def _set_if_version(self, key: str, data: bytes, version: str | None) -> bool:
            calls[0] += 1
            if calls[0] == 1:
                other[0] = 9  # another writer lands between the read and the write
            return bool(super()._set_if_version(key, data, version))

    inner.__class__ = Racing
    a[1] = 5
    assert calls[0] == 2  # refused once, then merged into the other writer's chunk
    np.testing.assert_array_equal(other[:], [9, 5, 0, 0])
