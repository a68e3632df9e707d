"""Copying between stores: ``copy_store`` (raw keys), ``copy`` (one array or group) and
``copy_all`` (every child of a group), with zarr-python 2's arguments and results.

Each returns ``(n_copied, n_skipped, n_bytes_copied)``. ``copy_store`` counts stored bytes;
``copy`` and ``copy_all`` count items (arrays and groups) and the arrays' uncompressed bytes,
as zarr-python 2 did. Array chunks are copied as stored bytes, without decoding, when the
destination encodes them exactly as the source (same codecs, chunk grid, chunk key
encoding, data type and fill value); otherwise they are decoded and re-encoded.

``log`` shows progress: a callable taking a message, an object with ``write`` (a file), or
``True`` for ``print``.

Example:
    >>> import numpy as np, simplezarr as zarr
    >>> src = zarr.group({})
    >>> _ = src.create_array("a", data=np.arange(10), chunks=(5,), attributes={"u": "m"})
    >>> dst = zarr.group({})
    >>> zarr.copy_all(src, dst)
    (1, 0, 80)
    >>> dst["a"][:].tolist() == list(range(10)), dst["a"].attrs["u"]
    (True, 'm')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from simplezarr import engine
from simplezarr.api.arrays import create_array, from_array
from simplezarr.api.transfer import Progress, copy_regions, copy_values, decodes_with
from simplezarr.errors import (
    CopyError,
    InvalidArgument,
    InvalidMetadata,
    NodeNotFound,
    ReadOnlyNodeError,
    StoreError,
    ZarrUserWarning,
)
from simplezarr.metadata.store_io import prefix, write_metadata
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode, open_zarr
from simplezarr.nodes.base import _ensure_parents
from simplezarr.storage import join_path, make_store_path, normalize_path
from simplezarr.stores.base import (
    ListableStore,
    ReadableStore,
    WritableStore,
    readable,
    writable,
)

__all__ = ["copy", "copy_all", "copy_chunks", "copy_store"]

_IF_EXISTS = ("raise", "replace", "skip", "skip_initialized")

Log = Callable[[str], None]


def _logger(log: Any) -> Log | None:
    if log is None or log is False:
        return None
    if log is True:
        return print
    if callable(log):
        return log
    if hasattr(log, "write"):
        return lambda msg: log.write(msg + "\n")
    raise InvalidArgument(f"log must be a callable, a writable file or True, got {log!r}")


def _check_if_exists(if_exists: str, allowed: Sequence[str]) -> None:
    if if_exists not in allowed:
        raise InvalidArgument(f"if_exists must be one of {list(allowed)}, got {if_exists!r}")


def _summary(log: Log | None, dry_run: bool, n: int, skipped: int, nbytes: int) -> None:
    if log is not None:
        head = "dry run: " if dry_run else ""
        log(f"{head}all done: {n:,} copied, {skipped:,} skipped, {nbytes:,} bytes copied")


# --------------------------------------------------------------------------- raw keys


def copy_store(
    source: Any,
    dest: Any,
    source_path: str = "",
    dest_path: str = "",
    excludes: str | Iterable[str] | None = None,
    includes: str | Iterable[str] | None = None,
    flags: int = 0,
    if_exists: str = "raise",
    dry_run: bool = False,
    log: Any = None,
    *,
    progress: Progress | None = None,
) -> tuple[int, int, int]:
    """Copy every key under ``source_path`` of one store to ``dest_path`` of another, as
    stored bytes. ``excludes`` / ``includes`` are regular expressions searched in the key
    relative to ``source_path`` (an included key is copied even if excluded).

    Values are copied in parallel, a bounded number of bytes at once (see
    :mod:`simplezarr.api.transfer`); ``progress(done, total)`` is called after each key.

    Example:
        >>> import simplezarr as zarr
        >>> src, dst = {}, {}
        >>> _ = zarr.create_array(src, name="a", shape=(4,), dtype="i1", fill_value=1)
        >>> zarr.copy_store(src, dst, source_path="a", dest_path="b")
        (1, 0, 551)
        >>> zarr.open_array(dst, path="b", mode="r")[:].tolist()
        [1, 1, 1, 1]
    """
    _check_if_exists(if_exists, ("raise", "replace", "skip"))
    say = _logger(log)
    src = make_store_path(source, path=source_path).store
    dst = make_store_path(dest, path=dest_path).store
    src_prefix = prefix(normalize_path(source_path))
    dst_prefix = prefix(normalize_path(dest_path))
    ex = [re.compile(e, flags) for e in _patterns(excludes)]
    inc = [re.compile(i, flags) for i in _patterns(includes)]
    if not dry_run and dst.read_only:
        raise ReadOnlyNodeError(f"cannot copy into {dst!r}: it is read-only")
    if not (isinstance(src, ReadableStore) and isinstance(src, ListableStore)):
        raise StoreError(f"cannot copy from {src!r}: it cannot read and list keys")
    if not isinstance(dst, ReadableStore) or not (dry_run or isinstance(dst, WritableStore)):
        raise StoreError(f"cannot copy into {dst!r}: it cannot read and write keys")
    n_copied = n_skipped = 0
    keys = list(src.list_prefix(src_prefix))
    todo: list[tuple[str, str]] = []
    for key in keys:
        relative = key[len(src_prefix) :]
        if any(p.search(relative) for p in ex) and not any(p.search(relative) for p in inc):
            continue
        target = dst_prefix + relative
        if dst.exists(target):
            if if_exists == "raise":
                raise CopyError(f"key {target!r} already exists in the destination {dst!r}")
            if if_exists == "skip":
                if say:
                    say(f"skip {key} -> {target}")
                n_skipped += 1
                continue
        if say:
            say(f"copy {key} -> {target}")
        n_copied += 1
        todo.append((key, target))
    n_bytes = 0
    if not dry_run and isinstance(dst, WritableStore):
        n_bytes = copy_values(src, dst, todo, progress=progress)
    _summary(say, dry_run, n_copied, n_skipped, n_bytes)
    return n_copied, n_skipped, n_bytes


def _patterns(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# --------------------------------------------------------------------------- nodes


def _dest_group(dest: Any) -> ZarrGroup:
    if isinstance(dest, ZarrGroup):
        return dest
    if isinstance(dest, ZarrNode):
        raise InvalidArgument(f"the destination must be a group, got the array {dest.name!r}")
    sp = make_store_path(dest, mode="a")
    try:
        node = open_zarr(sp.store, sp.path)
    except NodeNotFound:
        return ZarrGroup.create(sp.store, sp.path)
    if not isinstance(node, ZarrGroup):
        raise InvalidArgument(f"the destination must be a group, got the array {node.name!r}")
    return node


def _source_node(source: Any) -> ZarrNode:
    if isinstance(source, ZarrNode):
        return source
    sp = make_store_path(source, mode="r")
    return open_zarr(sp.store, sp.path)


class _Copier:
    def __init__(
        self,
        shallow: bool,
        without_attrs: bool,
        log: Log | None,
        if_exists: str,
        dry_run: bool,
        create_kws: dict[str, Any],
        progress: Progress | None = None,
    ) -> None:
        self.shallow, self.without_attrs, self.log = shallow, without_attrs, log
        self.if_exists, self.dry_run, self.create_kws = if_exists, dry_run, create_kws
        self.progress = progress
        self.n_copied = self.n_skipped = self.n_bytes = 0

    def say(self, message: str) -> None:
        if self.log is not None:
            self.log(message)

    def node(self, source: ZarrNode, dest: ZarrGroup | None, name: str, root: bool) -> None:
        if isinstance(source, ZarrArray):
            self.array(source, dest, name)
        elif root or not self.shallow:
            self.group(source, dest, name)  # type: ignore[arg-type]

    def _existing(self, dest: ZarrGroup | None, name: str) -> ZarrNode | None:
        if dest is None:
            return None
        return dest.get(name)

    def array(self, source: ZarrArray, dest: ZarrGroup | None, name: str) -> None:
        existing = self._existing(dest, name)
        if existing is not None:
            skip = self.if_exists == "skip" or (
                self.if_exists == "skip_initialized"
                and isinstance(existing, ZarrArray)
                and existing.nchunks_initialized == existing.nchunks
            )
            if self.if_exists == "raise":
                raise CopyError(
                    f"an object {name!r} already exists in the destination {existing.name!r}; "
                    "pass if_exists='replace' or 'skip'"
                )
            if skip:
                self.say(f"skip {source.name} {source.shape} {source.dtype}")
                self.n_skipped += 1
                return
        self.say(f"copy {source.name} {source.shape} {source.dtype}")
        self.n_copied += 1
        if self.dry_run or dest is None:
            return
        if existing is not None:
            del dest[name]
        target = _copy_array(source, dest, name, self.create_kws, self.without_attrs, self.progress)
        self.n_bytes += target.size * target.dtype.itemsize

    def group(self, source: ZarrGroup, dest: ZarrGroup | None, name: str) -> None:
        existing = self._existing(dest, name)
        if isinstance(existing, ZarrArray):
            if self.if_exists == "raise":
                raise CopyError(
                    f"an array {name!r} already exists in the destination where the group "
                    f"{source.name!r} goes; pass if_exists='replace' or 'skip'"
                )
            if self.if_exists in ("skip", "skip_initialized"):
                self.say(f"skip {source.name}")
                self.n_skipped += 1
                return
        self.say(f"copy {source.name}")
        target: ZarrGroup | None = None
        if self.dry_run:
            # descend into a group that is already there, so the children meet what the
            # real run would meet
            target = existing if isinstance(existing, ZarrGroup) else None
        elif dest is not None:
            if existing is not None and isinstance(existing, ZarrArray):
                del dest[name]
            target = dest.require_group(name)
            if not self.without_attrs and source.attrs:
                target.attrs.update(source.attrs.asdict())
        for child in source:
            self.node(source[child], target, child, root=False)
        self.n_copied += 1


def _copy_array(
    source: ZarrArray,
    dest: ZarrGroup,
    name: str,
    create_kws: dict[str, Any],
    without_attrs: bool,
    progress: Progress | None = None,
) -> ZarrArray:
    """Create the copy of ``source`` in ``dest`` and copy its chunks. The copy has the
    destination group's Zarr format: a source of the other format is converted (metadata
    built for that format with its default codecs, chunks decoded and re-encoded)."""
    attrs = None if without_attrs else source.attrs.asdict()
    fmt = create_kws.get("zarr_format") or dest.zarr_format
    if fmt != dest.zarr_format:
        raise InvalidArgument(
            f"cannot copy {source.name!r} as a Zarr v{fmt} array into the Zarr v"
            f"{dest.zarr_format} group {dest.name!r}: a hierarchy has one Zarr format"
        )
    path = join_path(dest.path, name)
    kws = dict(create_kws, zarr_format=fmt)
    if "compressor" in kws:
        compressor = kws.pop("compressor")
        kws["compressors"] = None if compressor is None else (compressor,)
    kws.setdefault("fill_value", source.metadata.fill_value)
    if fmt == source.metadata.zarr_format and not create_kws:
        # Same metadata as the source: chunks are copied as they are stored.
        meta = source.metadata.with_attributes(attrs or {})
        _ensure_parents(dest.store, path, meta.zarr_format)
        write_metadata(dest.store, path, meta)
        target = ZarrArray(dest.store, path, meta)
    elif fmt == source.metadata.zarr_format:
        target = from_array(
            dest.store_path, name=name, data=source, write_data=False, attributes=attrs, **kws
        )
    else:
        target = _converted(source, dest, name, attrs, kws)
    copy_chunks(source, target, progress=progress)
    return target


def _converted(
    source: ZarrArray, dest: ZarrGroup, name: str, attrs: dict[str, Any] | None, kws: dict[str, Any]
) -> ZarrArray:
    """An empty copy of ``source`` in the other Zarr format: same shape, data type, chunks
    (the inner chunks of a sharded source), fill value and attributes; that format's default
    codecs and key encoding unless ``kws`` say otherwise. v3 dimension names have no v2
    place and are dropped (with a warning)."""
    fmt = kws["zarr_format"]
    kws.setdefault("chunks", source.chunks)
    if fmt == 3:
        kws.setdefault("order", None)
    else:
        kws.setdefault("order", source.order)
        if source.metadata.dimension_names is not None:
            warnings.warn(
                f"the dimension names {list(source.metadata.dimension_names)} of "
                f"{source.name!r} have no place in a Zarr v2 array; the copy has none",
                ZarrUserWarning,
                stacklevel=4,
            )
    if fmt == 3 and source.metadata.dimension_names is not None:
        kws.setdefault("dimension_names", source.metadata.dimension_names)
    try:
        return create_array(
            dest.store_path,
            name=name,
            shape=source.shape,
            dtype=source.dtype,
            attributes=attrs,
            **kws,
        )
    except InvalidMetadata as e:
        raise InvalidArgument(
            f"cannot copy the Zarr v{source.metadata.zarr_format} array {source.name!r} into "
            f"the Zarr v{fmt} group {dest.name!r}: {e}"
        ) from e


def _same_encoding(a: ZarrArray, b: ZarrArray) -> bool:
    """True when chunk bytes of ``a`` mean the same in ``b``."""
    ja, jb = a.metadata.to_json(), b.metadata.to_json()
    keys = (
        "shape",
        "chunks",
        "dtype",
        "fill_value",
        "order",
        "filters",
        "compressor",
        "dimension_separator",
        "data_type",
        "chunk_grid",
        "chunk_key_encoding",
        "codecs",
        "zarr_format",
    )
    return all(ja.get(k) == jb.get(k) for k in keys) and a.metadata.endian == b.metadata.endian


def copy_chunks(
    source: ZarrArray,
    target: ZarrArray,
    *,
    progress: Progress | None = None,
    resume: bool = False,
    buffer_bytes: int | None = None,
) -> bool:
    """Copy the chunks of ``source`` into the empty (or, with ``resume``, partly copied)
    array ``target`` of the same shape: as stored bytes when both encode chunks alike,
    else decoded and re-encoded one stored object of ``target`` at a time. Returns whether
    the copy was raw. Parallel, with bounded memory (:mod:`simplezarr.api.transfer`)."""
    kws: dict[str, Any] = {"progress": progress}
    if buffer_bytes is not None:
        kws["buffer_bytes"] = buffer_bytes
    if not _same_encoding(source, target):
        copy_regions(source, target, resume=resume, **kws)
        return False
    src_io, dst_io = source._io, target._io
    pairs = [(src_io.key(c), dst_io.key(c)) for c in engine.stored_chunks(src_io)]
    copy_values(
        readable(source.store, "copy chunks"),
        writable(target.store, "copy chunks"),
        pairs,
        valid=decodes_with(target) if resume else None,
        **kws,
    )
    return True


def copy(
    source: Any,
    dest: Any,
    name: str | None = None,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Any = None,
    if_exists: str = "raise",
    dry_run: bool = False,
    *,
    progress: Progress | None = None,
    **create_kws: Any,
) -> tuple[int, int, int]:
    """Copy the array or group ``source`` (a node, or a store-like opened read-only) into
    the group ``dest`` under ``name`` (default: the source's basename), with attributes
    unless ``without_attrs``; a group's whole hierarchy unless ``shallow``.

    ``if_exists`` for arrays already in the destination: ``raise``, ``replace``, ``skip``
    or ``skip_initialized`` (skip when all its chunks are stored); existing groups are
    merged into. ``create_kws`` (chunks, compressors, compressor, filters, zarr_format,
    ...) change the copy's encoding, as :func:`simplezarr.from_array` takes them.
    ``progress(done, total)`` is called after each stored chunk of each array copied
    (``total``: that array's). :func:`simplezarr.convert` counts over a whole hierarchy.

    Example:
        >>> import simplezarr as zarr
        >>> src = zarr.create_array({}, shape=(4,), dtype="u1", fill_value=3)
        >>> dst = zarr.group({})
        >>> zarr.copy(src, dst, name="x", chunks=(2,), compressors=None)
        (1, 0, 4)
        >>> dst["x"].chunks, dst["x"][:].tolist()
        ((2,), [3, 3, 3, 3])
    """
    _check_if_exists(if_exists, _IF_EXISTS)
    say = _logger(log)
    node = _source_node(source)
    if name is None:
        name = node.basename
        if not name:
            raise InvalidArgument("the source is a root node; pass name= for the copy")
    target = _dest_group(dest)
    copier = _Copier(shallow, without_attrs, say, if_exists, dry_run, create_kws, progress)
    copier.node(node, target, name, root=True)
    _summary(say, dry_run, copier.n_copied, copier.n_skipped, copier.n_bytes)
    return copier.n_copied, copier.n_skipped, copier.n_bytes


def copy_all(
    source: Any,
    dest: Any,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Any = None,
    if_exists: str = "raise",
    dry_run: bool = False,
    *,
    progress: Progress | None = None,
    **create_kws: Any,
) -> tuple[int, int, int]:
    """Copy every child of the group ``source`` into the group ``dest`` (and the source
    group's attributes, unless ``without_attrs``); arguments as :func:`copy`."""
    _check_if_exists(if_exists, _IF_EXISTS)
    say = _logger(log)
    group = _source_node(source)
    if not isinstance(group, ZarrGroup):
        raise InvalidArgument(
            f"copy_all copies the children of a group; {group.name!r} is an array"
        )
    target = _dest_group(dest)
    copier = _Copier(shallow, without_attrs, say, if_exists, dry_run, create_kws, progress)
    for child in group:
        copier.node(group[child], target, child, root=False)
    if not dry_run and not without_attrs and group.attrs:
        target.attrs.update(group.attrs.asdict())
    _summary(say, dry_run, copier.n_copied, copier.n_skipped, copier.n_bytes)
    return copier.n_copied, copier.n_skipped, copier.n_bytes
