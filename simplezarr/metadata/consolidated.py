"""Consolidated metadata: every node's metadata below a group, in one document.

Two stored forms, as zarr-python 3.1.6 writes them:

- Zarr v3: ``consolidated_metadata`` inside the group's ``zarr.json``:
  ``{"kind": "inline", "must_understand": false, "metadata": {path: document}}`` with flat
  paths relative to the group (``"a"``, ``"a/b"``), sorted by depth then case-folded name;
  a child group's document carries ``consolidated_metadata`` with empty ``metadata``.
- Zarr v2: a ``.zmetadata`` key next to the group's ``.zgroup``:
  ``{"metadata": {".zgroup": ..., ".zattrs": ..., "a/.zarray": ..., "a/.zattrs": ...},
  "zarr_consolidated_format": 1}``.

In memory both become the v3 inline form (v2 documents merged with their ``attributes``), held
in :attr:`GroupMetadata.consolidated_metadata`; :func:`child_metadata` builds a child's
metadata from it without reading the store.

Example:
    >>> from simplezarr.metadata.options import build_array_metadata
    >>> a = build_array_metadata(shape=(2,), dtype="i1", chunks=(2,))
    >>> inline = consolidate({"x": a, "g": GroupMetadata(3)})
    >>> list(inline["metadata"]), child_metadata(inline, "x", "x").shape
    (['g', 'x'], (2,))
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from simplezarr.errors import InvalidMetadata, NodeNotFound
from simplezarr.metadata.json import parse_document, to_jsonable
from simplezarr.metadata.model import (
    ConsolidatedMetadata,
    GroupMetadata,
    NodeMetadata,
    check_member_names,
    thaw,
    where,
)
from simplezarr.metadata.v2 import parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import parse_node_v3

__all__ = [
    "V2_KEY",
    "child_metadata",
    "consolidate",
    "consolidated_entry",
    "consolidated_view",
    "from_v2_document",
    "inline",
    "inline_entries",
    "v2_document",
    "without_consolidated",
]

V2_KEY = ".zmetadata"
_EMPTY = {"kind": "inline", "must_understand": False, "metadata": {}}

Node = NodeMetadata


def _order(key: str) -> tuple[int, str]:
    return key.count("/"), unicodedata.normalize("NFKC", key).casefold()


def inline(entries: Mapping[str, Any]) -> dict[str, Any]:
    """The inline consolidated object holding ``entries`` ({relative path: document}).

    Example:
        >>> inline({})
        {'kind': 'inline', 'must_understand': False, 'metadata': {}}
    """
    return {"kind": "inline", "must_understand": False, "metadata": dict(entries)}


def without_consolidated(meta: Node) -> Node:
    """``meta`` without consolidated metadata (an array's, or a group's that has none, as
    it is).

    Example:
        >>> without_consolidated(GroupMetadata(3, {}, inline({}))).consolidated_metadata is None
        True
    """
    if isinstance(meta, GroupMetadata) and meta.consolidated_metadata is not None:
        return dataclasses.replace(meta, consolidated_metadata=None)
    return meta


def consolidated_entry(meta: Node) -> dict[str, Any]:
    """A node's document as it appears in consolidated metadata (attributes included)."""
    if isinstance(meta, GroupMetadata):
        doc = GroupMetadata(meta.zarr_format, meta.attributes, dict(_EMPTY)).to_json()
        if meta.zarr_format == 2:
            doc = {"zarr_format": 2, "consolidated_metadata": dict(_EMPTY)}
            doc["attributes"] = thaw(meta.attributes)
        return doc
    doc = meta.to_json()
    if meta.zarr_format == 2:
        doc["attributes"] = thaw(meta.attributes)
    return doc


def consolidate(nodes: Mapping[str, Node]) -> dict[str, Any]:
    """The inline consolidated object for ``nodes`` (paths relative to the group).

    Example:
        >>> consolidate({})
        {'kind': 'inline', 'must_understand': False, 'metadata': {}}
    """
    return inline({k: consolidated_entry(nodes[k]) for k in sorted(nodes, key=_order)})


