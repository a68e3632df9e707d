"""CacheStore: a wrapper that keeps what it reads in a second store (zarr-python 3.1.6 and
3.4's ``zarr.experimental.cache_store.CacheStore``).

Whole values read are kept in ``cache_store`` (any writable store: memory, a local directory
for a cache that outlives the process); byte ranges read are kept in memory, so partial reads
never fill a persistent cache. Both count against one ``max_size`` budget with
least-recently-used eviction, and an entry older than ``max_age_seconds`` is read again.
Writes and deletes through the wrapper go to the store and update the cache; writes made to
the store another way are not seen until an entry expires.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> source = MemoryStore({"k": b"value"})
    >>> cached = CacheStore(source, cache_store=MemoryStore())
    >>> cached.get("k"), cached.get("k"), cached.get("k", (0, 2))
    (b'value', b'value', b'va')
    >>> {k: cached.cache_stats()[k] for k in ("hits", "misses")}
    {'hits': 1, 'misses': 2}
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Coroutine, Generator, Iterable, Sequence
from typing import Any, Literal, Self

from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    BytesLike,
    ReadableStore,
    WritableStore,
    to_bytes,
)
from simplezarr.stores.wrappers import WrapperStore

__all__ = ["CacheStore"]

_Entry = str | tuple[str, ByteRange]


class Done(Coroutine[Any, Any, None]):
    """A coroutine that has nothing left to do: what a method that did its work at once
    returns where zarr-python's is a coroutine, so ``await x.m()`` and
    ``asyncio.run(x.m())`` work, and calling it without awaiting warns of nothing.

    Example:
        >>> import asyncio
        >>> asyncio.run(Done()) is None
        True
    """

    def send(self, value: Any) -> Any:
        raise StopIteration(None)

    def throw(self, *args: Any) -> Any:
        raise args[0] if isinstance(args[0], BaseException) else args[0]()

    def close(self) -> None:
        pass

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield


class _CacheState:
    """What a CacheStore and its read-only twin share: order, sizes, ages, counters."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.order: OrderedDict[_Entry, None] = OrderedDict()
        self.sizes: dict[_Entry, int] = {}
        self.inserted: dict[_Entry, float] = {}
        self.ranges: dict[str, dict[ByteRange, bytes]] = {}
        self.current_size = 0
        self.hits = self.misses = self.evictions = 0


