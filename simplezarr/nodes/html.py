"""Notebook display: the HTML behind ``ZarrArray._repr_html_`` and ``ZarrGroup._repr_html_``.

An array shows the rows of its ``info`` (shape, data type, chunks, shards, codecs, sizes)
and, when it has at most :data:`MAX_MEASURED_OBJECTS` chunks or shards, the bytes stored
and the compression ratio of ``info_complete()`` (measuring lists the store and asks each
object's size, which a notebook should not do for a million remote chunks). A group shows
its attributes and a collapsible ``<details>`` tree of its members, at most ``max_nodes``
of them. Every name, attribute and value is escaped (``html.escape``), and each value is
cut to :data:`MAX_VALUE_CHARS` characters.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrGroup
    >>> g = ZarrGroup.create(MemoryStore())
    >>> _ = g.create_array("<x>", shape=(4,), dtype="int16", chunks=(2,))
    >>> "&lt;x&gt;" in group_html(g) and "<x>" not in group_html(g)
    True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from math import ceil, prod
from typing import TYPE_CHECKING, Any, cast

from simplezarr.errors import ZarrError
from simplezarr.metadata.model import ArrayMetadata
from simplezarr.metadata.store_io import prefix
from simplezarr.nodes.info import array_info, codec_parts
from simplezarr.stores.base import listable

if TYPE_CHECKING:
    from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode

__all__ = ["MAX_MEASURED_OBJECTS", "MAX_VALUE_CHARS", "array_html", "child_names", "group_html"]

#: An array with more stored objects (chunks, or shards) than this shows no stored size
#: (measuring asks the size of each object: one request each on a remote store).
MAX_MEASURED_OBJECTS = 256
#: Values (attributes, codecs) longer than this are cut.
MAX_VALUE_CHARS = 200
#: Attributes shown per node; the rest are counted.
MAX_ATTRIBUTES = 20

_STYLE = (
    "<style>"
    ".simplezarr-repr table{border-collapse:collapse;font-size:0.9em}"
    ".simplezarr-repr th{text-align:left;padding:1px 12px 1px 0;font-weight:bold}"
    ".simplezarr-repr td{text-align:left;padding:1px 0;font-family:monospace}"
    ".simplezarr-repr ul{list-style:none;margin:0;padding-left:1.2em}"
    ".simplezarr-repr .sz-meta{color:#666;font-family:monospace}"
    "</style>"
)


def _text(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """``str(value)`` cut to ``limit`` characters, escaped."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def _table(rows: Iterable[tuple[str, Any]]) -> str:
    cells = "".join(f"<tr><th>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _attributes(attrs: Mapping[str, Any]) -> str:
    if not attrs:
        return ""
    items = list(attrs.items())
    shown = _table((k, repr(v)) for k, v in items[:MAX_ATTRIBUTES])
    more = len(items) - MAX_ATTRIBUTES
    tail = f"<div class='sz-meta'>… {more} more attributes</div>" if more > 0 else ""
    return f"<details><summary>Attributes ({len(items)})</summary>{shown}{tail}</details>"


def stored_objects(array: ZarrArray) -> int:
    """How many objects (chunks, or shards when sharded) the array's grid has.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> from simplezarr.nodes import ZarrArray
        >>> stored_objects(ZarrArray.create(MemoryStore(), shape=(10, 4), dtype="u1",
        ...                                 chunks=(3, 4)))
        4
    """
    if array.metadata.is_rectilinear:
        return array.metadata.nchunks
    outer = array.shards or array.chunks
    return prod(ceil(s / c) for s, c in zip(array.shape, outer, strict=True) if c)


def array_html(array: ZarrArray) -> str:
    """The HTML of one array: a header line, its info rows and attributes (see the module).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> from simplezarr.nodes import ZarrArray
        >>> a = ZarrArray.create(MemoryStore(), "x", shape=(4,), dtype="int16", chunks=(2,))
        >>> "<th>Chunk shape</th><td>(2,)</td>" in array_html(a)
        True
    """
    note = ""
    measure = array.nbytes_stored if stored_objects(array) <= MAX_MEASURED_OBJECTS else None
    if measure is None:
        note = (
            f"stored size not measured: more than {MAX_MEASURED_OBJECTS} stored objects "
            "(info_complete() measures it)"
        )
    try:
        info = array_info(array, measure)
    except (ZarrError, OSError) as e:  # a store that cannot list (plain HTTP), a lost file
        info = array_info(array)
        note = f"stored size unknown: {type(e).__name__}: {e}"
    rows = [(k, v) for k, v in info.items if k not in ("Type", "Store type")]
    title = f"<b>Array</b> {_text(array.name)} <span class='sz-meta'>"
    title += f"{_text(type(array.store).__name__)}</span>"
    tail = f"<div class='sz-meta'>{_text(note)}</div>" if note else ""
    return (
        f"<div class='simplezarr-repr'>{_STYLE}<div>{title}</div>{_table(rows)}{tail}"
        f"{_attributes(array.attrs)}</div>"
    )


def _array_line(name: str, meta: ArrayMetadata) -> str:
    filters, serializer, compressors = codec_parts(meta)
    codecs = [type(c).__name__ for c in (*filters, serializer, *compressors) if c is not None]
    chunks = "chunks <variable>" if meta.is_rectilinear else f"chunks {meta.chunk_shape}"
    details = f"{meta.shape} {meta.numpy_dtype} {chunks} {' '.join(codecs)}"
    return f"<li>{_text(name)} <span class='sz-meta'>{_text(details)}</span></li>"


def child_names(group: ZarrGroup) -> list[str]:
    """The names the tree tries, sorted: the consolidated metadata's children, or every
    sub-prefix of the group's listing. Unlike ``group.keys()`` no name is checked with a
    request of its own (one per child, on a remote store): the tree opens only the first
    ``max_nodes``, and a name that is no node is passed over then.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> from simplezarr.nodes import ZarrGroup
        >>> g = ZarrGroup.create(MemoryStore())
        >>> _ = g.create_group("b"), g.create_array("a", shape=(1,), dtype="i1")
        >>> child_names(g)
        ['a', 'b']
    """
    if group.metadata.consolidated_metadata is not None:
        return group.keys()
    p = prefix(group.path)
    listing = listable(group.store, f"list the members of {group.name!r}").list_dir(p)
    return sorted(k[len(p) : -1] for k in listing if k.endswith("/"))


def group_html(group: ZarrGroup, max_nodes: int = 200, max_depth: int | None = None) -> str:
    """The HTML of a group: header, attributes, and a ``<details>`` tree of at most
    ``max_nodes`` members (``max_depth`` levels; None: all); unreadable members are shown
    with their error, a group that cannot be listed says so."""
    shown = tried = 0  # nodes drawn; names opened (bounded too: most may be no node)
    truncated = False

    def members(g: ZarrGroup, depth: int) -> str:
        nonlocal shown, tried, truncated
        items: list[str] = []
        try:
            names = child_names(g)
        except (ZarrError, OSError) as e:  # a store that cannot list (plain HTTP)
            error = f"members unknown: {type(e).__name__}: {e}"
            return f"<div class='sz-meta'>{_text(error)}</div>"
        queue: list[tuple[str, ZarrNode | ZarrError | None]] = []
        at = 0
        while True:
            if shown >= max_nodes or tried >= 4 * max_nodes:
                if at < len(names) or queue:
                    truncated = True  # never reset: a nested group may have set it
                break
            if not queue:
                if at >= len(names):
                    break
                # The next names, as many as could still be drawn and tried, opened in one
                # batch (one round trip on a remote store, not one per name).
                window = names[at : at + min(max_nodes - shown, 4 * max_nodes - tried)]
                at += len(window)
                queue = list(zip(window, g._open_children(window), strict=True))[::-1]
            name, node = queue.pop()
            tried += 1
            if node is None:  # a prefix holding no node (no metadata document)
                continue
            if isinstance(node, ZarrError):
                shown += 1
                error = f"unreadable: {type(node).__name__}: {node}"
                items.append(f"<li>{_text(name)} <span class='sz-meta'>{_text(error)}</span></li>")
                continue
            shown += 1
            if isinstance(node.metadata, ArrayMetadata):
                items.append(_array_line(name, node.metadata))
                continue
            child = cast("ZarrGroup", node)
            inner = ""
            if max_depth is None or depth < max_depth:
                inner = _attributes(child.attrs) + members(child, depth + 1)
            items.append(f"<li><details><summary>{_text(name)}/</summary>{inner}</details></li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    tree = members(group, 1)
    if truncated:
        tree += f"<div class='sz-meta'>… truncated at max_nodes={max_nodes}</div>"
    header = (
        f"<summary><b>Group</b> {_text(group.name)} <span class='sz-meta'>zarr v"
        f"{group.zarr_format} {_text(type(group.store).__name__)}</span></summary>"
    )
    return (
        f"<div class='simplezarr-repr'>{_STYLE}<details open>{header}"
        f"{_attributes(group.attrs)}{tree}</details></div>"
    )
