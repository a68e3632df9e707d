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
    >>> write(io, BasicIndexer(slice(None), meta.shape, io.grid.chunk_shape), np.arange(6))
    >>> read(io, BasicIndexer(slice(1, 5), meta.shape, io.grid.chunk_shape)).tolist()
    [1, 2, 3, 4]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from simplezarr.chunk_grid import RegularChunkGrid
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
from simplezarr.metadata.freshness import MetadataCheck
from simplezarr.stores.base import BaseStore, listable, writable

if TYPE_CHECKING:
    from simplezarr.chunk_keys import ChunkKeyEncoding
    from simplezarr.metadata.model import ArrayMetadata

__all__ = ["ArrayIO", "clear_outside", "nchunks_stored", "read", "stored_chunks", "write"]


def _key_function(prefix: str, encoding: ChunkKeyEncoding) -> Callable[[tuple[int, ...]], str]:
    sep = str(encoding.separator)
    if encoding.name == "default":
        head, empty = prefix + "c" + sep, prefix + "c"
    else:
        head, empty = prefix, prefix + "0"

    def key(coords: tuple[int, ...]) -> str:
        return head + sep.join(map(str, coords)) if coords else empty

    return key


class _MustExist:
    """A read source over ``store`` for which a missing chunk (or shard) is an error, not
    the fill value; inner chunks a present shard lacks still read as the fill value, as in
    zarr-python 3.4."""

    def __init__(self, store: Any, path: str) -> None:
        self._store, self._path = store, path
        self.read_batch_size = getattr(store, "read_batch_size", 0)

    def _check(self, requests: Any, results: list[Any]) -> list[Any]:
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
    ``read_missing_chunks`` (None: ``config.read_missing_chunks``) False makes a read of a chunk (or shard) that is not stored raise
    ChunkNotFoundError instead of giving the fill value (zarr-python 3.4's setting).
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
    ) -> None:
        self.store = store
        self._read_missing_chunks = read_missing_chunks
        self.path = path
        self.metadata = metadata
        self.prefix = f"{path}/" if path else ""
        self._write_empty_chunks = write_empty_chunks
        self.fill_value = metadata.effective_fill_value
        self.dtype: np.dtype = metadata.numpy_dtype
        #: The grid of stored objects (shards when sharded): what selections project onto.
        self.grid = RegularChunkGrid(metadata.shape, metadata.chunk_shape)
        #: The codec chain, bound once per metadata: every chunk (or shard) shares it.
        self.chain: CodecChain = metadata.chain
        self.spec: ChunkSpec = self.chain.spec
        #: The chunk shape users see: the inner chunks' when sharded, as zarr-python.
        self.chunk_shape: tuple[int, ...] = (
            self.chain.shard.inner_shape if self.chain.shard is not None else metadata.chunk_shape
        )
        #: The grid of the chunks users see (inner chunks when sharded).
        self.inner_grid = RegularChunkGrid(metadata.shape, self.chunk_shape)
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

    def requests(self, indexer: Indexer) -> list[ChunkRequest]:
        """The batch for an indexer's projections: one request per touched stored object."""
        store, key, chain, new = self.store, self.key, self.chain, tuple.__new__
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
    requests = io.requests(indexer)
    if not io.read_missing_chunks and requests:
        source = _MustExist(io.store, io.path)
        requests = [r._replace(source=source) for r in requests]
    try:
        read_batch(requests, out)
    except (CodecError, StoreError) as e:
        raise in_array(e, io.path, io.store) from e
    if getattr(indexer, "scalar_result", False):
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
    shape, cs = io.metadata.shape, io.grid.chunk_shape
    stored = stored_chunks(io)
    past = [
        coords
        for coords in stored
        if any(c * n >= new for c, n, new in zip(coords, cs, new_shape, strict=True))
    ]
    if past:
        writable(io.store, "resize an array").erase_values([io.key(c) for c in past])
    kept = set(stored).difference(past)
    grid_end = [min(-(-n // c) * c, old) for n, c, old in zip(new_shape, cs, shape, strict=True)]
    for axis, new in enumerate(new_shape):
        box = tuple(
            slice(new, grid_end[axis]) if a == axis else slice(0, grid_end[a])
            for a in range(len(shape))
        )
        if any(s.start >= s.stop for s in box):
            continue
        indexer = BasicIndexer(box, shape, cs)
        requests = [r for r in io.requests(indexer) if r.projection.chunk_coords in kept]
        if requests:
            fill = prepare_value(io.fill_value, io.dtype, indexer.shape)
            write_batch(requests, fill, write_empty_chunks=False)
