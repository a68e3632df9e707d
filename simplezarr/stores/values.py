"""Stored values opened once and read several times (a shard's index, then its chunks).

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> [(value, index)] = MemoryStore({"s": b"0123456789"}).open_values([("s", (-2, None))])
    >>> value.size, index
    (10, b'89')
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from simplezarr.stores.byte_ranges import ByteRange, slice_byte_range

if TYPE_CHECKING:
    from simplezarr.stores.base import ReadableStore

__all__ = [
    "BytesValue",
    "PinnedValue",
    "RereadValue",
    "StoredValue",
    "held_values",
    "read_values",
]


class StoredValue(ABC):
    """One version of one stored value, opened for several reads of its bytes.

    What :meth:`ReadableStore.open_values` hands out: a shard's reader opens it once, reads
    the index with the opening request, and then the inner chunks the index points to, all
    from the same version of the value. ``size`` is the value's length in bytes; ``read``
    takes ``(start, stop)`` offsets (clipped to the value, like slicing). ``close`` releases
    what the value holds (a file descriptor); reads after it are an error.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> [(value, index)] = MemoryStore({"s": b"0123456789"}).open_values([("s", (-2, None))])
        >>> value.size, index, [bytes(b) for b in value.read([(0, 3), (5, 6)])]
        (10, b'89', [b'012', b'5'])
    """

    size: int

    @abstractmethod
    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        """The bytes of each ``(start, stop)`` range of this version of the value."""

    def close(self) -> None:  # noqa: B027 (optional: in-memory values hold nothing)
        """Release what the value holds; a no-op for values kept in memory."""


class BytesValue(StoredValue):
    """A value whose bytes are in memory (an immutable snapshot: always consistent)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.size = len(data)

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        return [self._data[start:stop] for start, stop in ranges]


class RereadValue(StoredValue):
    """A value read again by key for every request: what a store that cannot pin a version
    offers (a write between two reads is not detected)."""

    def __init__(self, store: ReadableStore, key: str, size: int) -> None:
        self.store, self.key, self.size = store, key, size

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        return read_values([(self, ranges)])[0]


class PinnedValue(StoredValue):
    """One version of a value in a remote store, named by its version token (an ETag):
    every read asks the store for exactly that version (``If-Match``), so bytes of two
    versions never meet in one read; a value replaced meanwhile raises
    :class:`~simplezarr.errors.ValueChanged` (the engine reads it again).

    The store serves ``get_pinned([(key, (start, stop), version), ...])``.
    """

    def __init__(self, store: ReadableStore, key: str, size: int, version: str) -> None:
        self.store, self.key, self.size, self.version = store, key, size, version

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        return read_values([(self, ranges)])[0]


def read_values(
    items: Sequence[tuple[StoredValue, Sequence[tuple[int, int]]]],
) -> list[list[bytes | memoryview]]:
    """``[value.read(ranges) for value, ranges in items]``, with the reads of values that
    go back to one store by key made in one ``get_many`` (a remote store serves them at
    once).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore({"a": b"0123", "b": b"4567"})
        >>> a, b = RereadValue(store, "a", 4), RereadValue(store, "b", 4)
        >>> [[bytes(d) for d in ds] for ds in read_values([(a, [(0, 2)]), (b, [(1, 3)])])]
        [[b'01'], [b'56']]
    """
    results: list[list[bytes | memoryview]] = [[] for _ in items]
    by_store: dict[tuple[type, int], list[int]] = {}
    for i, (value, _) in enumerate(items):
        if type(value) is RereadValue or type(value) is PinnedValue:
            by_store.setdefault((type(value), id(value.store)), []).append(i)
        else:
            results[i] = value.read(items[i][1])
    for (kind, _), indexes in by_store.items():
        store: Any = items[indexes[0]][0].store  # type: ignore[attr-defined]
        values: list[Any] = [items[i][0] for i in indexes]
        if kind is PinnedValue:
            pinned = [
                (v.key, (a, min(b, v.size)), v.version)
                for v, i in zip(values, indexes, strict=True)
                for a, b in items[i][1]
            ]
            datas = iter(store.get_pinned(pinned))
        else:
            requests = [
                (v.key, (a, max(0, min(b, v.size) - a)))
                for v, i in zip(values, indexes, strict=True)
                for a, b in items[i][1]
            ]
            datas = iter(store.get_many(requests))
        for i in indexes:
            results[i] = [b"" if (d := next(datas)) is None else d for _ in items[i][1]]
    return results


def held_values(
    requests: Sequence[tuple[str, ByteRange]], lookup: Callable[[str], bytes | None]
) -> list[tuple[StoredValue, bytes | memoryview] | None]:
    """``open_values`` for a store whose values are in memory and replaced, never changed
    in place: each value found by ``lookup`` is held as it is (that version), with the
    requested range of it.

    Example:
        >>> [(value, first)] = held_values([("k", (0, 2))], {"k": b"abcd"}.get)
        >>> value.size, bytes(first)
        (4, b'ab')
    """
    opened: list[tuple[StoredValue, bytes | memoryview] | None] = []
    for key, byte_range in requests:
        value = lookup(key)
        opened.append(
            None if value is None else (BytesValue(value), slice_byte_range(value, byte_range))
        )
    return opened
