"""What the dask tests share: stores without the locks (the controls), a child-process
task that uses a pickled array, and the moto S3 server of tests/stores."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np

from simplezarr.nodes import ZarrArray
from simplezarr.stores import LocalStore

_SCOPES = itertools.count()


class ProcessUnlockedLocalStore(LocalStore):
    """A control: a LocalStore without its locks between processes (threads of one
    process still take turns)."""

    @contextlib.contextmanager
    def partial_write_lock(self, keys: Sequence[str]) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def whole_write_lock(self, keys: Sequence[str]) -> Iterator[None]:
        yield


class UnlockedLocalStore(LocalStore):
    """A control: a LocalStore with no lock between processes and none between threads
    (a new ``lock_scope`` on every call, so no two writes share a thread lock)."""

    @property
    def lock_scope(self) -> Hashable:
        return ("unlocked", os.getpid(), next(_SCOPES))

    @contextlib.contextmanager
    def partial_write_lock(self, keys: Sequence[str]) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def whole_write_lock(self, keys: Sequence[str]) -> Iterator[None]:
        yield


def use_in_child(array: ZarrArray, write: bool) -> dict[str, Any]:
    """Run in another process on an unpickled array: read it all, then (``write``) change
    part of a chunk and one whole chunk, read again and close the store."""
    out: dict[str, Any] = {"pid": os.getpid(), "read": np.asarray(array[...])}
    if write:
        try:
            array[0] = -1  # part of a chunk: a read-modify-write
            array[4:8] = -2  # chunk 1, whole
        except Exception as e:  # the parent checks which error
            out["error"] = type(e).__name__
        out["after"] = np.asarray(array[...])
    array.store.close()
    return out


def pid_of_block(block: np.ndarray) -> np.ndarray:
    """A dask block's worker process, as an array of the block's shape."""
    return np.full(block.shape, os.getpid(), dtype="i8")


def increment(array: ZarrArray, start: int, stop: int, times: int) -> str:
    """Add 1 to ``array[start:stop]`` ``times`` times (each a partial write of a shard when
    the range is an inner chunk); returns the worker process's id."""
    for _ in range(times):
        array[start:stop] = np.asarray(array[start:stop]) + 1
    return str(os.getpid())
