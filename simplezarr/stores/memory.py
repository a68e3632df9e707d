"""MemoryStore: a store in a Python dict (the caller's, if given: zarr-python's ``store={}``)."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, MutableMapping
from typing import Any

from simplezarr.stores.base import (
    ByteRange,
    ListableStore,
    ReadableStore,
    StoredValue,
    WritableStore,
    held_values,
    slice_byte_range,
)
from simplezarr.stores.buffer import Buffer, value_bytes

__all__ = ["MemoryStore"]


def _readable_value(value: object) -> bool:
    # Checked without reading: a dict zarr-python filled may hold gigabytes.
    if isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "as_numpy_array"):
        return True
    try:
        memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        return False
    return True


class MemoryStore(ReadableStore, WritableStore, ListableStore):
    """A readable, writable and listable store kept in an in-memory dict.

    ``store_dict`` is the dict (any mutable mapping) the store lives in, as zarr-python's
    ``MemoryStore(store_dict=...)``: the caller's dict itself, kept up to date, so
    ``store={}`` and ``MemoryStore(d)`` leave the keys in ``d``. Values are written into it as
    :class:`~simplezarr.stores.buffer.Buffer` (``bytes`` with zarr-python's ``to_bytes()``
    and ``as_numpy_array()``, so zarr-python reads the dict too; a store with a dict of its
    own keeps plain ``bytes``, one copy less per write); values put there by others
    (bytes, bytearrays, zarr-python's ``Buffer`` objects) are read through their bytes. Safe
    to use from many threads: single reads and writes are atomic, and listing or patching
    takes a lock.

    Example:
        >>> d = {"zarr.json": b"{}"}
        >>> store = MemoryStore(d)
        >>> store.set("c/0", b"\\x00\\x01")
        >>> store.list(), store.get("c/0", (1, None)), d["c/0"].to_bytes()
        (['c/0', 'zarr.json'], b'\\x01', b'\\x00\\x01')
        >>> store == MemoryStore({"zarr.json": b"{}", "c/0": b"\\x00\\x01"})
        True
    """

    def __init__(
        self, store_dict: MutableMapping[str, Any] | None = None, read_only: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        # Re-entrant: set_partial_values holds it while calling _get and _set.
        self._lock = threading.RLock()
        self._data: MutableMapping[str, Any] = {} if store_dict is None else store_dict
        # Values in a caller's dict are Buffers (what zarr-python and its users expect to
        # find there); a dict of the store's own keeps plain bytes, saving a copy per write.
        self._buffers = store_dict is not None
        for key, value in list(self._data.items()):
            self._validate_key(key)
            if not _readable_value(value):  # a clear error now, not at a read
                raise TypeError(
                    f"the value of key {key!r} must be bytes-like (bytes, bytearray, a numpy "
                    f"array, a Buffer), not {type(value).__name__}"
                )

    @property
    def store_dict(self) -> MutableMapping[str, Any]:
        """The dict this store reads and writes."""
        return self._data

    @property
    def lock_scope(self) -> Hashable:
        return ("memory", id(self._data))

    @property
    def caches_chunks(self) -> bool:  # type: ignore[override]
        # See BaseStore.caches_chunks. Not over a caller's dict: its values may change
        # behind the store's back.
        return not self._buffers

    # ReadableStore

    read_batch_size = 0  # no latency to hide

    def _value(self, key: str) -> bytes | None:
        value = self._data.get(key)
        if value is None or isinstance(value, bytes):
            return value
        return value_bytes(value, key)  # put there by zarr-python or the caller

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self._value(key)
        return None if value is None else slice_byte_range(value, byte_range)

    def _getsize(self, key: str) -> int | None:
        value = self._data.get(key)
        return None if value is None else len(value)

    def _exists(self, key: str) -> bool:
        return key in self._data

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        return held_values(requests, self._value)  # immutable bytes: that version

    # WritableStore

    def _set(self, key: str, data: bytes) -> None:
        if self._buffers and not isinstance(data, Buffer):
            data = Buffer(data)
        with self._lock:
            self._data[key] = data

    def _set_buffer(self, key: str, data: bytes | memoryview) -> None:
        if self._buffers:
            self._set(key, Buffer(data))  # the one copy the store keeps
        else:
            self._set(key, data if type(data) is bytes else bytes(data))

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
