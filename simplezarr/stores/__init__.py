"""Stores: where Zarr keys and their bytes live.

A store maps ``/``-separated keys to bytes. The capabilities are separate classes:
:class:`ReadableStore` (``get``, ``get_many``, ``exists``, ``getsize``, ...),
:class:`WritableStore` (``set``, ``delete``, ``erase_prefix``, ...) and
:class:`ListableStore` (``list``, ``list_prefix``, ``list_dir``). :class:`MemoryStore`,
:class:`LocalStore` and :class:`ZipStore` have all three, as do the remote stores
:class:`FsspecStore` (alias :class:`RemoteStore`; ``pip install 'simplezarr[remote]'``) and
:class:`ObjectStore` (``pip install 'simplezarr[obstore]'``); :class:`WrapperStore`,
:class:`SlowStore` and :class:`LoggingStore` wrap another store. :func:`from_url` picks
the store for a path or URL. The remote stores import their packages only when used.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> store.set("a/zarr.json", b"{}")
    >>> store.get("a/zarr.json"), store.get("missing"), store.list_dir("")
    (b'{}', None, ['a/'])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    ListableStore,
    ReadableStore,
    WritableStore,
)
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import LocalStore
from simplezarr.stores.logging_store import LoggingStore
from simplezarr.stores.memory import MemoryStore
from simplezarr.stores.url import from_url
from simplezarr.stores.wrappers import SlowStore, WrapperStore
from simplezarr.stores.zip import ZipStore

if TYPE_CHECKING:
    from simplezarr.stores.fsspec_store import FsspecStore, RemoteStore
    from simplezarr.stores.obstore_store import ObjectStore

#: The remote stores' modules, imported on first access: they bring asyncio (about 20 ms of
#: a fresh process) that local and in-memory arrays never need.
_LAZY = {
    "FsspecStore": "simplezarr.stores.fsspec_store",
    "RemoteStore": "simplezarr.stores.fsspec_store",
    "ObjectStore": "simplezarr.stores.obstore_store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simplezarr.stores' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BaseStore",
    "ByteRange",
    "FsspecStore",
    "ListableStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "ObjectStore",
    "ReadableStore",
    "RemoteStore",
    "SlowStore",
    "WrapperStore",
    "WritableStore",
    "ZipStore",
    "from_url",
    "validate_key",
]
