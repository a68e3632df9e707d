"""The one place simplezarr runs work concurrently: a shared, fork-safe thread pool.

Codecs and stores are plain synchronous code; the engine hands batches of chunk work to
:func:`map_unordered`. Codecs that matter (zstd, blosc, zlib, crc32c) release the GIL, so
threads give real parallelism. A forked child gets a fresh pool on first use.

Example:
    >>> from simplezarr.concurrency import run_all
    >>> run_all([lambda: 1, lambda: 2])
    [1, 2]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from simplezarr.config import config

T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_local = threading.local()


def _reset_after_fork() -> None:
    global _pool, _pool_size, _lock
    _pool = None
    _pool_size = 0
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_after_fork)


def executor() -> ThreadPoolExecutor:
    """The shared pool, (re)created when ``config.threads`` changed."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != config.threads:
            old = _pool
            _pool = ThreadPoolExecutor(config.threads, thread_name_prefix="simplezarr")
            _pool_size = config.threads
            if old is not None:
                old.shutdown(wait=False)
        return _pool


_KEY_LOCKS = tuple(threading.Lock() for _ in range(256))


def key_locks(store: object, keys: Sequence[str]) -> list[threading.Lock]:
    """The locks that serialise read-modify-write of ``keys`` in ``store`` in this process.

    Locks are striped (a fixed table indexed by a hash), returned sorted and without
    repeats, so a task may hold the locks of a whole batch without risking deadlock.
    """
    stripes = sorted({hash((id(store), k)) % len(_KEY_LOCKS) for k in keys})
    return [_KEY_LOCKS[i] for i in stripes]


def in_worker() -> bool:
    """True inside a pool thread: nested work then runs inline instead of deadlocking."""
    return getattr(_local, "worker", False)


def _mark_worker(fn: Callable[[], T]) -> T:
    _local.worker = True
    try:
        return fn()
    finally:
        _local.worker = False


def submit(fn: Callable[[], T]) -> Future[T]:
    """Run ``fn`` in the pool (inline, already resolved, when called from a pool thread)."""
    if in_worker():
        fut: Future[T] = Future()
        try:
            fut.set_result(fn())
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(e)
        return fut
    return executor().submit(_mark_worker, fn)


def run_all(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Run tasks, concurrently when there is more than one, and return results in order.

    The first exception raised by a task is re-raised after all tasks have finished, so
    no task is still writing into a caller's buffer when this returns.
    """
    if len(tasks) <= 1 or config.threads <= 1 or in_worker():
        return [t() for t in tasks]
    futures = [executor().submit(_mark_worker, t) for t in tasks]
    results: list[T] = []
    error: BaseException | None = None
    for f in futures:
        try:
            results.append(f.result())
        except BaseException as e:  # noqa: BLE001 - re-raised below once all are done
            if error is None:
                error = e
            results.append(None)  # type: ignore[arg-type]
    if error is not None:
        raise error
    return results
