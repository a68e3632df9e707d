"""The store interfaces: read, write and list, as three separate capabilities.

A store is a mapping from keys (see :mod:`simplezarr.stores.keys`) to bytes. A concrete store
inherits the capabilities it has and implements a few small primitives (``_get``, ``_set``,
``_delete``, ``_list``, ...). The public methods live here, once: they validate keys, byte
ranges and values, enforce ``read_only``, sort listings, and then call the primitives. So a
primitive only ever sees a legal key, a checked byte range and ``bytes``.

Byte ranges (:data:`ByteRange`) are ``None`` for the whole value or ``(start, length)``:

- ``start >= 0`` and ``length`` an int ``>= 0``: ``length`` bytes from ``start``;
- ``start >= 0`` and ``length is None``: from ``start`` to the end;
- ``start < 0`` and ``length is None``: the last ``-start`` bytes (a suffix).

Ranges past the end are clipped like Python slicing. Any other form raises
:class:`~simplezarr.errors.SelectionError`.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> store.set("a/b", b"0123456789")
    >>> store.get("a/b", (2, 3)), store.get("a/b", (-2, None)), store.get("nope")
    (b'234', b'89', None)
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Self, TypeAlias

from simplezarr.errors import ReadOnlyError, SelectionError, StoreError
from simplezarr.stores.keys import validate_key, validate_prefix

__all__ = [
    "BaseStore",
    "ByteRange",
    "BytesLike",
    "BytesValue",
    "ListableStore",
    "ReadableStore",
    "RereadValue",
    "StoredValue",
    "WritableStore",
    "check_byte_range",
    "read_values",
    "slice_byte_range",
    "to_bytes",
]

#: ``None`` (the whole value) or ``(start, length)``; see the module docstring.
ByteRange: TypeAlias = tuple[int, int | None] | None

#: Anything with the buffer protocol and C-contiguous memory: bytes, bytearray, memoryview,
#: numpy arrays, ...
BytesLike: TypeAlias = Any


def _as_int(value: object) -> int | None:
    """``value`` as an int if it is an integer (numpy integers too, bools not), else None."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def check_byte_range(byte_range: object) -> ByteRange:
    """Return ``byte_range`` as a checked ``(start, length)`` tuple of ints, or None.

    Raises :class:`SelectionError` for anything that is not a :data:`ByteRange`.

    Example:
        >>> check_byte_range([4, None]), check_byte_range((-8, None))
        ((4, None), (-8, None))
    """
    if byte_range is None:
        return None
    if not isinstance(byte_range, tuple | list) or len(byte_range) != 2:
        raise SelectionError(f"byte range {byte_range!r} must be None or a (start, length) pair")
    start = _as_int(byte_range[0])
    if start is None:
        raise SelectionError(f"byte range {byte_range!r}: start must be an int")
    if byte_range[1] is None:
        return (start, None)
    length = _as_int(byte_range[1])
    if length is None:
        raise SelectionError(f"byte range {byte_range!r}: length must be an int or None")
    if length < 0:
        raise SelectionError(f"byte range {byte_range!r}: length must be >= 0 or None")
    if start < 0:
        raise SelectionError(
            f"byte range {byte_range!r}: a suffix range (negative start) takes no length; "
            f"use ({start}, None)"
        )
    return (start, length)


def slice_byte_range(data: bytes, byte_range: ByteRange) -> bytes:
    """The part of ``data`` a *checked* byte range selects, clipped like slicing.

    Example:
        >>> slice_byte_range(b"abcdef", (4, 10)), slice_byte_range(b"abcdef", (-10, None))
        (b'ef', b'abcdef')
    """
    if byte_range is None:
        return data
    start, length = byte_range
    if length is None:
        return data[start:]
    return data[start : start + length]


def byte_range_bounds(size: int, byte_range: ByteRange) -> tuple[int, int]:
    """The ``(start, stop)`` offsets a *checked* byte range selects in a value of ``size``
    bytes, clipped like slicing (a suffix longer than the value starts at 0).

    Example:
        >>> byte_range_bounds(6, (4, 10)), byte_range_bounds(6, (-2, None)), byte_range_bounds(6, None)
        ((4, 6), (4, 6), (0, 6))
    """
    if byte_range is None:
        return 0, size
    start, length = byte_range
    start = max(size + start, 0) if start < 0 else min(start, size)
    return start, size if length is None else min(start + length, size)


