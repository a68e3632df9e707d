"""zarr-python's ``zarr.storage``: store classes, :class:`StorePath` and :func:`make_store_path`.

The store classes are simplezarr's own (:mod:`simplezarr.stores`) under the names
zarr-python uses: ``LocalStore``, ``MemoryStore``, ``ZipStore``, ``LoggingStore``,
``FsspecStore`` (alias ``RemoteStore``) and ``ObjectStore`` (the last ones imported when first
asked for, as they need optional dependencies). Everything here is synchronous: ``StorePath.get`` returns bytes, not an
awaitable.

A "store-like" is what every API function accepts as ``store``: a store, a
:class:`StorePath`, a ``str`` or :class:`pathlib.Path` (a local directory), a URL such as
``"s3://bucket/x.zarr"`` (with ``storage_options``), a ``dict`` (its keys and bytes become
the store's content; the dict itself is kept up to date, as zarr-python's MemoryStore does)
or ``None`` (a new in-memory store).

Example:
    >>> sp = make_store_path({}, path="a/b", mode="w")
    >>> sp.path, type(sp.store).__name__
    ('a/b', 'DictStore')
    >>> (sp / "c").set(b"x"); sp.store.get("a/b/c")
    b'x'
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any, Literal, TypeAlias

from simplezarr.errors import (
    ContainsNode,
    InvalidArgument,
    InvalidKey,
    NodeNotFoundError,
    ReadOnlyNodeError,
    UnsupportedStoreError,
)
from simplezarr.stores import (
    BaseStore,
    ByteRange,
    ListableStore,
    LocalStore,
    MemoryStore,
    ReadableStore,
    WrapperStore,
    WritableStore,
    validate_key,
)
from simplezarr.stores.base import slice_byte_range, to_bytes

__all__ = [
    "DictStore",
    "LocalStore",
    "MemoryStore",
    "ReadOnlyView",
    "StoreLike",
    "StorePath",
    "join_path",
    "make_store",
    "make_store_path",
    "normalize_path",
]

AccessMode = Literal["r", "r+", "a", "w", "w-"]
ACCESS_MODES: tuple[str, ...] = ("r", "r+", "a", "w", "w-")

#: Store classes that live in optional modules of :mod:`simplezarr.stores`, by the name
#: zarr-python gives them: (module, class names tried in order).
_OPTIONAL_STORES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ZipStore": ("simplezarr.stores.zip", ("ZipStore",)),
    "LoggingStore": ("simplezarr.stores.logging_store", ("LoggingStore",)),
    "FsspecStore": ("simplezarr.stores.fsspec_store", ("FsspecStore",)),
    "RemoteStore": ("simplezarr.stores.fsspec_store", ("RemoteStore", "FsspecStore")),
    "ObjectStore": ("simplezarr.stores.obstore_store", ("ObjectStore", "ObstoreStore")),
}


def __getattr__(name: str) -> Any:
    """``simplezarr.storage.ZipStore`` and friends, imported when first used."""
    if name not in _OPTIONAL_STORES:
        raise AttributeError(f"module 'simplezarr.storage' has no attribute {name!r}")
    module_name, candidates = _OPTIONAL_STORES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise AttributeError(
            f"simplezarr.storage.{name} is not available: {module_name} could not be imported ({e})"
        ) from e
    for candidate in candidates:
        if hasattr(module, candidate):
            return getattr(module, candidate)
    raise AttributeError(f"simplezarr.storage.{name} is not available: {module_name} has none")


def normalize_path(path: str | None) -> str:
    """A node path without surrounding slashes, checked as a store key (InvalidKey for
    ``..``, empty segments and the like, which could leave the store's root).

    Example:
        >>> normalize_path("/a/b/"), normalize_path(None)
        ('a/b', '')
    """
    if path is None:
        return ""
    if isinstance(path, Path):
        path = path.as_posix()
    if not isinstance(path, str):
        raise InvalidKey(f"node paths are strings, got {path!r} ({type(path).__name__})")
    out = path.strip("/")
    if out:
        validate_key(out)  # no empty, '.' or '..' segments, backslashes, control characters
    return out


def join_path(parent: str, name: str | None) -> str:
    """The node path ``name`` (normalized as :func:`normalize_path`) below ``parent`` (used
    as it is: already a node path, or a local root for URLs).

    Example:
        >>> join_path("a", "/b/c/"), join_path("", "b"), join_path("a", "")
        ('a/b/c', 'b', 'a')
    """
    name = normalize_path(name)
    return f"{parent}/{name}" if parent and name else parent or name


# --------------------------------------------------------------------------- stores


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

    @staticmethod
    def _bytes(value: Any, key: str) -> bytes:
        if hasattr(value, "to_bytes") and not isinstance(value, (bytes, bytearray, memoryview)):
            value = value.to_bytes()  # zarr-python's Buffer
        return to_bytes(value, key)

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self._mapping.get(key)
        return None if value is None else slice_byte_range(self._bytes(value, key), byte_range)

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


class ReadOnlyView(WrapperStore):
    """A read-only view of a writable store (what mode ``"r"`` makes of a writable store).

    Example:
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


def _read_only_copy(store: BaseStore) -> BaseStore:
    if isinstance(store, LocalStore):
        return LocalStore(store.root, read_only=True)
    if isinstance(store, DictStore):
        return DictStore(store.mapping, read_only=True)
    with_read_only = getattr(store, "with_read_only", None)
    if callable(with_read_only):
        return with_read_only(True)
    return ReadOnlyView(store)


def _is_url(value: str) -> bool:
    return "://" in value or ("::" in value and "local://" not in value)


def _from_url(
    url: str | os.PathLike[str], storage_options: dict[str, Any] | None, read_only: bool
) -> BaseStore:
    """The store for a URL or a local path: always :func:`simplezarr.stores.from_url`, so the
    top-level API and ``from_url`` agree (``file://`` URLs, percent-encoding, ``~``, ``.zip``
    archives, storage_options)."""
    try:
        from simplezarr import stores

        from_url = stores.from_url
    except AttributeError:
        if not (isinstance(url, str) and _is_url(url)):
            return LocalStore(url, read_only=read_only)
        raise UnsupportedStoreError(
            f"cannot open {url!r}: remote URLs need simplezarr's remote stores "
            "(simplezarr.stores.from_url), which are not available in this installation; "
            "pass a local path or a store object"
        ) from None
    return from_url(url, storage_options=storage_options, read_only=read_only)


StoreLike: TypeAlias = "BaseStore | StorePath | Path | str | dict[str, Any] | None"


def make_store(
    store_like: Any,
    *,
    mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> BaseStore:
    """The store a store-like names (see the module docstring), opened for ``mode``.

    Mode ``"r"`` makes a new local, dict or URL store read-only; a store object is
    returned as it is.

    Example:
        >>> make_store(None)
        MemoryStore(<0 keys, 0 bytes>)
    """
    _check_mode(mode)
    is_url = isinstance(store_like, str) and _is_url(store_like)
    if storage_options is not None and not is_url:
        raise UnsupportedStoreError(
            "storage_options were given but are only used when the store is a URL string "
            + (
                f"(got the local path {os.fspath(store_like)!r})"
                if isinstance(store_like, (str, os.PathLike))
                else f"(got a {type(store_like).__name__})"
            )
        )
    read_only = mode == "r"
    if isinstance(store_like, StorePath):
        return store_like.store
    if isinstance(store_like, BaseStore):
        return store_like
    if store_like is None:
        return MemoryStore(read_only=read_only)
    if isinstance(store_like, dict):
        return DictStore(store_like, read_only=read_only)
    if isinstance(store_like, str) and is_url:
        return _from_url(store_like, storage_options, read_only)
    if isinstance(store_like, (str, os.PathLike)):
        path = os.fspath(store_like)
        if read_only and not os.path.exists(os.path.expanduser(path)):
            raise NodeNotFoundError(f"{path} does not exist (mode 'r' opens existing data)")
        return _from_url(path, None, read_only)
    raise UnsupportedStoreError(
        f"unsupported store: {type(store_like).__name__}; pass a path, a URL, a dict, a "
        "store or a StorePath"
    )


def _check_mode(mode: str | None) -> None:
    if mode is not None and mode not in ACCESS_MODES:
        raise InvalidArgument(f"mode must be one of {list(ACCESS_MODES)}, got {mode!r}")


class StorePath:
    """A store and a path inside it: where a node lives.

    ``StorePath(store, "a") / "b"`` is the path ``a/b`` in the same store.

    Example:
        >>> sp = StorePath(MemoryStore(), "g")
        >>> (sp / "zarr.json").set(b"{}")
        >>> (sp / "zarr.json").get(), sp.is_empty(), str(sp / "x")
        (b'{}', False, 'memory://g/x')
    """

    def __init__(self, store: BaseStore, path: str = "") -> None:
        if not isinstance(store, BaseStore):
            raise UnsupportedStoreError(
                f"StorePath needs a store, got {type(store).__name__}; use make_store_path "
                "for paths, URLs and dicts"
            )
        self.store = store
        self.path = normalize_path(path)

    @property
    def read_only(self) -> bool:
        return bool(self.store.read_only)

    @classmethod
    def open(cls, store: BaseStore, path: str, mode: str | None = None) -> StorePath:
        """A StorePath opened for ``mode``: ``"w-"`` fails when something is stored under the
        path, ``"w"`` deletes what is there, ``"r"`` on a writable store gives a read-only
        view; a read-only store accepts only ``"r"``."""
        _check_mode(mode)
        if mode is None:
            return cls(store, path)
        if store.read_only and mode != "r":
            raise ReadOnlyNodeError(
                f"the store {store!r} is read-only but mode is {mode!r}; open it with mode 'r' "
                "or use a writable store"
            )
        if mode == "r" and not store.read_only:
            store = _read_only_copy(store)
        self = cls(store, path)
        if mode == "w-" and not self.is_empty():
            raise ContainsNode(
                f"cannot create {self.path or '/'!r} with mode 'w-' because it already contains "
                "data; use mode 'w' to overwrite or 'a' to append"
            )
        if mode == "w":
            self.delete_dir()
        return self

    def _key(self) -> str:
        if not self.path:
            raise InvalidArgument("the root of a store is not a key; use a path below it")
        return self.path

    def get(self, byte_range: ByteRange = None) -> bytes | None:
        """The bytes stored at this path (None when missing)."""
        return self.store.get(self._key(), byte_range)  # type: ignore[attr-defined]

    def set(self, value: bytes) -> None:
        """Store ``value`` at this path."""
        self.store.set(self._key(), value)  # type: ignore[attr-defined]

    def delete(self) -> None:
        """Delete the key at this path (a missing key is fine)."""
        self.store.delete(self._key())  # type: ignore[attr-defined]

    def delete_dir(self) -> None:
        """Delete every key under this path (and the key at the path itself)."""
        if self.store.read_only:
            raise ReadOnlyNodeError(f"cannot delete {self.path or '/'!r}: the store is read-only")
        if not self.path:
            self.store.clear()  # type: ignore[attr-defined]
            return
        self.store.erase_prefix(self.path + "/")  # type: ignore[attr-defined]
        self.store.delete(self.path)  # type: ignore[attr-defined]

    def set_if_not_exists(self, default: bytes) -> None:
        """Store ``default`` unless a value is already there."""
        if not self.exists():
            self.set(default)

    def exists(self) -> bool:
        """True when a key is stored at this path."""
        return bool(self.path) and bool(self.store.exists(self.path))  # type: ignore[attr-defined]

    def is_empty(self) -> bool:
        """True when nothing is stored under this path."""
        if not isinstance(self.store, ListableStore):
            return not self.exists()
        prefix = self.path + "/" if self.path else ""
        return bool(self.store.is_empty(prefix)) and not self.exists()

    def __truediv__(self, other: str) -> StorePath:
        return StorePath(self.store, join_path(self.path, other))

    def __str__(self) -> str:
        store = self.store
        if isinstance(store, ReadOnlyView):
            store = store.store
        if isinstance(store, LocalStore):
            base = store.root.as_posix()
            return f"file://{join_path(base, self.path)}"
        return (
            f"memory://{self.path}"
            if isinstance(store, (MemoryStore, DictStore))
            else (f"{store!r}/{self.path}")
        )

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, {str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StorePath):
            return NotImplemented
        return bool(self.store == other.store) and self.path == other.path

    __hash__ = None  # type: ignore[assignment]


def make_store_path(
    store_like: Any,
    *,
    path: str | None = "",
    mode: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> StorePath:
    """Turn a store-like into a :class:`StorePath`, opened for ``mode`` (see
    :meth:`StorePath.open`). Synchronous (zarr-python's is a coroutine).

    Example:
        >>> sp = make_store_path(StorePath(MemoryStore(), "a"), path="b")
        >>> sp.path
        'a/b'
    """
    path_n = normalize_path(path)
    if isinstance(store_like, StorePath):
        if storage_options:
            raise UnsupportedStoreError(
                "storage_options were given but are only used when the store is a URL string"
            )
        return store_like / path_n  # as zarr-python: the mode applies to new stores only
    store = make_store(store_like, mode=mode, storage_options=storage_options)
    return StorePath.open(store, path_n, mode=mode)
