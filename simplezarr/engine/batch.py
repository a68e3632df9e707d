"""The engine's contract: a batch of chunk requests read into, or written from, a buffer.

Every caller of the engine speaks this one interface: simplezarr's arrays (through
:mod:`simplezarr.engine.array_io`) and zarr-python's codec pipeline alike. A
:class:`ChunkRequest` names one stored object (a chunk, or a whole shard) and what to do
with it:

- ``source`` and ``key``: where its bytes come from. A store and a store key; for an inner
  chunk of a shard, the shard's source (:class:`simplezarr.engine.shards.ShardSource`) and
  the inner chunk's flat index. A source needs ``get_many(requests)`` (``[(key,
  byte_range)]`` to ``[bytes | None]``, None for missing) and ``open_values(requests)``
  (see :meth:`simplezarr.stores.ReadableStore.open_values`); a write target also ``get``,
  ``set`` and ``delete``.
- ``chain``: the :class:`~simplezarr.codecs.CodecChain` bound to the object's spec (shape,
  data type, fill value). A chain that is one sharding codec (``chain.shard`` is set) is
  served by the shard source: inner chunks are read and written on their own.
- ``projection``: a :class:`~simplezarr.indexing.ChunkProjection` (or ``FancyProjection``
  for integer-array selections): which part of the decoded object (``chunk_selection``),
  where it goes in the caller's buffer (``out_selection``), and whether the selection
  covers the whole object (``is_complete``: a read may decode straight into the buffer, a
  write needs no read).

:func:`read_batch` fills ``out[out_selection]`` for every request; :func:`write_batch`
stores ``value[out_selection]`` into each object's ``chunk_selection``. Both run their
chunk work in the one shared pool (:mod:`simplezarr.concurrency`), in parts so that a
remote store serves many requests at once and only a part's bytes are held at a time.

Example:
    >>> import numpy as np
    >>> from simplezarr.codecs import CodecChain, ChunkSpec, codec_from_json
    >>> from simplezarr.dtypes import from_numpy
    >>> from simplezarr.indexing import ChunkProjection
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> chain = CodecChain([codec_from_json("bytes")], ChunkSpec((4,), from_numpy("int16"), 0))
    >>> whole = ChunkProjection((0,), (slice(0, 4),), (slice(0, 4),), True)
    >>> write_batch([ChunkRequest(store, "c/0", chain, whole)], np.arange(4, dtype="i2"))
    >>> out = np.zeros(2, dtype="i2")
    >>> part = ChunkProjection((0,), (slice(1, 3),), (slice(0, 2),), False)
    >>> read_batch([ChunkRequest(store, "c/0", chain, part)], out)
    >>> out.tolist()
    [1, 2]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from simplezarr.engine import allocator, cached_read, read, shards, write
from simplezarr.engine.request import ChunkRequest
from simplezarr.errors import ConcurrentModification, ValueChanged
from simplezarr.stores.base import StoredValue

__all__ = ["MAX_REREADS", "ChunkRequest", "read_batch", "write_batch"]

#: How often a read of shards is repeated when a shard changed under it (see read_batch).
MAX_REREADS = 3


def read_batch(requests: Sequence[ChunkRequest], out: np.ndarray) -> None:
    """Fill ``out[out_selection]`` from every request's object (the fill value where it is
    missing); CorruptChunk, StoreError and the like when an object cannot be read.

    Shards are opened a group at a time (each keeps a file open while its inner chunks are
    read), their indexes read once, and their inner chunks read as ordinary requests. A
    remote store pins the version it opened; when a shard is replaced before its inner
    chunks are read (:class:`~simplezarr.errors.ValueChanged`) the group is read again with
    that shard read whole, up to MAX_REREADS times, then
    :class:`~simplezarr.errors.ConcurrentModification`: never bytes of two versions.
    """
    allocator.tune_once()
    if cached_read.cacheable(requests):  # config.chunk_cache_bytes is set
        cached_read.read_cached(requests, out)
        return
    if not shards.any_sharded(requests):
        read.read_chunks(requests, out)
        return
    for group in shards.groups(requests):
        whole: set[Any] = set()  # the keys of shards to read whole (shards.ALL: every one)
        for attempt in itertools.count():
            opened: list[StoredValue] = []
            try:
                read.read_chunks(shards.expand(group, out, opened, whole=whole), out)
                break
            except ValueChanged as e:
                # A shard was replaced between its index and its inner chunks (a remote
                # store pins the version it opened): read the group again, that shard whole
                # this time (one request, so one version), and give up after MAX_REREADS.
                whole.add(shards.ALL if e.key is None else e.key)
                if attempt >= MAX_REREADS:
                    raise ConcurrentModification(
                        f"{e}; it kept changing over {attempt + 1} reads (the last ones whole); "
                        "retry once the writers are done"
                    ) from e
            finally:
                for value in opened:
                    value.close()


def write_batch(
    requests: Sequence[ChunkRequest], value: np.ndarray, *, write_empty_chunks: bool = False
) -> None:
    """Store ``value[out_selection]`` into every request's object, reading what a partial
    write keeps; an object left equal to the fill value everywhere is deleted unless
    ``write_empty_chunks``.

    ``value`` has the caller's selection shape and the array's data type (see
    :func:`simplezarr.engine.write.prepare_value`). Each object's read-modify-write holds
    its lock, so writes from threads of one process never lose each other's data, even
    through store objects opened separately on one location; a partial write also holds the
    store's ``partial_write_lock`` against other processes (LocalStore: byte-range locks;
    see docs/guarantees.md).
    """
    allocator.tune_once()
    plain, sharded = shards.split(requests)
    if plain:
        write.write_chunks(plain, value, write_empty_chunks)
    if sharded:
        shards.write_shards(sharded, value, write_empty_chunks)