def as_buffer(value: BytesLike, key: str) -> memoryview | bytes:
    """``value`` as a flat, C-contiguous byte buffer, without copying.

    Example:
        >>> import numpy as np
        >>> bytes(as_buffer(np.array([1, 2], dtype="<u2"), "k"))
        b'\\x01\\x00\\x02\\x00'
    """
    if type(value) is bytes:
        return value
    try:
        view = memoryview(value)
    except TypeError as e:
        raise TypeError(
            f"the value for key {key!r} must be bytes-like (bytes, bytearray, memoryview, "
            f"a numpy array), not {type(value).__name__}"
        ) from e
    if not view.c_contiguous:
        raise TypeError(
            f"the value for key {key!r} is not C-contiguous; "
            "pass numpy.ascontiguousarray(value) or bytes"
        )
    return view.cast("B") if view.ndim != 1 or view.format != "B" else view


def to_bytes(value: BytesLike, key: str) -> bytes:
    """The bytes of a bytes-like ``value`` (a copy unless it already is ``bytes``).

    Example:
        >>> import numpy as np
        >>> to_bytes(np.array([1, 2], dtype="<u2"), "k")
        b'\\x01\\x00\\x02\\x00'
    """
    buffer = as_buffer(value, key)
    return buffer if type(buffer) is bytes else bytes(buffer)


class StoredValue:
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

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        """The bytes of each ``(start, stop)`` range of this version of the value."""
        raise NotImplementedError(f"{type(self).__name__} must implement read")

    def close(self) -> None:
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
    by_store: dict[int, list[int]] = {}
    for i, (value, _) in enumerate(items):
        if type(value) is RereadValue:
            by_store.setdefault(id(value.store), []).append(i)
        else:
            results[i] = value.read(items[i][1])
    for indexes in by_store.values():
        store = items[indexes[0]][0].store  # type: ignore[attr-defined]
        requests = [
            (items[i][0].key, (a, max(0, min(b, items[i][0].size) - a)))  # type: ignore[attr-defined]
            for i in indexes
            for a, b in items[i][1]
        ]
        datas = iter(store.get_many(requests))
        for i in indexes:
            results[i] = [b"" if (d := next(datas)) is None else d for _ in items[i][1]]
    return results


class BaseStore:
    """What every store has: a ``read_only`` flag and a readable ``repr``.

    Stores are built from the capabilities :class:`ReadableStore`, :class:`WritableStore`
    and :class:`ListableStore`; check for one with ``isinstance``.

    Example:
        >>> from simplezarr.stores import MemoryStore, ListableStore
        >>> isinstance(MemoryStore(), ListableStore)
        True
    """

    def __init__(self, *, read_only: bool = False) -> None:
        self._read_only = bool(read_only)

    @property
    def read_only(self) -> bool:
        """True if writes raise :class:`ReadOnlyError` (always, for a store that cannot write)."""
        return self._read_only or not isinstance(self, WritableStore)

    def _validate_key(self, key: object) -> str:
        """Check a key; stores with extra restrictions (LocalStore) extend this."""
        return validate_key(key)

    def _validate_prefix(self, prefix: object) -> str:
        """Check a prefix: ``""`` or a key this store accepts followed by ``/``."""
        prefix = validate_prefix(prefix)
        if prefix:
            self._validate_key(prefix[:-1])
        return prefix

    def close(self) -> None:
        """Release what the store holds (files, connections); a no-op for most stores.

        :class:`ZipStore` writes its archive's directory here; wrappers close the store they
        wrap. Every store is also a context manager that closes it on exit.
        """

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(read_only={self.read_only})"


