"""The shard source: a shard is where its inner chunks' bytes come from.

A request whose chain is one sharding codec (``chain.shard``, a
:class:`~simplezarr.codecs.sharding.ShardLayout`) names a whole shard. Reading one, the
shard is opened once per operation (:meth:`~simplezarr.stores.ReadableStore.open_values`:
its index comes with the opening request, and the size that checks the index; no extra
request per shard) and the request is replaced by requests for the inner chunks its
selection touches (:func:`~simplezarr.indexing.subproject.project_within`), whose source
is the open shard (:class:`ShardSource`). Those are ordinary requests to the read stage;
neighbouring inner chunks of a shard are fetched in one ranged read. An inner chunk that is
itself a shard (nested sharding) is expanded the same way, its source wrapping the outer
shard's.

Writing one, the shard's lock is held while what it held is read (unless the write covers
it), the inner chunks are written through the ordinary write stage into the shard's
contents (:class:`ShardContents`), and the shard is assembled and stored once. Untouched
inner chunks keep their bytes; they are never decoded.

This module is the only place that knows a shard from a chunk.

Example:
    >>> import numpy as np
    >>> from simplezarr.codecs import ChunkSpec, CodecChain, codec_from_json
    >>> from simplezarr.dtypes import from_numpy
    >>> from simplezarr.engine.batch import ChunkRequest, read_batch, write_batch
    >>> from simplezarr.indexing import ChunkProjection
    >>> from simplezarr.stores import MemoryStore
    >>> codec = codec_from_json({"name": "sharding_indexed", "configuration": {
    ...     "chunk_shape": [2], "codecs": ["bytes"]}})
    >>> chain = CodecChain([codec], ChunkSpec((6,), from_numpy("uint8"), 0))
    >>> store = MemoryStore()
    >>> whole = ChunkProjection((0,), (slice(0, 6),), (slice(0, 6),), True)
    >>> write_batch([ChunkRequest(store, "s", chain, whole)], np.arange(6, dtype="u1"))
    >>> out = np.zeros(3, "u1")
    >>> read_batch([ChunkRequest(store, "s", chain, ChunkProjection((0,), (slice(3, 6),), (slice(0, 3),), False))], out)
    >>> out.tolist()
    [3, 4, 5]
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np

from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.sharding import MISSING, ShardLayout
from simplezarr.concurrency import run_all
from simplezarr.config import config
from simplezarr.engine import write
from simplezarr.engine.request import ChunkRequest, located, located_keys
from simplezarr.engine.work import COALESCE_GAP, batches
from simplezarr.errors import CorruptChunk, ZarrError
from simplezarr.indexing.subproject import project_within
from simplezarr.stores.base import (
    StoredValue,
    byte_range_bounds,
    read_values,
    slice_byte_range,
)

__all__ = [
    "ALL",
    "MAX_OPEN_SHARDS",
    "ShardContents",
    "ShardSource",
    "any_sharded",
    "expand",
    "groups",
    "is_sharded",
    "split",
    "write_shards",
]

#: A read opens at most this many shards at once (a local shard holds a file open while its
#: inner chunks are read); more are read a group after another.
MAX_OPEN_SHARDS = 64


def is_sharded(r: ChunkRequest) -> bool:
    """Whether the request names a whole shard whose inner chunks are read on their own."""
    return r.chain.shard is not None


def any_sharded(requests: Sequence[ChunkRequest]) -> bool:
    """Whether any request names a whole shard (a plain loop: this runs on every read)."""
    for r in requests:  # noqa: SIM110 (any() over a generator is slower on this path)
        if r.chain.shard is not None:
            return True
    return False


def split(requests: Sequence[ChunkRequest]) -> tuple[list[ChunkRequest], list[ChunkRequest]]:
    """The requests for plain chunks and those for shards."""
    plain: list[ChunkRequest] = []
    sharded: list[ChunkRequest] = []
    for r in requests:
        (plain if r.chain.shard is None else sharded).append(r)
    return plain, sharded


def groups(requests: Sequence[ChunkRequest]) -> Iterator[Sequence[ChunkRequest]]:
    """The requests in groups naming at most MAX_OPEN_SHARDS shards each (plain requests:
    one group, as they are)."""
    if not any_sharded(requests):
        yield requests
        return
    seen: set[tuple[int, Any]] = set()
    group: list[ChunkRequest] = []
    for r in requests:
        if r.chain.shard is not None:
            name = (id(r.source), r.key)
            if name not in seen:
                if len(seen) == MAX_OPEN_SHARDS:
                    yield group
                    group, seen = [], set()
                seen.add(name)
        group.append(r)
    if group:
        yield group


def describe(source: Any, key: Any) -> str:
    """How messages name the object ``key`` of ``source``."""
    named = getattr(source, "describe", None)
    return named(key) if named is not None else f"shard {key!r}"


# -- reading -----------------------------------------------------------------------------


class _Part(StoredValue):
    """The bytes ``[offset, offset + size)`` of an open value: an inner chunk that is itself
    a shard (nested sharding), read through its outer shard's open value."""

    def __init__(self, value: StoredValue, offset: int, size: int) -> None:
        self._value, self._offset, self.size = value, offset, size

    def read(self, ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview]:
        o, n = self._offset, self.size
        return self._value.read([(o + min(a, n), o + min(b, n)) for a, b in ranges])


