"""Stores that wrap another store: WrapperStore (forwarding) and SlowStore (latency)."""

from __future__ import annotations

import builtins
import contextlib
import time
from collections.abc import Hashable, Iterable, Sequence

from simplezarr.errors import ReadOnlyError, ReadOnlyNodeError, StoreError
from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    BytesLike,
    ListableStore,
    ReadableStore,
    RereadValue,
    StoredValue,
    WritableStore,
)

__all__ = ["ReadOnlyView", "SlowStore", "WrapperStore"]


class WrapperStore(ReadableStore, WritableStore, ListableStore):
    """A store that forwards every call to the store it wraps.

    Subclass it and override the calls to intercept (caching, counting, logging, ...).
    ``read_only`` is the wrapped store's; ``close()`` and ``with`` close the wrapped store.
    Calling a capability the wrapped store lacks raises ReadOnlyError (writes) or
    StoreError (reads, listing).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> class CountingStore(WrapperStore):
        ...     gets = 0
        ...     def get(self, key, byte_range=None):
        ...         self.gets += 1
        ...         return super().get(key, byte_range)
        >>> store = CountingStore(MemoryStore({"a": b"1"}))
        >>> store.get("a"), store.get("b"), store.gets
        (b'1', None, 2)
    """

    def __init__(self, store: BaseStore) -> None:
        if not isinstance(store, BaseStore):
            raise TypeError(f"{type(self).__name__} wraps a store, not {type(store).__name__}")
        super().__init__(read_only=store.read_only)
        self._store = store

    @property
    def store(self) -> BaseStore:
        """The wrapped store."""
        return self._store

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    @property
    def read_batch_size(self) -> int:  # type: ignore[override]
        return getattr(self._store, "read_batch_size", ReadableStore.read_batch_size)

    @property
    def lock_scope(self) -> Hashable:
        return self._store.lock_scope

    @property
    def caches_chunks(self) -> bool:  # type: ignore[override]
        return self._store.caches_chunks

    def partial_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        return self._writable("lock keys for a partial write").partial_write_lock(keys)

    # Conditional writes (object stores) are forwarded: the engine's partial writes through
    # a wrapper stay compare-and-swaps. A subclass that changes what get / set store (not
    # only observes them) must override these too, or return False from conditional_writes.

    @property
    def conditional_writes(self) -> bool:
        return bool(getattr(self._store, "conditional_writes", False))

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        return self._store.get_versioned(key)  # type: ignore[attr-defined]

    def set_if_version(self, key: str, value: bytes, version: str | None) -> bool:
        return bool(self._store.set_if_version(key, value, version))  # type: ignore[attr-defined]

    def whole_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        return self._writable("lock keys for a write").whole_write_lock(keys)

    def _readable(self, action: str) -> ReadableStore:
        if not isinstance(self._store, ReadableStore):
            raise StoreError(f"cannot {action}: {self._store!r} cannot read")
        return self._store

    def _writable(self, action: str) -> WritableStore:
        if not isinstance(self._store, WritableStore):
            raise ReadOnlyError(f"cannot {action}: {self._store!r} cannot write")
        return self._store

    def _listable(self, action: str) -> ListableStore:
        if not isinstance(self._store, ListableStore):
            raise StoreError(f"cannot {action}: {self._store!r} cannot list keys")
        return self._store

    # ReadableStore

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        return self._readable(f"get key {key!r}").get(key, byte_range)

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        return self._readable("get many keys").get_many(requests)

    #: Whether opened values come from the wrapped store itself, keeping its guarantee
    #: that later reads see the version opened. Only for wrappers that pass bytes on
    #: unchanged (logging, latency, read-only views); by default a wrapper's values are
    #: read through its own ``get_many``, so a subclass that changes what ``get`` /
    #: ``get_many`` return (decrypting, caching) is never bypassed.
    forwards_values = False

    def open_values(
        self, requests: Sequence[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        if self.forwards_values:
            return self._readable("open values").open_values(requests)
        opened: list[tuple[StoredValue, bytes | memoryview] | None] = []
        for (key, byte_range), data in zip(requests, self.get_many(requests), strict=True):
            if data is None:
                opened.append(None)
                continue
            try:
                size = len(data) if byte_range is None else self.getsize(key)
            except FileNotFoundError:  # deleted since
                opened.append(None)
                continue
            opened.append((RereadValue(self, key, size), data))
        return opened

    def get_partial_values(
        self, key_ranges: Iterable[tuple[str, int, int | None]]
    ) -> list[bytes | None]:
        return self._readable("get partial values").get_partial_values(key_ranges)

    def exists(self, key: str) -> bool:
        return self._readable(f"check key {key!r}").exists(key)

    def getsize(self, key: str) -> int:
        return self._readable(f"get the size of key {key!r}").getsize(key)

    # WritableStore

    def set(self, key: str, value: BytesLike) -> None:
        self._writable(f"set key {key!r}").set(key, value)

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        self._writable("set many keys").set_many(items)

    def delete(self, key: str) -> None:
        self._writable(f"delete key {key!r}").delete(key)

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        self._writable("set partial values").set_partial_values(key_start_values)

    def erase_values(self, keys: Iterable[str]) -> None:
        self._writable("erase values").erase_values(keys)

    def erase_prefix(self, prefix: str) -> None:
        self._writable(f"erase prefix {prefix!r}").erase_prefix(prefix)

    def clear(self) -> None:
        self._writable("clear").clear()

    # ListableStore

    def list(self) -> list[str]:
        return self._listable("list keys").list()

    def list_prefix(self, prefix: str) -> builtins.list[str]:
        return self._listable(f"list prefix {prefix!r}").list_prefix(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        return self._listable(f"list directory {prefix!r}").list_dir(prefix)

    def list_dir_candidates(self, prefix: str) -> builtins.list[str]:
        if type(self).list_dir is not WrapperStore.list_dir:
            return self.list_dir(prefix)  # a subclass that changes listings keeps its say
        return self._listable(f"list directory {prefix!r}").list_dir_candidates(prefix)

    def is_empty(self, prefix: str = "") -> bool:
        return self._listable(f"check prefix {prefix!r}").is_empty(prefix)

    # Lifecycle: closing a wrapper (or leaving its ``with`` block) closes the wrapped store.

    def close(self) -> None:
        """Close the wrapped store (for a ZipStore: write the archive's directory)."""
        self._store.close()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._store == other._store

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._store!r})"


class _SlowValue(StoredValue):
    """A value opened through a SlowStore: its reads take the store's delay too."""

    def __init__(self, store: SlowStore, value: StoredValue) -> None:
        self._slow, self._value, self.size = store, value, value.size

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        datas = self._value.read(ranges)
        self._slow._sleep(sum(len(d) for d in datas))
        return datas

    def close(self) -> None:
        self._value.close()


class SlowStore(WrapperStore):
    """A wrapper that simulates a slow (remote) store, for tests and benchmarks.

    Every call sleeps ``base_delay`` seconds (the latency of one request), plus, when
    ``bits_per_second > 0``, the time to move the bytes read or written at that rate. The
    requests of one batched call (``get_many``, ``get_partial_values``, ``set_many``,
    ``set_partial_values``, ``erase_values``) are in flight together, as a remote store
    serves them concurrently: the batch costs one ``base_delay`` plus the transfer time of
    all its bytes. The sleep happens after the wrapped store has answered.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = SlowStore(MemoryStore({"a": b"x" * 1000}), base_delay=0.01, bits_per_second=8e6)
        >>> len(store.get("a"))  # took 0.01 s + 8000 bits / 8e6 bit/s = 0.011 s
        1000
    """

    def __init__(
        self, store: BaseStore, base_delay: float = 1.0, bits_per_second: float = 0.0
    ) -> None:
        super().__init__(store)
        if base_delay < 0 or bits_per_second < 0:
            raise ValueError(
                f"SlowStore needs base_delay >= 0 and bits_per_second >= 0, "
                f"got {base_delay} and {bits_per_second}"
            )
        self.base_delay = float(base_delay)
        self.bits_per_second = float(bits_per_second)

    @property
    def read_batch_size(self) -> int:  # type: ignore[override]
        # A slow store is a remote one: batches large enough to overlap the latency.
        return super().read_batch_size or ReadableStore.read_batch_size

    def _sleep(self, nbytes: int = 0) -> None:
        delay = self.base_delay
        if self.bits_per_second > 0:
            delay += 8 * nbytes / self.bits_per_second
        if delay > 0:
            time.sleep(delay)

    def _sleep_for(self, values: Iterable[bytes | None]) -> None:
        self._sleep(sum(len(v) for v in values if v is not None))

    # ReadableStore

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        value = super().get(key, byte_range)
        self._sleep_for([value])
        return value

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        values = super().get_many(requests)
        self._sleep_for(values)
        return values

    forwards_values = True  # bytes pass unchanged, only later

    def open_values(
        self, requests: Sequence[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        opened = super().open_values(requests)
        self._sleep_for([None if o is None else bytes(o[1]) for o in opened])
        return [None if o is None else (_SlowValue(self, o[0]), o[1]) for o in opened]

    def get_partial_values(
        self, key_ranges: Iterable[tuple[str, int, int | None]]
    ) -> list[bytes | None]:
        values = super().get_partial_values(key_ranges)
        self._sleep_for(values)
        return values

    def exists(self, key: str) -> bool:
        result = super().exists(key)
        self._sleep()
        return result

    def getsize(self, key: str) -> int:
        result = super().getsize(key)
        self._sleep()
        return result

    # WritableStore

    def set(self, key: str, value: BytesLike) -> None:
        super().set(key, value)
        self._sleep(memoryview(value).nbytes)

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        items = list(items)
        super().set_many(items)
        self._sleep(sum(memoryview(value).nbytes for _, value in items))

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        key_start_values = list(key_start_values)
        super().set_partial_values(key_start_values)
        self._sleep(sum(memoryview(value).nbytes for _, _, value in key_start_values))

    def delete(self, key: str) -> None:
        super().delete(key)
        self._sleep()

    def erase_values(self, keys: Iterable[str]) -> None:
        super().erase_values(keys)
        self._sleep()

    def erase_prefix(self, prefix: str) -> None:
        super().erase_prefix(prefix)
        self._sleep()

    def clear(self) -> None:
        super().clear()
        self._sleep()

    # ListableStore

    def list(self) -> list[str]:
        result = super().list()
        self._sleep()
        return result

    def list_prefix(self, prefix: str) -> builtins.list[str]:
        result = super().list_prefix(prefix)
        self._sleep()
        return result

    def list_dir(self, prefix: str) -> builtins.list[str]:
        result = super().list_dir(prefix)
        self._sleep()
        return result

    def list_dir_candidates(self, prefix: str) -> builtins.list[str]:
        result = self._listable(f"list directory {prefix!r}").list_dir_candidates(prefix)
        self._sleep()
        return result

    def is_empty(self, prefix: str = "") -> bool:
        result = super().is_empty(prefix)
        self._sleep()
        return result

    def __repr__(self) -> str:
        rate = f", bits_per_second={self.bits_per_second}" if self.bits_per_second else ""
        return f"SlowStore({self._store!r}, base_delay={self.base_delay}{rate})"


class ReadOnlyView(WrapperStore):
    """A read-only view of a writable store (what mode ``"r"`` makes of a writable store).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> view = ReadOnlyView(MemoryStore({"a": b"1"}))
        >>> view.read_only, view.get("a")
        (True, b'1')
    """

    forwards_values = True  # a view: the bytes are the wrapped store's

    @property
    def read_only(self) -> bool:
        return True

    def _writable(self, action: str) -> WritableStore:
        raise ReadOnlyNodeError(f"cannot {action}: the store was opened read-only (mode 'r')")

    def __eq__(self, other: object) -> bool:
        inner = other.store if isinstance(other, ReadOnlyView) else other
        return bool(self.store == inner)

    __hash__ = None

    def __repr__(self) -> str:
        return f"ReadOnlyView({self.store!r})"