class ReadableStore(BaseStore):
    """A store that can read keys.

    Subclasses implement ``_get(key, byte_range)`` (the range is checked and may be
    ``None``) and may override ``_getsize``, ``_exists`` and ``_get_many`` when they can do
    better than the defaults, which are all built on ``_get``.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore({"x": b"hello"})
        >>> store.get_many([("x", (1, 2)), ("y", None)])
        [b'el', None]
        >>> store.get_partial_values([("x", -3, None)])
        [b'llo']
    """

    #: How many requests the engine puts in one ``get_many`` call: enough for a remote store
    #: to overlap their latency. 0: no latency to hide (local disk, memory), so the engine
    #: sizes its batches by memory alone.
    read_batch_size: int = 64

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        """The value of ``key`` (or the part ``byte_range`` selects), or None if missing.

        A failure to read (as opposed to a missing key) raises :class:`StoreError`.
        """
        return self._get(self._validate_key(key), check_byte_range(byte_range))

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        """Read a batch of ``(key, byte_range)`` requests; one result per request, in order.

        This is the call the engine uses, so a store that can serve many requests
        concurrently (a remote store) should override ``_get_many``.
        """
        checked = [(self._validate_key(k), check_byte_range(r)) for k, r in requests]
        return self._get_many(checked)

    def open_values(
        self, requests: Sequence[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        """Open a batch of values for several reads each: for every ``(key, byte_range)``,
        None when the key is missing, else the opened :class:`StoredValue` (which knows the
        value's size) and the bytes ``byte_range`` selects, read with the opening.

        Later reads through a value see the same version as the first (on a store that can
        pin one: memory, local files), so the shard index read first and the inner chunks
        read after it cannot come from two versions of a shard being rewritten. The caller
        closes every value it got.
        """
        checked = [(self._validate_key(k), check_byte_range(r)) for k, r in requests]
        return self._open_values(checked)

    def get_partial_values(
        self, key_ranges: Iterable[tuple[str, int, int | None]]
    ) -> list[bytes | None]:
        """Read ``(key, range_start, range_length)`` triples; ``range_length`` None = to end.

        A negative ``range_start`` with ``range_length`` None reads a suffix.
        """
        return self.get_many([(key, (start, length)) for key, start, length in key_ranges])

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""
        return self._exists(self._validate_key(key))

    def getsize(self, key: str) -> int:
        """The size in bytes of the value of ``key``; FileNotFoundError if it is missing."""
        size = self._getsize(self._validate_key(key))
        if size is None:
            raise FileNotFoundError(f"key {key!r} not found in {self!r}")
        return size

    # -- primitives ---------------------------------------------------------------------

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        raise NotImplementedError(f"{type(self).__name__} must implement _get")

    def _get_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        return [self._get(key, byte_range) for key, byte_range in requests]

    def _getsize(self, key: str) -> int | None:
        value = self._get(key, None)
        return None if value is None else len(value)

    def _open_values(
        self, requests: list[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        # Without a way to pin a version: each later read goes by key again.
        opened: list[tuple[StoredValue, bytes | memoryview] | None] = []
        for (key, byte_range), data in zip(requests, self._get_many(requests), strict=True):
            if data is None:
                opened.append(None)
                continue
            size = len(data) if byte_range is None else self._getsize(key)
            opened.append(None if size is None else (RereadValue(self, key, size), data))
        return opened

    def _exists(self, key: str) -> bool:
        return self._getsize(key) is not None


class WritableStore(BaseStore):
    """A store that can write and delete keys.

    Subclasses implement ``_set(key, data)`` with ``data`` as ``bytes``, and ``_delete(key)``
    (deleting a missing key is not an error). A store that writes the value out at once and
    keeps no reference also overrides ``_set_buffer(key, data)``, which is given a flat byte
    ``memoryview`` of the caller's buffer and so saves a copy of every chunk written. Partial
    setting is done here by reading the value, patching it and
    setting it again (so it needs :class:`ReadableStore`); ``erase_prefix`` deletes the keys
    ``list_prefix`` finds (so it needs :class:`ListableStore`). Subclasses may override
    ``_erase_prefix`` when they can do better.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore()
        >>> store.set_many([("a/x", b"abc"), ("a/y", bytearray(b"12"))])
        >>> store.set_partial_values([("a/x", 1, b"Z"), ("a/y", 4, b"!")])
        >>> store.get("a/x"), store.get("a/y")
        (b'aZc', b'12\\x00\\x00!')
        >>> store.erase_prefix("a/")
        >>> store.list()
        []
    """

    def set(self, key: str, value: BytesLike) -> None:
        """Store ``value`` (any C-contiguous bytes-like object) under ``key``."""
        key = self._validate_key(key)
        self._check_writable(f"set key {key!r}")
        self._set_buffer(key, as_buffer(value, key))

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        """Store several ``(key, value)`` pairs."""
        for key, value in items:
            self.set(key, value)

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        key = self._validate_key(key)
        self._check_writable(f"delete key {key!r}")
        self._delete(key)

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        """Write each ``value`` into the value of ``key`` at byte offset ``start``.

        The value grows as needed (with zero bytes if ``start`` is past its end); a missing
        key starts out empty. Patches to one key are applied in the order given.
        """
        patches: dict[str, list[tuple[int, bytes]]] = {}
        for key, start, value in key_start_values:
            key = self._validate_key(key)
            self._check_writable(f"set partial values of key {key!r}")
            offset = _as_int(start)
            if offset is None or offset < 0:
                raise SelectionError(
                    f"set_partial_values: the start of key {key!r} must be an int >= 0, "
                    f"got {start!r}"
                )
            patches.setdefault(key, []).append((offset, to_bytes(value, key)))
        for key, key_patches in patches.items():
            self._patch(key, key_patches)

    def erase_values(self, keys: Iterable[str]) -> None:
        """Delete every key in ``keys``; missing keys are skipped."""
        for key in keys:
            self.delete(key)

    def erase_prefix(self, prefix: str) -> None:
        """Delete every key under ``prefix`` (``""`` erases everything; else it ends in '/')."""
        prefix = self._validate_prefix(prefix)
        self._check_writable(f"erase prefix {prefix!r}")
        self._erase_prefix(prefix)

    def clear(self) -> None:
        """Delete every key in the store."""
        self.erase_prefix("")

    def _check_writable(self, action: str) -> None:
        if self.read_only:
            raise ReadOnlyError(
                f"{self!r} is read-only: cannot {action}; open the store with read_only=False"
            )

    # -- primitives ---------------------------------------------------------------------

    def _set(self, key: str, data: bytes) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _set")

    def _set_buffer(self, key: str, data: bytes | memoryview) -> None:
        # By default the store gets bytes of its own, since it may keep them.
        self._set(key, data if type(data) is bytes else bytes(data))

    def _delete(self, key: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _delete")

    def _patch(self, key: str, patches: list[tuple[int, bytes]]) -> None:
        if not isinstance(self, ReadableStore):
            raise StoreError(f"{self!r} cannot read, so it cannot set partial values")
        data = bytearray(self._get(key, None) or b"")
        for start, value in patches:
            if start > len(data):
                data.extend(bytes(start - len(data)))
            data[start : start + len(value)] = value
        self._set(key, bytes(data))

    def _erase_prefix(self, prefix: str) -> None:
        if not isinstance(self, ListableStore):
            raise StoreError(f"{self!r} cannot list keys, so it cannot erase a prefix")
        for key in list(self._list_prefix(prefix)):
            self._delete(key)


class ListableStore(BaseStore):
    """A store that can list its keys.

    Subclasses implement ``_list()`` (all keys, any order); ``_list_prefix``, ``_list_dir``
    and ``_is_empty`` are derived from it here and can be overridden when a store can do
    better. Public results are sorted.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore({k: b"" for k in ["a/b", "a/c", "a/d/e", "a/f/g", "e/f"]})
        >>> store.list_prefix("a/")
        ['a/b', 'a/c', 'a/d/e', 'a/f/g']
        >>> store.list_dir("a/")
        ['a/b', 'a/c', 'a/d/', 'a/f/']
        >>> store.list_dir(""), store.list_dir("b/"), store.is_empty("e/")
        (['a/', 'e/'], [], False)
    """

    def list(self) -> list[str]:
        """All keys in the store, sorted."""
        return sorted(self._list())

    def list_prefix(self, prefix: str) -> builtins.list[str]:
        """All keys under ``prefix`` (recursively), sorted; ``prefix`` is '' or ends with '/'."""
        return sorted(self._list_prefix(self._validate_prefix(prefix)))

    def list_dir(self, prefix: str) -> builtins.list[str]:
        """The keys directly under ``prefix`` and its sub-prefixes (ending in '/'), sorted.

        Results are full keys from the root; a prefix holding no keys gives ``[]``.
        """
        return sorted(self._list_dir(self._validate_prefix(prefix)))

    def is_empty(self, prefix: str = "") -> bool:
        """True if no key lives under ``prefix`` (the whole store by default)."""
        return self._is_empty(self._validate_prefix(prefix))

    # -- primitives ---------------------------------------------------------------------

    def _list(self) -> Iterable[str]:
        raise NotImplementedError(f"{type(self).__name__} must implement _list")

    def _list_prefix(self, prefix: str) -> Iterable[str]:
        return [key for key in self._list() if key.startswith(prefix)]

    def _list_dir(self, prefix: str) -> Iterable[str]:
        children = set()
        for key in self._list_prefix(prefix):
            name, slash, _ = key[len(prefix) :].partition("/")
            children.add(prefix + name + slash)
        return children

    def _is_empty(self, prefix: str) -> bool:
        keys: Iterator[str] = iter(self._list_prefix(prefix))
        return next(keys, None) is None
