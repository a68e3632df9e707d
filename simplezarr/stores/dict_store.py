"""DictStore: a store whose content lives in a caller's ``dict`` (zarr-python's ``store={}``)."""

from __future__ import annotations

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
    to_bytes,
)

__all__ = ["DictStore"]


class DictStore(ReadableStore, WritableStore, ListableStore):
    """A store whose content lives in a caller's ``dict`` (zarr-python's ``store={}``).

    Values are written as ``bytes``; values another library put there (zarr-python's
    ``Buffer`` objects, bytearrays, ...) are read through their bytes.

    Example:
        >>> d = {}
        >>> DictStore(d).set("zarr.json", b"{}")
        >>> d
        {'zarr.json': b'{}'}
    """

    def __init__(self, mapping: MutableMapping[str, Any], read_only: bool = False) -> None:
        super().__init__(read_only=read_only)
        self._mapping = mapping

    @property
    def mapping(self) -> MutableMapping[str, Any]:
        """The dict this store reads and writes."""
        return self._mapping

    @property
    def lock_scope(self) -> Hashable:
        return ("dict", id(self._mapping))

    @staticmethod
    def _bytes(value: Any, key: str) -> bytes:
        if hasattr(value, "to_bytes") and not isinstance(value, (bytes, bytearray, memoryview)):
            value = value.to_bytes()  # zarr-python's Buffer
        return to_bytes(value, key)

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self._mapping.get(key)
        return None if value is None else slice_byte_range(self._bytes(value, key), byte_range)

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        # Hold the bytes of the version read (as MemoryStore): re-reading by key, a shard's
        # inner chunk could come from a newer version than its index, with another
        # chunk's bytes at the old offsets (threads rewriting one shard saw wrong values).
        def lookup(key: str) -> bytes | None:
            value = self._mapping.get(key)
            return None if value is None else self._bytes(value, key)

        return held_values(requests, lookup)

    def _exists(self, key: str) -> bool:
        return key in self._mapping

    def _set(self, key: str, data: bytes) -> None:
        self._mapping[key] = data

    def _delete(self, key: str) -> None:
        self._mapping.pop(key, None)

    def _erase_prefix(self, prefix: str) -> None:
        for key in [k for k in list(self._mapping) if k.startswith(prefix)]:
            self._mapping.pop(key, None)

    def _list(self) -> Iterable[str]:
        return list(self._mapping)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DictStore):
            return NotImplemented
        return self._mapping is other._mapping

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        flag = ", read_only=True" if self._read_only else ""
        return f"DictStore(<{len(self._mapping)} keys>{flag})"
