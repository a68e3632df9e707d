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

from simplezarr.stores.base import (
    BaseStore,
    ByteRange,
    ListableStore,
    ReadableStore,
    WritableStore,
)
from simplezarr.stores.fsspec_store import FsspecStore, RemoteStore
from simplezarr.stores.keys import validate_key
from simplezarr.stores.local import LocalStore
from simplezarr.stores.logging_store import LoggingStore
from simplezarr.stores.memory import MemoryStore
from simplezarr.stores.obstore_store import ObjectStore
from simplezarr.stores.url import from_url
from simplezarr.stores.wrappers import SlowStore, WrapperStore
from simplezarr.stores.zip import ZipStore

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
