"""Stores: where Zarr keys and their bytes live.

A store maps ``/``-separated keys to bytes. The capabilities are separate classes:
:class:`ReadableStore` (``get``, ``get_many``, ``exists``, ``getsize``, ...),
:class:`WritableStore` (``set``, ``delete``, ``erase_prefix``, ...) and
:class:`ListableStore` (``list``, ``list_prefix``, ``list_dir``). :class:`MemoryStore` and
:class:`LocalStore` have all three; :class:`WrapperStore` and :class:`SlowStore` wrap
another store.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> store.set("a/zarr.json", b"{}")
    >>> store.get("a/zarr.json"), store.get("missing"), store.list_dir("")
    (b'{}', None, ['a/'])
"""

from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    ListableStore,
    ReadableStore,
    WritableStore,
)
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import LocalStore
from simplezarr.stores.memory import MemoryStore
from simplezarr.stores.wrappers import SlowStore, WrapperStore

__all__ = [
    "BaseStore",
    "ByteRange",
    "ListableStore",
    "LocalStore",
    "MemoryStore",
    "ReadableStore",
    "SlowStore",
    "WrapperStore",
    "WritableStore",
    "validate_key",
]
