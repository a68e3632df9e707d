"""The store interfaces: read, write and list, as three separate capabilities.

A store is a mapping from keys (see :mod:`simplezarr.stores.keys`) to bytes. A concrete store
inherits the capabilities it has and implements a few small primitives (``_get``, ``_set``,
``_delete``, ``_list``, ...). The public methods live here, once: they validate keys, byte
ranges and values, enforce ``read_only``, sort listings, and then call the primitives. So a
primitive only ever sees a legal key, a checked byte range and ``bytes``.

Byte ranges are checked as :mod:`simplezarr.stores.byte_ranges` describes; values opened for
several reads are :mod:`simplezarr.stores.values`.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> store.set("a/b", b"0123456789")
    >>> store.get("a/b", (2, 3)), store.get("a/b", (-2, None)), store.get("nope")
    (b'234', b'89', None)
"""

from __future__ import annotations

import builtins
import contextlib
import warnings
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Self

from simplezarr import chunk_cache
from simplezarr.errors import (
    ReadOnlyError,
    SelectionError,
    StoreError,
    UnsafePartialWrite,
    UnsupportedStoreError,
)
from simplezarr.stores.byte_ranges import (
    ByteRange,
    BytesLike,
    as_buffer,
    as_int,
    byte_range_bounds,
    check_byte_range,
    slice_byte_range,
    to_bytes,
)
from simplezarr.stores.keys import validate_key, validate_prefix
from simplezarr.stores.values import BytesValue, RereadValue, StoredValue, held_values, read_values
from simplezarr.stores.zarr_abc import ZarrStoreInterface

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
    "as_buffer",
    "byte_range_bounds",
    "check_byte_range",
    "held_values",
    "listable",
    "read_values",
    "readable",
    "slice_byte_range",
    "to_bytes",
    "warn_partial_write_once",
    "writable",
]


_WARNED: set[str] = set()


def warn_partial_write_once(store: object) -> None:
    """Warn (once per store type) that partial writes through ``store`` are not safe across
    processes."""
    name = type(store).__name__
    if name in _WARNED:
        return
    _WARNED.add(name)
    warnings.warn(
        f"{name} has no lock shared between processes: a partial write (a read-modify-write "
        "of a chunk or shard) can lose a concurrent partial write of the same chunk from "
        "another process or machine; give each writer whole chunks (or shards) to be safe. "
        "See docs/guarantees.md.",
        UnsafePartialWrite,
        stacklevel=4,
    )


