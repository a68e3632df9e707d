"""zarr-python's top-level functions (``zarr.open``, ``zarr.create_array``, ...), synchronous.

Same names, arguments and defaults as zarr-python 3.1.6; they return
:class:`~simplezarr.nodes.ZarrArray` and :class:`~simplezarr.nodes.ZarrGroup`. They run on
the synchronous core: no event loop is involved, so they work inside a running event loop,
in Jupyter and in forked processes. ``simplezarr.api.asynchronous`` has the awaitable twins.

Example:
    >>> import numpy as np
    >>> import simplezarr as zarr
    >>> store = {}
    >>> a = zarr.create_array(store, name="x", shape=(4, 4), dtype="int32", chunks=(2, 2))
    >>> a[:] = np.arange(16).reshape(4, 4)
    >>> zarr.open(store, path="x", mode="r")[1].tolist()
    [4, 5, 6, 7]
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from simplezarr.api._args import CREATE_MODES, READ_MODES, check_zarr_format
from simplezarr.api.arrays import (
    _node_path,
    _warn_unused,
    array,
    create,
    create_array,
    empty,
    empty_like,
    from_array,
    full,
    full_like,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from simplezarr.api.consolidated import consolidate_metadata, load_node_metadata, open_node
from simplezarr.api.copy import copy, copy_all, copy_store
from simplezarr.api.hierarchy import create_hierarchy
from simplezarr.config import config as settings
from simplezarr.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    ContainsGroupError,
    GroupNotFoundError,
    InvalidArgument,
    NodeNotFound,
    StaleMetadata,
    ZarrDeprecationWarning,
)
from simplezarr.metadata.model import ArrayMetadata
from simplezarr.metadata.options import DEFAULT_FILL_VALUE
from simplezarr.metadata.store_io import stale_members
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.nodes.create import check_array_like, config_with, like_args
from simplezarr.storage import StoreLike, StorePath, make_store_path
from simplezarr.stores import BaseStore

__all__ = [
    "DEFAULT_FILL_VALUE",
    "array",
    "consolidate_metadata",
    "copy",
    "copy_all",
    "copy_store",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "empty",
    "empty_like",
    "from_array",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "save",
    "save_array",
    "save_group",
    "tree",
    "zeros",
    "zeros_like",
]

# --------------------------------------------------------------------------- opening


def open(
    store: StoreLike = None,
    *,
    mode: str | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    storage_options: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ZarrArray | ZarrGroup:
    """Open the array or group at ``path`` (creating a group, or an array when ``shape``
    is given, if the mode allows and nothing is there).

    ``mode``: ``r`` read-only, ``r+`` read/write existing, ``a`` read/write, create if
    missing (the default, or ``r`` for a read-only store), ``w`` delete then create, ``w-``
    create, fail if something exists. Other keywords go to :func:`open_array` or
    :func:`open_group`.

    Example:
        >>> import simplezarr as zarr
        >>> store = {}
        >>> zarr.open(store, mode="w", shape=(3,), dtype="f4").shape
        (3,)
        >>> type(zarr.open(store, mode="r")).__name__
        'ZarrArray'
    """
    zarr_format = check_zarr_format(zarr_format, zarr_version)
    if mode is None:
        read_only = isinstance(store, BaseStore | StorePath) and store.read_only
        mode = "r" if read_only else "a"
    sp = make_store_path(store, mode=mode, path=path, storage_options=storage_options)
    if "shape" not in kwargs and mode in ("a", "r", "r+", "w"):
        try:
            meta = load_node_metadata(sp.store, _node_path(sp), zarr_format)
        except NodeNotFound:
            meta = None
        if isinstance(meta, ArrayMetadata):
            return ZarrArray(sp.store, sp.path, meta, config=kwargs.get("config"))
        return open_group(sp, zarr_format=zarr_format, mode=mode, **kwargs)
    try:
        return open_array(sp, zarr_format=zarr_format, mode=mode, **kwargs)
    except (NodeNotFound, ContainsGroupError):
        return open_group(sp, zarr_format=zarr_format, mode=mode, **kwargs)


def open_array(
    store: StoreLike = None,
    *,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str = "",
    storage_options: dict[str, Any] | None = None,
    **kwargs: Any,
) -> ZarrArray:
    """Open the array at ``path``; with ``mode`` ``a``, ``w`` or ``w-`` and nothing there,
    create it from ``kwargs`` (those of :func:`create`).

    Raises ArrayNotFoundError (a KeyError, FileNotFoundError and ValueError) when there is
    no array and none may be created, ContainsGroupError when a group is there.

    Example:
        >>> import simplezarr as zarr
        >>> store = {}
        >>> _ = zarr.zeros((2, 2), store=store, path="z")
        >>> zarr.open_array(store, path="z", mode="r")[:].sum()
        np.float64(0.0)
    """
    mode = kwargs.pop("mode", None)
    sp = make_store_path(store, path=path, mode=mode, storage_options=storage_options)
    zarr_format = check_zarr_format(zarr_format, zarr_version)
    config = config_with(kwargs.get("config"), kwargs.pop("write_empty_chunks", None))
    if config:
        kwargs["config"] = config
    try:
        node = open_node(sp, zarr_format, config=kwargs.get("config"))
    except NodeNotFound as e:
        if not sp.read_only and mode in CREATE_MODES:
            return create(
                store=sp,
                zarr_format=zarr_format or settings.default_zarr_format,
                overwrite=mode == "w",
                **kwargs,
            )
        raise ArrayNotFoundError(
            f"no array at path {sp.path or '/'!r} in {sp.store!r}; open it with mode 'a', "
            "'w' or 'w-' (and a shape) to create one"
        ) from e
    if not isinstance(node, ZarrArray):
        # zarr-python: a v2 group read as an array is a missing array, a v3 one a bad node
        kind = ArrayNotFoundError if _reads_v2(node, mode) else ContainsGroupError
        raise kind(f"a group, not an array, is stored at {sp.path or '/'!r}")
    return node


def _reads_v2(node: ZarrArray | ZarrGroup, mode: str | None) -> bool:
    return node.zarr_format == 2 and mode in ("r", "r+")


def open_group(
    store: StoreLike = None,
    *,
    mode: str = "a",
    cache_attrs: bool | None = None,
    synchronizer: Any = None,
    path: str | None = None,
    chunk_store: Any = None,
    storage_options: dict[str, Any] | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    meta_array: Any = None,
    attributes: dict[str, Any] | None = None,
    use_consolidated: bool | str | None = None,
) -> ZarrGroup:
    """Open the group at ``path``; modes as :func:`open` (``a``: create if missing).

    ``use_consolidated``: None uses consolidated metadata when present, True requires it,
    False ignores it; a string names the v2 consolidated key (default ``.zmetadata``).

    Example:
        >>> import simplezarr as zarr
        >>> g = zarr.open_group({}, attributes={"a": 1})
        >>> g.attrs["a"], g.path
        (1, '')
    """
    _warn_unused(
        cache_attrs=cache_attrs,
        synchronizer=synchronizer,
        chunk_store=chunk_store,
        meta_array=meta_array,
    )
    zarr_format = check_zarr_format(zarr_format, zarr_version)
    sp = make_store_path(store, mode=mode, storage_options=storage_options, path=path)
    if mode in READ_MODES:
        try:
            node = open_node(sp, zarr_format, use_consolidated=use_consolidated)
        except NodeNotFound:
            node = None
        if isinstance(node, ZarrArray):
            kind = GroupNotFoundError if _reads_v2(node, mode) else ContainsArrayError
            raise kind(f"an array, not a group, is stored at {sp.path or '/'!r}")
        if node is not None:
            return node
    if mode in CREATE_MODES:
        return ZarrGroup.create(
            sp.store,
            _node_path(sp),
            attributes=attributes,
            zarr_format=zarr_format or settings.default_zarr_format,
            overwrite=mode == "w",
        )
    raise GroupNotFoundError(
        f"no group at path {sp.path or '/'!r} in {sp.store!r}; open it with mode 'a' to create one"
    )


def open_consolidated(
    *args: Any, use_consolidated: bool = True, validate: bool = False, **kwargs: Any
) -> ZarrGroup:
    """:func:`open_group` requiring consolidated metadata.

    ``validate=True`` also reads every member's own documents (one batched read) and raises
    :class:`~simplezarr.errors.StaleMetadata` naming the members whose consolidated entry
    no longer matches them (resized, recreated, attributes changed or deleted since the
    consolidation); ``consolidate_metadata`` again repairs it.

    Example:
        >>> import simplezarr as zarr
        >>> store = {}
        >>> _ = zarr.group(store).create_group("g")
        >>> _ = zarr.consolidate_metadata(store)
        >>> zarr.open_consolidated(store, validate=True).keys()
        ['g']
    """
    if use_consolidated is not True:
        raise InvalidArgument(
            "use_consolidated must be True in open_consolidated; use open_group with "
            "use_consolidated=False to ignore consolidated metadata"
        )
    group = open_group(*args, use_consolidated=True, **kwargs)
    if validate:
        stale = stale_members(group.store, group.path, group.metadata)
        if stale:
            shown = "; ".join(stale[:5]) + (
                f"; and {len(stale) - 5} more" if len(stale) > 5 else ""
            )
            raise StaleMetadata(
                f"the consolidated metadata of group {group.path or '/'!r} in {group.store!r} "
                f"is stale: {shown}; call consolidate_metadata again, or open the group with "
                "use_consolidated=False"
            )
    return group


def open_like(a: Any, path: str, **kwargs: Any) -> ZarrArray:
    """:func:`open_array` with shape, chunks, dtype and encoding taken from ``a``."""
    return open_array(path=path, **(like_args(a, fill_value=True) | kwargs))


# --------------------------------------------------------------------------- groups


def group(
    store: StoreLike = None,
    *,
    overwrite: bool = False,
    chunk_store: Any = None,
    cache_attrs: bool | None = None,
    synchronizer: Any = None,
    path: str | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    meta_array: Any = None,
    attributes: dict[str, Any] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> ZarrGroup:
    """Open the group at ``path``, creating it if missing (replacing everything there with
    ``overwrite=True``).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.group(zarr_format=2).zarr_format
        2
    """
    return open_group(
        store,
        mode="w" if overwrite else "a",
        chunk_store=chunk_store,
        cache_attrs=cache_attrs,
        synchronizer=synchronizer,
        path=path,
        zarr_version=zarr_version,
        zarr_format=zarr_format,
        meta_array=meta_array,
        attributes=attributes,
        storage_options=storage_options,
    )


def create_group(
    store: StoreLike,
    *,
    path: str | None = None,
    zarr_format: int | None = None,
    overwrite: bool = False,
    attributes: dict[str, Any] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> ZarrGroup:
    """Create a group (ContainsArrayError / ContainsGroupError if a node is there, unless
    ``overwrite``).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.create_group({}, path="a/b").name
        '/a/b'
    """
    sp = make_store_path(store, path=path, mode="a", storage_options=storage_options)
    return ZarrGroup.create(
        sp.store,
        _node_path(sp),
        attributes=attributes,
        zarr_format=check_zarr_format(zarr_format) or 3,
        overwrite=overwrite,
    )


def tree(grp: ZarrGroup, expand: bool | None = None, level: int | None = None) -> Any:
    """Deprecated in zarr-python: ``grp.tree(expand, level)``."""
    warnings.warn("tree() is deprecated; use Group.tree()", ZarrDeprecationWarning, stacklevel=2)
    return grp.tree(expand=expand, level=level)


# --------------------------------------------------------------------------- save / load


def load(
    store: StoreLike,
    path: str | None = None,
    zarr_format: int | None = None,
    zarr_version: int | None = None,
) -> Any:
    """Read an array into memory (numpy), or a group's direct child arrays into a dict of
    numpy arrays. Opens read-only: nothing is created when the path is empty.

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> store = {}
        >>> zarr.save(store, np.arange(3))
        >>> zarr.load(store).tolist()
        [0, 1, 2]
    """
    zarr_format = check_zarr_format(zarr_format, zarr_version)
    node = open(store, path=path, zarr_format=zarr_format, mode="r")
    if isinstance(node, ZarrArray):
        return node[...]
    return {name: arr[...] for name, arr in node.arrays()}


def save(
    store: StoreLike,
    *args: Any,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    **kwargs: Any,
) -> None:
    """Save one array (:func:`save_array`) or several (:func:`save_group`).

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> store = {}
        >>> zarr.save(store, a=np.zeros(2), b=np.ones(3))
        >>> sorted(zarr.load(store))
        ['a', 'b']
    """
    zarr_format = check_zarr_format(zarr_format, zarr_version)
    if not args and not kwargs:
        raise InvalidArgument("save needs at least one array")
    if len(args) == 1 and not kwargs:
        save_array(store, args[0], zarr_format=zarr_format, path=path)
    else:
        save_group(store, *args, zarr_format=zarr_format, path=path, **kwargs)


def save_array(
    store: StoreLike,
    arr: Any,
    *,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    storage_options: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Store a numpy array as a Zarr array (keywords as :func:`create`; ``mode`` default
    ``a``; an existing node is replaced when ``overwrite`` or mode ``w``)."""
    zarr_format = check_zarr_format(zarr_format, zarr_version) or 3
    check_array_like(arr, "arr")
    mode = kwargs.pop("mode", "a")
    sp = make_store_path(store, path=path, mode=mode, storage_options=storage_options)
    if np.isscalar(arr):
        arr = np.array(arr)
    overwrite = kwargs.pop("overwrite", None) or mode == "w"
    chunks = getattr(arr, "chunks", None)
    out = create(
        shape=arr.shape,
        dtype=arr.dtype,
        chunks=chunks,
        store=sp,
        zarr_format=zarr_format,
        overwrite=overwrite,
        **kwargs,
    )
    out[...] = arr


def save_group(
    store: StoreLike,
    *args: Any,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    path: str | None = None,
    storage_options: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Store several numpy arrays in a new group (mode ``w``: replaces what is at ``path``):
    positional ones as ``arr_0``, ``arr_1``, ..., keyword ones under their names."""
    zarr_format = check_zarr_format(zarr_format, zarr_version) or 3
    for i, value in enumerate(args):
        check_array_like(value, f"argument {i}")
    for name, value in kwargs.items():
        check_array_like(value, f"keyword argument {name!r}")
    if not args and not kwargs:
        raise InvalidArgument("save_group needs at least one array")
    sp = make_store_path(store, path=path, mode="w", storage_options=storage_options)
    for i, value in enumerate(args):
        save_array(sp, value, zarr_format=zarr_format, path=f"arr_{i}")
    for name, value in kwargs.items():
        save_array(sp, value, zarr_format=zarr_format, path=name)
