"""Chunk I/O: plan -> batched fetch -> decode in the shared pool -> scatter, and the reverse.

:class:`ArrayIO` binds an array's metadata to its store once: chunk grid, key encoding,
codec chain, and (for sharded arrays) the shard layout. The read and write functions take
an indexer (anything yielding :class:`~simplezarr.indexing.ChunkProjection`) and never see
how the selection was written.

Fast paths, each named where it happens:

- *missing chunk*: filled with the fill value, nothing decoded;
- *fully covered shard*: fetched with one request instead of index + inner ranges;
- *partially read shard*: the index is fetched, then only the inner chunks needed;
- *fully overwritten chunk*: encoded without reading what was there;
- *all-fill chunk*: deleted instead of stored, unless ``write_empty_chunks``;
- *untouched inner chunks* of a partially written shard: their bytes are copied, not decoded.

Example:
    >>> import numpy as np
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.metadata.defaults import build_array_metadata
    >>> from simplezarr.indexing import BasicIndexer
    >>> meta = build_array_metadata(shape=(6,), dtype="int32", chunks=(4,))
    >>> io = ArrayIO(MemoryStore(), "", meta)
    >>> write(io, BasicIndexer(slice(None), meta.shape, io.read_grid.chunk_shape), np.arange(6))
    >>> read(io, BasicIndexer(slice(1, 5), meta.shape, io.read_grid.chunk_shape)).tolist()
    [1, 2, 3, 4]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from simplezarr.chunk_grid import RegularChunkGrid
from simplezarr.codecs.base import ChunkSpec
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.sharding import MISSING, ShardingCodec, ShardLayout
from simplezarr.concurrency import run_all
from simplezarr.config import config
from simplezarr.errors import ReadOnlyError, SelectionError

if TYPE_CHECKING:
    from simplezarr.indexing import ChunkProjection
    from simplezarr.metadata.model import ArrayMetadata


def is_all_fill(chunk: np.ndarray, fill_value: Any) -> bool:
    """True when every element equals the fill value (NaN counts as equal to a NaN fill)."""
    if chunk.size == 0:
        return True
    if chunk.dtype.kind in "fc":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if np.isnan(fill).any():
            return bool(np.array_equal(chunk, np.broadcast_to(fill, chunk.shape), equal_nan=True))
    if chunk.dtype.kind in "mM":  # NaT != NaT: compare the integer representation
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return bool(np.all(chunk.view(np.int64) == fill.view(np.int64)))
    if chunk.dtype.kind == "V":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return chunk.tobytes() == fill.tobytes() * chunk.size
    try:
        return bool(np.all(chunk == fill_value))
    except (TypeError, ValueError):  # objects that do not compare element-wise
        return all(x == fill_value for x in chunk.ravel())


class ArrayIO:
    """An array's metadata bound to its store, ready for chunk I/O."""

    def __init__(
        self,
        store: Any,
        path: str,
        metadata: ArrayMetadata,
        *,
        write_empty_chunks: bool | None = None,
    ) -> None:
        self.store = store
        self.path = path
        self.metadata = metadata
        self.prefix = f"{path}/" if path else ""
        self.write_empty_chunks = (
            config.write_empty_chunks if write_empty_chunks is None else write_empty_chunks
        )
        self.fill_value = metadata.effective_fill_value
        self.dtype: np.dtype = metadata.numpy_dtype
        #: The grid of stored objects (shards when sharded).
        self.grid = RegularChunkGrid(metadata.shape, metadata.chunk_shape)
        self.spec = ChunkSpec(metadata.chunk_shape, metadata.dtype, self.fill_value, metadata.order)
        self.chain = CodecChain(metadata.codecs, self.spec)
        codecs = metadata.codecs
        self.shard: ShardLayout | None = None
        if len(codecs) == 1 and isinstance(codecs[0], ShardingCodec):
            self.shard = codecs[0].layout(self.spec)
        #: The grid selections are projected onto (inner chunks when sharded).
        self.read_grid = RegularChunkGrid(
            metadata.shape, self.shard.inner_shape if self.shard else metadata.chunk_shape
        )

    def key(self, coords: tuple[int, ...]) -> str:
        return self.prefix + self.metadata.chunk_key_encoding.encode(coords)

    def fill_chunk(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, self.fill_value, dtype=self.dtype, order=self.metadata.order)


