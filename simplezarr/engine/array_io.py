"""An array bound to its store, and its reads and writes as batches of chunk requests.

:class:`ArrayIO` binds an array's metadata to its store once: the grid of stored objects
(chunks, or shards when sharded), the key of each, and the codec chain. :func:`read` and
:func:`write` take an indexer (anything yielding :class:`~simplezarr.indexing.
ChunkProjection` over that grid) and turn its projections into the engine's batch
(:mod:`simplezarr.engine.batch`); they never see how the selection was written.

Example:
    >>> import numpy as np
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.metadata.options import build_array_metadata
    >>> from simplezarr.indexing import BasicIndexer
    >>> meta = build_array_metadata(shape=(6,), dtype="int32", chunks=(4,))
    >>> io = ArrayIO(MemoryStore(), "", meta)
    >>> write(io, BasicIndexer(slice(None), meta.shape, io.grid.axes), np.arange(6))
    >>> read(io, BasicIndexer(slice(1, 5), meta.shape, io.grid.axes)).tolist()
    [1, 2, 3, 4]

A rectilinear grid's chunks differ in shape: each request gets the chain bound to its
chunk's shape (``ArrayMetadata.chain_for``, one per distinct shape); a regular grid's
requests all share the one chain.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import TYPE_CHECKING, Any

import numpy as np

from simplezarr.chunk_grid import RectilinearChunkGrid, RegularChunkGrid
from simplezarr.codecs.base import ChunkSpec
from simplezarr.codecs.chain import CodecChain
from simplezarr.config import config
from simplezarr.engine.batch import ChunkRequest, read_batch, write_batch
from simplezarr.engine.request import in_array
from simplezarr.engine.write import prepare_value
from simplezarr.errors import (
    ChunkNotFoundError,
    CodecError,
    ReadOnlyError,
    SelectionError,
    StoreError,
)
from simplezarr.indexing import BasicIndexer, Indexer
from simplezarr.indexing.axes import Axis, chunk_of, chunk_size, chunk_start
from simplezarr.metadata.freshness import MetadataCheck
from simplezarr.stores.base import BaseStore, listable, writable

if TYPE_CHECKING:
    from simplezarr.chunk_keys import ChunkKeyEncoding
    from simplezarr.metadata.model import ArrayMetadata

__all__ = [
    "ArrayIO",
    "clear_outside",
    "inner_chunks_stored",
    "nchunks_stored",
    "read",
    "stored_chunks",
    "write",
]


def _key_function(prefix: str, encoding: ChunkKeyEncoding) -> Callable[[tuple[int, ...]], str]:
    sep = str(encoding.separator)
    if encoding.name == "default":
        head, empty = prefix + "c" + sep, prefix + "c"
    else:
        head, empty = prefix, prefix + "0"

    def key(coords: tuple[int, ...]) -> str:
        return head + sep.join(map(str, coords)) if coords else empty

    return key


class _ArraySource:
    """A read source over ``store`` with an array's own settings: ``must_exist`` makes a
    missing chunk (or shard) an error, not the fill value (inner chunks a present shard
    lacks still read as the fill value, as in zarr-python 3.4); ``coalescing`` is the
    array's ``(max_gap, max_bytes)`` for merging a shard's reads (see
    :func:`simplezarr.engine.shards.coalescing`)."""

    def __init__(
        self, store: Any, path: str, must_exist: bool, coalescing: tuple[int, int] | None
    ) -> None:
        self._store, self._path, self._must_exist = store, path, must_exist
        self.shard_coalescing = coalescing
        self.read_batch_size = getattr(store, "read_batch_size", 0)

    def _check(self, requests: Any, results: list[Any]) -> list[Any]:
        if not self._must_exist:
            return results
        for (key, _), result in zip(requests, results, strict=True):
            if result is None:
                raise ChunkNotFoundError(
                    f"array {self._path or '/'!r}: chunk {key!r} is not in {self._store!r}, "
                    "and the array was opened with config={'read_missing_chunks': False}"
                )
        return results

    def get_many(self, requests: Any) -> list[Any]:
        return self._check(requests, self._store.get_many(requests))

    def open_values(self, requests: Any) -> list[Any]:
        return self._check(requests, self._store.open_values(requests))


class ArrayIO:
    """An array's metadata bound to its store, ready for chunk I/O.

    ``write_empty_chunks=None`` follows ``config.write_empty_chunks`` at each write.
    ``stored``: the metadata is that of a document in the store (an opened or created
    array), so every write first checks it is still what is stored (see
    :mod:`simplezarr.metadata.freshness`).
    ``write_empty_chunks=None`` follows ``config.write_empty_chunks`` at each write;
    ``read_missing_chunks`` (None: ``config.read_missing_chunks``) False makes a read of a
    chunk (or shard) that is not stored raise ChunkNotFoundError instead of giving the fill
    value (zarr-python 3.4's setting). ``coalescing``: the array's own limits for merging a
    shard's reads, ``(max_gap_bytes, max_bytes)``.
    """

    def __init__(
        self,
        store: BaseStore,
        path: str,
        metadata: ArrayMetadata,
        *,
        write_empty_chunks: bool | None = None,
        stored: bool = False,
        read_missing_chunks: bool | None = None,
        coalescing: tuple[int, int] | None = None,
    ) -> None:
        self.store = store
        self._read_missing_chunks = read_missing_chunks
        #: The array's own ``(max_gap, max_bytes)`` for a shard's reads (None: the global
        #: ``config.sharding_coalesce_*``).
        self.coalescing = coalescing
        self.path = path
        self.metadata = metadata
        self.prefix = f"{path}/" if path else ""
        self._write_empty_chunks = write_empty_chunks
        self.fill_value = metadata.effective_fill_value
        self.dtype: np.dtype = metadata.numpy_dtype
        #: The grid of stored objects (shards when sharded): what selections project onto.
        self.grid: RegularChunkGrid | RectilinearChunkGrid = metadata.grid
        #: The codec chain, bound once per metadata: every chunk (or shard) of a regular
        #: grid shares it (a rectilinear grid's largest chunk has it: see :meth:`chain_at`).
        self.chain: CodecChain = metadata.chain
        self.spec: ChunkSpec = self.chain.spec
        #: The chunk shape users see: the inner chunks' when sharded, as zarr-python (a
        #: rectilinear grid's largest chunk when not sharded: its chunks have no one shape).
        self.chunk_shape: tuple[int, ...] = (
            self.chain.shard.inner_shape if self.chain.shard is not None else metadata.chunk_shape
        )
        #: The grid of the chunks users see (inner chunks when sharded: regular, as every
        #: shard of a rectilinear shard grid holds whole inner chunks).
        self.inner_grid: RegularChunkGrid | RectilinearChunkGrid = (
            self.grid
            if self.chain.shard is None
            else RegularChunkGrid(metadata.shape, self.chunk_shape)
        )
        self._rectilinear = not self.grid.is_regular
        #: The store key of the chunk (or shard) at grid coordinates ``coords``. Hot (once
        #: per chunk), hence a closure over the precomputed prefix, not a method.
        self.key: Callable[[tuple[int, ...]], str] = _key_function(
            self.prefix, metadata.chunk_key_encoding
        )
        #: For metadata read from (or written to) the store: whether it is still what is
        #: stored, checked before writes (None: metadata of no stored document).
        self.freshness = MetadataCheck(store, path, metadata) if stored else None

    def check_fresh(self) -> None:
        """Before a write: StaleMetadata if another process resized or recreated the array
        since this metadata was read (one small read; ``config.check_metadata_on_write``)."""
        if self.freshness is not None and config.check_metadata_on_write:
            self.freshness.check()

    @property
    def read_missing_chunks(self) -> bool:
        if self._read_missing_chunks is None:
            return config.read_missing_chunks
        return self._read_missing_chunks

    @property
    def write_empty_chunks(self) -> bool:
        if self._write_empty_chunks is None:
            return config.write_empty_chunks
        return self._write_empty_chunks

    def chain_at(self, coords: tuple[int, ...]) -> CodecChain:
        """The chain of the stored object at grid coordinates ``coords``."""
        if not self._rectilinear:
            return self.chain
        return self.metadata.chain_for(self.grid.chunk_size(coords))

    def chain_of_key(self, key: str) -> CodecChain:
        """The chain of the stored object at store key ``key`` (the array's one chain on a
        regular grid; a key that is no chunk of the grid gets it too)."""
        if not self._rectilinear:
            return self.chain
        try:
            coords = self.metadata.chunk_key_encoding.decode(key[len(self.prefix) :])
        except ValueError:
            return self.chain
        return self.chain_at(coords) if self.grid.contains(coords) else self.chain

    def requests(self, indexer: Indexer) -> list[ChunkRequest]:
        """The batch for an indexer's projections: one request per touched stored object."""
        store, key, chain, new = self.store, self.key, self.chain, tuple.__new__
        if self._rectilinear:
            at = self.chain_at
            return [
                ChunkRequest(store, key(p.chunk_coords), at(p.chunk_coords), p) for p in indexer
            ]
        # tuple.__new__: a NamedTuple's own __new__ is a Python call per chunk
        return [new(ChunkRequest, (store, key(p[0]), chain, p)) for p in indexer]


def read(io: ArrayIO, indexer: Indexer, out: np.ndarray | None = None) -> Any:
    """Read a selection into a new array (or ``out``).

    A selection of integers only (no Ellipsis) returns a numpy scalar, as numpy does.
    """
    shape = tuple(indexer.shape)
    if out is None:
        out = np.empty(shape, dtype=io.dtype)
    elif out.shape != shape:
        raise SelectionError(f"out has shape {out.shape}, the selection has shape {shape}")
    scalar = getattr(indexer, "scalar_result", False)
    target = out
    if type(indexer) is BasicIndexer and indexer.drop_axes:
        # An integer's axis read as a length-1 slice into a view of out with that axis:
        # the engine then sees slices only (the native scatter and decode-into take them).
        target = np.expand_dims(out, indexer.drop_axes)
        indexer = indexer.keeping_axes()
    requests = io.requests(indexer)
    must_exist = not io.read_missing_chunks
    if (must_exist or io.coalescing is not None) and requests:
        source = _ArraySource(io.store, io.path, must_exist, io.coalescing)
        requests = [r._replace(source=source) for r in requests]
    try:
        read_batch(requests, target)
    except (CodecError, StoreError) as e:
        raise in_array(e, io.path, io.store) from e
    if scalar:
        return out[()]
    return out


def write(
    io: ArrayIO, indexer: Indexer, value: Any, *, write_empty_chunks: bool | None = None
) -> None:
    """Write ``value`` (broadcast to the selection's shape) into the selected region."""
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    arr = prepare_value(value, io.dtype, tuple(indexer.shape))
    empty = io.write_empty_chunks if write_empty_chunks is None else write_empty_chunks
    requests = io.requests(indexer)
    try:
        io.check_fresh()
        write_batch(requests, arr, write_empty_chunks=empty)
    except (CodecError, StoreError) as e:
        raise in_array(e, io.path, io.store) from e


# -- whole stored objects ----------------------------------------------------------------


def stored_chunks(io: ArrayIO) -> list[tuple[int, ...]]:
    """Coordinates of the stored objects (chunks, or shards) of the array, found by listing
    the store: the work is proportional to what is stored, not to the size of the grid."""
    decode = io.metadata.chunk_key_encoding.decode
    found: list[tuple[int, ...]] = []
    for key in listable(io.store, f"list the chunks of {io.path or '/'!r}").list_prefix(io.prefix):
        try:
            coords = decode(key[len(io.prefix) :])
        except ValueError:
            continue  # metadata documents
        if io.grid.contains(coords):
            found.append(coords)
    return found


def nchunks_stored(io: ArrayIO) -> int:
    """How many stored objects (chunks, or shards) the array has."""
    return len(stored_chunks(io))


def inner_chunks_stored(io: ArrayIO) -> int:
    """How many chunks users see the stored objects hold: stored chunks, or for a sharded
    array the inner chunks of its stored shards (each shard counted whole, as zarr-python
    counts; shards of a rectilinear shard grid hold different numbers)."""
    shard = io.chain.shard
    if shard is None:
        return nchunks_stored(io)
    if not io._rectilinear:
        return nchunks_stored(io) * shard.n_inner
    inner = shard.inner_shape
    return sum(
        prod(s // c for s, c in zip(io.grid.chunk_size(coords), inner, strict=True))
        for coords in stored_chunks(io)
    )


def clear_outside(io: ArrayIO, new_shape: tuple[int, ...]) -> None:
    """Before shrinking to ``new_shape``: delete the stored objects wholly past it, and
    write the fill value into the part past it of those straddling the new edge, so that
    growing again shows the fill value. Only stored objects are touched (found by listing).

    The straddling part is the union of one box per shrunk axis (that axis past the new
    edge, the other axes up to the end of the new grid), each written as an ordinary
    write: a shard's inner chunks wholly past the edge become fill and are dropped, those
    crossing it are rewritten.
    """
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    io.check_fresh()
    shape, axes = io.metadata.shape, io.grid.axes
    stored = stored_chunks(io)
    past = [
        coords
        for coords in stored
        if any(chunk_start(c, a) >= new for c, a, new in zip(coords, axes, new_shape, strict=True))
    ]
    if past:
        writable(io.store, "resize an array").erase_values([io.key(c) for c in past])
    kept = set(stored).difference(past)
    # per axis, where the stored objects overlapping the new extent end (inside the old one)
    grid_end = [_objects_end(n, a, old) for n, a, old in zip(new_shape, axes, shape, strict=True)]
    for axis, new in enumerate(new_shape):
        box = tuple(
            slice(new, grid_end[axis]) if a == axis else slice(0, grid_end[a])
            for a in range(len(shape))
        )
        if any(s.start >= s.stop for s in box):
            continue
        indexer = BasicIndexer(box, shape, axes)
        requests = [r for r in io.requests(indexer) if r.projection.chunk_coords in kept]
        if requests:
            fill = prepare_value(io.fill_value, io.dtype, indexer.shape)
            write_batch(requests, fill, write_empty_chunks=False)


def _objects_end(extent: int, axis: Axis, old: int) -> int:
    """The end of the stored objects along ``axis`` that overlap ``[0, extent)``, clipped to
    ``old`` (the extent before the resize)."""
    if extent == 0:
        return 0
    if extent >= old:
        return old
    last = chunk_of(extent - 1, axis)
    return min(chunk_start(last, axis) + chunk_size(last, axis), old)
