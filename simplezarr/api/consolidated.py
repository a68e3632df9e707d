"""Opening nodes the way the API does (format checks, consolidated metadata) and writing
consolidated metadata (:func:`consolidate_metadata`).

Example:
    >>> import simplezarr as zarr
    >>> store = {}
    >>> root = zarr.group(store)
    >>> _ = root.create_array("x", shape=(3,), dtype="i1")
    >>> g = zarr.consolidate_metadata(store)
    >>> sorted(g.metadata.consolidated_metadata["metadata"])
    ['x']
"""

from __future__ import annotations

import dataclasses
from typing import Any

from simplezarr.errors import (
    ContainsArrayError,
    InvalidArgument,
    NodeNotFound,
    ReadOnlyNodeError,
)
from simplezarr.metadata import consolidated as cm
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata, NodeMetadata
from simplezarr.metadata.store_io import (
    load_metadata,
    prefix,
    rewrite_consolidated,
)
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.storage import StoreLike, StorePath, make_store_path
from simplezarr.stores.base import BaseStore, readable

__all__ = [
    "consolidate_metadata",
    "is_consolidated",
    "open_node",
    "rewrite_consolidated",
    "with_consolidated",
]


def is_consolidated(group: ZarrGroup) -> bool:
    """Whether the group holds consolidated metadata (v3: in its ``zarr.json``; v2: a
    ``.zmetadata`` document next to its ``.zgroup``), however it was opened.

    Example:
        >>> import simplezarr as zarr
        >>> store = {}
        >>> g = zarr.group(store, zarr_format=2)
        >>> is_consolidated(g), is_consolidated(zarr.consolidate_metadata(store))
        (False, True)
    """
    if group.metadata.consolidated_metadata is not None:
        return True
    if group.metadata.zarr_format == 2:
        key = f"{group.path}/.zmetadata" if group.path else ".zmetadata"
        return readable(group.store, "look for consolidated metadata").exists(key)
    return False


def load_node_metadata(store: BaseStore, path: str, zarr_format: int | None) -> NodeMetadata:
    """A node's metadata; a node of the other Zarr format than ``zarr_format`` is missing."""
    meta = load_metadata(store, path)
    if zarr_format is not None and meta.zarr_format != zarr_format:
        raise NodeNotFound(
            f"no Zarr v{zarr_format} node at {path or '/'!r} (there is a v{meta.zarr_format} one)"
        )
    return meta


def with_consolidated(
    store: BaseStore, path: str, meta: GroupMetadata, use_consolidated: bool | str | None
) -> GroupMetadata:
    """A group's metadata with its consolidated metadata attached (v2: read from
    ``.zmetadata`` or the key ``use_consolidated`` names), dropped (``False``), or required
    (``True``: missing consolidated metadata is an error)."""
    if use_consolidated is False:
        return cm.without_consolidated(meta)  # type: ignore[return-value]
    if meta.zarr_format == 3:
        if not isinstance(use_consolidated, bool | None):
            raise InvalidArgument("use_consolidated must be a bool or None for Zarr v3 groups")
        found = meta.consolidated_metadata
    else:
        key = use_consolidated if isinstance(use_consolidated, str) else cm.V2_KEY
        data = readable(store, f"read {key!r}").get(prefix(path) + key)
        found = None if data is None else cm.from_v2_document(data, path, key)
        meta = dataclasses.replace(meta, consolidated_metadata=found)
    if use_consolidated and found is None:
        raise InvalidArgument(
            f"consolidated metadata was requested (use_consolidated={use_consolidated!r}) but "
            f"the group at {path or '/'!r} has none; call consolidate_metadata first or pass "
            "use_consolidated=None"
        )
    return meta


def open_node(
    sp: StorePath,
    zarr_format: int | None = None,
    *,
    use_consolidated: bool | str | None = None,
    config: Any = None,
) -> ZarrArray | ZarrGroup:
    """The array or group at ``sp`` (NodeNotFound when there is none)."""
    meta = load_node_metadata(sp.store, sp.path, zarr_format)
    if isinstance(meta, ArrayMetadata):
        return ZarrArray(sp.store, sp.path, meta, config=config)
    return ZarrGroup(
        sp.store, sp.path, with_consolidated(sp.store, sp.path, meta, use_consolidated)
    )


def consolidate_metadata(
    store: StoreLike, path: str | None = None, zarr_format: int | None = None
) -> ZarrGroup:
    """Write the metadata of every node below the group at ``path`` into the group (v3:
    ``consolidated_metadata`` in its ``zarr.json``; v2: ``.zmetadata``), as zarr-python does,
    and return the group opened with it.

    Example:
        >>> import simplezarr as zarr
        >>> store = {}
        >>> _ = zarr.group(store, zarr_format=2).create_group("g")
        >>> _ = zarr.consolidate_metadata(store)
        >>> ".zmetadata" in store
        True
    """
    sp = make_store_path(store, path=path)
    meta = load_node_metadata(sp.store, sp.path, zarr_format)
    if isinstance(meta, ArrayMetadata):
        raise ContainsArrayError(
            f"consolidate_metadata needs a group, but an array is stored at {sp.path or '/'!r}"
        )
    if sp.store.read_only:
        raise ReadOnlyNodeError(f"cannot consolidate metadata at {sp.path or '/'!r}: read-only")
    group = ZarrGroup(sp.store, sp.path, cm.without_consolidated(meta))
    members = group.members(max_depth=None, use_consolidated_for_children=False)
    inline = cm.consolidate({key: node.metadata for key, node in members})
    new = dataclasses.replace(group.metadata, consolidated_metadata=inline)
    rewrite_consolidated(sp.store, sp.path, new)
    return ZarrGroup(sp.store, sp.path, new)
