"""convert: copy an array or a whole hierarchy into another store, changing its Zarr format,
chunks, shards or compressors on the way, with progress and resume.

Where the destination encodes chunks exactly as the source (nothing asked to change), the
chunks are copied as stored bytes; otherwise they are decoded and re-encoded one
destination shard (or chunk) at a time. Either way the copy is parallel and holds at most
about ``buffer_bytes`` at once (see :mod:`simplezarr.api.transfer`).

Resume (``resume=True``) continues an interrupted copy into the same destination: an
existing destination array must have exactly the metadata this call would write
(attributes aside, which are rewritten), else :class:`~simplezarr.errors.CopyError`; its
stored objects that exist and decode with its codecs (checksums included; for raw copies
also the source's size) are kept, and everything else is copied again.

Example:
    >>> import numpy as np, simplezarr as zarr
    >>> src = zarr.create_array({}, data=np.arange(12), chunks=(4,))
    >>> dst = {}
    >>> zarr.convert(src, dst, zarr_format=2, chunks=(6,))
    CopyReport(arrays=1, groups=0, chunks_copied=2, chunks_kept=0, bytes_copied=0)
    >>> zarr.open_array(dst, mode="r").metadata.zarr_format, zarr.open_array(dst)[:].sum()
    (2, np.int64(66))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from simplezarr import engine
from simplezarr.api.arrays import create_array, from_array
from simplezarr.api.consolidated import consolidate_metadata, is_consolidated
from simplezarr.api.copy import _same_encoding
from simplezarr.api.transfer import (
    BUFFER_BYTES,
    Progress,
    Tally,
    copy_regions,
    copy_values,
    decodes_with,
)
from simplezarr.errors import ContainsNode, CopyError, InvalidArgument, NodeNotFound
from simplezarr.metadata.store_io import write_metadata
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode, open_zarr
from simplezarr.nodes.base import _ensure_parents
from simplezarr.storage import StorePath, join_path, make_store_path
from simplezarr.stores.base import BaseStore, readable, writable
from simplezarr.stores.local import LocalStore
from simplezarr.stores.memory import MemoryStore

__all__ = ["CopyReport", "convert"]

_KEEP = "keep"


@dataclass(frozen=True)
class CopyReport:
    """What :func:`convert` did: nodes created, stored objects (chunks or shards) copied
    and kept (resume), and the stored bytes copied without re-encoding."""

    arrays: int
    groups: int
    chunks_copied: int
    chunks_kept: int
    bytes_copied: int


@dataclass
class _Plan:
    source: ZarrArray
    target: ZarrArray
    pairs: list[tuple[str, str]] | None  # raw copy: (source key, destination key)
    units: int


def convert(
    source: Any,
    dest: Any,
    *,
    zarr_format: int | None = None,
    chunks: Any = _KEEP,
    shards: Any = _KEEP,
    compressors: Any = _KEEP,
    progress: Progress | None = None,
    resume: bool = False,
    overwrite: bool = False,
    buffer_bytes: int = BUFFER_BYTES,
) -> CopyReport:
    """Copy the array or group ``source`` (a node, or a store-like: path, URL, store, dict)
    to the root of ``dest`` (a store-like, or a ``StorePath`` for a place inside one).

    ``zarr_format``, ``chunks``, ``shards`` and ``compressors`` apply to every array
    (``"keep"``: the source's; ``shards=None`` unshards, ``compressors=None`` stores raw).
    Groups keep their attributes, and a source group with consolidated metadata gives a
    consolidated copy. ``progress(done, total)`` is called after each stored
    object, counted over the whole hierarchy. ``overwrite`` replaces existing destination
    nodes; ``resume`` continues an interrupted copy (see the module docstring).

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> g = zarr.group({})
        >>> _ = g.create_array("x/a", data=np.ones((4, 4)), chunks=(2, 2))
        >>> seen = []
        >>> zarr.convert(g, {}, shards=(4, 4), progress=lambda d, t: seen.append((d, t)))
        CopyReport(arrays=1, groups=2, chunks_copied=1, chunks_kept=0, bytes_copied=0)
        >>> seen
        [(1, 1)]
    """
    if resume and overwrite:
        raise InvalidArgument("resume and overwrite exclude each other: pick one")
    if zarr_format not in (None, 2, 3):
        raise InvalidArgument(f"zarr_format must be 2, 3 or None, got {zarr_format!r}")
    node = source if isinstance(source, ZarrNode) else _open_source(source)
    dst = dest if isinstance(dest, StorePath) else make_store_path(dest, mode="a")
    if _overlap(node.store, node.path, dst.store, dst.path):
        raise InvalidArgument(
            f"cannot copy {node.path or '/'!r} of {node.store!r} into {dst.path or '/'!r} of "
            f"{dst.store!r}: one is inside the other (a copy there would read what it writes, "
            "or overwrite its own source)"
        )
    options = {"zarr_format": zarr_format, "chunks": chunks, "shards": shards}
    options["compressors"] = compressors
    # Every array's new metadata is built in memory first: an option that does not fit
    # some array fails here, before anything is written to the destination.
    _plan(node, MemoryStore(), "", options, False, False, [], metadata_only=True)
    plans: list[_Plan] = []
    groups = _plan(node, dst.store, dst.path, options, resume, overwrite, plans)
    total = sum(p.units for p in plans)
    tally = Tally()
    for plan in plans:
        offset = tally.copied + tally.kept + tally.missing
        report = _offset(progress, offset, total)
        if plan.pairs is not None:
            copy_values(
                readable(plan.source.store, "copy chunks"),
                writable(plan.target.store, "copy chunks"),
                plan.pairs,
                buffer_bytes=buffer_bytes,
                progress=report,
                valid=decodes_with(plan.target) if resume else None,
                tally=tally,
            )
        else:
            copy_regions(
                plan.source,
                plan.target,
                buffer_bytes=buffer_bytes,
                progress=report,
                resume=resume,
                tally=tally,
            )
    if isinstance(node, ZarrGroup) and is_consolidated(node):
        consolidate_metadata(dst.store, dst.path or None)  # consolidated in, consolidated out
    return CopyReport(len(plans), groups, tally.copied, tally.kept, tally.nbytes)


def _overlap(src: BaseStore, src_path: str, dst: BaseStore, dst_path: str) -> bool:
    """Whether two nodes' keys can meet: the same store (or local directories one inside
    the other) and one node path at or below the other."""
    if isinstance(src, LocalStore) and isinstance(dst, LocalStore):
        a = os.path.join(str(src.root), *src_path.split("/")) if src_path else str(src.root)
        b = os.path.join(str(dst.root), *dst_path.split("/")) if dst_path else str(dst.root)
        a, b = os.path.realpath(a), os.path.realpath(b)
        return a == b or a.startswith(b + os.sep) or b.startswith(a + os.sep)
    if src is not dst and src != dst:
        return False
    a, b = f"{src_path}/", f"{dst_path}/"
    return not src_path or not dst_path or a.startswith(b) or b.startswith(a)


def _open_source(source: Any) -> ZarrNode:
    sp = make_store_path(source, mode="r")
    return open_zarr(sp.store, sp.path)


def _offset(progress: Progress | None, offset: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda done, _total: progress(offset + done, total)


def _plan(
    node: ZarrNode,
    store: BaseStore,
    path: str,
    options: dict[str, Any],
    resume: bool,
    overwrite: bool,
    plans: list[_Plan],
    metadata_only: bool = False,
) -> int:
    """Create the destination nodes (metadata only) and list the chunk work; returns the
    groups created."""
    if not isinstance(node, ZarrGroup):
        array: ZarrArray = node  # type: ignore[assignment]
        if metadata_only:
            _built(array, store, path, _target_kws(array, options), {})
        else:
            plans.append(_plan_array(array, store, path, options, resume, overwrite))
        return 0
    fmt = options["zarr_format"] or node.zarr_format
    existing = _existing(store, path)
    if isinstance(existing, ZarrGroup) and (resume or overwrite) and existing.zarr_format == fmt:
        group = existing
        if node.attrs:
            group.attrs.update(node.attrs.asdict())
    else:
        if existing is not None and not overwrite:
            raise _exists(existing, resume)
        group = ZarrGroup.create(
            store, path, attributes=node.attrs.asdict(), zarr_format=fmt, overwrite=overwrite
        )
    n = 1
    for name in node:
        child = node[name]
        where = join_path(group.path, name)
        n += _plan(child, store, where, options, resume, overwrite, plans, metadata_only)
    return n


def _existing(store: BaseStore, path: str) -> ZarrNode | None:
    try:
        return open_zarr(store, path)
    except NodeNotFound:
        return None


def _exists(node: ZarrNode, resume: bool) -> ContainsNode:
    what = "an array" if isinstance(node, ZarrArray) else "a group"
    hint = "" if resume else "pass overwrite=True to replace it, or resume=True to continue a copy"
    return ContainsNode(f"{what} already exists at {node.path or '/'!r} of {node.store!r}; {hint}")


_DIMS = "_ARRAY_DIMENSIONS"  # xarray's attribute for dimension names in Zarr v2


def _target_attrs(source: ZarrArray, fmt: int) -> dict[str, Any]:
    """The copy's attributes; dimension names move between v3's ``dimension_names`` and
    the ``_ARRAY_DIMENSIONS`` attribute xarray reads in v2."""
    attrs = source.attrs.asdict()
    names = source.metadata.dimension_names
    if fmt == 2 and source.metadata.zarr_format == 3 and names is not None:
        attrs.setdefault(_DIMS, list(names))
    if fmt == 3 and source.metadata.zarr_format == 2:
        attrs.pop(_DIMS, None)
    return attrs


def _target_kws(source: ZarrArray, options: dict[str, Any]) -> dict[str, Any]:
    fmt = options["zarr_format"] or source.metadata.zarr_format
    kws: dict[str, Any] = {"zarr_format": fmt, "fill_value": source.metadata.fill_value}
    for name in ("chunks", "shards", "compressors"):
        if options[name] != _KEEP:
            kws[name] = options[name]
    if fmt != source.metadata.zarr_format:
        # "keep" from another format would mean that format's defaults: keep what means
        # the same in both (the chunks users see; v2 has no shards)
        kws.setdefault("chunks", source.chunks)
        if fmt == 2:
            kws.pop("shards", None)
            kws.update(dimension_names=None, order=source.order)
        else:
            dims = source.attrs.asdict().get(_DIMS)
            ok = isinstance(dims, list) and len(dims) == source.ndim
            kws.update(dimension_names=dims if ok else None, order=None)
    return kws


def _plan_array(
    source: ZarrArray,
    store: BaseStore,
    path: str,
    options: dict[str, Any],
    resume: bool,
    overwrite: bool,
) -> _Plan:
    kws = _target_kws(source, options)
    attrs = _target_attrs(source, kws["zarr_format"])
    unchanged = set(kws) == {"zarr_format", "fill_value"} and kws["zarr_format"] == (
        source.metadata.zarr_format
    )
    # The metadata this call would write, built in memory: a resumed copy must find it.
    if unchanged:
        wanted = source.metadata.with_attributes(attrs)
    else:
        wanted = _built(source, MemoryStore(), "", kws, attrs).metadata
    existing = _existing(store, path)
    if existing is not None:
        if not (resume or overwrite):
            raise _exists(existing, resume)
        if resume:
            _check_resumable(existing, wanted)
    if isinstance(existing, ZarrArray) and resume:
        target = existing
        if attrs != target.attrs.asdict():
            target.attrs.update(attrs)
    elif unchanged:
        if existing is not None:
            _remove(existing)
        _ensure_parents(store, path, wanted.zarr_format)
        write_metadata(store, path, wanted)
        target = ZarrArray(store, path, wanted)
    else:
        if existing is not None:
            _remove(existing)
        target = _built(source, store, path, kws, attrs)
    if _same_encoding(source, target):
        src_io, dst_io = source._io, target._io
        pairs = [(src_io.key(c), dst_io.key(c)) for c in engine.stored_chunks(src_io)]
        return _Plan(source, target, pairs, len(pairs))
    units = target.metadata.nchunks if target.size else 0  # one region per stored object
    return _Plan(source, target, None, units)


def _built(
    source: ZarrArray, store: BaseStore, path: str, kws: dict[str, Any], attrs: dict[str, Any]
) -> ZarrArray:
    try:
        if kws["zarr_format"] == source.metadata.zarr_format:
            return from_array(
                StorePath(store, path), data=source, write_data=False, attributes=attrs, **kws
            )
        # from another format "keep" would mean that format's defaults for everything
        return create_array(
            StorePath(store, path),
            shape=source.shape,
            dtype=source.dtype,
            attributes=attrs,
            **kws,
        )
    except (InvalidArgument, ValueError) as e:
        raise InvalidArgument(
            f"cannot convert the array {source.path or '/'!r}: {e} (the options apply to "
            "every array of the copy; copy arrays of other shapes separately)"
        ) from e


def _check_resumable(existing: ZarrNode, wanted: Any) -> None:
    if not isinstance(existing, ZarrArray):
        raise CopyError(
            f"cannot resume: {existing.path or '/'!r} of {existing.store!r} is a group where "
            "the copy puts an array"
        )
    have = existing.metadata.with_attributes({}).to_json()
    want = wanted.with_attributes({}).to_json()
    differ = sorted(k for k in set(have) | set(want) if have.get(k) != want.get(k))
    if differ:
        raise CopyError(
            f"cannot resume into the array {existing.path or '/'!r} of {existing.store!r}: "
            f"its metadata differ from this copy's in {', '.join(differ)}; copy with "
            "overwrite=True instead"
        )


def _remove(node: ZarrNode) -> None:
    store = writable(node.store, "replace a node")
    store.erase_prefix(f"{node.path}/" if node.path else "")
