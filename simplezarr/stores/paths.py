"""Node paths in a store: :func:`normalize_path`, :func:`join_path` and :class:`StorePath`
(a store and a path inside it, opened for an access mode).

A node path has no surrounding slashes and is checked as a store key, so no path can leave
the store's root.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> sp = StorePath(MemoryStore(), "/a/b/")
    >>> sp.path, (sp / "c").path
    ('a/b', 'a/b/c')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from simplezarr.errors import (
    ContainsNode,
    InvalidArgument,
    InvalidKey,
    ReadOnlyNodeError,
    UnsupportedStoreError,
)
from simplezarr.stores.base import BaseStore, ByteRange, ListableStore
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import LocalStore
from simplezarr.stores.memory import MemoryStore
from simplezarr.stores.wrappers import ReadOnlyView

__all__ = ["ACCESS_MODES", "AccessMode", "StorePath", "check_mode", "join_path", "normalize_path"]

AccessMode = Literal["r", "r+", "a", "w", "w-"]
ACCESS_MODES: tuple[str, ...] = ("r", "r+", "a", "w", "w-")


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


def _read_only_copy(store: BaseStore) -> BaseStore:
    if isinstance(store, LocalStore):
        return LocalStore(store.root, read_only=True)
    if isinstance(store, MemoryStore):
        return store.with_read_only(True)  # the same dict
    return ReadOnlyView(store)


def check_mode(mode: str | None) -> None:
    if mode is not None and mode not in ACCESS_MODES:
        raise InvalidArgument(f"mode must be one of {list(ACCESS_MODES)}, got {mode!r}")


class StorePath:
    """A store and a path inside it: where a node lives.

    ``StorePath(store, "a") / "b"`` is the path ``a/b`` in the same store.

    Example:
        >>> from simplezarr.stores import MemoryStore
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
        check_mode(mode)
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
            if isinstance(store, MemoryStore)
            else (f"{store!r}/{self.path}")
        )

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, {str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StorePath):
            return NotImplemented
        return bool(self.store == other.store) and self.path == other.path

    __hash__ = None  # type: ignore[assignment]