class _OpenShard:
    """One shard opened for a read: its open value and its decoded index."""

    __slots__ = ("key", "layout", "offsets", "sizes", "source", "value")

    def __init__(
        self, value: StoredValue, index: np.ndarray, layout: ShardLayout, source: Any, key: Any
    ) -> None:
        self.value = value
        self.offsets: list[int] = index[:, 0].tolist()
        self.sizes: list[int] = index[:, 1].tolist()
        self.layout = layout
        self.source, self.key = source, key

    @property
    def name(self) -> str:
        return describe(self.source, self.key)

    def entry(self, flat: int) -> tuple[int, int] | None:
        offset, nbytes = self.offsets[flat], self.sizes[flat]
        if offset == MISSING and nbytes == MISSING:
            return None
        return offset, nbytes


class ShardSource:
    """The shards of one source opened by one read, serving their inner chunks' bytes.

    A key is ``(shard, flat)``: which open shard, and the inner chunk's flat index in it (C
    order). ``get_many`` maps each request to a byte range of its shard, merges ranges of a
    shard less than COALESCE_GAP apart into one range, and reads the ranges of all shards
    in one batch (:func:`~simplezarr.stores.base.read_values`: one ``get_many`` on a remote
    store); inner chunks the index marks missing come back as None. ``open_values`` opens
    inner chunks that are shards themselves (nested sharding).
    """

    def __init__(
        self, read_batch_size: int = 0, max_gap: int = COALESCE_GAP, max_bytes: int = 16 << 20
    ) -> None:
        self.shards: list[_OpenShard] = []
        #: As the store the shards live in: a remote one wants many ranges per read.
        self.read_batch_size = read_batch_size
        self.max_gap, self.max_bytes = max_gap, max_bytes

    def add(self, shard: _OpenShard) -> int:
        self.shards.append(shard)
        return len(self.shards) - 1

    def describe(self, key: tuple[int, int]) -> str:
        shard = self.shards[key[0]]
        coords = tuple(int(i) for i in np.unravel_index(key[1], shard.layout.chunks_per_shard))
        where = shard.entry(key[1])
        span = "" if where is None else f", bytes {where[0]}..{where[0] + where[1]}"
        return f"inner chunk {coords} of {shard.name}{span}"

    def _span(self, key: tuple[int, int], byte_range: Any) -> tuple[int, int] | None:
        shard = self.shards[key[0]]
        where = shard.entry(key[1])
        if where is None:
            return None
        offset, nbytes = where
        if byte_range is not None:
            expected = shard.layout.inner_chain.encoded_size
            if expected is not None and nbytes != expected:  # a window of a raw chunk
                raise CorruptChunk(
                    f"{self.describe(key)}: an uncompressed inner chunk has {nbytes} bytes, "
                    f"expected {expected}"
                )
        start, stop = byte_range_bounds(nbytes, byte_range)
        return offset + start, offset + stop

    def get_many(
        self, requests: Sequence[tuple[tuple[int, int], Any]]
    ) -> list[bytes | memoryview | None]:
        spans = [self._span(key, byte_range) for key, byte_range in requests]
        # per shard: its wanted ranges in order, neighbours merged
        merged: dict[int, list[list[int]]] = {}
        owner: list[tuple[int, int]] = [(0, 0)] * len(spans)
        order = sorted(
            (requests[i][0][0], span[0], span[1], i) for i, span in enumerate(spans) if span
        )
        gap, most = self.max_gap, self.max_bytes
        for shard, start, stop, i in order:
            ranges = merged.setdefault(shard, [])
            if (
                ranges
                and 0 <= start - ranges[-1][1] <= gap
                and max(ranges[-1][1], stop) - ranges[-1][0] <= most
            ):
                ranges[-1][1] = max(ranges[-1][1], stop)
            else:
                ranges.append([start, stop])
            owner[i] = (shard, len(ranges) - 1)
        shards = list(merged)
        read = read_values([(self.shards[k].value, [(a, b) for a, b in merged[k]]) for k in shards])
        datas = {k: [memoryview(d) for d in ds] for k, ds in zip(shards, read, strict=True)}
        out: list[bytes | memoryview | None] = []
        for i, span in enumerate(spans):
            if span is None:
                out.append(None)
                continue
            shard, r = owner[i]
            base = merged[shard][r][0]
            piece = datas[shard][r][span[0] - base : span[1] - base]
            if len(piece) != span[1] - span[0]:
                raise CorruptChunk(
                    f"{self.describe(requests[i][0])} is truncated (the shard ends before it)"
                )
            out.append(piece)
        return out

    def open_values(
        self, requests: Sequence[tuple[tuple[int, int], Any]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        opened: list[tuple[StoredValue, bytes | memoryview] | None] = []
        for key, byte_range in requests:
            where = self.shards[key[0]].entry(key[1])
            if where is None:
                opened.append(None)
                continue
            part = _Part(self.shards[key[0]].value, *where)
            [data] = part.read([byte_range_bounds(part.size, byte_range)])
            opened.append((part, data))
        return opened


def _layout(chain: CodecChain) -> ShardLayout:
    layout = chain.shard
    assert layout is not None  # only chains that are one sharding codec come here
    return layout


def _flat_strides(layout: ShardLayout) -> list[int]:
    strides, step = [], 1
    for n in reversed(layout.chunks_per_shard):
        strides.append(step)
        step *= n
    return strides[::-1]


def coalescing(source: Any) -> tuple[int, int, int]:
    """How a read of ``source``'s shards merges inner chunks' byte ranges: its
    ``read_batch_size``, the largest gap merged and the largest merged range.

    The limits are the source's ``shard_coalescing`` (an array's own ``config``) or
    ``config.sharding_coalesce_*``. A source without latency to hide (``read_batch_size``
    0: files, memory) merges gaps of at most COALESCE_GAP whatever the limit: there a gap
    costs a copy and another read only a system call.
    """
    batch = getattr(source, "read_batch_size", 0)
    gap, most = getattr(source, "shard_coalescing", None) or (
        config.sharding_coalesce_max_gap_bytes,
        config.sharding_coalesce_max_bytes,
    )
    return batch, gap if batch else min(gap, COALESCE_GAP), most


def expand(
    requests: Sequence[ChunkRequest],
    out: np.ndarray,
    opened: list[StoredValue],
    whole: Container[Any] = (),
) -> list[ChunkRequest]:
    """``requests`` with every shard request replaced by its inner chunks' requests
    (recursively for nested shards); each shard is opened once, and its open value added to
    ``opened`` for the caller to close. ``whole``: the keys of shards to read whole (ALL:
    every shard), one request and so one version, the index sliced from it: the read again
    after a shard changed under a ranged read.
    Missing shards and missing inner chunks are filled into ``out`` here."""
    if not any_sharded(requests):
        return list(requests)
    plain, sharded = split(requests)
    by_shard: dict[tuple[int, Any], list[ChunkRequest]] = {}
    for r in sharded:
        by_shard.setdefault((id(r.source), r.key), []).append(r)
    by_source: dict[int, list[list[ChunkRequest]]] = {}
    for rs in by_shard.values():
        by_source.setdefault(id(rs[0].source), []).append(rs)
    inner: list[ChunkRequest] = []
    for shard_groups in by_source.values():
        source = shard_groups[0][0].source
        try:
            wanted = [_read_whole(rs[0].key, whole) for rs in shard_groups]
            values = source.open_values(
                [
                    (rs[0].key, None if w else _layout(rs[0].chain).index_range())
                    for rs, w in zip(shard_groups, wanted, strict=True)
                ]
            )
        except ZarrError as e:
            raise located_keys(e, [rs[0] for rs in shard_groups]) from e
        reader = ShardSource(*coalescing(source))
        for rs, item, w in zip(shard_groups, values, wanted, strict=True):
            if item is None:  # a missing shard: fill without reading
                for r in rs:
                    out[r.projection.out_selection] = r.chain.spec.fill_value
                continue
            value, index_bytes = item
            if w:
                index_bytes = slice_byte_range(index_bytes, _layout(rs[0].chain).index_range())
            opened.append(value)
            inner.extend(_inner_requests(reader, source, rs, value, index_bytes, out))
    expanded = plain + inner
    return (
        expand(expanded, out, opened, whole)
        if any(r.chain.shard is not None for r in inner)
        else expanded
    )


#: In ``expand``'s ``whole``: read every shard whole.
ALL = object()


def _read_whole(key: Any, whole: Container[Any]) -> bool:
    return ALL in whole or (isinstance(key, str) and key in whole)


def _inner_requests(
    reader: ShardSource,
    source: Any,
    rs: list[ChunkRequest],
    value: StoredValue,
    index_bytes: Any,
    out: np.ndarray,
) -> list[ChunkRequest]:
    """The requests for the inner chunks of one open shard that ``rs`` need, in the order
    they lie in the shard (so neighbours share a read)."""
    layout = _layout(rs[0].chain)
    try:
        index = layout.decode_index(index_bytes, value.size)
    except CorruptChunk as e:
        raise CorruptChunk(f"{describe(source, rs[0].key)}: {e}") from e
    shard = _OpenShard(value, index, layout, source, rs[0].key)
    number = reader.add(shard)
    strides = _flat_strides(layout)
    fill = layout.spec.fill_value
    chain = layout.inner_chain
    found: list[tuple[int, ChunkRequest]] = []
    offsets, sizes = shard.offsets, shard.sizes
    for r in rs:
        for ip in project_within(r.projection, layout.spec.shape, layout.inner_shape, out.shape):
            flat = 0
            for c, s in zip(ip.chunk_coords, strides, strict=True):
                flat += c * s
            where = None if offsets[flat] == sizes[flat] == MISSING else (offsets[flat], 0)
            if where is None:  # a missing inner chunk: fill without reading
                out[ip.out_selection] = fill
                continue
            found.append((where[0], ChunkRequest(reader, (number, flat), chain, ip)))
    found.sort(key=lambda item: item[0])
    return [r for _, r in found]


# -- writing -----------------------------------------------------------------------------


class ShardContents:
    """The inner chunks of one shard being written: a write target keyed by flat index,
    private to one write (so it needs no locks), assembled into the shard at the end."""

    private = True

    def __init__(self, layout: ShardLayout, existing: Any, name: str) -> None:
        self.layout = layout
        self.name = name
        try:
            self._inner: dict[int, Any] = {} if existing is None else layout.split(existing)
        except CorruptChunk as e:
            raise CorruptChunk(f"{name}: {e}") from e

    def describe(self, flat: int) -> str:
        coords = tuple(int(i) for i in np.unravel_index(flat, self.layout.chunks_per_shard))
        return f"inner chunk {coords} of {self.name}"

    def get(self, flat: int) -> Any:
        return self._inner.get(flat)

    def set(self, flat: int, data: Any) -> None:
        self._inner[flat] = data

    def delete(self, flat: int) -> None:
        self._inner.pop(flat, None)

    def assemble(self, keep_empty: bool = False) -> bytes | None:
        """The shard's bytes, or None when no inner chunk is left (unless ``keep_empty``:
        then a shard of only its index, every inner chunk marked missing)."""
        return self.layout.assemble(self._inner, keep_empty)


def write_shards(requests: Sequence[ChunkRequest], value: np.ndarray, write_empty: bool) -> None:
    """Write shard requests: a few batches of shards per thread when there are enough to
    keep every thread busy, else one shard after another with its inner chunks encoded in
    parallel."""
    if len(requests) >= config.threads:
        run_all([partial(_write_batch, b, value, write_empty) for b in batches(requests)])
    else:
        _write_batch(requests, value, write_empty)


def _write_batch(batch: Sequence[ChunkRequest], value: np.ndarray, write_empty: bool) -> None:
    for r in batch:
        write_shard(r, value, write_empty)


def write_shard(r: ChunkRequest, value: np.ndarray, write_empty: bool) -> None:
    """Write one shard request: read what it held unless the write covers it, write its
    touched inner chunks, store it assembled (delete it when nothing is left). On a store
    with conditional writes a partial write is a compare-and-swap (:func:`write.swap`)."""
    target, key, _, p = r
    with write.locked(target, [key], partial=not p.is_complete):
        try:
            if write.conditional(target, p):
                write.swap(
                    target,
                    key,
                    lambda existing, keep: _updated(r, value, write_empty, existing, keep),
                )
                return
            existing = None if p.is_complete else target.get(key)
        except ZarrError as e:
            raise located(e, r) from e
        data = _updated(r, value, write_empty, existing, False)
        try:
            if data is None:
                target.delete(key)
            else:
                target.set(key, data)
        except ZarrError as e:
            raise located(e, r) from e


def _updated(
    r: ChunkRequest, value: np.ndarray, write_empty: bool, existing: Any, keep: bool
) -> bytes | None:
    """The shard's new bytes: ``existing`` (None: nothing stored) with the request's inner
    chunks written; None when no inner chunk is left, unless ``keep`` (then a shard of
    only its index)."""
    target, key, chain, p = r
    layout = _layout(chain)
    contents = ShardContents(layout, existing, describe(target, key))
    strides = _flat_strides(layout)
    inner = [
        ChunkRequest(
            contents,
            sum(c * s for c, s in zip(ip.chunk_coords, strides, strict=True)),
            layout.inner_chain,
            ip,
        )
        for ip in project_within(p, layout.spec.shape, layout.inner_shape, value.shape)
    ]
    plain, nested = split(inner)
    write.write_chunks(plain, value, write_empty)
    if nested:
        write_shards(nested, value, write_empty)
    return contents.assemble(keep)