def inline_entries(consolidated: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """The flat ``{relative path: document}`` of an inline object; nested objects (a child
    group document holding its own children) are flattened too. A new dict: the caller may
    change it."""
    return dict(_entries(consolidated, path))


def _entries(consolidated: Mapping[str, Any], path: str) -> dict[str, Any]:
    """:func:`inline_entries`, worked out once per (frozen) ConsolidatedMetadata: opening
    each of a group's 1,000 children re-checked all 1,000 entries (13 M instructions a
    child). Not to be changed by the caller."""
    known = getattr(consolidated, "_flat_entries", None)
    if known is not None:
        return known
    out = _flatten_entries(consolidated, path)
    if isinstance(consolidated, ConsolidatedMetadata):
        consolidated._flat_entries = out  # type: ignore[attr-defined]
    return out


def _flatten_entries(consolidated: Mapping[str, Any], path: str) -> dict[str, Any]:
    with _context(path):
        if consolidated.get("kind", "inline") != "inline":
            raise InvalidMetadata(
                f"kind {consolidated.get('kind')!r} is not supported (only 'inline')"
            )
        metadata = consolidated.get("metadata")
        if not isinstance(metadata, Mapping):
            raise InvalidMetadata(f"metadata must be a JSON object, got {metadata!r}")
    check_member_names(consolidated, path)
    out: dict[str, Any] = {}
    for key, doc in metadata.items():
        if not isinstance(doc, Mapping):
            with _context(path):
                raise InvalidMetadata(f"metadata[{key!r}] must be a JSON object, got {doc!r}")
        out[key] = doc
        nested = doc.get("consolidated_metadata")
        if isinstance(nested, Mapping) and nested.get("metadata"):
            for sub, sub_doc in inline_entries(nested, path).items():
                out.setdefault(f"{key}/{sub}", sub_doc)
    return out


class _context:
    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if isinstance(exc, InvalidMetadata):
            raise type(exc)(f"{where(self.path)}: consolidated_metadata: {exc}") from exc


def child_metadata(consolidated: Mapping[str, Any], relpath: str, path: str) -> Node:
    """The metadata of the node at ``relpath`` below a group whose consolidated object is
    ``consolidated``; ``path`` is the node's full path (for messages). A child group gets the
    part of the consolidated object below it, so navigating further needs no reads either.

    Raises :class:`NodeNotFound` when the consolidated metadata does not list the node.
    """
    entries = _entries(consolidated, path)
    doc = entries.get(relpath)
    if doc is None:
        raise NodeNotFound(f"{relpath!r} not found in consolidated metadata (at {where(path)})")
    doc = dict(doc)
    attrs = doc.pop("attributes", {}) if doc.get("zarr_format") == 2 else None
    if doc.get("zarr_format") == 2:
        doc.pop("consolidated_metadata", None)
        meta: Node = (
            parse_array_v2(doc, attrs, path) if "shape" in doc else parse_group_v2(doc, attrs, path)
        )
    else:
        doc.pop("consolidated_metadata", None)
        meta = parse_node_v3(doc, path)
    if isinstance(meta, GroupMetadata):
        below = {
            k[len(relpath) + 1 :]: v for k, v in entries.items() if k.startswith(relpath + "/")
        }
        meta = GroupMetadata(meta.zarr_format, meta.attributes, inline(below), meta.extra)
    return meta


def v2_document(group: GroupMetadata, entries: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The ``.zmetadata`` bytes for a v2 group and the inline documents of the nodes below
    it (relative paths, as :func:`consolidate` or :func:`inline_entries` give them)."""
    docs: dict[str, Any] = {".zgroup": {"zarr_format": 2}, ".zattrs": thaw(group.attributes)}
    for key in sorted(entries, key=_order):
        entry = thaw(entries[key])
        docs[f"{key}/.zattrs"] = entry.pop("attributes", {})
        docs[f"{key}/.zarray" if "shape" in entry else f"{key}/.zgroup"] = entry
    doc = to_jsonable({"metadata": docs, "zarr_consolidated_format": 1}, V2_KEY)
    return json.dumps(doc, allow_nan=True).encode("ascii")  # one line, as zarr-python


def from_v2_document(data: bytes, path: str, key: str = V2_KEY) -> dict[str, Any]:
    """A ``.zmetadata`` document as the inline object (v2 documents merged with attributes)."""
    where_ = f"{where(path)}: {key}"
    doc = parse_document(data, where_)
    metadata = doc.get("metadata") if isinstance(doc, dict) else None
    if not isinstance(metadata, dict):
        raise InvalidMetadata(f"{where_}: 'metadata' must be a JSON object")
    merged: dict[str, dict[str, Any]] = {}
    for name, value in metadata.items():
        if name in (".zgroup", ".zattrs", ".zarray"):
            continue  # the group's own documents: read from the store
        node, sep, kind = name.rpartition("/.")
        if not sep or kind not in ("zarray", "zattrs", "zgroup") or not isinstance(value, dict):
            raise InvalidMetadata(f"{where_}: unexpected entry {name!r}")
        entry = merged.setdefault(node, {})
        if kind == "zattrs":
            entry["attributes"] = value
        else:
            entry.update(value)
    check_member_names({"metadata": merged}, path)
    for node, entry in merged.items():
        if "zarr_format" not in entry:
            raise InvalidMetadata(f"{where_}: {node!r} has attributes but no .zarray or .zgroup")
    return inline({k: merged[k] for k in sorted(merged, key=_order)})


def _flattened(consolidated: Mapping[str, Any]) -> dict[str, Node]:
    """Every node listed by a consolidated object, parsed, by relative path."""
    return {k: child_metadata(consolidated, k, k) for k in inline_entries(consolidated)}


def consolidated_view(consolidated: Mapping[str, Any]) -> dict[str, Node]:
    """Every node a consolidated object lists, parsed, by path relative to its group.

    Example:
        >>> consolidated_view(consolidate({}))
        {}
    """
    return _flattened(consolidated)


ConsolidatedMetadata.flatten = staticmethod(_flattened)
