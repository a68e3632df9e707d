"""ManagedMemoryStore: a MemoryStore over a named dict that the process can find again by its
``memory://name`` URL (zarr-python 3.4's ``zarr.storage.ManagedMemoryStore``).

The dicts live in a process-wide registry that holds them weakly: a dict stays findable while
some store uses it, and is freed with the last one. ``path`` puts every key below a prefix.

Example:
    >>> a = ManagedMemoryStore(name="doc-example")
    >>> a.set("x/zarr.json", b"{}")
    >>> b = ManagedMemoryStore.from_url("memory://doc-example/x")
    >>> str(b), b.get("zarr.json"), b.store_dict is a.store_dict
    ('memory://doc-example/x', b'{}', True)
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from simplezarr.stores.memory import MemoryStore
from simplezarr.stores.paths import normalize_path

__all__ = ["ManagedMemoryStore"]


class _NamedDict(dict[str, Any]):
    """A dict the registry can hold weakly."""

    __slots__ = ("__weakref__",)


class _Registry:
    def __init__(self) -> None:
        self._dicts: weakref.WeakValueDictionary[str, _NamedDict] = weakref.WeakValueDictionary()
        self._names = itertools.count()
        self._lock = threading.Lock()

    def get_or_create(self, name: str | None) -> tuple[_NamedDict, str]:
        with self._lock:
            if name is None:
                name = str(next(self._names))
                while name in self._dicts:
                    name = str(next(self._names))
            elif "/" in name:
                raise ValueError(
                    f"Store name cannot contain '/': {name!r}. "
                    "Use the 'path' parameter to specify a path within the store."
                )
            found = self._dicts.get(name)
            if found is None:
                found = self._dicts[name] = _NamedDict()
            return found, name

    def get(self, name: str) -> _NamedDict | None:
        with self._lock:
            return self._dicts.get(name)


_REGISTRY = _Registry()


def _reconnect(name: str, path: str, read_only: bool, pid: int) -> ManagedMemoryStore:
    if pid != os.getpid():
        raise RuntimeError(
            f"ManagedMemoryStore {name!r} was created in process {pid} and cannot be "
            f"unpickled in process {os.getpid()}: its dict lives in one process's memory. "
            "Use a persistent store (LocalStore, ZipStore) to share data between processes."
        )
    return ManagedMemoryStore(name, path=path, read_only=read_only)


class ManagedMemoryStore(MemoryStore):
    """A :class:`MemoryStore` over the registry's dict called ``name`` (a new name when
    None; the existing dict when one has that name), with keys below ``path``.

    Example:
        >>> s = ManagedMemoryStore(path="sub")
        >>> s.set("k", b"1")
        >>> s.list(), list(s.store_dict)
        (['k'], ['sub/k'])
    """

    def __init__(self, name: str | None = None, *, path: str = "", read_only: bool = False) -> None:
        store_dict, self._name = _REGISTRY.get_or_create(name)
        super().__init__(store_dict, read_only=read_only)
        self.path = normalize_path(path)
        self._prefix = self.path + "/" if self.path else ""

    @property
    def name(self) -> str:
        """The store's name, the host part of its ``memory://`` URL."""
        return self._name

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> ManagedMemoryStore:
        """The store of ``memory://name[/path]``, over that name's dict (ValueError if no
        store has that name, or it was garbage collected)."""
        parsed = urlparse(url)
        if parsed.scheme != "memory":
            raise ValueError(
                f"Expected a 'memory://' URL, got scheme {parsed.scheme!r} in '{url}'."
            )
        name = parsed.netloc
        if _REGISTRY.get(name) is None:
            raise ValueError(
                f"Memory store not found for URL '{url}'. The store may have been garbage collected."
            )
        return cls(name, path=parsed.path.lstrip("/"), read_only=read_only)

    # Every primitive works on the key below ``path``.

    def _value(self, key: str) -> bytes | None:
        return super()._value(self._prefix + key)

    def _getsize(self, key: str) -> int | None:
        return super()._getsize(self._prefix + key)

    def _exists(self, key: str) -> bool:
        return super()._exists(self._prefix + key)

    def _set(self, key: str, data: bytes) -> None:
        super()._set(self._prefix + key, data)

    def _delete(self, key: str) -> None:
        super()._delete(self._prefix + key)

    def _erase_prefix(self, prefix: str) -> None:
        with self._lock:
            full = self._prefix + prefix
            for key in [k for k in list(self._data) if k.startswith(full)]:
                self._data.pop(key, None)

    def _list(self) -> Iterable[str]:
        n = len(self._prefix)
        return [k[n:] for k in super()._list() if k.startswith(self._prefix)]

    def _is_empty(self, prefix: str) -> bool:
        return not any(key.startswith(prefix) for key in self._list())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ManagedMemoryStore):
            return NotImplemented
        return (
            self._data is other._data
            and self.path == other.path
            and self.read_only == other.read_only
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # The store's identity, not its data: unpickled in this process it is the same dict.
        return (_reconnect, (self._name, self.path, self._read_only, os.getpid()))

    def __str__(self) -> str:
        return f"memory://{self._name}" + (f"/{self.path}" if self.path else "")

    def __repr__(self) -> str:
        return f"ManagedMemoryStore('{self}')"
