"""zarr-python's store objects given to simplezarr: the simplezarr store over the same data.

Code that mixes the two libraries (an xarray ``open_dataset(store, engine="simplezarr")``
with a store made by ``zarr.storage``, a helper written for zarr-python) hands simplezarr a
zarr-python store. It is opened as the simplezarr store of the same location, with the same
read-only flag, never through zarr-python's event loop:

- ``LocalStore``: a :class:`~simplezarr.stores.LocalStore` on its root;
- ``MemoryStore``: a :class:`~simplezarr.stores.MemoryStore` sharing its dict (both see
  every write at once, values are Buffers either reads);
- ``ZipStore``: a :class:`~simplezarr.stores.ZipStore` on its file, opened for appending
  (never truncating what the archive holds) unless read-only; a zarr-python ZipStore that
  is open for writing holds the archive and is refused (close it first);
- ``FsspecStore``: an :class:`~simplezarr.stores.FsspecStore` on the same file system (its
  synchronous form) and path;
- ``ObjectStore``: an :class:`~simplezarr.stores.ObjectStore` over the same obstore store.

Any other zarr-python store (wrappers, third-party stores) raises
:class:`~simplezarr.errors.UnsupportedStoreError` naming these.

Example:
    >>> zarr = __import__("pytest").importorskip("zarr")
    >>> theirs = zarr.storage.MemoryStore()
    >>> ours = from_zarr_python(theirs)
    >>> ours.set("k", b"v"); sorted(theirs._store_dict)
    ['k']
"""

from __future__ import annotations

import os
from typing import Any

from simplezarr.errors import UnsupportedStoreError
from simplezarr.stores.base import BaseStore

__all__ = ["from_zarr_python", "is_zarr_python_store"]

_SUPPORTED = "LocalStore, MemoryStore, ZipStore, FsspecStore and ObjectStore"


def is_zarr_python_store(obj: Any) -> bool:
    """Whether ``obj`` is a store object of zarr-python (``zarr.abc.store.Store``)."""
    return any(
        cls.__module__.startswith("zarr.") and cls.__name__ == "Store" for cls in type(obj).__mro__
    )


def from_zarr_python(store: Any) -> BaseStore:
    """The simplezarr store over the data of zarr-python's ``store`` (see the module
    docstring); UnsupportedStoreError for a kind it does not know."""
    kind = type(store).__name__
    read_only = getattr(store, "read_only", False) is True
    if kind == "LocalStore":
        from simplezarr.stores.local import LocalStore

        return LocalStore(os.fspath(store.root), read_only=read_only)
    if kind in ("MemoryStore", "ManagedMemoryStore"):
        from simplezarr.stores.memory import MemoryStore

        return MemoryStore(store._store_dict, read_only=read_only)
    if kind == "ZipStore":
        return _zip(store, read_only)
    if kind == "FsspecStore":
        return _fsspec(store, read_only)
    if kind == "ObjectStore":
        from simplezarr.stores.obstore_store import ObjectStore

        return ObjectStore(store.store, read_only=read_only)
    raise UnsupportedStoreError(
        f"zarr-python's {kind} cannot be opened by simplezarr; it opens zarr-python's "
        f"{_SUPPORTED} (as simplezarr's stores over the same data), paths, URLs and "
        "simplezarr's stores"
    )


def _zip(store: Any, read_only: bool) -> BaseStore:
    from simplezarr.stores.zip import ZipStore

    fileobj = getattr(store, "_fileobj", None)  # zarr-python 3.4's ZipStore(file object)
    if fileobj is not None:
        return ZipStore(fileobj, mode="r")
    path = os.fspath(store.path)
    if getattr(store, "_is_open", False) and not read_only:
        raise UnsupportedStoreError(
            f"zarr-python's ZipStore of {path!r} is open for writing and holds the archive; "
            "close it (store.close()) before simplezarr opens the file, or pass the path"
        )
    if read_only:
        return ZipStore(path, mode="r")
    return ZipStore(path, mode="a" if os.path.exists(path) else "w")


def _fsspec(store: Any, read_only: bool) -> BaseStore:
    from simplezarr.stores.fsspec_store import FsspecStore

    fs = getattr(store.fs, "sync_fs", None) or store.fs  # AsyncFileSystemWrapper's own
    if getattr(fs, "asynchronous", False):
        # zarr-python's file systems run on its event loop; the same one, synchronous
        options = {k: v for k, v in fs.storage_options.items() if k != "asynchronous"}
        fs = type(fs)(**options, asynchronous=False)
    return FsspecStore(fs, read_only=read_only, path=store.path)
