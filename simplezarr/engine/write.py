"""The write stage: merge each chunk's new part into what it held, encode it in the shared
pool, store it (or delete it when it is all fill).

Requests come here with plain chains (a shard's inner chunks are written through
:mod:`simplezarr.engine.shards` into the shard's contents). Fast paths, each in the
function named:

- *fully overwritten chunk* (:func:`merge`): encoded without reading what was there, and
  without a copy when the value's block is the chunk;
- *all-fill chunk* (:func:`store_chunk`): deleted instead of stored, unless
  ``write_empty_chunks``.

A chunk's read-modify-write holds that chunk's lock (:func:`locked`), so tasks writing
different chunks never wait for each other and threads writing the same chunk never lose
each other's data. On a store with ``conditional_writes`` (object stores) it is also a
compare-and-swap (:func:`swap`), so writers in other processes or machines never lose each
other's data either.

Example:
    >>> import numpy as np
    >>> from simplezarr.codecs import CodecChain, ChunkSpec, codec_from_json
    >>> from simplezarr.dtypes import from_numpy
    >>> from simplezarr.engine.request import ChunkRequest, located
    >>> from simplezarr.indexing import ChunkProjection
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> chain = CodecChain([codec_from_json("bytes")], ChunkSpec((2,), from_numpy("uint8"), 0))
    >>> p = ChunkProjection((0,), (slice(1, 2),), (slice(0, 1),), False)
    >>> write_chunks([ChunkRequest(store, "c/0", chain, p)], np.array([5], "u1"), False)
    >>> store.get("c/0")
    b'\\x00\\x05'
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

import numpy as np

from simplezarr.codecs.chain import CodecChain
from simplezarr.concurrency import key_locks, run_all
from simplezarr.dtypes.casting import astype
from simplezarr.engine.request import ChunkRequest, located
from simplezarr.engine.work import batches
from simplezarr.errors import ConcurrentModification, InvalidArgument, ZarrError
from simplezarr.fill import is_all_fill
from simplezarr.indexing import ChunkProjection

__all__ = [
    "MAX_SWAPS",
    "conditional",
    "encoded",
    "locked",
    "merge",
    "prepare_value",
    "store_chunk",
    "swap",
    "write_chunks",
]

#: How often a conditional read-modify-write (see :func:`swap`) starts again after another
#: writer changed the object, before it gives up with ConcurrentModification.
MAX_SWAPS = 12


def prepare_value(value: Any, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """The value as an array of ``dtype`` and the selection's ``shape``, numpy-style:
    Python scalars and lists are converted with overflow checks, arrays are cast, and
    leading axes of length 1 are dropped before broadcasting (``a[0] = np.ones((1, 5))``).

    Example:
        >>> prepare_value(3, np.dtype("i2"), (2,)).tolist()
        [3, 3]
    """
    try:
        if isinstance(value, np.ndarray):
            arr = value if value.dtype == dtype else astype(value, dtype)
        else:
            arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise InvalidArgument(
            f"cannot store {type(value).__name__} value in an array of dtype {dtype}: {e}"
        ) from e
    if arr.shape != shape:
        extra = arr.ndim - len(shape)
        if extra > 0 and all(n == 1 for n in arr.shape[:extra]):
            arr = arr.reshape(arr.shape[extra:])
        try:
            arr = np.broadcast_to(arr, shape)
        except ValueError as e:
            raise InvalidArgument(
                f"could not broadcast input array from shape {arr.shape} into shape {shape}"
            ) from e
    return arr


def locked(target: Any, keys: Sequence[Any], partial: bool = True) -> AbstractContextManager[None]:
    """Hold the locks of ``keys`` in ``target``: the threads' locks of the target's location
    (``lock_scope``, so separately opened stores of one directory share them), and for a
    ``partial`` write (a read-modify-write) also the store's lock against other processes
    (``partial_write_lock``), for a whole-object write the lighter ``whole_write_lock``
    (so it is never undone by another process's read-modify-write). A shard's contents,
    private to one write, need no locks."""
    if getattr(target, "private", False):
        return _NO_LOCK
    scope = getattr(target, "lock_scope", None)
    return _Locks(
        key_locks(("object", id(target)) if scope is None else scope, keys),
        getattr(target, "partial_write_lock" if partial else "whole_write_lock", None),
        keys,
    )


_NO_LOCK = contextlib.nullcontext()


class _Locks:
    """The locks :func:`locked` holds: the threads' locks, then the store's lock against
    other processes, made only once the threads' locks are held. A class rather than a
    generator: it runs once per chunk written."""

    __slots__ = ("_held", "_keys", "_make", "_process_lock", "_thread_locks")

    def __init__(
        self,
        thread_locks: list[Any],
        make: Callable[[Sequence[Any]], AbstractContextManager[None]] | None,
        keys: Sequence[Any],
    ) -> None:
        self._thread_locks = thread_locks
        self._make = make
        self._keys = keys
        self._held = 0
        self._process_lock: AbstractContextManager[None] | None = None

    def __enter__(self) -> None:
        try:
            for lock in self._thread_locks:
                lock.acquire()
                self._held += 1
            if self._make is not None:
                process_lock = self._make(self._keys)
                process_lock.__enter__()
                self._process_lock = process_lock
        except BaseException:
            self._release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._process_lock is not None:
                self._process_lock.__exit__(*exc)  # type: ignore[arg-type]
        finally:
            self._release()

    def _release(self) -> None:
        locks, held = self._thread_locks, self._held
        self._held = 0
        for i in range(held - 1, -1, -1):
            locks[i].release()


def merge(p: ChunkProjection, value: np.ndarray, existing: Any, chain: CodecChain) -> np.ndarray:
    """The new content of one chunk: what it held (decoded from ``existing``; the fill
    value when None) with the selection overwritten by ``value[out_selection]``."""
    spec = chain.spec
    sub = value[p.out_selection + (Ellipsis,)]  # always an array, even 0-d
    if p.is_complete and sub.shape == spec.shape:
        return sub  # fully overwritten chunk: no read, no copy
    if p.is_complete or existing is None:  # fully overwritten edge chunk: no read
        chunk = np.full(spec.shape, spec.fill_value, dtype=spec.dtype.numpy, order=spec.order)
    else:
        chunk = chain.decode(existing)
        if not chunk.flags.writeable:
            chunk = chunk.copy()
    chunk[p.chunk_selection] = sub
    return chunk


def store_chunk(
    target: Any, key: Any, chain: CodecChain, chunk: np.ndarray, write_empty: bool
) -> None:
    """Encode and store ``chunk`` under ``key``, or delete the key when the chunk is all
    fill and ``write_empty`` is false."""
    if not write_empty and is_all_fill(chunk, chain.spec.fill_value):
        target.delete(key)
        return
    encoded = chain.encode(chunk)
    if encoded is None:  # a zarr-python codec that stores nothing for this chunk
        target.delete(key)
    else:
        target.set(key, encoded)


def write_chunks(requests: Sequence[ChunkRequest], value: np.ndarray, write_empty: bool) -> None:
    """Write requests with plain chains, a few batches per thread."""
    if not requests:
        return
    work = batches(requests, requests[0].chain.spec.nbytes)
    run_all([partial(_write_batch, batch, value, write_empty) for batch in work])


def conditional(target: Any, p: ChunkProjection) -> bool:
    """Whether a write of ``p`` into ``target`` is a compare-and-swap: a partial write into
    a store with ``conditional_writes`` (object stores: ``If-Match`` on the PUT)."""
    return not p.is_complete and bool(getattr(target, "conditional_writes", False))


def swap(target: Any, key: Any, update: Callable[[Any, bool], bytes | None]) -> None:
    """A read-modify-write of ``key`` as a compare-and-swap: read the value and its version
    (``get_versioned``), build the new bytes (``update(existing, keep)``), store them only
    if the version is unchanged (``set_if_version``), and start again when another writer
    came first, at most MAX_SWAPS times, then ConcurrentModification.

    ``update`` returns None for an object that is all fill and may go; with ``keep`` (the
    object exists) it must return its bytes anyway: a delete cannot be made conditional,
    so an existing object is overwritten with its fill-value encoding, never deleted
    behind another writer's back."""
    for attempt in range(MAX_SWAPS):
        existing, version = target.get_versioned(key)
        data = update(existing, existing is not None)
        if data is None:
            return  # missing, and still nothing to store
        if target.set_if_version(key, data, version):
            return
        # Another writer came first: spread the contenders out before reading again.
        time.sleep(random.uniform(0, min(0.005 * 2**attempt, 0.2)))
    raise ConcurrentModification(
        f"other writers changed the object {MAX_SWAPS} times while this partial write "
        "read and rewrote it; nothing of it was written; retry, or give each writer whole "
        "chunks (or shards)"
    )


def encoded(
    p: ChunkProjection, value: np.ndarray, existing: Any, chain: CodecChain, keep: bool
) -> bytes | None:
    """The new bytes of one chunk (merged as :func:`merge`), None when it is all fill and
    not ``keep``."""
    chunk = merge(p, value, existing, chain)
    if not keep and is_all_fill(chunk, chain.spec.fill_value):
        return None
    data = chain.encode(chunk)  # None: a zarr-python codec that stores nothing for it
    return None if data is None else bytes(data)


def _encoded_for_swap(
    p: ChunkProjection,
    value: np.ndarray,
    chain: CodecChain,
    write_empty: bool,
    existing: Any,
    keep: bool,
) -> bytes | None:
    return encoded(p, value, existing, chain, keep or write_empty)


def _write_batch(batch: Sequence[ChunkRequest], value: np.ndarray, write_empty: bool) -> None:
    # Each chunk's read-modify-write holds only that chunk's lock.
    for r in batch:
        target, key, chain, p = r
        with locked(target, [key], partial=not p.is_complete):
            try:
                if conditional(target, p):
                    swap(target, key, partial(_encoded_for_swap, p, value, chain, write_empty))
                    continue
                existing = None if p.is_complete else target.get(key)
                chunk = merge(p, value, existing, chain)
                store_chunk(target, key, chain, chunk, write_empty)
            except ZarrError as e:
                raise located(e, r) from e
