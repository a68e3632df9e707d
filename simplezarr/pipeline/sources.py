"""zarr-python stores as the engine's sources: the bytes of each chunk, read and written.

- ``MemoryStore`` and ``LocalStore`` are read and written directly, in the engine's
  threads: the memory store's dict, and the local store's files through simplezarr's own
  :class:`~simplezarr.stores.LocalStore` (atomic writes, no event-loop hop per chunk).
- Every other store (``ZipStore``, ``FsspecStore``, ``ObjectStore``, wrappers, third-party
  stores) through its async API, run on the event loop that called the pipeline, with at
  most zarr-python's ``async.concurrency`` requests in flight per batch.

One source object per store (per event loop for async stores) while it is in use, so that
the engine's per-key write locks, which are keyed by the source, serialise every
read-modify-write of a chunk in this process.

Example:
    >>> zarr = __import__("pytest").importorskip("zarr")
    >>> store = zarr.storage.MemoryStore()
    >>> src = source_for(store, None)
    >>> src.set("c/0", b"abc")
    >>> [None if v is None else bytes(v) for v in src.get_many([("c/0", (1, None)), ("c/1", None)])]
    [b'bc', None]
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any

from simplezarr.config import config
from simplezarr.errors import StoreError
from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    ReadableStore,
    StoredValue,
    WritableStore,
    held_values,
    slice_byte_range,
)
from simplezarr.stores.local import LocalStore

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "AsyncStoreSource",
    "GetterSource",
    "MemoryStoreSource",
    "source_for",
]


def _read_only(store: Any) -> bool:
    # Only a real True: a store mock's attribute (zarr-python's tests wrap stores in
    # AsyncMock) is truthy but says nothing; the store itself refuses what it must.
    return getattr(store, "read_only", False) is True


def _prototype() -> Any:
    from zarr.core.buffer import default_buffer_prototype

    return default_buffer_prototype()


def _custom(prototype: Any) -> Any:
    """``prototype`` when it is not zarr-python's default one (a custom Buffer class the
    store expects, as ``getitem(prototype=...)`` asks), else None."""
    if prototype is None:
        return None
    default = _prototype()
    if prototype.buffer is default.buffer and prototype.nd_buffer is default.nd_buffer:
        return None
    return prototype


class MemoryStoreSource(ReadableStore, WritableStore):
    """zarr-python's ``MemoryStore``, its dict read and written in place."""

    read_batch_size = 0  # no latency to hide

    def __init__(self, store: Any) -> None:
        super().__init__(read_only=_read_only(store))
        self._dict = store._store_dict
        self._lock = threading.Lock()

    def _value(self, key: str) -> bytes | None:
        # zarr-python's buffers are never written in place (a set replaces the value), so
        # a view of one is a stable version of the value: no copy per chunk read.
        buf = self._dict.get(key)
        if buf is None:
            return None
        view: Any = memoryview(buf.as_numpy_array()).cast("B")
        return view

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self._value(key)
        return None if value is None else slice_byte_range(value, byte_range)

    def _getsize(self, key: str) -> int | None:
        buf = self._dict.get(key)
        return None if buf is None else len(buf)

    def _exists(self, key: str) -> bool:
        return key in self._dict

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        return held_values(requests, self._value)  # that version: buffers are replaced

    def _set(self, key: str, data: bytes) -> None:
        buf = _prototype().buffer.from_bytes(data)  # a view of the encoded bytes, no copy
        with self._lock:
            self._dict[key] = buf

    def _delete(self, key: str) -> None:
        with self._lock:
            self._dict.pop(key, None)


def _in_flight() -> int:
    """The most requests of one batch in flight on a store served through its event loop:
    zarr-python's ``async.concurrency`` (the knob its users already set for remote stores),
    else simplezarr's ``config.io_concurrency``."""
    from zarr.core.config import config as zarr_config

    limit = zarr_config.get("async.concurrency", None)
    return max(1, int(limit) if limit else config.io_concurrency)


def _coalescing() -> dict[str, int]:
    """zarr-python 3.4's limits for merging the ranges of one value into fewer reads
    (``array.sharding_coalesce_*``), forwarded to the store's ``get_ranges``."""
    from zarr.core.config import config as zarr_config

    names = {
        "max_gap_bytes": "array.sharding_coalesce_max_gap_bytes",
        "max_coalesced_bytes": "array.sharding_coalesce_max_bytes",
    }
    found = {k: zarr_config.get(v, None) for k, v in names.items()}
    return {k: int(v) for k, v in found.items() if v is not None}


