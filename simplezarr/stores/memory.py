"""MemoryStore: a store in a Python dict."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from simplezarr.stores.base import (
    ByteRange,
    BytesLike,
    ListableStore,
    ReadableStore,
    StoredValue,
    WritableStore,
    held_values,
    slice_byte_range,
    to_bytes,
)

__all__ = ["MemoryStore"]


class MemoryStore(ReadableStore, WritableStore, ListableStore):
    """A readable, writable and listable store kept in an in-memory dict.

    ``fields`` is the initial content; it is copied (values become ``bytes``), so later
    changes to the caller's dict do not reach the store. Safe to use from many threads:
    single reads and writes are atomic, and listing or patching takes a lock.

    Example:
        >>> store = MemoryStore({"zarr.json": b"{}"})
        >>> store.set("c/0", b"\\x00\\x01")
        >>> store.list(), store.get("c/0", (1, None))
        (['c/0', 'zarr.json'], b'\\x01')
        >>> store == MemoryStore({"zarr.json": b"{}", "c/0": b"\\x00\\x01"})
        True
    """

    def __init__(
        self, fields: Mapping[str, BytesLike] | None = None, read_only: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        # Re-entrant: set_partial_values holds it while calling _get and _set.
        self._lock = threading.RLock()
        self._data: dict[str, bytes] = {}
        for key, value in (fields or {}).items():
            key = self._validate_key(key)
            self._data[key] = to_bytes(value, key)

    @property
    def lock_scope(self) -> Hashable:
        return ("memory", id(self._data))

    caches_chunks = True  # see BaseStore.caches_chunks

    # ReadableStore

    read_batch_size = 0  # no latency to hide

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self._data.get(key)
        return None if value is None else slice_byte_range(value, byte_range)

    def _getsize(self, key: str) -> int | None:
        value = self._data.get(key)
        return None if value is None else len(value)

    def _exists(self, key: str) -> bool:
        return key in self._data

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        return held_values(requests, self._data.get)  # immutable bytes: that version

    # WritableStore

    def _set(self, key: str, data: bytes) -> None:
        with self._lock:
            self._data[key] = data

    def _delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def _patch(self, key: str, patches: list[tuple[int, bytes]]) -> None:
        with self._lock:  # read-patch-write must not interleave with another writer
            super()._patch(key, patches)

    def _erase_prefix(self, prefix: str) -> None:
        with self._lock:
            if prefix == "":
                self._data.clear()
            else:
                for key in [k for k in self._data if k.startswith(prefix)]:
                    del self._data[key]

    # ListableStore

    def _list(self) -> Iterable[str]:
        with self._lock:  # a snapshot: iterating the live dict races with writers
            return list(self._data)

    def _is_empty(self, prefix: str) -> bool:
        if prefix == "":
            return not self._data
        return not any(key.startswith(prefix) for key in self._list())

    # Python protocols

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MemoryStore):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self._data), self._read_only))

    def __repr__(self) -> str:
        nbytes = sum(len(v) for v in list(self._data.values()))
        flag = ", read_only=True" if self._read_only else ""
        return f"MemoryStore(<{len(self._data)} keys, {nbytes} bytes>{flag})"
