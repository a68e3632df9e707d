"""Moving many stored values at once with a bounded amount of memory: the engine room of
:func:`~simplezarr.copy_store`, :func:`~simplezarr.copy` and :func:`~simplezarr.convert`.

Two kinds of work, both parallel on simplezarr's shared pools and both reporting progress
after each finished unit (from the calling thread only, so a callback needs no locking):

- :func:`copy_values` copies stored values as they are (no decoding) on the I/O pool
  (``concurrency.IO``). Each value's size is asked first (``getsize``: a ``stat`` locally,
  a HEAD on a remote store) and a value starts only while the bytes of the values in
  flight stay within ``buffer_bytes``; a value larger than the whole budget is copied
  alone. Stores take whole values, so one value is always held whole.
- :func:`copy_regions` decodes and re-encodes, one destination stored object (shard, or
  chunk) per task on the decode pool (``concurrency.DECODE``), as many at once as
  ``buffer_bytes`` allows for twice a region's decoded size.

Resuming (``resume=True``): a destination value that exists, has the source value's size
(raw copies) and decodes with the destination's codecs (so a ``crc32c`` checksum in them
is checked) is kept, and its source is not read.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> src, dst = MemoryStore(), MemoryStore()
    >>> src.set("a", b"123"); src.set("b", b"45")
    >>> seen = []
    >>> copy_values(src, dst, [("a", "x/a"), ("b", "x/b")], progress=lambda d, t: seen.append(d))
    5
    >>> dst.get("x/a"), seen
    (b'123', [1, 2])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from simplezarr.concurrency import DECODE, IO, SharedPool
from simplezarr.errors import ZarrError
from simplezarr.nodes import ZarrArray
from simplezarr.stores.base import ReadableStore, WritableStore

__all__ = [
    "BUFFER_BYTES",
    "Progress",
    "Tally",
    "copy_regions",
    "copy_values",
    "decodes_with",
    "regions",
    "run_bounded",
]

#: The default bound on the bytes a copy holds at once (values read and not yet written).
BUFFER_BYTES = 64 * 2**20

#: ``progress(done, total)``: called after each finished value or region.
Progress = Callable[[int, int], None]

_SIZES_PER_BATCH = 256  # getsize calls run together (bounds the pending size list)


@dataclass
class Tally:
    """What a copy did: values (or regions) ``copied``, ``kept`` (resume: already valid at
    the destination), ``missing`` (gone from the source meanwhile), and ``nbytes`` copied
    as stored bytes (raw copies only)."""

    copied: int = 0
    kept: int = 0
    missing: int = 0
    nbytes: int = 0

    def add(self, outcome: tuple[str, int]) -> None:
        what, nbytes = outcome
        setattr(self, what, getattr(self, what) + 1)
        self.nbytes += nbytes


Job = Callable[[], tuple[str, int]]
T = TypeVar("T")


def run_bounded(
    pool: SharedPool,
    jobs: Iterable[tuple[int, Callable[[], T]]],
    total: int,
    buffer_bytes: int,
    progress: Progress | None,
    on_result: Callable[[T], None],
) -> None:
    """Run ``(cost, job)`` pairs on ``pool`` while the cost in flight (bytes the running
    jobs hold) stays within ``buffer_bytes``, one job at least, and at most two jobs per
    pool thread are started and unfinished; ``on_result`` and
    ``progress(done, total)`` are called in the calling thread as jobs finish. The first
    error is raised once every started job has finished (none is left writing), and no
    job starts after it; an interrupt (``KeyboardInterrupt``) likewise.

    Example:
        >>> from simplezarr.concurrency import DECODE
        >>> out = []
        >>> run_bounded(DECODE, [(1, lambda: 2), (1, lambda: 3)], 2, 10, None, out.append)
        >>> sorted(out)
        [2, 3]
    """
    running: dict[Future[T], int] = {}
    # a few jobs queued per thread keep it busy; more would only be lost to an interrupt
    most = 2 * max(pool.size(), 1)
    in_flight = done = 0
    error: BaseException | None = None

    def reap(block: bool) -> None:
        nonlocal in_flight, done, error
        finished, _ = wait(list(running), return_when=FIRST_COMPLETED, timeout=None if block else 0)
        for fut in finished:
            in_flight -= running.pop(fut)
            try:
                on_result(fut.result())
                done += 1
                if progress is not None and error is None:
                    progress(done, total)
            except BaseException as e:  # noqa: BLE001 - re-raised once all have finished
                error = error or e  # a job's error, or the callback's (an interrupt)

    try:
        for cost, job in jobs:
            while (
                running
                and error is None
                and (in_flight + cost > buffer_bytes or len(running) >= most)
            ):
                reap(block=True)
            if error is not None:
                break
            running[pool.submit(job)] = cost
            in_flight += cost
            reap(block=False)
    except BaseException as e:  # noqa: BLE001 - an interrupt while waiting: drain first
        error = error or e
    # Failed or interrupted: let started jobs finish, start none, report no more.
    while running:
        try:
            reap(block=True)
        except BaseException as e:  # noqa: BLE001 - a second interrupt: still drain
            error = error or e
    if error is not None:
        raise error


def copy_values(
    source: ReadableStore,
    dest: WritableStore,
    pairs: Sequence[tuple[str, str]],
    *,
    buffer_bytes: int = BUFFER_BYTES,
    progress: Progress | None = None,
    valid: Callable[[bytes, str], bool] | None = None,
    tally: Tally | None = None,
) -> int:
    """Copy the value of each source key to its destination key, as stored; returns the
    bytes copied (``tally`` also counts what was copied, kept and missing). A source key
    that is missing (deleted meanwhile) is skipped.

    ``valid``: resume. A destination value of the source's size for which
    ``valid(value, key)`` (its destination key) is true is kept, and the source value is not read.
    """
    total = len(pairs)

    def jobs() -> Iterator[tuple[int, Job]]:
        for start in range(0, total, _SIZES_PER_BATCH):
            part = pairs[start : start + _SIZES_PER_BATCH]
            sizes = IO.run_all([_size_of(source, s) for s, _ in part])
            for (s, d), size in zip(part, sizes, strict=True):
                yield max(size or 0, 1), _copy_one(source, dest, s, d, size, valid)

    before = tally.nbytes if tally is not None else 0
    tally = tally or Tally()
    run_bounded(IO, jobs(), total, buffer_bytes, progress, tally.add)
    return tally.nbytes - before


def _size_of(store: ReadableStore, key: str) -> Callable[[], int | None]:
    def size() -> int | None:
        try:
            return store.getsize(key)
        except FileNotFoundError:
            return None

    return size


def _copy_one(
    source: ReadableStore,
    dest: WritableStore,
    key: str,
    target: str,
    size: int | None,
    valid: Callable[[bytes, str], bool] | None,
) -> Job:
    def run() -> tuple[str, int]:
        if size is None:
            return "missing", 0
        if valid is not None and isinstance(dest, ReadableStore):
            present = dest.get(target)
            # decoded here: an I/O thread waiting on the decode pool could deadlock with
            # decode-pool work waiting on the I/O pool (a remote read of copy_regions)
            if present is not None and len(present) == size and valid(present, target):
                return "kept", 0
            del present
        value = source.get(key)
        if value is None:
            return "missing", 0
        dest.set(target, value)
        return "copied", len(value)

    return run


def regions(shape: tuple[int, ...], block: tuple[int, ...]) -> list[tuple[slice, ...]]:
    """The boxes of a grid of ``block`` over ``shape``, in C order (edge boxes clipped).

    Example:
        >>> regions((3,), (2,))
        [(slice(0, 2, None),), (slice(2, 3, None),)]
    """
    if not shape:
        return [()]
    starts = np.ndindex(*(-(-s // b) for s, b in zip(shape, block, strict=True)))
    return [
        tuple(slice(i * b, min((i + 1) * b, s)) for i, b, s in zip(idx, block, shape, strict=True))
        for idx in starts
    ]


def copy_regions(
    source: ZarrArray,
    target: ZarrArray,
    *,
    buffer_bytes: int = BUFFER_BYTES,
    progress: Progress | None = None,
    resume: bool = False,
    tally: Tally | None = None,
) -> Tally:
    """Copy ``source``'s values into ``target`` (same shape), decoded and re-encoded one
    stored object of ``target`` (shard, or chunk) at a time, several at once; returns the
    tally of regions. ``resume``: a region whose stored object exists and decodes is kept.
    """
    # the stored objects' shape: shards, or chunks (a rectilinear grid's largest)
    block = target.metadata.chunk_shape
    io = target._io
    grid = io.grid
    boxes = [(c, grid.chunk_region(c)) for c in grid.all_chunk_coords()] if target.size else []
    region_bytes = int(np.prod(block, dtype=np.int64)) * target.dtype.itemsize
    src_chunk = int(np.prod(source.metadata.chunk_shape, dtype=np.int64))
    cost = 2 * region_bytes + src_chunk * source.dtype.itemsize

    def job(coords: tuple[int, ...], box: tuple[slice, ...]) -> Job:
        def run() -> tuple[str, int]:
            if resume and _decodes(target, io.key(coords)):
                return "kept", 0
            target[box] = np.asarray(source[box])
            return "copied", 0

        return run

    tally = tally or Tally()
    run_bounded(
        DECODE, ((cost, job(*b)) for b in boxes), len(boxes), buffer_bytes, progress, tally.add
    )
    return tally


def _decodes(array: ZarrArray, key: str) -> bool:
    store = array.store
    if not isinstance(store, ReadableStore):
        return False
    value = store.get(key)
    if value is None:
        return False
    try:
        array._io.chain_of_key(key).decode(value)
    except ZarrError:
        return False
    return True


def decodes_with(array: ZarrArray) -> Callable[[bytes, str], bool]:
    """A ``valid`` check for :func:`copy_values`: the value decodes with ``array``'s codecs
    (bound to the shape of the chunk at its key: a rectilinear grid's chunks differ)."""

    def valid(value: bytes, key: str) -> bool:
        try:
            array._io.chain_of_key(key).decode(value)
        except ZarrError:
            return False
        return True

    return valid
