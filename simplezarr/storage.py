"""zarr-python's ``zarr.storage``: store classes, :class:`StorePath` and :func:`make_store_path`.

The store classes are simplezarr's own (:mod:`simplezarr.stores`) under the names
zarr-python uses: ``LocalStore``, ``MemoryStore``, ``ZipStore``, ``LoggingStore``,
``FsspecStore`` (alias ``RemoteStore``) and ``ObjectStore`` (the last ones imported when first
asked for, as they need optional dependencies). Everything here is synchronous: ``StorePath.get`` returns bytes, not an
awaitable.

A "store-like" is what every API function accepts as ``store``: a store, a
:class:`StorePath`, a ``str`` or :class:`pathlib.Path` (a local directory), a URL such as
``"s3://bucket/x.zarr"`` (with ``storage_options``), a ``dict`` (a :class:`MemoryStore` over that dict, which holds
the keys and their values as zarr-python's does)
or ``None`` (a new in-memory store).

Example:
    >>> sp = make_store_path({}, path="a/b", mode="w")
    >>> sp.path, type(sp.store).__name__
    ('a/b', 'MemoryStore')
    >>> (sp / "c").set(b"x"); sp.store.get("a/b/c")
    b'x'
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, TypeAlias

from simplezarr.errors import MissingDependency, NodeNotFoundError, UnsupportedStoreError
from simplezarr.stores import BaseStore, LocalStore, MemoryStore
from simplezarr.stores.dict_store import DictStore
from simplezarr.stores.foreign import from_zarr_python, is_zarr_python_store
from simplezarr.stores.managed_memory import ManagedMemoryStore
from simplezarr.stores.paths import (
    ACCESS_MODES,
    AccessMode,
    StorePath,
    check_mode,
    join_path,
    normalize_path,
)
from simplezarr.stores.wrappers import ReadOnlyView

__all__ = [
    "ACCESS_MODES",
    "AccessMode",
    "DictStore",
    "GpuMemoryStore",
    "LocalStore",
    "ManagedMemoryStore",
    "MemoryStore",
    "ReadOnlyView",
    "StoreLike",
    "StorePath",
    "join_path",
    "make_store",
    "make_store_path",
    "normalize_path",
]

#: Store classes that live in optional modules of :mod:`simplezarr.stores`, by the name
#: zarr-python gives them: (module, class names tried in order).
_OPTIONAL_STORES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ZipStore": ("simplezarr.stores.zip", ("ZipStore",)),
    "LoggingStore": ("simplezarr.stores.logging_store", ("LoggingStore",)),
    "FsspecStore": ("simplezarr.stores.fsspec_store", ("FsspecStore",)),
    "RemoteStore": ("simplezarr.stores.fsspec_store", ("RemoteStore", "FsspecStore")),
    "ObjectStore": ("simplezarr.stores.obstore_store", ("ObjectStore", "ObstoreStore")),
    "WrapperStore": ("simplezarr.stores.wrappers", ("WrapperStore",)),
}


class GpuMemoryStore:
    """zarr-python's store of GPU buffers. simplezarr reads into numpy arrays in host memory
    and has no GPU support, so creating one raises MissingDependency saying so.

    Example:
        >>> GpuMemoryStore()
        Traceback (most recent call last):
        ...
        simplezarr.errors.MissingDependency: GpuMemoryStore holds GPU (cupy) buffers, ...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise MissingDependency(
            "GpuMemoryStore holds GPU (cupy) buffers, which simplezarr does not support; "
            "use MemoryStore (arrays are read into numpy arrays in host memory)"
        )


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


# --------------------------------------------------------------------------- stores


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
    check_mode(mode)
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
        return MemoryStore(store_like, read_only=read_only)
    if isinstance(store_like, str) and is_url:
        return _from_url(store_like, storage_options, read_only)
    if isinstance(store_like, (str, os.PathLike)):
        path = os.fspath(store_like)
        if read_only and not os.path.exists(os.path.expanduser(path)):
            raise NodeNotFoundError(f"{path} does not exist (mode 'r' opens existing data)")
        return _from_url(path, None, read_only)
    if is_zarr_python_store(store_like):
        return from_zarr_python(store_like)
    raise UnsupportedStoreError(
        f"unsupported store: {type(store_like).__name__}; pass a path, a URL, a dict, a "
        "store or a StorePath"
    )


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