# -- reading ---------------------------------------------------------------------------


def _batches(items: Sequence[Any], n_tasks: int) -> list[Sequence[Any]]:
    """Split work into about ``n_tasks`` contiguous batches (neighbours share a batch)."""
    if not items:
        return []
    size = max(1, -(-len(items) // n_tasks))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _n_tasks() -> int:
    # A few batches per thread keeps cores busy when chunks decode at different speeds.
    return config.threads * 4


def read(io: ArrayIO, indexer: Iterable[ChunkProjection], out: np.ndarray | None = None) -> Any:
    """Read a selection into a new array (or ``out``), decoding chunks in the pool.

    A selection of scalars (every axis dropped) returns a numpy scalar, as numpy does.
    """
    shape = indexer.shape  # type: ignore[attr-defined]
    if out is None:
        out = np.empty(shape, dtype=io.dtype)
    elif out.shape != tuple(shape):
        raise SelectionError(f"out has shape {out.shape}, the selection has shape {tuple(shape)}")
    projections = list(indexer)
    if io.shard is None:
        tasks = [partial(_read_chunks, io, b, out) for b in _batches(projections, _n_tasks())]
    else:
        by_shard = _group_by_shard(io, projections)
        items = list(by_shard.items())
        tasks = [partial(_read_shards, io, b, out) for b in _batches(items, _n_tasks())]
    run_all(tasks)
    if getattr(indexer, "scalar_result", False):
        return out[()]
    return out


def _scatter(io: ArrayIO, p: ChunkProjection, chunk: np.ndarray | None, out: np.ndarray) -> None:
    if chunk is None:  # missing chunk: fill without decoding
        out[p.out_selection] = io.fill_value
    else:
        out[p.out_selection] = chunk[p.chunk_selection]


def _read_chunks(io: ArrayIO, batch: Sequence[ChunkProjection], out: np.ndarray) -> None:
    datas = io.store.get_many([(io.key(p.chunk_coords), None) for p in batch])
    for p, data in zip(batch, datas, strict=True):
        _scatter(io, p, None if data is None else io.chain.decode(data), out)


def _group_by_shard(
    io: ArrayIO, projections: Iterable[ChunkProjection]
) -> dict[tuple[int, ...], list[ChunkProjection]]:
    assert io.shard is not None  # only called for sharded arrays
    cps = io.shard.chunks_per_shard
    groups: dict[tuple[int, ...], list[ChunkProjection]] = defaultdict(list)
    for p in projections:
        groups[tuple(c // n for c, n in zip(p.chunk_coords, cps, strict=True))].append(p)
    return groups


def _local_flat(layout: ShardLayout, coords: tuple[int, ...]) -> int:
    cps = layout.chunks_per_shard
    return layout.flat_index(tuple(c % n for c, n in zip(coords, cps, strict=True)))


def _inner_in_bounds(io: ArrayIO, shard_coords: tuple[int, ...]) -> int:
    """How many inner chunks of this shard overlap the array (fewer at ragged edges)."""
    assert io.shard is not None
    count = 1
    for s, n, inner, size in zip(
        shard_coords, io.shard.chunks_per_shard, io.shard.inner_shape, io.grid.shape, strict=True
    ):
        start = s * n * inner
        count *= min(n, -(-(size - start) // inner))
    return count


def _read_shards(
    io: ArrayIO,
    batch: Sequence[tuple[tuple[int, ...], list[ChunkProjection]]],
    out: np.ndarray,
) -> None:
    layout = io.shard
    assert layout is not None
    keys = [io.key(coords) for coords, _ in batch]
    # Fully covered shard: one request for the whole object. Otherwise: its index first.
    whole = [len(projs) == _inner_in_bounds(io, coords) for coords, projs in batch]
    requests = [(k, None if w else layout.index_range()) for k, w in zip(keys, whole, strict=True)]
    first = io.store.get_many(requests)
    inner_requests: list[tuple[str, tuple[int, int]]] = []
    inner_targets: list[ChunkProjection] = []
    for key, w, data, (_, projs) in zip(keys, whole, first, batch, strict=True):
        if data is None:  # missing shard
            for p in projs:
                _scatter(io, p, None, out)
            continue
        if w:
            parts = layout.split(data)
            for p in projs:
                raw = parts.get(_local_flat(layout, p.chunk_coords))
                _scatter(io, p, None if raw is None else layout.inner_chain.decode(raw), out)
            continue
        # An index at the end was read as a suffix, so the shard's length is unknown: ask for
        # it, or an entry reaching into the index would decode index bytes as chunk data.
        size = io.store.getsize(key) if layout.index_location == "end" else None
        index = layout.decode_index(data, size)
        for p in projs:
            offset, nbytes = layout.entry(index, _local_flat(layout, p.chunk_coords))
            if offset == MISSING:
                _scatter(io, p, None, out)
            else:
                inner_requests.append((key, (offset, nbytes)))
                inner_targets.append(p)
    if not inner_requests:
        return
    for (key, (_, nbytes)), p, raw in zip(
        inner_requests, inner_targets, io.store.get_many(inner_requests), strict=True
    ):
        if raw is None or len(raw) != nbytes:
            from simplezarr.errors import CorruptChunk

            got = "nothing" if raw is None else f"{len(raw)} bytes"
            raise CorruptChunk(
                f"shard {key!r}: inner chunk of {nbytes} bytes is truncated (read {got})"
            )
        _scatter(io, p, layout.inner_chain.decode(raw), out)


# -- writing ---------------------------------------------------------------------------


def _prepare_value(io: ArrayIO, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != io.dtype:
        try:
            arr = arr.astype(io.dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"cannot store values of dtype {arr.dtype} in an array of dtype {io.dtype}: {e}"
            ) from e
    if arr.shape != shape:
        try:
            arr = np.broadcast_to(arr, shape)
        except ValueError as e:
            raise ValueError(
                f"could not broadcast input array from shape {arr.shape} into shape {shape}"
            ) from e
    return arr


def _merge(
    io: ArrayIO,
    p: ChunkProjection,
    value: np.ndarray,
    decode_existing: Callable[[], np.ndarray | None],
    chunk_shape: tuple[int, ...],
) -> np.ndarray:
    """The new content of one chunk: the old one (if needed) with the selection overwritten."""
    sub = value[p.out_selection + (Ellipsis,)]  # always an array, even 0-d
    if p.is_complete and sub.shape == chunk_shape:
        return sub  # fully overwritten chunk: no read, no copy
    if p.is_complete:
        chunk = io.fill_chunk(chunk_shape)  # fully overwritten edge chunk: no read
    else:
        existing = decode_existing()
        if existing is None:
            chunk = io.fill_chunk(chunk_shape)
        else:
            chunk = existing if existing.flags.writeable else existing.copy()
    chunk[p.chunk_selection] = sub
    return chunk


def write(io: ArrayIO, indexer: Iterable[ChunkProjection], value: Any) -> None:
    """Write ``value`` (broadcast to the selection's shape) into the selected region."""
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    shape = tuple(indexer.shape)  # type: ignore[attr-defined]
    arr = _prepare_value(io, value, shape)
    projections = list(indexer)
    if io.shard is None:
        tasks = [partial(_write_chunks, io, b, arr) for b in _batches(projections, _n_tasks())]
    else:
        items = list(_group_by_shard(io, projections).items())
        tasks = [partial(_write_shards, io, b, arr) for b in _batches(items, _n_tasks())]
    run_all(tasks)


def _write_chunks(io: ArrayIO, batch: Sequence[ChunkProjection], value: np.ndarray) -> None:
    partial_keys = [io.key(p.chunk_coords) for p in batch if not p.is_complete]
    existing = dict(zip(partial_keys, io.store.get_many([(k, None) for k in partial_keys])))
    to_set: list[tuple[str, Any]] = []
    to_delete: list[str] = []
    for p in batch:
        key = io.key(p.chunk_coords)

        def decode(key: str = key) -> np.ndarray | None:
            data = existing.get(key)
            return None if data is None else io.chain.decode(data)

        chunk = _merge(io, p, value, decode, io.spec.shape)
        if not io.write_empty_chunks and is_all_fill(chunk, io.fill_value):
            to_delete.append(key)
        else:
            to_set.append((key, io.chain.encode(chunk)))
    if to_set:
        io.store.set_many(to_set)
    if to_delete:
        io.store.erase_values(to_delete)


def _write_shards(
    io: ArrayIO,
    batch: Sequence[tuple[tuple[int, ...], list[ChunkProjection]]],
    value: np.ndarray,
) -> None:
    layout = io.shard
    assert layout is not None
    for coords, projs in batch:
        key = io.key(coords)
        overwrite = len(projs) == _inner_in_bounds(io, coords) and all(
            p.is_complete for p in projs
        )
        inner: dict[int, Any] = {}
        if not overwrite:  # partially written shard: keep untouched inner chunks' bytes
            data = io.store.get(key)
            if data is not None:
                inner = layout.split(data)
        for p in projs:
            flat = _local_flat(layout, p.chunk_coords)

            def decode(flat: int = flat) -> np.ndarray | None:
                raw = inner.get(flat)
                return None if raw is None else layout.inner_chain.decode(raw)

            chunk = _merge(io, p, value, decode, layout.inner_shape)
            if not io.write_empty_chunks and is_all_fill(chunk, io.fill_value):
                inner.pop(flat, None)
            else:
                inner[flat] = layout.inner_chain.encode(chunk)
        shard = layout.assemble(inner)
        if shard is None:
            io.store.delete(key)
        else:
            io.store.set(key, shard)


# -- whole stored chunks -----------------------------------------------------------------


def stored_chunks(io: ArrayIO) -> list[tuple[int, ...]]:
    """Coordinates of the stored objects (chunks, or shards) of the array, found by listing
    the store: the work is proportional to what is stored, not to the size of the grid."""
    encoding = io.metadata.chunk_key_encoding
    found: list[tuple[int, ...]] = []
    for key in io.store.list_prefix(io.prefix):
        try:
            coords = encoding.decode(key[len(io.prefix) :])
        except ValueError:
            continue  # metadata documents, or a nested node's keys
        if io.grid.contains(coords):
            found.append(coords)
    return found


def clear_outside(io: ArrayIO, new_shape: tuple[int, ...]) -> None:
    """After shrinking to ``new_shape``: delete chunks past it, and reset the cut-off part of
    chunks straddling the new edge to the fill value so that growing again shows fill."""
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    old = io.grid
    to_delete: list[str] = []
    straddling: list[tuple[int, ...]] = []
    for coords in stored_chunks(io):
        starts = [c * n for c, n in zip(coords, old.chunk_shape, strict=True)]
        if any(s >= n for s, n in zip(starts, new_shape, strict=True)):
            to_delete.append(io.key(coords))
        elif any(  # the chunk held data past the new edge along some axis
            ns < min(s + n, old_n)
            for s, n, ns, old_n in zip(starts, old.chunk_shape, new_shape, old.shape, strict=True)
        ):
            straddling.append(coords)
    if to_delete:
        io.store.erase_values(to_delete)

    def reset(coords: tuple[int, ...]) -> None:
        key = io.key(coords)
        data = io.store.get(key)
        if data is None:
            return
        chunk = io.chain.decode(data)
        chunk = chunk if chunk.flags.writeable else chunk.copy()
        keep = tuple(
            slice(0, max(0, ns - c * n))
            for c, n, ns in zip(coords, old.chunk_shape, new_shape, strict=True)
        )
        mask = np.ones(chunk.shape, dtype=bool)
        mask[keep] = False
        chunk[mask] = io.fill_value
        if not io.write_empty_chunks and is_all_fill(chunk, io.fill_value):
            io.store.delete(key)
        else:
            io.store.set(key, io.chain.encode(chunk))

    run_all([partial(reset, c) for c in straddling])


def nchunks_stored(io: ArrayIO) -> int:
    """How many stored objects (chunks, or shards) the array has."""
    return len(stored_chunks(io))


__all__ = [
    "ArrayIO", "clear_outside", "is_all_fill", "nchunks_stored", "read", "stored_chunks", "write",
]
