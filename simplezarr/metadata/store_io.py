"""Reading and writing a node's metadata documents in a store.

Zarr v3 keeps a node's metadata in ``<path>/zarr.json``; Zarr v2 in ``.zarray`` or
``.zgroup`` with attributes in ``.zattrs``. All candidate documents are fetched in one batched
read, so opening a node on a remote store costs one round trip.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.metadata.model import GroupMetadata
    >>> store = MemoryStore()
    >>> write_metadata(store, "g", GroupMetadata(2, {"a": 1}))
    >>> sorted(store.list()), load_metadata(store, "g").attributes["a"]
    (['g/.zattrs', 'g/.zgroup'], 1)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from simplezarr.chunk_grid import require_rectilinear_flag
from simplezarr.errors import InvalidMetadata, NodeNotFound, ReadOnlyError
from simplezarr.metadata import consolidated as cm
from simplezarr.metadata.json import parse_document
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata, node_context
from simplezarr.metadata.v2 import documents as v2_documents
from simplezarr.metadata.v2 import parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import document_bytes, parse_node_v3
from simplezarr.stores.base import BaseStore, readable, writable

V3_KEY = "zarr.json"
V2_ARRAY, V2_GROUP, V2_ATTRS = ".zarray", ".zgroup", ".zattrs"
#: Every key that holds node metadata rather than chunk data.
METADATA_KEYS = frozenset({V3_KEY, V2_ARRAY, V2_GROUP, V2_ATTRS})
_DOCUMENTS = (V3_KEY, V2_ARRAY, V2_GROUP, V2_ATTRS)  # the order _parse_node takes them


def prefix(path: str) -> str:
    """The key prefix of a node: ``""`` for the root, else ``path + "/"``."""
    return f"{path}/" if path else ""


def load_metadata(store: BaseStore, path: str) -> ArrayMetadata | GroupMetadata:
    """Read the metadata of the node at ``path``: v3 ``zarr.json`` first, then v2 documents.

    Raises :class:`~simplezarr.errors.NodeNotFound` when there is neither.
    """
    metadata = load_many_metadata(store, [path])[0]
    if metadata is None:
        raise NodeNotFound(f"no array or group at path {path or '/'!r} in {store!r}")
    return metadata


def load_many_metadata(
    store: BaseStore, paths: Sequence[str], *, zarr_json_first: bool = False
) -> list[ArrayMetadata | GroupMetadata | None]:
    """The metadata of the nodes at ``paths`` (None where there is no node), their
    documents read in batched ``get_many`` calls: a remote store fetches them concurrently,
    so the members of a group of 1,000 arrays cost one batch, not 1,000 round trips.

    ``zarr_json_first`` (the children of a Zarr v3 group): every ``zarr.json`` is read
    first and the v2 documents only of the paths that have none, so a v3 hierarchy costs
    one request per node instead of four (see :func:`read_node_documents`).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore({"a/zarr.json": b'{"zarr_format": 3, "node_type": "group"}'})
        >>> [type(m).__name__ for m in load_many_metadata(store, ["a", "b"])]
        ['GroupMetadata', 'NoneType']
    """
    documents = read_node_documents(store, paths, zarr_json_first=zarr_json_first)
    return [parse_node_documents(path, docs) for path, docs in zip(paths, documents, strict=True)]


#: A node's four candidate documents as read: ``zarr.json``, ``.zarray``, ``.zgroup``,
#: ``.zattrs`` (None where missing, or not read because ``zarr.json`` was there).
NodeDocuments = tuple[Any, Any, Any, Any]


def read_node_documents(
    store: BaseStore,
    paths: Sequence[str],
    *,
    zarr_json_first: bool = False,
    documents: Sequence[str] = _DOCUMENTS,
) -> list[NodeDocuments]:
    """The candidate metadata documents of the nodes at ``paths``, unparsed.

    By default all of them in one ``get_many`` (one round trip). With ``zarr_json_first``
    every ``zarr.json`` comes in a first batch and the v2 documents of the paths without
    one in a second: what a node is does not change (``zarr.json`` wins over v2 documents
    either way), but a hierarchy of v3 nodes needs no v2 probe. ``documents`` narrows what
    is read (the others read as None): ``keys()`` needs no ``.zattrs``.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore({"a/zarr.json": b"{}", "b/.zgroup": b"{}"})
        >>> read_node_documents(store, ["a", "b"], zarr_json_first=True)
        [(b'{}', None, None, None), (None, None, b'{}', None)]
    """
    wanted = [doc in documents for doc in _DOCUMENTS]
    where = paths[0] if len(paths) == 1 else f"{len(paths)} nodes"
    reader = readable(store, f"read the metadata of {where or '/'!r}")
    found: list[list[Any]] = [[None] * len(_DOCUMENTS) for _ in paths]

    def read(todo: Sequence[int], slots: Sequence[int]) -> None:
        keys = [(prefix(paths[i]) + _DOCUMENTS[j], i, j) for i in todo for j in slots]
        if not keys:
            return
        values = reader.get_many([(k, None) for k, _, _ in keys])
        for (_, i, j), value in zip(keys, values, strict=True):
            found[i][j] = value

    every = range(len(paths))
    v2_slots = [j for j in range(1, len(_DOCUMENTS)) if wanted[j]]
    if zarr_json_first and wanted[0]:
        read(every, [0])
        read([i for i in every if found[i][0] is None], v2_slots)
    else:
        read(every, [j for j in range(len(_DOCUMENTS)) if wanted[j]])
    return [(f[0], f[1], f[2], f[3]) for f in found]


def parse_node_documents(
    path: str, documents: NodeDocuments
) -> ArrayMetadata | GroupMetadata | None:
    """The metadata a node's documents (from :func:`read_node_documents`) describe: the v3
    document when there is one, else the v2 ones; None when there are none; the parse
    error (InvalidMetadata, ...) naming the document otherwise.

    Example:
        >>> v3 = b'{"zarr_format": 3, "node_type": "group"}'
        >>> parse_node_documents("g", (v3, None, None, None)).zarr_format
        3
    """
    return _parse_node(path, *documents)


def _parse_node(
    path: str, v3: Any, zarray: Any, zgroup: Any, zattrs: Any
) -> ArrayMetadata | GroupMetadata | None:
    if v3 is not None:
        return parse_node_v3(v3, path)
    p = prefix(path)
    attrs = parse_document(zattrs, p + V2_ATTRS) if zattrs is not None else None
    if zarray is not None:
        return parse_array_v2(parse_document(zarray, p + V2_ARRAY), attrs, path)
    if zgroup is not None:
        return parse_group_v2(parse_document(zgroup, p + V2_GROUP), attrs, path)
    return None


def stale_members(store: BaseStore, path: str, meta: GroupMetadata) -> list[str]:
    """What no longer matches in the consolidated metadata of the group at ``path``: one
    line per member whose own documents are gone or say something else (shape, codecs,
    attributes, ...). The members' documents are read in one batched request (one round
    trip on a remote store). Members created after the consolidation are not looked for
    (that would list the whole hierarchy).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = MemoryStore()
        >>> write_metadata(store, "", GroupMetadata(3))
        >>> write_metadata(store, "g", GroupMetadata(3, {"v": 1}))
        >>> consolidated = cm.consolidate({"g": load_metadata(store, "g")})
        >>> meta = GroupMetadata(3, {}, consolidated)
        >>> stale_members(store, "", meta)
        []
        >>> write_metadata(store, "g", GroupMetadata(3, {"v": 2}))
        >>> stale_members(store, "", meta)
        ["member 'g': its stored metadata differs from the consolidated entry"]
    """
    consolidated = meta.consolidated_metadata
    if consolidated is None:
        return []
    expected = cm.consolidated_view(consolidated)
    paths = sorted(expected)
    full = [f"{path}/{m}" if path else m for m in paths]
    keys = [prefix(f) + doc for f in full for doc in _DOCUMENTS]
    reader = readable(store, f"read the metadata below {path or '/'!r}")
    datas = reader.get_many([(k, None) for k in keys])
    n = len(_DOCUMENTS)
    stale: list[str] = []
    for i, (member, member_path) in enumerate(zip(paths, full, strict=True)):
        try:
            stored = _parse_node(member_path, *datas[n * i : n * i + n])
        except InvalidMetadata as e:
            stale.append(f"member {member!r}: its stored metadata is not valid ({e})")
            continue
        if stored is None:
            stale.append(f"member {member!r}: it was deleted after the consolidation")
        elif _canonical(stored) != _canonical(expected[member]):
            stale.append(
                f"member {member!r}: its stored metadata differs from the consolidated entry"
            )
    return stale


def _canonical(meta: ArrayMetadata | GroupMetadata) -> str:
    return json.dumps(cm.consolidated_entry(cm.without_consolidated(meta)), sort_keys=True)


def write_metadata(store: BaseStore, path: str, metadata: ArrayMetadata | GroupMetadata) -> None:
    """Store a node's metadata documents, replacing what was there."""
    if store.read_only:
        raise ReadOnlyError(f"cannot write metadata of {path or '/'!r}: the store is read-only")
    writer = writable(store, f"write the metadata of {path or '/'!r}")
    p = prefix(path)
    if _declares_rectilinear(metadata):
        with node_context(path):  # zarr-python 3.4 stores none while its flag is off
            require_rectilinear_flag()
    if metadata.zarr_format == 3:
        writer.set(p + V3_KEY, document_bytes(metadata))
        return
    writer.set_many([(p + name, data) for name, data in v2_documents(metadata).items()])