def array_coalescing(spec: Any) -> dict[str, int] | None:
    """An array's own ``sharding_coalesce_*`` limits (zarr-python 3.4's ``ArrayConfig``,
    which takes the global ones where the array sets none), or None where its config has
    no such fields (zarr-python 3.1)."""
    config = getattr(spec, "config", None)
    gap = getattr(config, "sharding_coalesce_max_gap_bytes", None)
    most = getattr(config, "sharding_coalesce_max_bytes", None)
    if not isinstance(gap, int) or not isinstance(most, int):
        return None
    return {"max_gap_bytes": gap, "max_coalesced_bytes": most}


def _request(byte_range: ByteRange) -> Any:
    from zarr.abc.store import OffsetByteRequest, RangeByteRequest, SuffixByteRequest

    if byte_range is None:
        return None
    start, length = byte_range
    if start < 0:
        return SuffixByteRequest(-start)
    if length is None:
        return OffsetByteRequest(start)
    return RangeByteRequest(start, start + length)


class AsyncStoreSource(ReadableStore, WritableStore):
    """Any zarr-python store, through its async API on the event loop that called the
    pipeline (the engine runs in another thread, so the loop is free to serve it); at
    most zarr-python's ``async.concurrency`` requests of a batch in flight."""

    def __init__(
        self,
        store: Any,
        loop: asyncio.AbstractEventLoop,
        prototype: Any = None,
        coalescing: dict[str, int] | None = None,
    ) -> None:
        super().__init__(read_only=_read_only(store))
        self.store, self.loop = store, loop
        self.prototype = prototype  # a custom BufferPrototype the store's values use
        self.coalescing = coalescing  # the array's get_ranges limits (None: the global ones)

    @property
    def lock_scope(self) -> Any:
        # One store's keys share their locks whatever loop or prototype serves them.
        return ("zarr-store", id(self.store))

    def _proto(self) -> Any:
        return self.prototype if self.prototype is not None else _prototype()

    def _call(self, coroutine: Any) -> Any:
        try:
            return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()
        except (FileNotFoundError, KeyError):
            raise
        except OSError as e:
            raise StoreError(f"{self.store!r}: {e}") from e

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        return self._get_many([(key, byte_range)])[0]

    def _get_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        store, prototype = self.store, self._proto()
        limit = _in_flight()

        async def gather() -> list[bytes | None]:
            gate = asyncio.Semaphore(limit)

            async def one(key: str, byte_range: ByteRange) -> bytes | None:
                async with gate:
                    buf = await store.get(key, prototype, byte_range=_request(byte_range))
                return None if buf is None else buf.to_bytes()

            return list(await asyncio.gather(*(one(k, r) for k, r in requests)))

        result: list[bytes | None] = self._call(gather())
        return result

    def _reread_value(self, key: str, size: int) -> StoredValue:
        # The opening read (a shard's index) is one get; later reads go by ranges.
        return _RangesValue(self, key, size)

    def read_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The bytes of each ``(start, stop)`` of ``key``: one ``get_ranges`` call where the
        store has it (zarr-python 3.4: it coalesces), else concurrent gets."""
        store, prototype = self.store, self._proto()
        get_ranges = getattr(store, "get_ranges", None)
        if get_ranges is None:
            got = self._get_many([(key, (a, max(0, b - a))) for a, b in ranges])
            return [b"" if d is None else d for d in got]
        from zarr.abc.store import RangeByteRequest

        coalescing = self.coalescing if self.coalescing is not None else _coalescing()

        async def fetch() -> list[bytes]:
            out = [b""] * len(ranges)
            requests = [RangeByteRequest(a, max(a, b)) for a, b in ranges]
            try:
                async for group in get_ranges(key, requests, prototype=prototype, **coalescing):
                    for i, buf in group:
                        out[i] = b"" if buf is None else buf.to_bytes()
            except* FileNotFoundError:
                pass  # the value went away: its inner chunks read as missing
            return out

        result: list[bytes] = self._call(fetch())
        return result

    def _getsize(self, key: str) -> int | None:
        async def size() -> int | None:
            if not await self.store.exists(key):
                return None
            return int(await self.store.getsize(key))

        result: int | None = self._call(size())
        return result

    def _set(self, key: str, data: bytes) -> None:
        self._call(self.store.set(key, self._proto().buffer.from_bytes(bytes(data))))

    def set_many(self, items: Iterable[tuple[str, Any]]) -> None:
        pairs = [(self._validate_key(k), bytes(v)) for k, v in items]
        if pairs:
            self._check_writable("set")
            prototype = self._proto()

            async def all_sets() -> None:
                gate = asyncio.Semaphore(_in_flight())

                async def one(key: str, data: bytes) -> None:
                    async with gate:
                        await self.store.set(key, prototype.buffer.from_bytes(data))

                await asyncio.gather(*(one(k, v) for k, v in pairs))

            self._call(all_sets())

    def _delete(self, key: str) -> None:
        self._call(self.store.delete(key))


class _RangesValue(StoredValue):
    """A value of an async store, read again by ranges of its key."""

    def __init__(self, source: AsyncStoreSource, key: str, size: int) -> None:
        self.source, self.key, self.size = source, key, size

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        clipped = [(a, min(b, self.size)) for a, b in ranges]
        return list(self.source.read_ranges(self.key, clipped))


class GetterSource(ReadableStore, WritableStore):
    """zarr-python byte getters that are not store paths (zarr-python's own sharding codec
    hands its inner chunks' getters to the pipeline), each under a key of its own.

    ``private``: the values are one shard's, being encoded by one caller (zarr-python's
    sharding codec, which already holds the shard's lock when the outer write is ours), so
    writes take no key locks. Taking them would deadlock: the nested write runs in another
    thread while the outer one holds its lock, and key locks are shared by hash.
    """

    read_batch_size = 0
    private = True

    def __init__(self, loop: asyncio.AbstractEventLoop, prototype: Any = None) -> None:
        super().__init__()
        self.loop = loop
        self.prototype = prototype if prototype is not None else _prototype()
        self.getters: dict[str, Any] = {}

    def add(self, getter: Any) -> str:
        key = f"g{len(self.getters)}"
        self.getters[key] = getter
        return key

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        buf = self._call(self.getters[key].get(self.prototype, byte_range=_request(byte_range)))
        return None if buf is None else buf.to_bytes()

    def _set(self, key: str, data: bytes) -> None:
        self._call(self.getters[key].set(self.prototype.buffer.from_bytes(bytes(data))))

    def _delete(self, key: str) -> None:
        self._call(self.getters[key].delete())


class _ZarrLocalStore(LocalStore):
    """LocalStore on a zarr-python LocalStore's root. zarr-python also changes these files
    through its own store (metadata, deletes of a resize), which the decoded-chunk cache
    would not see, so its chunks are never cached."""

    caches_chunks = False


_memory: weakref.WeakValueDictionary[int, MemoryStoreSource] = weakref.WeakValueDictionary()
_local: dict[tuple[str, bool], LocalStore] = {}
_remote: weakref.WeakValueDictionary[tuple[Any, ...], AsyncStoreSource] = (
    weakref.WeakValueDictionary()
)
_lock = threading.Lock()


def _after_fork() -> None:
    # A fork while another thread held the lock would leave it held forever in the child.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def source_for(
    store: Any,
    loop: asyncio.AbstractEventLoop | None,
    prototype: Any = None,
    coalescing: dict[str, int] | None = None,
) -> Any:
    """The engine's source for a zarr-python store (see the module docstring); ``loop``
    is the event loop of the calling pipeline, needed by the stores served through it;
    ``prototype``, the batch's ``BufferPrototype``: a store served through its async API
    gets and sets values of its buffer class (zarr-python's default one otherwise);
    ``coalescing``, the array's limits for merging ranges (:func:`array_coalescing`)."""
    from zarr.storage import LocalStore as ZarrLocalStore
    from zarr.storage import MemoryStore as ZarrMemoryStore

    if isinstance(store, BaseStore):
        return store  # a simplezarr store handed to zarr-python: the engine's own kind
    with _lock:
        if type(store) is ZarrMemoryStore:
            # Keyed by the dict: the source holds it, so the id is not reused meanwhile.
            mem = _memory.get(id(store._store_dict))
            if mem is None or mem.read_only != _read_only(store):
                mem = MemoryStoreSource(store)
                _memory[id(store._store_dict)] = mem
            return mem
        if type(store) is ZarrLocalStore:
            key = (os.path.realpath(os.fspath(store.root)), _read_only(store))
            local = _local.get(key)
            if local is None:
                local = _local[key] = _ZarrLocalStore(key[0], read_only=key[1])
            return local
        if loop is None:
            raise StoreError(f"{store!r} is served through its event loop, and none is running")
        custom = _custom(prototype)
        rkey = (
            id(store),
            id(loop),
            None if custom is None else (custom.buffer, custom.nd_buffer),
            None if coalescing is None else tuple(sorted(coalescing.items())),
        )
        remote = _remote.get(rkey)
        if remote is None:
            remote = _remote[rkey] = AsyncStoreSource(store, loop, custom, coalescing)
        return remote
