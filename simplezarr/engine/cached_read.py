"""Reads through the decoded-chunk cache (:mod:`simplezarr.chunk_cache`), when
``config.chunk_cache_bytes`` is set.

A chunk found in the cache is scattered into the output without a fetch or a decode. The
others are fetched whole (no byte window: the whole decoded chunk is what is kept), decoded
in the shared pool, added to the cache and scattered. Shards are not cached here: their
requests take the ordinary path (:func:`cacheable` says which batches qualify).

Example:
    >>> import numpy as np
    >>> from simplezarr.chunk_cache import CACHE
    >>> from simplezarr.codecs import CodecChain, ChunkSpec, codec_from_json
    >>> from simplezarr.config import config
    >>> from simplezarr.dtypes import from_numpy
    >>> from simplezarr.engine.request import ChunkRequest
    >>> from simplezarr.indexing import ChunkProjection
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore({"c/0": b"\\x01\\x02"})
    >>> chain = CodecChain([codec_from_json("bytes")], ChunkSpec((2,), from_numpy("u1"), 0))
    >>> whole = ChunkProjection((0,), (slice(0, 2),), (slice(0, 2),), True)
    >>> out = np.zeros(2, "u1")
    >>> with config.set(chunk_cache_bytes=2**20):
    ...     read_cached([ChunkRequest(store, "c/0", chain, whole)], out)
    ...     len(CACHE) == 1, out.tolist()
    (True, [1, 2])
    >>> CACHE.clear()
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from simplezarr.chunk_cache import CACHE, MISSING, writes_seen
from simplezarr.codecs.chain import CodecChain
from simplezarr.concurrency import run_all
from simplezarr.config import config
from simplezarr.engine.read import fetch
from simplezarr.engine.request import ChunkRequest, located
from simplezarr.engine.work import batches, part_size
from simplezarr.errors import ZarrError

__all__ = ["cacheable", "identity", "read_cached"]


def cacheable(requests: Sequence[ChunkRequest]) -> bool:
    """Whether a batch is read through the cache: a budget is set, no request is a shard
    and every source may be cached (``caches_chunks``). With no budget, a cache left from
    an earlier budget is emptied."""
    if not config.chunk_cache_bytes:
        if len(CACHE):
            CACHE.clear()
        return False
    return all(
        r.chain.shard is None and getattr(r.source, "caches_chunks", False) for r in requests
    )


def identity(chain: CodecChain) -> str:
    """What a cached chunk must have been decoded with to serve a request of ``chain``:
    its shape, data type, fill value, order and codecs (their repr, so a NaN fill value
    matches itself).

    Example:
        >>> from simplezarr.codecs import ChunkSpec, codec_from_json
        >>> from simplezarr.dtypes import from_numpy
        >>> a = CodecChain([codec_from_json("bytes")], ChunkSpec((2,), from_numpy("f4"), float("nan")))
        >>> b = CodecChain([codec_from_json("bytes")], ChunkSpec((2,), from_numpy("f4"), float("nan")))
        >>> identity(a) == identity(b)
        True
    """
    return repr((chain.spec, chain.codecs))


def read_cached(requests: Sequence[ChunkRequest], out: np.ndarray) -> None:
    """Fill ``out`` for every request: from the cache where it holds the chunk, else by
    fetching and decoding it (and adding it to the cache)."""
    if not requests:
        return
    first = requests[0].chain
    first_identity = identity(first)
    misses: list[tuple[ChunkRequest, str]] = []
    for r in requests:
        ident = first_identity if r.chain is first else identity(r.chain)
        chunk = CACHE.get(r.source.lock_scope, r.key, ident)
        if chunk is None:
            misses.append((r, ident))
            continue
        p = r.projection
        if chunk is MISSING:
            out[p.out_selection] = r.chain.spec.fill_value
        else:
            out[p.out_selection] = chunk[p.chunk_selection]
    if not misses:
        return
    work = batches(misses, first.spec.nbytes)
    run_all([partial(_read_and_keep, batch, out) for batch in work])


def _read_and_keep(batch: Sequence[tuple[ChunkRequest, str]], out: np.ndarray) -> None:
    """Fetch whole chunks a part at a time, decode them, keep them in the cache, scatter."""
    first = batch[0][0]
    step = part_size(first.source, first.chain.spec.nbytes)
    for i in range(0, len(batch), step):
        part = batch[i : i + step]
        seen = writes_seen()  # before the fetch: a write after it keeps these out
        datas, _ = fetch([r for r, _ in part], whole=True)  # whole values: they are cached
        budget = config.chunk_cache_bytes
        for (r, ident), data in zip(part, datas, strict=True):
            p = r.projection
            chunk: np.ndarray | None = None
            if data is not None:
                try:
                    chunk = r.chain.decode(data)
                except ZarrError as e:
                    raise located(e, r) from e
            CACHE.put(r.source.lock_scope, r.key, ident, r.source, chunk, seen, budget)
            if chunk is None:
                out[p.out_selection] = r.chain.spec.fill_value
            else:
                out[p.out_selection] = chunk[p.chunk_selection]