class BaseStore(ZarrStoreInterface):
    """What every store has: a ``read_only`` flag and a readable ``repr``.

    Stores are built from the capabilities :class:`ReadableStore`, :class:`WritableStore`
    and :class:`ListableStore`; check for one with ``isinstance``. Every store also offers
    zarr-python's ``zarr.abc.store.Store`` interface (:mod:`simplezarr.stores.zarr_abc`).

    Example:
        >>> from simplezarr.stores import MemoryStore, ListableStore
        >>> isinstance(MemoryStore(), ListableStore)
        True
    """

    #: Whether the engine may keep this store's decoded chunks in the decoded-chunk cache
    #: (:mod:`simplezarr.chunk_cache`, ``config.chunk_cache_bytes``): only when every change
    #: in this process goes through the store's own methods and its ``lock_scope`` names the
    #: location, so any store object on that location forgets what it changes.
    caches_chunks: bool = False

    def __init__(self, *, read_only: bool = False) -> None:
        self._read_only = bool(read_only)

    @property
    def read_only(self) -> bool:
        """True if writes raise :class:`ReadOnlyError` (always, for a store that cannot write)."""
        return self._read_only or not isinstance(self, WritableStore)

    @property
    def lock_scope(self) -> Hashable:
        """Where this store's values live, for the per-key write locks of
        :func:`simplezarr.concurrency.key_locks`: two store objects with one scope share
        their locks, so threads that open the same location separately never lose each
        other's updates. By default the store object itself; a LocalStore's is its resolved
        root, a MemoryStore's its dict, a wrapper's that of the store it wraps.

        Example:
            >>> from simplezarr.stores import LocalStore
            >>> LocalStore("/tmp/x.zarr").lock_scope == LocalStore("/tmp/./x.zarr").lock_scope
            True
        """
        return ("object", id(self))

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
            opened.append(None if size is None else (self._reread_value(key, size), data))
        return opened

    def _reread_value(self, key: str, size: int) -> StoredValue:
        """The opened value of a store that cannot pin a version: read again by key (a
        store with a faster way to read ranges of it returns its own value)."""
        return RereadValue(self, key, size)

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

    supports_writes = True
    supports_deletes = True

    def set(self, key: str, value: BytesLike) -> None:
        """Store ``value`` (any C-contiguous bytes-like object) under ``key``."""
        key = self._validate_key(key)
        self._check_writable(f"set key {key!r}")
        try:
            self._set_buffer(key, as_buffer(value, key))
        finally:  # even a failed write may have changed the value
            chunk_cache.forget(self.lock_scope, key)

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        """Store several ``(key, value)`` pairs."""
        for key, value in items:
            self.set(key, value)

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        key = self._validate_key(key)
        self._check_writable(f"delete key {key!r}")
        try:
            self._delete(key)
        finally:
            chunk_cache.forget(self.lock_scope, key)

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        """Write each ``value`` into the value of ``key`` at byte offset ``start``.

        The value grows as needed (with zero bytes if ``start`` is past its end); a missing
        key starts out empty. Patches to one key are applied in the order given.
        """
        patches: dict[str, list[tuple[int, bytes]]] = {}
        for key, start, value in key_start_values:
            key = self._validate_key(key)
            self._check_writable(f"set partial values of key {key!r}")
            offset = as_int(start)
            if offset is None or offset < 0:
                raise SelectionError(
                    f"set_partial_values: the start of key {key!r} must be an int >= 0, "
                    f"got {start!r}"
                )
            patches.setdefault(key, []).append((offset, to_bytes(value, key)))
        for key, key_patches in patches.items():
            try:
                self._patch(key, key_patches)
            finally:
                chunk_cache.forget(self.lock_scope, key)

    def erase_values(self, keys: Iterable[str]) -> None:
        """Delete every key in ``keys``; missing keys are skipped."""
        for key in keys:
            self.delete(key)

    def erase_prefix(self, prefix: str) -> None:
        """Delete every key under ``prefix`` (``""`` erases everything; else it ends in '/')."""
        prefix = self._validate_prefix(prefix)
        self._check_writable(f"erase prefix {prefix!r}")
        try:
            self._erase_prefix(prefix)
        finally:
            chunk_cache.forget_prefix(self.lock_scope, prefix)

    def clear(self) -> None:
        """Delete every key in the store."""
        self.erase_prefix("")

    def partial_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """A lock held around a partial write's read-modify-write of ``keys`` that keeps out
        writers in *other processes* (threads of one process are kept apart by
        :func:`simplezarr.concurrency.key_locks`, held first).

        The default does nothing: a store whose values no other process can reach (memory)
        needs nothing. LocalStore takes byte-range locks on a hidden lock file; a remote
        store, which has no such mechanism, warns once (see ``docs/guarantees.md``).

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> with MemoryStore().partial_write_lock(["c/0"]):
            ...     pass
        """
        return contextlib.nullcontext()

    def whole_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """A lock held around a whole write of ``keys`` (one that reads nothing first), so
        it cannot land between another process's read and write of a partial write and be
        undone by it. The default does nothing; LocalStore takes the same byte-range locks
        as :meth:`partial_write_lock` once a partial write has created its lock file.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> with MemoryStore().whole_write_lock(["c/0"]):
            ...     pass
        """
        return contextlib.nullcontext()

    def _check_writable(self, action: str = "write") -> None:
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

    supports_listing = True

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

    def list_dir_candidates(self, prefix: str) -> builtins.list[str]:
        """:meth:`list_dir`, except that a sub-prefix may be listed although it holds no
        keys (an empty directory of a file system), sorted.

        What finding a group's members needs: each listed child's documents are read
        anyway, and one with none is no member. A store where telling an empty directory
        apart costs requests (fsspec's HTTP and local file systems: a listing per
        directory) answers with its one listing; the others give :meth:`list_dir`.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> MemoryStore({"a/zarr.json": b"", "b": b""}).list_dir_candidates("")
            ['a/', 'b']
        """
        return sorted(self._list_dir_candidates(self._validate_prefix(prefix)))

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

    def _list_dir_candidates(self, prefix: str) -> Iterable[str]:
        return self._list_dir(prefix)

    def _is_empty(self, prefix: str) -> bool:
        keys: Iterator[str] = iter(self._list_prefix(prefix))
        return next(keys, None) is None


# --------------------------------------------------------------------------- capabilities


def readable(store: BaseStore, action: str) -> ReadableStore:
    """``store`` as a :class:`ReadableStore`, or UnsupportedStoreError naming ``action``.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> readable(MemoryStore(), "open a node") is not None
        True
    """
    if not isinstance(store, ReadableStore):
        raise UnsupportedStoreError(f"{store!r} cannot read keys, which {action} needs")
    return store


def writable(store: BaseStore, action: str) -> WritableStore:
    """``store`` as a :class:`WritableStore`, or ReadOnlyError naming ``action``."""
    if not isinstance(store, WritableStore):
        raise ReadOnlyError(f"{store!r} cannot write keys, which {action} needs")
    return store


def listable(store: BaseStore, action: str) -> ListableStore:
    """``store`` as a :class:`ListableStore`, or UnsupportedStoreError naming ``action``.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> listable(MemoryStore(), "list a group").list_dir("")
        []
    """
    if not isinstance(store, ListableStore):
        raise UnsupportedStoreError(f"{store!r} cannot list keys, which {action} needs")
    return store
