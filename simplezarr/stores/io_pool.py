"""The I/O pool: threads that wait on the network for remote stores.

It is separate from the decode pool of :mod:`simplezarr.concurrency` because its threads
spend their time blocked on sockets, not on the CPU: there are as many of them as requests
a store may have in flight (``config.io_concurrency``), not as many as cores. An I/O task
is a single request and never submits more I/O work, so the pool cannot deadlock; a call
made from an I/O thread runs inline all the same. A forked child gets a fresh pool.

Example:
    >>> from simplezarr.stores.io_pool import run_io
    >>> run_io([lambda: 1, lambda: 2])
    [1, 2]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from simplezarr.config import config

__all__ = ["io_executor", "run_io"]

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


def _mark_io_thread() -> None:
    _local.io_thread = True


def io_executor() -> ThreadPoolExecutor:
    """The shared I/O pool, (re)created when ``config.io_concurrency`` changed.

    Example:
        >>> io_executor().submit(lambda: "done").result()
        'done'
    """
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != config.io_concurrency:
            old = _pool
            _pool = ThreadPoolExecutor(
                config.io_concurrency,
                thread_name_prefix="simplezarr-io",
                initializer=_mark_io_thread,
            )
            _pool_size = config.io_concurrency
            if old is not None:
                old.shutdown(wait=False)  # its running requests finish on their own
        return _pool


def run_io(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Run blocking requests on the I/O pool and return their results in order.

    At most ``config.io_concurrency`` run at once (across the process). The first exception
    a task raised is re-raised once every task has finished, so no request is still
    running when this returns.

    Example:
        >>> run_io([lambda: "a", lambda: "b", lambda: "c"])
        ['a', 'b', 'c']
    """
    if len(tasks) <= 1 or getattr(_local, "io_thread", False):
        return [task() for task in tasks]
    futures = [io_executor().submit(task) for task in tasks]
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