def _declares_rectilinear(metadata: ArrayMetadata | GroupMetadata) -> bool:
    """Whether the documents of ``metadata`` declare a rectilinear chunk grid: an array's
    own, or one of the arrays in a group's consolidated metadata."""
    if isinstance(metadata, ArrayMetadata):
        return metadata.chunk_shapes is not None
    consolidated = metadata.consolidated_metadata
    if consolidated is None:
        return False
    entries = consolidated.get("metadata") or {}
    return any(
        isinstance(doc, Mapping)
        and isinstance(doc.get("chunk_grid"), Mapping)
        and doc["chunk_grid"].get("name") == "rectilinear"
        for doc in entries.values()
    )


def rewrite_consolidated(
    store: BaseStore, path: str, meta: GroupMetadata, *, only_if_stored: bool = False
) -> None:
    """Store a group's consolidated metadata (v3: its ``zarr.json``; v2: ``.zmetadata``);
    with ``only_if_stored``, only where the store already keeps consolidated metadata for
    this group (a group opened below a consolidated root has none of its own)."""
    consolidated = meta.consolidated_metadata
    if consolidated is None:
        return
    if meta.zarr_format == 3:
        if only_if_stored:
            current = load_metadata(store, path)
            if not isinstance(current, GroupMetadata) or current.consolidated_metadata is None:
                return
            meta = dataclasses.replace(current, consolidated_metadata=meta.consolidated_metadata)
        write_metadata(store, path, meta)
        return
    key = prefix(path) + cm.V2_KEY
    if only_if_stored and not readable(store, f"find {key!r}").exists(key):
        return
    entries = cm.inline_entries(consolidated, path)
    writable(store, f"write {key!r}").set(key, cm.v2_document(meta, entries))
