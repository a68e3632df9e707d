"""The read stage: fetch chunk bytes in parts, decode them in the shared pool, scatter them
into the caller's buffer.

Requests come here with plain chains (a shard's inner chunks, after
:func:`simplezarr.engine.shards.expand`). Fast paths, each in the function named:

- *missing chunk* (:func:`decode_scatter`): filled with the fill value, nothing decoded;
- *decode into the output* (:func:`_decode_into`): a whole chunk that lies contiguously in
  the output is decoded straight into it (one chunk read alone, slabs of (1, Y, X) chunks);
- *byte window* (:func:`window`): for chunks of plain items only the bytes holding the
  selection are fetched (uncompressed) or decoded (zstd stops early): a plane through a 64³
  chunk reads 8 KiB, not 512 KiB;
- *batched decode* (:func:`decode_scatter`): whole chunks of a part decode in one codec call
  (zstd: one GIL-free call for the part's frames);
- *small reads in the calling thread* (:func:`simplezarr.engine.work.batches`): under 1 MiB
  decoded, the pool's hand-off costs more than it saves;
- *pipelined* (:func:`_read_pipelined`): small compressed chunks are fetched by the calling
  thread while the pool decodes the parts already fetched.

Example:
    >>> import numpy as np
    >>> from simplezarr.codecs import CodecChain, ChunkSpec, codec_from_json
    >>> from simplezarr.dtypes import from_numpy
    >>> from simplezarr.engine.request import ChunkRequest
    >>> from simplezarr.indexing import ChunkProjection
    >>> from simplezarr.stores import MemoryStore
    >>> chain = CodecChain([codec_from_json("bytes")], ChunkSpec((3,), from_numpy("uint8"), 7))
    >>> p = ChunkProjection((0,), (slice(0, 3),), (slice(0, 3),), True)
    >>> out = np.zeros(3, "u1")
    >>> read_chunks([ChunkRequest(MemoryStore(), "missing", chain, p)], out)
    >>> out.tolist()
    [7, 7, 7]
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any

import numpy as np

from simplezarr.byte_window import ByteWindow
from simplezarr.codecs.chain import CodecChain
from simplezarr.concurrency import in_worker, run_all, submit, wait_all
from simplezarr.config import config
from simplezarr.engine.request import ChunkRequest, located, located_keys
from simplezarr.engine.work import PIPELINE_MAX_CHUNK_BYTES, batches, part_size
from simplezarr.errors import ZarrError
from simplezarr.indexing import ChunkProjection
from simplezarr.native import module as native_module

__all__ = ["decode_scatter", "fetch", "read_chunks", "window"]


def read_chunks(requests: Sequence[ChunkRequest], out: np.ndarray) -> None:
    """Read requests with plain chains into ``out``: pipelined for small compressed
    chunks, else a few batches per thread, each fetching and decoding part after part."""
    if not requests:
        return
    chain = requests[0].chain
    nbytes = chain.spec.nbytes
    work = batches(requests, nbytes)
    if len(work) == 1:  # one batch: no hand-off at all
        _read_parts(requests, out)
    elif chain.compressed and (nbytes or 0) <= PIPELINE_MAX_CHUNK_BYTES and not in_worker():
        _read_pipelined(requests, out)
    else:
        run_all([partial(_read_parts, batch, out) for batch in work])


def window(r: ChunkRequest) -> ByteWindow | None:
    """The byte window of a partly read chunk of plain items, when reading just it saves
    work (see :mod:`simplezarr.byte_window`)."""
    chain, p = r.chain, r.projection
    if not chain.windowed or p.is_complete or type(p) is not ChunkProjection:
        return None
    w = ByteWindow.of(p.chunk_selection, chain.spec.shape, chain.window_dtype)  # type: ignore[arg-type]
    return w if w.size < chain.spec.size * chain.window_dtype.itemsize else None  # type: ignore[union-attr]


def fetch(
    part: Sequence[ChunkRequest], whole: bool = False
) -> tuple[list[Any], list[ByteWindow | None]]:
    """The stored bytes of each request of ``part`` (only the byte window of raw chunks
    read partly, unless ``whole``), one ``get_many`` per run of requests with the same
    source, and the windows."""
    windowed = part[0].chain.windowed and not whole
    windows: list[ByteWindow | None] = (
        [None if r.projection.is_complete else window(r) for r in part]
        if windowed
        else [None] * len(part)
    )
    datas: list[Any] = []
    i, n = 0, len(part)
    while i < n:
        source = part[i].source
        j = i + 1
        while j < n and part[j].source is source:
            j += 1
        if windowed:
            wanted = [
                (r.key, (w.lo, w.size) if w is not None and r.chain.is_raw else None)
                for r, w in zip(part[i:j], windows[i:j], strict=True)
            ]
        else:
            wanted = [(r.key, None) for r in part[i:j]]
        try:
            datas.extend(source.get_many(wanted))
        except ZarrError as e:
            raise located_keys(e, part[i:j]) from e
        i = j
    return datas, windows


def decode_scatter(
    part: Sequence[ChunkRequest],
    datas: Sequence[Any],
    windows: Sequence[ByteWindow | None],
    out: np.ndarray,
) -> None:
    """Decode fetched chunks into ``out``: whole ones of a chain in one batched codec call."""
    chain = part[0].chain
    n = len(part)
    direct = _decode_into(part, datas, windows, out) if chain.direct_decode else [False] * n
    fast = native_module()
    if fast is not None and out.dtype == chain.window_dtype:
        _scatter_native(fast, part, datas, windows, out, direct)
    decoded: Iterator[np.ndarray] = iter(())
    if n > 1:
        whole = [
            d
            for d, w, done in zip(datas, windows, direct, strict=True)
            if d is not None and w is None and not done
        ]
        if len(whole) > 1 and all(r.chain is chain for r in part):
            try:  # noqa: SIM105 (contextlib.suppress costs a context manager per part)
                decoded = iter(chain.decode_many(whole))
            except ZarrError:  # one of them is corrupt: decode them one by one to name it
                pass
    for r, w, data, done in zip(part, windows, datas, direct, strict=True):
        if done:
            continue
        p = r.projection
        if data is None:  # missing chunk: fill without decoding
            out[p.out_selection] = r.chain.spec.fill_value
            continue
        try:
            if w is not None:  # byte window: the decoded view already is the selection
                out[p.out_selection] = r.chain.decode_window(data, w)
                continue
            chunk = next(decoded, None)
            if chunk is None:
                chunk = r.chain.decode(data)
        except ZarrError as e:
            raise located(e, r) from e
        out[p.out_selection] = chunk[p.chunk_selection]


def _scatter_native(
    fast: Any,
    part: Sequence[ChunkRequest],
    datas: Sequence[Any],
    windows: Sequence[ByteWindow | None],
    out: np.ndarray,
    done: list[bool],
) -> None:
    """*Native scatter*: decode the whole chunks of ``part`` (one batched codec call) and
    copy them into ``out`` in one call without the GIL (:mod:`simplezarr.native`); marks
    them ``done``. What it leaves (a corrupt chunk, a selection it does not take) goes the
    pure-Python way, which names the error."""
    chain = part[0].chain
    todo = [
        i
        for i, (r, data, w, d) in enumerate(zip(part, datas, windows, done, strict=True))
        if not d
        and data is not None
        and w is None
        and r.chain is chain
        and type(r.projection) is ChunkProjection
        and _plain_slices(r.projection.chunk_selection)
    ]
    if not todo:
        return
    try:
        raws = chain.decode_many_raw([datas[i] for i in todo])
    except ZarrError:  # one of them is corrupt: decoded one by one to name it
        return
    if raws is None:
        return
    items = [
        (raw, part[i].projection.chunk_selection, part[i].projection.out_selection)
        for i, raw in zip(todo, raws, strict=True)
    ]
    left = fast.scatter(out, chain.spec.shape, items)
    for i in todo:
        done[i] = True
    for k in left:
        done[todo[k]] = False


def _plain_slices(selection: Any) -> bool:
    """Whether the native scatter takes ``selection``: slices of step 1 only. Anything else
    (an integer of a plane, a step) it would hand back after the decode, decoded again on
    the pure-Python way."""
    return all(type(s) is slice and s.step in (None, 1) for s in selection)


def _can_decode_into(chain: CodecChain, out: np.ndarray) -> bool:
    """Whether whole chunks of ``chain`` can lie contiguously in ``out`` and be decoded
    into it: a chunk's block is contiguous in a C-ordered array when every axis after its
    first non-unit one is whole."""
    chunk = chain.spec.shape
    if not chain.direct_decode or out.dtype != chain.window_dtype or out.ndim != len(chunk):
        return False
    if not chunk or not out.flags.c_contiguous:  # 0-d: out[()] is a scalar, not a view
        return False
    first = next((i for i, c in enumerate(chunk) if c != 1), len(chunk))
    return all(c == n for c, n in zip(chunk[first + 1 :], out.shape[first + 1 :], strict=True))


def _decode_into(
    part: Sequence[ChunkRequest],
    datas: Sequence[Any],
    windows: Sequence[ByteWindow | None],
    out: np.ndarray,
) -> list[bool]:
    """Decode the whole chunks of ``part`` that lie contiguously in ``out`` straight into
    it; which ones were."""
    done = [False] * len(part)
    chain = part[0].chain
    if not _can_decode_into(chain, out):
        return done
    shape = chain.spec.shape
    for i, (r, w, data) in enumerate(zip(part, windows, datas, strict=True)):
        p = r.projection
        if p.is_complete and w is None and data is not None and type(p) is ChunkProjection:
            if r.chain is not chain:
                continue
            target = out[p.out_selection]
            if target.shape == shape and target.flags.c_contiguous:
                try:
                    chain.decode_into(data, target)
                except ZarrError as e:
                    raise located(e, r) from e
                done[i] = True
    return done


def _read_parts(batch: Sequence[ChunkRequest], out: np.ndarray) -> None:
    """Fetch, decode and scatter a batch in this thread, a part at a time."""
    step = part_size(batch[0].source, batch[0].chain.spec.nbytes)
    for i in range(0, len(batch), step):
        part = batch[i : i + step]
        datas, windows = fetch(part)
        decode_scatter(part, datas, windows, out)


def _read_pipelined(requests: Sequence[ChunkRequest], out: np.ndarray) -> None:
    """Compressed chunks: this thread fetches part after part while the pool decodes and
    scatters the parts already fetched.

    Only one thread runs the Python of fetching, so pool threads spend their time in
    codecs that release the GIL (one batched call per part where the codec has one)
    instead of taking turns at the GIL.
    """
    # Parts small enough that every thread gets several (a plane of 256 small chunks is
    # 2 MiB: in 1 MiB parts the pool would decode one part at a time).
    first = requests[0]
    step = min(
        part_size(first.source, first.chain.spec.nbytes),
        -(-len(requests) // (4 * config.threads)),
    )
    in_flight = 2 * config.threads  # bounds the fetched bytes waiting for a decoder
    pending: collections.deque[Future[None]] = collections.deque()
    try:
        for i in range(0, len(requests), step):
            part = requests[i : i + step]
            datas, windows = fetch(part)
            pending.append(submit(partial(decode_scatter, part, datas, windows, out)))
            while len(pending) >= in_flight:
                pending.popleft().result()
    except BaseException:
        with contextlib.suppress(BaseException):  # the fetch error is the one to report,
            wait_all(pending)  # once no task writes into out any more
        raise
    wait_all(pending)
