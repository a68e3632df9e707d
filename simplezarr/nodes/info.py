"""Descriptions of nodes, as zarr-python shows them: ``info`` summaries, ``tree()`` drawings,
and an array's codecs split into filters, serializer and compressors.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrArray
    >>> a = ZarrArray.create(MemoryStore(), "x", shape=(4,), dtype="int16", chunks=(2,))
    >>> print(a.info)
    Type               : Array
    Zarr format        : 3
    Data type          : Int16(endianness='little')
    Fill value         : 0
    Shape              : (4,)
    Chunk shape        : (2,)
    Order              : C
    Read-only          : False
    Store type         : MemoryStore
    Filters            : ()
    Serializer         : BytesCodec(endian='little')
    Compressors        : (ZstdCodec(level=0, checksum=False),)
    No. bytes          : 8
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from simplezarr.engine import nchunks_stored
from simplezarr.errors import ZarrError
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.nodes.api_hooks import HOOKS

if TYPE_CHECKING:
    from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode

__all__ = ["Info", "TreeRepr", "array_info", "codec_parts", "group_info", "render_tree"]


class Info:
    """A node summary: ``label : value`` lines (``repr`` and ``str`` show them).

    Example:
        >>> Info([("Name", "/")])
        Name               : /
    """

    def __init__(self, items: Iterable[tuple[str, Any]], width: int = 19) -> None:
        self.items: list[tuple[str, Any]] = list(items)
        self.width = width  # zarr-python's: 19 for arrays, 12 for groups

    def as_dict(self) -> dict[str, Any]:
        return dict(self.items)

    def __repr__(self) -> str:
        return "\n".join(f"{label:<{self.width}}: {value}" for label, value in self.items)

    __str__ = __repr__

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(repr(self))


class TreeRepr(str):
    """The text of a hierarchy drawing; its ``repr`` is the drawing itself (so Jupyter and
    the REPL show the tree, as zarr-python's ``tree()`` result does)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def codec_parts(metadata: ArrayMetadata) -> tuple[tuple[Any, ...], Any | None, tuple[Any, ...]]:
    """(filters, serializer, compressors) as zarr-python's Array reports them: for v3 the
    array -> array, array -> bytes and bytes -> bytes codecs (inside the shards when sharded);
    for v2 numcodecs objects and no serializer."""
    if metadata.zarr_format == 2:
        import numcodecs  # a v2 array's codecs are numcodecs' (imported when first used)

        codec = metadata.codecs[0]
        filters = tuple(numcodecs.get_codec(dict(f)) for f in getattr(codec, "filters", None) or ())
        compressor = getattr(codec, "compressor", None)
        compressors = () if compressor is None else (numcodecs.get_codec(dict(compressor)),)
        return filters, None, compressors
    codecs = metadata.codecs
    if metadata.is_sharded:
        codecs = tuple(getattr(codecs[0], "codecs", ()))
    aa = tuple(c for c in codecs if c.kind == "array_array")
    ab = next((c for c in codecs if c.kind == "array_bytes"), None)
    bb = tuple(c for c in codecs if c.kind == "bytes_bytes")
    return aa, ab, bb


def _dtype_repr(array: ZarrArray) -> str:
    # The data type object's repr (Float32(endianness='little')), served by simplezarr.dtype.
    hook = HOOKS.get("dtype_repr")
    meta = array.metadata
    if hook is not None:
        return str(hook(array.dtype, meta.zarr_format))
    return str(meta.dtype.name if meta.zarr_format == 3 else array.dtype)


def array_info(array: ZarrArray, nbytes_stored: Callable[[], int] | None = None) -> Info:
    """The summary behind ``ZarrArray.info`` (and ``info_complete()`` with stored sizes)."""
    meta = array.metadata
    filters, serializer, compressors = codec_parts(meta)
    sharded = array._io.chain.shard is not None
    # A rectilinear grid has no one chunk (or shard) shape: "<variable>", as zarr-python 3.4
    variable = meta.is_rectilinear
    shards: Any = ("<variable>" if variable else array.shards) if sharded else None
    chunks: Any = "<variable>" if variable and not sharded else array.chunks
    items: list[tuple[str, Any]] = [
        ("Type", "Array"),
        ("Zarr format", meta.zarr_format),
        ("Data type", _dtype_repr(array)),
        ("Fill value", meta.fill_value),
        ("Shape", array.shape),
    ]
    if shards is not None:
        items.append(("Shard shape", shards))
    items += [
        ("Chunk shape", chunks),
        ("Order", array.order),
        ("Read-only", array.read_only),
        ("Store type", type(array.store).__name__),
        ("Filters", filters),
    ]
    if serializer is not None:
        items.append(("Serializer", serializer))
    items += [("Compressors", compressors), ("No. bytes", byte_info(array.nbytes))]
    if nbytes_stored is not None:
        stored = nbytes_stored()
        items.append(("No. bytes stored", byte_info(stored)))
        if stored:
            items.append(("Storage ratio", round(array.nbytes / stored, 1)))
        if not sharded:
            items.append(("Chunks Initialized", array.nchunks_initialized))
        else:  # zarr-python counts the stored shards
            items.append(("Shards Initialized", nchunks_stored(array._io)))
    return Info(items)


def human_readable_size(size: int) -> str:
    """A size in bytes as zarr-python's info shows it: ``39.1K``, ``2.0M``, ...

    Example:
        >>> human_readable_size(40000), human_readable_size(512)
        ('39.1K', '512')
    """
    for power, unit in enumerate("KMGTP", start=1):
        if size < 2 ** (10 * (power + 1)) or unit == "P":
            return str(size) if size < 2**10 else f"{size / 2 ** (10 * power):.1f}{unit}"
    return str(size)  # pragma: no cover - the loop always returns


def byte_info(size: int) -> str:
    """``40000 (39.1K)``; sizes under 1 KiB as the number alone."""
    return str(size) if size < 2**10 else f"{size} ({human_readable_size(size)})"


def group_info(group: ZarrGroup, members: list[ZarrNode] | None = None) -> Info:
    """The summary behind ``ZarrGroup.info`` (member counts when ``members`` is given)."""

    items: list[tuple[str, Any]] = [
        ("Name", group.path),
        ("Type", "Group"),
        ("Zarr format", group.zarr_format),
        ("Read-only", group.read_only),
        ("Store type", type(group.store).__name__),
    ]
    if members is not None:
        n_groups = sum(isinstance(m.metadata, GroupMetadata) for m in members)
        items += [
            ("No. members", len(members)),
            ("No. arrays", len(members) - n_groups),
            ("No. groups", n_groups),
        ]
    return Info(items, width=12)


def render_tree(group: ZarrGroup, max_depth: int | None = None, max_nodes: int = 500) -> TreeRepr:
    """A text drawing of the hierarchy below ``group``; ``max_depth=1`` shows only its
    children. Unreadable nodes are drawn with their error instead of failing the drawing."""
    lines = [group.name]
    shown = 0

    def walk(g: ZarrGroup, indent: str, depth: int) -> bool:
        nonlocal shown
        children = g._child_nodes()  # one listing and one batch of documents
        for i, (name, node) in enumerate(children):
            if shown >= max_nodes:
                lines.append(f"{indent}... (truncated at max_nodes={max_nodes})")
                return False
            shown += 1
            last = i == len(children) - 1
            branch = "└── " if last else "├── "
            if isinstance(node, ZarrError):
                lines.append(f"{indent}{branch}{name} <unreadable: {type(node).__name__}: {node}>")
                continue
            meta = node.metadata
            if isinstance(meta, ArrayMetadata):
                lines.append(f"{indent}{branch}{name} {meta.shape} {meta.numpy_dtype}")
                continue
            lines.append(f"{indent}{branch}{name}")
            if max_depth is not None and depth >= max_depth:
                continue
            child = cast("ZarrGroup", node)  # a node that is not an array is a group
            if not walk(child, indent + ("    " if last else "│   "), depth + 1):
                return False
        return True

    walk(group, "", 1)
    return TreeRepr("\n".join(lines) + "\n")  # one line each, as zarr-python's
