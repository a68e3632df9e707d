"""``create_hierarchy``: write the metadata of many nodes at once.

Example:
    >>> import simplezarr as zarr
    >>> from simplezarr.metadata.model import GroupMetadata
    >>> nodes = {"a/b": GroupMetadata(3), "x": {"zarr_format": 3, "node_type": "group"}}
    >>> sorted(k for k, _ in zarr.create_hierarchy(store={}, nodes=nodes))
    ['', 'a', 'a/b', 'x']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from simplezarr.errors import (
    ContainsArrayError,
    ContainsGroupError,
    InvalidArgument,
    NodeNotFound,
    ReadOnlyError,
)
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata, NodeMetadata
from simplezarr.metadata.store_io import load_metadata, prefix, write_metadata
from simplezarr.metadata.v2 import parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import parse_node_v3
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.nodes.group import _node
from simplezarr.storage import StoreLike, join_path, make_store_path
from simplezarr.stores.base import WritableStore

__all__ = ["create_hierarchy", "parse_node_metadata"]


def parse_node_metadata(value: Any, path: str) -> NodeMetadata:
    """Node metadata from simplezarr metadata, a zarr-python metadata object (anything with
    ``to_dict()``), or a document dict (v3 ``zarr.json``; v2 ``.zarray``/``.zgroup`` content
    with an optional ``attributes`` entry)."""
    if isinstance(value, ArrayMetadata | GroupMetadata):
        return value
    if hasattr(value, "to_dict") and not isinstance(value, Mapping):
        value = _lists(value.to_dict())  # zarr-python's dicts hold tuples where JSON has lists
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"nodes[{path!r}]: expected node metadata, got {value!r}")
    doc = dict(value)
    if doc.get("zarr_format") == 2:
        attrs = doc.pop("attributes", None) or {}
        doc.pop("node_type", None)
        if "shape" in doc:
            return parse_array_v2(doc, attrs, path)
        return parse_group_v2({"zarr_format": 2}, attrs, path)
    return parse_node_v3(doc, path)


def _lists(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def create_hierarchy(
    *, store: StoreLike, nodes: Mapping[str, Any], overwrite: bool = False
) -> Iterator[tuple[str, ZarrArray | ZarrGroup]]:
    """Create the groups and arrays described by ``nodes`` ({path: metadata}) and the
    groups between them and the root that do not exist yet; yields (path, node) for each
    node written, parents before children.

    Without ``overwrite``, an existing node at one of the given paths raises
    ContainsArrayError / ContainsGroupError before anything is written; with it, the
    existing nodes at those paths are deleted first. All nodes must share one Zarr format.
    """
    sp = make_store_path(store, mode="a")
    parsed: dict[str, NodeMetadata] = {}
    for key, value in nodes.items():
        path = join_path(sp.path, key)
        parsed[path] = parse_node_metadata(value, path)
    formats = {m.zarr_format for m in parsed.values()}
    if len(formats) > 1:
        raise InvalidArgument("all nodes of a hierarchy must have the same zarr_format")
    if not parsed:
        return
    zarr_format = formats.pop()
    implicit: dict[str, NodeMetadata] = {}
    for path in parsed:
        parts = path.split("/") if path else []
        for i in range(len(parts)):
            parent = "/".join(parts[:i])
            if parent in parsed:
                if isinstance(parsed[parent], ArrayMetadata):
                    raise InvalidArgument(f"nodes: {path!r} is below the array {parent!r}")
                continue
            implicit.setdefault(parent, GroupMetadata(zarr_format))
    store_ = sp.store
    for path in list(implicit):
        try:
            existing = load_metadata(store_, path)
        except NodeNotFound:
            continue
        if isinstance(existing, ArrayMetadata):
            raise ContainsArrayError(f"an array exists at {path or '/'!r}, where a group is needed")
        del implicit[path]  # a group is already there
    if overwrite:
        if not isinstance(store_, WritableStore):
            raise ReadOnlyError(f"cannot overwrite nodes in {store_!r}: it cannot write")
        for path in parsed:
            if path:
                store_.erase_prefix(prefix(path))
            else:
                store_.clear()
    else:
        for path in parsed:
            try:
                existing = load_metadata(store_, path)
            except NodeNotFound:
                continue
            kind = ContainsArrayError if isinstance(existing, ArrayMetadata) else ContainsGroupError
            raise kind(f"a node exists at {path or '/'!r}; pass overwrite=True to replace it")
    todo = {**implicit, **parsed}
    for path in sorted(todo, key=lambda p: (p.count("/") + bool(p), p)):
        write_metadata(store_, path, todo[path])
        relative = path[len(sp.path) + 1 :] if sp.path else path
        yield relative, _node(store_, path, todo[path])  # type: ignore[misc]
