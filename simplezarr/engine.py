"""Chunk I/O: plan -> batched fetch -> decode in the shared pool -> scatter, and the reverse.

:class:`ArrayIO` binds an array's metadata to its store once: chunk grid, key encoding,
codec chain and, for sharded arrays, the shard layout. :func:`read` and :func:`write` take an
indexer (anything yielding :class:`~simplezarr.indexing.ChunkProjection`) and never see how
the selection was written.

Work is cut into a few batches per thread; each batch makes one batched store request
(``get_many``) and decodes what it got, so a remote store can serve a batch concurrently and
no more than a batch's worth of encoded bytes is held at once.

Fast paths, each named where it happens:

- *missing chunk*: filled with the fill value, nothing decoded;
- *fully covered chunk*: decoded and copied straight into the output, no sub-selection;
- *byte window*: for chunks of plain items (``bytes`` codec) only the bytes holding the
  selection are read (uncompressed) or decoded (zstd/gzip stop early): a plane through a
  64³ chunk reads 8 KiB, not 512 KiB;
- *sharded read*: shard indexes first, then only the inner chunks needed, neighbouring
  ranges of a shard coalesced into one request;
- *fully overwritten chunk or shard*: encoded without reading what was there;
- *all-fill chunk*: deleted instead of stored, unless ``write_empty_chunks``;
- *untouched inner chunks* of a partially written shard: their bytes are copied, not decoded.

Writes that read what they change (partial chunks, shards) hold a per-key lock, so
concurrent writes from threads of one process never lose each other's data.

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

import collections
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from simplezarr.byte_window import ByteWindow
from simplezarr.chunk_grid import RegularChunkGrid
from simplezarr.codecs.base import ChunkSpec
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.sharding import MISSING, ShardingCodec, ShardLayout
from simplezarr.concurrency import in_worker, key_locks, run_all, submit, wait_all
from simplezarr.config import config
from simplezarr.errors import CorruptChunk, InvalidArgument, ReadOnlyError, SelectionError
from simplezarr.indexing import ChunkProjection, Indexer
from simplezarr.malloc_tuning import tune as _tune_malloc

if TYPE_CHECKING:
    from simplezarr.chunk_keys import ChunkKeyEncoding
    from simplezarr.metadata.model import ArrayMetadata

_tune_malloc()  # chunk-sized buffers come from the heap from the first call on

#: Inner chunks of one shard closer than this many bytes apart are fetched in one request.
COALESCE_GAP = 1 << 16

#: Reads and writes of less decoded data than this run in the calling thread: the pool's
#: hand-off costs more than a few small chunks take to decode.
PARALLEL_MIN_BYTES = 1 << 20

#: About how many decoded bytes of chunks one ``get_many`` asks a local store for.
PART_BYTES = 1 << 20

#: Compressed chunks up to this size are read pipelined (see _read_pipelined): there the
#: Python of fetching and scattering is a large share of each chunk's cost. Larger chunks
#: are decode-bound and read fastest by a few batches per thread (measured: 512 KiB blosc
#: chunks 55-70 ms batched against 85-89 ms pipelined; 8 KiB zstd chunks 75-81 ms
#: pipelined against 89-97 ms batched).
PIPELINE_MAX_CHUNK_BYTES = 128 << 10

Shards = dict[tuple[int, ...], list["ChunkProjection"]]
#: One inner chunk to read from a shard: key, byte offset and size, projection, window.
InnerRead = tuple[str, int, int, "ChunkProjection", "ByteWindow | None"]


def is_all_fill(chunk: np.ndarray, fill_value: Any) -> bool:
    """True when every element equals the fill value (NaN and NaT count as equal to
    themselves)."""
    if chunk.size == 0:
        return True
    kind = chunk.dtype.kind
    if kind in "fc":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if np.isnan(fill).any():
            return bool(np.array_equal(chunk, np.broadcast_to(fill, chunk.shape), equal_nan=True))
    elif kind in "mM":  # NaT != NaT: compare the integer representation
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return bool(np.all(chunk.view(np.int64) == fill.view(np.int64)))
    elif kind == "V":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return np.ascontiguousarray(chunk).tobytes() == fill.tobytes() * chunk.size
    if kind in "biufc":
        # Most chunks that are not all fill differ at their first element: answer without
        # a pass over the chunk. A zero fill of integers needs no temporary array.
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if chunk[(0,) * chunk.ndim] != fill:
            return False
        if kind in "biu" and not fill:
            return not chunk.any()
    try:
        return bool(np.all(chunk == fill_value))
    except (TypeError, ValueError):  # objects that do not compare element-wise
        return all(x == fill_value for x in chunk.ravel())


def _key_function(prefix: str, encoding: ChunkKeyEncoding) -> Callable[[tuple[int, ...]], str]:
    sep = str(encoding.separator)
    head, empty = (prefix + "c" + sep, prefix + "c") if encoding.name == "default" else (
        prefix, prefix + "0"
    )

    def key(coords: tuple[int, ...]) -> str:
        return head + sep.join(map(str, coords)) if coords else empty

    return key


class ArrayIO:
    """An array's metadata bound to its store, ready for chunk I/O.

    ``write_empty_chunks=None`` follows ``config.write_empty_chunks`` at each write.
    """

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
        self._write_empty_chunks = write_empty_chunks
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
        #: The store key of the chunk (or shard) at grid coordinates ``coords``. Hot (once
        #: per chunk), hence a closure over the precomputed prefix, not a method.
        self.key: Callable[[tuple[int, ...]], str] = _key_function(
            self.prefix, metadata.chunk_key_encoding
        )

    @property
    def write_empty_chunks(self) -> bool:
        if self._write_empty_chunks is None:
            return config.write_empty_chunks
        return self._write_empty_chunks

    def fill_chunk(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, self.fill_value, dtype=self.dtype, order=self.metadata.order)


def _batches(items: Sequence[Any], item_bytes: int | None = None) -> list[Sequence[Any]]:
    """Split work into contiguous batches: a few per thread (chunks decode at different
    speeds), or one when there is one thread (fewest store round trips).

    With ``item_bytes`` (the decoded size of one item), work smaller than
    PARALLEL_MIN_BYTES in all is one batch: handing it to the pool would cost more than
    it saves (a box of a few small chunks).
    """
    if not items:
        return []
    if config.threads <= 1 or (
        item_bytes is not None and len(items) * item_bytes < PARALLEL_MIN_BYTES
    ):
        return [items]
    n = min(len(items), config.threads * 4)
    size = -(-len(items) // n)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _group_by_shard(layout: ShardLayout, projections: Iterable[ChunkProjection]) -> Shards:
    cps = layout.chunks_per_shard
    groups: Shards = defaultdict(list)
    for p in projections:
        groups[tuple(c // n for c, n in zip(p.chunk_coords, cps, strict=True))].append(p)
    return groups


def _local_flat(layout: ShardLayout, coords: tuple[int, ...]) -> int:
    cps = layout.chunks_per_shard
    return layout.flat_index(tuple(c % n for c, n in zip(coords, cps, strict=True)))


def _inner_in_bounds(io: ArrayIO, layout: ShardLayout, shard_coords: tuple[int, ...]) -> int:
    """How many inner chunks of this shard overlap the array (fewer at ragged edges)."""
    count = 1
    for s, n, inner, size in zip(
        shard_coords, layout.chunks_per_shard, layout.inner_shape, io.grid.shape, strict=True
    ):
        count *= min(n, -(-(size - s * n * inner) // inner))
    return count


@contextlib.contextmanager
def _locked(store: Any, keys: Sequence[str]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for lock in key_locks(store, keys):
            stack.enter_context(lock)
        yield


# -- reading ---------------------------------------------------------------------------


def read(io: ArrayIO, indexer: Indexer, out: np.ndarray | None = None) -> Any:
    """Read a selection into a new array (or ``out``), decoding chunks in the pool.

    A selection of integers only (no Ellipsis) returns a numpy scalar, as numpy does.
    """
    shape = tuple(indexer.shape)
    if out is None:
        out = np.empty(shape, dtype=io.dtype)
    elif out.shape != shape:
        raise SelectionError(f"out has shape {out.shape}, the selection has shape {shape}")
    projections = list(indexer)
    if io.shard is None:
        batches = _batches(projections, io.spec.nbytes)
        if (
            len(batches) > 1
            and io.chain.compressed
            and (io.spec.nbytes or 0) <= PIPELINE_MAX_CHUNK_BYTES
            and not in_worker()
        ):
            _read_pipelined(io, projections, out)
        else:
            run_all([partial(_read_chunks, io, batch, out) for batch in batches])
    else:
        _read_sharded(io, io.shard, projections, out)
    if getattr(indexer, "scalar_result", False):
        return out[()]
    return out


def _scatter(io: ArrayIO, p: ChunkProjection, chunk: np.ndarray | None, out: np.ndarray) -> None:
    """Copy the selected part of a decoded chunk (None: a missing chunk) into ``out``.

    One form serves basic projections (slices; an integer drops its axis on both sides)
    and FancyProjections (integer arrays) alike.
    """
    if chunk is None:  # missing chunk: fill without decoding
        out[p.out_selection] = io.fill_value
    else:
        out[p.out_selection] = chunk[p.chunk_selection]


def _window(chain: CodecChain, p: ChunkProjection) -> ByteWindow | None:
    """The byte window of a partly read chunk, when reading just it saves work."""
    if not chain.windowed or p.is_complete or type(p) is not ChunkProjection:
        return None
    window = ByteWindow.of(p.chunk_selection, chain.spec.shape, chain.window_dtype)
    return window if window.size < chain.spec.size * chain.window_dtype.itemsize else None


def _part_size(store: Any, chunk_bytes: int | None) -> int:
    """How many chunks to request per ``get_many``: the store's preference (a remote store
    wants enough requests to overlap their latency), else about PART_BYTES of chunks (a
    local store gains nothing from batching, and large live buffers cost page faults)."""
    n = store.read_batch_size
    if n > 0:
        return n
    return max(1, PART_BYTES // max(chunk_bytes or PART_BYTES, 1))


def _fetch(io: ArrayIO, part: Sequence[ChunkProjection]) -> tuple[list[Any], list[Any]]:
    """The stored bytes of each chunk of ``part`` (only its byte window for raw chunks
    read partly), and the windows."""
    chain, key = io.chain, io.key
    if chain.windowed:
        windows = [_window(chain, p) for p in part]
        ranges = [(w.lo, w.size) if w is not None and chain.is_raw else None for w in windows]
        return io.store.get_many([(key(p.chunk_coords), r) for p, r in zip(part, ranges)]), windows
    return io.store.get_many([(key(p.chunk_coords), None) for p in part]), [None] * len(part)


def _decode_scatter(
    io: ArrayIO,
    part: Sequence[ChunkProjection],
    datas: Sequence[Any],
    windows: Sequence[ByteWindow | None],
    out: np.ndarray,
) -> None:
    """Decode fetched chunks (whole ones in one batched codec call) into ``out``."""
    chain = io.chain
    direct = [False] * len(part)
    if _can_decode_into(io, out):
        for i, (p, w, data) in enumerate(zip(part, windows, datas, strict=True)):
            if p.is_complete and w is None and data is not None and type(p) is ChunkProjection:
                target = out[p.out_selection]
                if target.shape == chain.spec.shape and target.flags.c_contiguous:
                    chain.decode_into(data, target)  # decoded straight into the output
                    direct[i] = True
    whole = chain.decode_many(
        [d for d, w, done in zip(datas, windows, direct) if d is not None and w is None and not done]
    )
    decoded = iter(whole)
    for p, w, data, done in zip(part, windows, datas, direct, strict=True):
        if done:
            continue
        if data is None:  # missing chunk: fill without decoding
            out[p.out_selection] = io.fill_value
        elif w is None:
            out[p.out_selection] = next(decoded)[p.chunk_selection]
        else:  # byte window: the decoded view already is the selection
            out[p.out_selection] = chain.decode_window(data, w)


def _can_decode_into(io: ArrayIO, out: np.ndarray) -> bool:
    """Whether whole chunks can lie contiguously in ``out`` and be decoded into it: a
    chunk's block is contiguous in a C-ordered array when every axis after its first
    non-unit one is whole (one chunk read alone; slabs such as (1, Y, X) chunks)."""
    chain, chunk = io.chain, io.spec.shape
    if not chain.direct_decode or out.dtype != chain.window_dtype or out.ndim != len(chunk):
        return False
    if not chunk:  # 0-d: out[()] would be a scalar, not a view to decode into
        return False
    if not out.flags.c_contiguous:
        return False
    first = next((i for i, c in enumerate(chunk) if c != 1), len(chunk))
    return all(c == n for c, n in zip(chunk[first + 1 :], out.shape[first + 1 :], strict=True))


def _read_chunks(io: ArrayIO, batch: Sequence[ChunkProjection], out: np.ndarray) -> None:
    """Fetch, decode and scatter a batch in this thread, a part at a time."""
    step = _part_size(io.store, io.spec.nbytes)
    for i in range(0, len(batch), step):
        part = batch[i : i + step]
        datas, windows = _fetch(io, part)
        _decode_scatter(io, part, datas, windows, out)


def _read_pipelined(io: ArrayIO, projections: Sequence[ChunkProjection], out: np.ndarray) -> None:
    """Compressed chunks: this thread fetches part after part while the pool decodes and
    scatters the parts already fetched.

    Only one thread runs the Python of fetching, so pool threads spend their time in
    codecs that release the GIL (one batched call per part where the codec has one)
    instead of taking turns at the GIL.
    """
    # Parts small enough that every thread gets several (a plane of 256 small chunks is
    # 2 MiB: in 1 MiB parts the pool would decode one part at a time).
    step = min(
        _part_size(io.store, io.spec.nbytes), -(-len(projections) // (4 * config.threads))
    )
    in_flight = 2 * config.threads  # bounds the fetched bytes waiting for a decoder
    pending: collections.deque[Future[None]] = collections.deque()
    try:
        for i in range(0, len(projections), step):
            part = projections[i : i + step]
            datas, windows = _fetch(io, part)
            pending.append(submit(partial(_decode_scatter, io, part, datas, windows, out)))
            while len(pending) >= in_flight:
                pending.popleft().result()
    except BaseException:
        with contextlib.suppress(BaseException):  # the fetch error is the one to report,
            wait_all(pending)  # once no task writes into out any more
        raise
    wait_all(pending)


def _read_sharded(
    io: ArrayIO, layout: ShardLayout, projections: list[ChunkProjection], out: np.ndarray
) -> None:
    shards = list(_group_by_shard(layout, projections).items())
    keys = [io.key(coords) for coords, _ in shards]
    indexes: list[np.ndarray | None] = [
        index
        for part in run_all([partial(_fetch_indexes, io, layout, b) for b in _batches(keys)])
        for index in part
    ]
    # Inner chunks to fetch, in shard and offset order so neighbours can share a request.
    chain = layout.inner_chain
    inner: list[InnerRead] = []
    for key, (_, projs), index in zip(keys, shards, indexes, strict=True):
        wanted = []
        for p in projs:
            offset, nbytes = (MISSING, 0) if index is None else layout.entry(
                index, _local_flat(layout, p.chunk_coords)
            )
            if offset == MISSING:
                _scatter(io, p, None, out)
                continue
            window = _window(chain, p)
            if window is not None and chain.is_raw:  # only the window's bytes
                if nbytes != chain.encoded_size:
                    raise CorruptChunk(
                        f"shard {key!r}: an uncompressed inner chunk has {nbytes} bytes, "
                        f"expected {chain.encoded_size}"
                    )
                offset, nbytes = offset + window.lo, window.size
            wanted.append((key, offset, nbytes, p, window))
        wanted.sort(key=lambda w: w[1])
        inner.extend(wanted)
    batches = _batches(inner, layout.inner_chain.spec.nbytes)
    run_all([partial(_read_inner, io, layout, b, out) for b in batches])


def _fetch_indexes(io: ArrayIO, layout: ShardLayout, keys: Sequence[str]) -> list[np.ndarray | None]:
    datas = io.store.get_many([(key, layout.index_range()) for key in keys])
    indexes: list[np.ndarray | None] = []
    for key, data in zip(keys, datas, strict=True):
        if data is None:
            indexes.append(None)  # missing shard
            continue
        size = None
        if layout.index_location == "end":
            # The index was read as a suffix, so the shard's length is unknown: ask for it,
            # or an entry reaching into the index would decode index bytes as chunk data.
            try:
                size = io.store.getsize(key)
            except FileNotFoundError:
                indexes.append(None)  # deleted since
                continue
        try:
            indexes.append(layout.decode_index(data, size))
        except CorruptChunk as e:
            raise CorruptChunk(f"shard {key!r}: {e}") from e
    return indexes


def _coalesce(batch: Sequence[InnerRead]) -> tuple[list[tuple[str, int, int]], list[int]]:
    """Merge byte ranges of the same key that lie within COALESCE_GAP of each other.

    Returns the merged ``(key, start, end)`` ranges and, for each batch item, the index of
    the range that holds it.
    """
    ranges: list[tuple[str, int, int]] = []
    owner: list[int] = []
    for key, offset, nbytes, _, _ in batch:
        if ranges:
            k, start, end = ranges[-1]
            if k == key and 0 <= offset - end <= COALESCE_GAP:
                ranges[-1] = (k, start, max(end, offset + nbytes))
                owner.append(len(ranges) - 1)
                continue
        ranges.append((key, offset, offset + nbytes))
        owner.append(len(ranges) - 1)
    return ranges, owner


def _read_inner(
    io: ArrayIO, layout: ShardLayout, batch: Sequence[InnerRead], out: np.ndarray
) -> None:
    ranges, owner = _coalesce(batch)
    datas = io.store.get_many([(k, (start, end - start)) for k, start, end in ranges])
    views = [memoryview(b"" if d is None else d) for d in datas]
    chain = layout.inner_chain
    raws = []
    for (key, offset, nbytes, _, _), r in zip(batch, owner, strict=True):
        start = ranges[r][1]
        raw = views[r][offset - start : offset - start + nbytes]
        if len(raw) != nbytes:
            raise CorruptChunk(
                f"shard {key!r}: inner chunk of {nbytes} bytes at offset {offset} is "
                "truncated (the shard ends before it)"
            )
        raws.append(raw)
    # Whole inner chunks are decoded a part at a time in one batched codec call (zstd: one
    # GIL-free call per part), which bounds the decoded bytes held at once.
    step = max(1, PART_BYTES // max(chain.spec.nbytes or PART_BYTES, 1))
    for i in range(0, len(batch), step):
        items, part = batch[i : i + step], raws[i : i + step]
        decoded = iter(chain.decode_many([raw for raw, it in zip(part, items) if it[4] is None]))
        for raw, (_, _, _, p, window) in zip(part, items, strict=True):
            if window is None:
                _scatter(io, p, next(decoded), out)
            else:  # byte window: the view already is the selection
                out[p.out_selection] = chain.decode_window(raw, window)


# -- writing ---------------------------------------------------------------------------


def _prepare_value(io: ArrayIO, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The value as an array of the array's dtype and the selection's shape, numpy-style:
    Python scalars and lists are converted with overflow checks, arrays are cast."""
    try:
        if isinstance(value, np.ndarray):
            arr = value if value.dtype == io.dtype else value.astype(io.dtype)
        else:
            arr = np.asarray(value, dtype=io.dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise InvalidArgument(
            f"cannot store {type(value).__name__} value in an array of dtype {io.dtype}: {e}"
        ) from e
    if arr.shape != shape:
        extra = arr.ndim - len(shape)
        if extra > 0 and all(n == 1 for n in arr.shape[:extra]):
            # numpy drops leading axes of length 1 from a value: a[0] = np.ones((1, 5))
            arr = arr.reshape(arr.shape[extra:])
        try:
            arr = np.broadcast_to(arr, shape)
        except ValueError as e:
            raise InvalidArgument(
                f"could not broadcast input array from shape {arr.shape} into shape {shape}"
            ) from e
    return arr


def _merge(
    io: ArrayIO,
    p: ChunkProjection,
    value: np.ndarray,
    existing: Any,
    chain: CodecChain,
    chunk_shape: tuple[int, ...],
) -> np.ndarray:
    """The new content of one chunk: the old one (if needed) with the selection overwritten."""
    sub = value[p.out_selection + (Ellipsis,)]  # always an array, even 0-d
    if p.is_complete and sub.shape == chunk_shape:
        return sub  # fully overwritten chunk: no read, no copy
    if p.is_complete or existing is None:
        chunk = io.fill_chunk(chunk_shape)  # fully overwritten edge chunk: no read
    else:
        chunk = chain.decode(existing)
        if not chunk.flags.writeable:
            chunk = chunk.copy()
    chunk[p.chunk_selection] = sub
    return chunk


def write(
    io: ArrayIO,
    indexer: Indexer,
    value: Any,
    *,
    write_empty_chunks: bool | None = None,
) -> None:
    """Write ``value`` (broadcast to the selection's shape) into the selected region."""
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    arr = _prepare_value(io, value, tuple(indexer.shape))
    empty = io.write_empty_chunks if write_empty_chunks is None else write_empty_chunks
    projections = list(indexer)
    if io.shard is None:
        batches = _batches(projections, io.spec.nbytes)
        run_all([partial(_write_chunks, io, b, arr, empty) for b in batches])
        return
    shards = list(_group_by_shard(io.shard, projections).items())
    if len(shards) >= config.threads:  # enough shards to keep every thread busy
        tasks = [partial(_write_shards, io, b, arr, empty) for b in _batches(shards)]
        run_all(tasks)
    else:  # few shards: one at a time, their inner chunks encoded in parallel
        for coords, projs in shards:
            _write_shard(io, io.shard, coords, projs, arr, empty, parallel=True)


def _write_chunks(
    io: ArrayIO, batch: Sequence[ChunkProjection], value: np.ndarray, write_empty: bool
) -> None:
    # Each chunk's read-modify-write holds only that chunk's lock, so tasks writing
    # different chunks never wait for each other.
    for p in batch:
        key = io.key(p.chunk_coords)
        with _locked(io.store, [key]):
            existing = None if p.is_complete else io.store.get(key)
            chunk = _merge(io, p, value, existing, io.chain, io.spec.shape)
            if not write_empty and is_all_fill(chunk, io.fill_value):
                io.store.delete(key)
            else:
                io.store.set(key, io.chain.encode(chunk))


def _write_shards(
    io: ArrayIO,
    batch: Sequence[tuple[tuple[int, ...], list[ChunkProjection]]],
    value: np.ndarray,
    write_empty: bool,
) -> None:
    assert io.shard is not None  # only called for sharded arrays
    for coords, projs in batch:
        _write_shard(io, io.shard, coords, projs, value, write_empty, parallel=False)


def _write_shard(
    io: ArrayIO,
    layout: ShardLayout,
    coords: tuple[int, ...],
    projs: list[ChunkProjection],
    value: np.ndarray,
    write_empty: bool,
    *,
    parallel: bool,
) -> None:
    key = io.key(coords)
    with _locked(io.store, [key]):
        overwrite = len(projs) == _inner_in_bounds(io, layout, coords) and all(
            p.is_complete for p in projs
        )
        inner: dict[int, Any] = {}
        if not overwrite:  # partially written shard: keep untouched inner chunks' bytes
            data = io.store.get(key)
            if data is not None:
                inner = layout.split(data)

        def encode(jobs: Sequence[ChunkProjection]) -> list[tuple[int, Any]]:
            done = []
            for p in jobs:
                flat = _local_flat(layout, p.chunk_coords)
                chunk = _merge(io, p, value, inner.get(flat), layout.inner_chain, layout.inner_shape)
                fill = not write_empty and is_all_fill(chunk, io.fill_value)
                done.append((flat, None if fill else layout.inner_chain.encode(chunk)))
            return done

        if parallel:
            results = [r for part in run_all([partial(encode, b) for b in _batches(projs)]) for r in part]
        else:
            results = encode(projs)
        for flat, encoded in results:
            if encoded is None:
                inner.pop(flat, None)
            else:
                inner[flat] = encoded
        shard = layout.assemble(inner)
        if shard is None:
            io.store.delete(key)
        else:
            io.store.set(key, shard)


# -- whole stored objects ----------------------------------------------------------------


def stored_chunks(io: ArrayIO) -> list[tuple[int, ...]]:
    """Coordinates of the stored objects (chunks, or shards) of the array, found by listing
    the store: the work is proportional to what is stored, not to the size of the grid."""
    decode = io.metadata.chunk_key_encoding.decode
    found: list[tuple[int, ...]] = []
    for key in io.store.list_prefix(io.prefix):
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


def _outside(start: Sequence[int], shape: Sequence[int], new_shape: Sequence[int]) -> tuple[bool, bool]:
    """(entirely past the new shape, partly past it) for a block at ``start`` of ``shape``."""
    past = any(s >= n for s, n in zip(start, new_shape, strict=True))
    partly = any(s + c > n for s, c, n in zip(start, shape, new_shape, strict=True))
    return past, partly


def _reset_outside(
    io: ArrayIO, chunk: np.ndarray, start: Sequence[int], new_shape: Sequence[int]
) -> np.ndarray:
    """``chunk`` (at ``start``) with everything past ``new_shape`` set to the fill value."""
    chunk = chunk if chunk.flags.writeable else chunk.copy()
    keep = tuple(slice(0, max(0, n - s)) for s, n in zip(start, new_shape, strict=True))
    mask = np.ones(chunk.shape, dtype=bool)
    mask[keep] = False
    chunk[mask] = io.fill_value
    return chunk


def clear_outside(io: ArrayIO, new_shape: tuple[int, ...]) -> None:
    """Before shrinking to ``new_shape``: delete what lies wholly past it and reset the part
    past it of chunks straddling the new edge, so that growing again shows the fill value."""
    if io.store.read_only:
        raise ReadOnlyError(f"array at {io.path or '/'!r} is read-only")
    shape = io.grid.chunk_shape
    to_delete: list[str] = []
    straddling: list[tuple[int, ...]] = []
    for coords in stored_chunks(io):
        start = [c * n for c, n in zip(coords, shape, strict=True)]
        past, partly = _outside(start, shape, new_shape)
        if past:
            to_delete.append(io.key(coords))
        elif partly:
            straddling.append(coords)
    if to_delete:
        io.store.erase_values(to_delete)
    reset = _reset_shard if io.shard is not None else _reset_chunk
    run_all([partial(reset, io, coords, new_shape) for coords in straddling])


def _reset_chunk(io: ArrayIO, coords: tuple[int, ...], new_shape: tuple[int, ...]) -> None:
    key = io.key(coords)
    with _locked(io.store, [key]):
        data = io.store.get(key)
        if data is None:
            return
        start = [c * n for c, n in zip(coords, io.grid.chunk_shape, strict=True)]
        chunk = _reset_outside(io, io.chain.decode(data), start, new_shape)
        if not io.write_empty_chunks and is_all_fill(chunk, io.fill_value):
            io.store.delete(key)
        else:
            io.store.set(key, io.chain.encode(chunk))


def _reset_shard(io: ArrayIO, coords: tuple[int, ...], new_shape: tuple[int, ...]) -> None:
    """Like _reset_chunk for a shard, inner chunk by inner chunk: only the inner chunks
    crossing the new edge are decoded; those wholly past it are dropped."""
    layout = io.shard
    assert layout is not None
    key = io.key(coords)
    with _locked(io.store, [key]):
        data = io.store.get(key)
        if data is None:
            return
        inner = layout.split(data)
        shard_start = [c * n for c, n in zip(coords, io.grid.chunk_shape, strict=True)]
        for flat in list(inner):
            local = np.unravel_index(flat, layout.chunks_per_shard)
            start = [s + int(i) * n for s, i, n in zip(shard_start, local, layout.inner_shape, strict=True)]
            past, partly = _outside(start, layout.inner_shape, new_shape)
            if past:
                del inner[flat]
            elif partly:
                chunk = _reset_outside(io, layout.inner_chain.decode(inner[flat]), start, new_shape)
                if not io.write_empty_chunks and is_all_fill(chunk, io.fill_value):
                    del inner[flat]
                else:
                    inner[flat] = layout.inner_chain.encode(chunk)
        shard = layout.assemble(inner)
        if shard is None:
            io.store.delete(key)
        else:
            io.store.set(key, shard)


__all__ = [
    "ArrayIO",
    "clear_outside",
    "is_all_fill",
    "nchunks_stored",
    "read",
    "stored_chunks",
    "write",
]