class CacheStore(WrapperStore):
    """``store`` with the values read from it kept in ``cache_store`` (see the module
    docstring). ``max_age_seconds``: an int, or ``"infinity"`` (entries never expire);
    ``max_size``: the cache's budget in bytes (None: unlimited; a larger value is not
    cached); ``cache_set_data``: whether values written through the wrapper are cached.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> cached = CacheStore(MemoryStore(), cache_store=MemoryStore(), max_size=4)
        >>> cached.set("a", b"12"); cached.set("b", b"34"); cached.set("c", b"56")
        >>> cached.cache_info()["current_size"], cached.cache_stats()["evictions"]
        (4, 1)
    """

    def __init__(
        self,
        store: BaseStore,
        *,
        cache_store: BaseStore,
        max_age_seconds: int | float | str = "infinity",
        max_size: int | None = None,
        cache_set_data: bool = True,
    ) -> None:
        super().__init__(store)
        if not (
            isinstance(cache_store, WritableStore)
            and isinstance(cache_store, ReadableStore)
            and cache_store.supports_deletes
        ):
            raise ValueError(
                f"The provided cache store {cache_store!r} does not support deletes; "
                "CacheStore needs a cache_store it can write and delete (a MemoryStore, a "
                "LocalStore, ...)"
            )
        if isinstance(max_age_seconds, str) and max_age_seconds != "infinity":
            raise ValueError(
                f"max_age_seconds must be a number of seconds or 'infinity', "
                f"got {max_age_seconds!r}"
            )
        self._cache: Any = cache_store  # readable and writable
        self.max_age_seconds: float | Literal["infinity"] = (
            "infinity" if isinstance(max_age_seconds, str) else max_age_seconds
        )
        self.max_size = max_size
        self.cache_set_data = bool(cache_set_data)
        self._state = _CacheState()

    @property
    def cache_store(self) -> BaseStore:
        """The store the cached whole values live in."""
        return self._cache

    def with_read_only(self, read_only: bool = False) -> Self:
        twin = type(self)(
            self._store.with_read_only(read_only),
            cache_store=self._cache,
            max_age_seconds=self.max_age_seconds,
            max_size=self.max_size,
            cache_set_data=self.cache_set_data,
        )
        twin._state = self._state
        return twin

    # -- the cache's bookkeeping (all under the state's lock) ----------------------------

    def _fresh(self, entry: _Entry) -> bool:
        if self.max_age_seconds == "infinity":
            return True
        inserted = self._state.inserted.get(entry)
        return inserted is not None and time.monotonic() - inserted < self.max_age_seconds

    def _forget(self, entry: _Entry) -> None:
        state = self._state
        state.order.pop(entry, None)
        state.inserted.pop(entry, None)
        state.current_size = max(0, state.current_size - state.sizes.pop(entry, 0))

    def _evict(self, entry: _Entry) -> None:
        if isinstance(entry, str):
            self._cache.delete(entry)
        else:
            key, byte_range = entry
            per_key = self._state.ranges.get(key, {})
            per_key.pop(byte_range, None)
            if not per_key:
                self._state.ranges.pop(key, None)
        self._forget(entry)
        self._state.evictions += 1

    def _track(self, entry: _Entry, size: int) -> bool:
        """Count ``entry`` in the budget, evicting the least recently used; False (and
        nothing kept) if it alone is over ``max_size``."""
        if self.max_size is not None and size > self.max_size:
            return False
        state = self._state
        self._forget(entry)
        while (
            self.max_size is not None and state.current_size + size > self.max_size and state.order
        ):
            self._evict(next(iter(state.order)))
        state.order[entry] = None
        state.sizes[entry] = size
        state.inserted[entry] = time.monotonic()
        state.current_size += size
        return True

    def _drop_ranges(self, key: str) -> None:
        for byte_range in self._state.ranges.pop(key, {}):
            self._forget((key, byte_range))

    def _drop(self, key: str) -> None:
        """Forget everything cached about ``key``."""
        with self._state.lock:
            self._drop_ranges(key)
            self._cache.delete(key)
            self._forget(key)

    def _lookup(self, key: str, byte_range: ByteRange) -> bytes | None:
        entry: _Entry = key if byte_range is None else (key, byte_range)
        state = self._state
        with state.lock:
            if not self._fresh(entry):
                return None
            if byte_range is None:
                # As zarr-python's: a persistent cache_store's values count from the start.
                value = self._cache.get(key)
            else:
                value = state.ranges.get(key, {}).get(byte_range)
            if value is not None:
                state.hits += 1
                if entry in state.order:
                    state.order.move_to_end(entry)
            return value

    def _remember(self, key: str, byte_range: ByteRange, value: bytes | None) -> None:
        with self._state.lock:
            self._state.misses += 1
            if value is None:
                if byte_range is None:
                    self._cache.delete(key)
                    self._forget(key)
                else:
                    self._state.ranges.get(key, {}).pop(byte_range, None)
                    self._forget((key, byte_range))
            elif byte_range is None:
                if self._track(key, len(value)):
                    self._cache.set(key, value)
                else:
                    self._cache.delete(key)
            elif self._track((key, byte_range), len(value)):
                self._state.ranges.setdefault(key, {})[byte_range] = value

    # -- reads ---------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        return self.get_many([(key, byte_range)])[0]

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        results: list[bytes | None] = [self._lookup(k, r) for k, r in requests]
        missed = [i for i, value in enumerate(results) if value is None]
        if missed:
            fetched = self._readable("get keys").get_many([requests[i] for i in missed])
            for i, value in zip(missed, fetched, strict=True):
                self._remember(*requests[i], value)
                results[i] = value
        return results

    def get_partial_values(
        self, key_ranges: Iterable[tuple[str, int, int | None]]
    ) -> list[bytes | None]:
        return self.get_many([(key, (start, length)) for key, start, length in key_ranges])

    # -- writes --------------------------------------------------------------------------

    def set(self, key: str, value: BytesLike) -> None:
        super().set(key, value)
        if not self.cache_set_data:
            self._drop(key)
            return
        data = to_bytes(value, key)
        with self._state.lock:
            self._drop_ranges(key)
            if self._track(key, len(data)):
                self._cache.set(key, data)
            else:
                self._cache.delete(key)

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        for key, value in items:
            self.set(key, value)

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        patches = list(key_start_values)
        super().set_partial_values(patches)
        for key in {key for key, _, _ in patches}:
            self._drop(key)

    def delete(self, key: str) -> None:
        super().delete(key)
        self._drop(key)

    def erase_values(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.delete(key)

    def erase_prefix(self, prefix: str) -> None:
        super().erase_prefix(prefix)
        with self._state.lock:
            keys = {e if isinstance(e, str) else e[0] for e in self._state.order}
            for key in [k for k in keys if k.startswith(prefix)]:
                self._drop(key)

    def clear(self) -> None:
        super().clear()
        self._clear()

    # -- zarr-python's cache API ---------------------------------------------------------

    def cache_info(self) -> dict[str, Any]:
        """The cache's settings and size, as zarr-python's ``cache_info()``."""
        state = self._state
        return {
            "cache_store_type": type(self._cache).__name__,
            "max_age_seconds": self.max_age_seconds,
            "max_size": self.max_size,
            "current_size": state.current_size,
            "cache_set_data": self.cache_set_data,
            "tracked_keys": len(state.inserted),
            "cached_keys": len(state.order),
        }

    def cache_stats(self) -> dict[str, Any]:
        """Hits, misses, evictions and the hit rate, as zarr-python's ``cache_stats()``."""
        state = self._state
        total = state.hits + state.misses
        return {
            "hits": state.hits,
            "misses": state.misses,
            "evictions": state.evictions,
            "total_requests": total,
            "hit_rate": state.hits / total if total else 0.0,
        }

    def clear_cache(self) -> Done:
        """Empty the cache (the cache store and the byte ranges) at once; the store is
        untouched. What it returns may be awaited (or given to ``asyncio.run``), as
        zarr-python's coroutine is, and needs not be."""
        self._clear()
        return Done()

    def _clear(self) -> None:
        state = self._state
        with state.lock:
            self._cache.clear()
            state.order.clear()
            state.sizes.clear()
            state.inserted.clear()
            state.ranges.clear()
            state.current_size = 0

    def __repr__(self) -> str:
        return (
            f"CacheStore(store={self._store!r}, cache_store={self._cache!r}, "
            f"max_age_seconds={self.max_age_seconds}, max_size={self.max_size}, "
            f"current_size={self._state.current_size}, cached_keys={len(self._state.order)})"
        )
