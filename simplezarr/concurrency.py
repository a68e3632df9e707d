"""The one place simplezarr runs work concurrently: shared, fork-safe thread pools.

Codecs and stores are plain synchronous code. Three :class:`SharedPool` instances serve
them, each sized by its own setting and made afresh in a forked child:

- :data:`DECODE` (``config.threads``): the engine's batches of chunk work. Codecs that
  matter (zstd, blosc, zlib, crc32c) release the GIL, so threads give real parallelism.
- :data:`IO` (``config.io_concurrency``): blocking requests of remote stores, threads that
  wait on sockets rather than use a core.
- :data:`ASYNC_EDGE`: the synchronous core run for the async API (and the stores' zarr-python
  interface), apart from the decode pool (an API call waiting in a decode thread would run
  its own chunk work inline); :func:`off_loop` is the one bridge from a coroutine to it.

A pool's own threads run nested work inline instead of queueing it behind themselves, so
no pool can deadlock on itself.

Example:
    >>> from simplezarr.concurrency import run_all
    >>> run_all([lambda: 1, lambda: 2])
    [1, 2]
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from simplezarr.config import config

__all__ = [
    "ASYNC_EDGE",
    "DECODE",
    "IO",
    "LOCK_SLOTS",
    "SharedPool",
    "executor",
    "in_worker",
    "key_locks",
    "key_slot",
    "off_loop",
    "run_all",
    "submit",
    "wait_all",
]

T = TypeVar("T")


def wait_all(futures: Iterable[Future[T]]) -> list[T]:
    """The futures' results in order, once every one has finished; the first exception
    is re-raised after that, so no task is still running (or writing into a caller's
    buffer) when this returns.

    Example:
        >>> from concurrent.futures import Future
        >>> f = Future(); f.set_result(3)
        >>> wait_all([f])
        [3]
    """
    results: list[T] = []
    error: BaseException | None = None
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as e:  # noqa: BLE001 - re-raised below once all are done
            if error is None:
                error = e
            results.append(None)  # type: ignore[arg-type]
    if error is not None:
        raise error
    return results


class SharedPool:
    """A process-wide thread pool of ``size()`` threads, (re)created when the size changes
    and after a fork.

    Example:
        >>> pool = SharedPool("example", lambda: 2)
        >>> pool.run_all([lambda: "a", lambda: "b"]), pool.in_pool()
        (['a', 'b'], False)
    """

    def __init__(self, name: str, size: Callable[[], int]) -> None:
        self.name = name
        self._size = size
        self._local = threading.local()
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0

    def _mark_thread(self) -> None:
        self._local.inside = True

    def size(self) -> int:
        """How many threads the pool has (its setting now)."""
        return self._size()

    def in_pool(self) -> bool:
        """True inside one of this pool's threads."""
        return getattr(self._local, "inside", False)

    def executor(self) -> ThreadPoolExecutor:
        """The pool, (re)created when its size setting changed."""
        with self._lock:
            size = self._size()
            if self._pool is None or self._pool_size != size:
                old = self._pool
                self._pool = ThreadPoolExecutor(
                    size, thread_name_prefix=self.name, initializer=self._mark_thread
                )
                self._pool_size = size
                if old is not None:
                    old.shutdown(wait=False)  # its running tasks finish on their own
            return self._pool

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` in the pool (inline, already resolved, when called from the pool)."""
        if self.in_pool():
            fut: Future[T] = Future()
            try:
                fut.set_result(fn())
            except BaseException as e:  # noqa: BLE001 - handed over through the future
                fut.set_exception(e)
            return fut
        return self.executor().submit(fn)

    def run_all(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        """Run tasks, concurrently when there is more than one, and return their results
        in order (see :func:`wait_all` for errors)."""
        if len(tasks) <= 1 or self._size() <= 1 or self.in_pool():
            return [t() for t in tasks]
        return wait_all([self.executor().submit(t) for t in tasks])


DECODE = SharedPool("simplezarr", lambda: config.threads)
IO = SharedPool("simplezarr-io", lambda: config.io_concurrency)
ASYNC_EDGE = SharedPool("simplezarr-async", lambda: min(32, (os.cpu_count() or 1) + 4))

_KEY_LOCKS = tuple(threading.Lock() for _ in range(256))


def _new_key_locks() -> None:
    # A forked child has one thread: locks other threads of the parent held would never be
    # released in it.
    global _KEY_LOCKS
    _KEY_LOCKS = tuple(threading.Lock() for _ in range(256))


os.register_at_fork(after_in_child=_new_key_locks)

#: How many lock slots a store location has: a key's slot is a stable hash of the key (the
#: same in every process), so a lock shared between processes (LocalStore's byte-range
#: locks) can be indexed by it.
LOCK_SLOTS = 1 << 20


def key_slot(key: object) -> int:
    """The lock slot of ``key``: the same in every process and every run (crc32 of a str key;
    other keys, private to one process, by ``hash``).

    Example:
        >>> key_slot("c/0") == key_slot("c/0") and 0 <= key_slot("c/0") < LOCK_SLOTS
        True
    """
    if isinstance(key, str):
        return zlib.crc32(key.encode("utf-8", "surrogatepass")) % LOCK_SLOTS
    return hash(key) % LOCK_SLOTS


def key_locks(scope: Hashable, keys: Iterable[object]) -> list[threading.Lock]:
    """The locks that serialise read-modify-write of ``keys`` at the location ``scope`` in
    this process.

    ``scope`` names where the values live, not the object used to reach them (a store's
    ``lock_scope``: a LocalStore's resolved root, a MemoryStore's dict), so two store
    objects opened on one directory share their locks. Locks are striped (a fixed table
    indexed by a hash of the scope and the key's :func:`key_slot`), returned sorted and
    without repeats, so a task may hold the locks of a whole batch without risking
    deadlock; keys with one slot always share a stripe, so a thread holding a slot's lock is
    the only one in its process that holds that slot (what a process-wide byte-range lock on
    the slot needs).

    Example:
        >>> key_locks(("local", "/data"), ["c/0"]) == key_locks(("local", "/data"), ["c/0"])
        True
    """
    stripes = sorted({hash((scope, key_slot(k))) % len(_KEY_LOCKS) for k in keys})
    return [_KEY_LOCKS[i] for i in stripes]


def executor() -> ThreadPoolExecutor:
    """The decode pool, (re)created when ``config.threads`` changed."""
    return DECODE.executor()


def in_worker() -> bool:
    """True inside a decode-pool thread: nested work then runs inline instead of deadlocking."""
    return DECODE.in_pool()


def submit(fn: Callable[[], T]) -> Future[T]:
    """Run ``fn`` in the decode pool (inline, already resolved, from a pool thread)."""
    return DECODE.submit(fn)


def run_all(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Run tasks in the decode pool, concurrently when there is more than one, and return
    results in order; errors as :func:`wait_all`.

    Example:
        >>> run_all([lambda: "x", lambda: "y"])
        ['x', 'y']
    """
    return DECODE.run_all(tasks)


async def off_loop(fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run the synchronous ``fn(*args, **kwargs)`` in the :data:`ASYNC_EDGE` pool and await
    it: the one bridge from async code to the synchronous core, so the event loop is never
    blocked (the async API and the stores' zarr-python methods both go through it).

    Example:
        >>> import asyncio
        >>> asyncio.run(off_loop(sum, [1, 2, 3]))
        6
    """
    import asyncio  # loaded already by the running loop; `import simplezarr` does not need it

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(ASYNC_EDGE.executor(), functools.partial(fn, *args, **kwargs))
