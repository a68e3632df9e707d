"""verify: read every node and decode every stored chunk of a hierarchy, and say what is
wrong, by node path and store key.

What is checked: every node's metadata parses; every stored object (chunk, or shard with
all its inner chunks) of every array is read and decoded with the array's codecs, so a
``crc32c`` checksum in them is compared, a shard's index is checked against the shard's
size, and a compressed stream must decompress to exactly the chunk's size. Missing chunks
are not problems (they read as the fill value).

As the engine reads: the calling thread fetches parts of a few stored objects
(``get_many``: concurrent on a remote store) and the decode pool decodes them, at most
about ``buffer_bytes`` held at once; ``progress(done, total)`` after each stored object.

A local store is also searched for temporary files a killed writer left behind
(``stale_temporaries``; never listed as keys or read, so not problems); ``repair=True``
removes them (:func:`simplezarr.stores.local.remove_stale_temporaries`).

Example:
    >>> import numpy as np, simplezarr as zarr
    >>> store = {}
    >>> a = zarr.create_array(store, name="a", data=np.arange(8), chunks=(4,))
    >>> zarr.verify(store).ok
    True
    >>> store["a/c/1"] = b"not zstd"
    >>> report = zarr.verify(store)
    >>> report.ok, [(p.path, p.key) for p in report.problems]
    (False, [('a', 'a/c/1')])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simplezarr import engine
from simplezarr.api.transfer import BUFFER_BYTES, Progress, run_bounded
from simplezarr.concurrency import DECODE
from simplezarr.errors import ZarrError
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode, open_zarr
from simplezarr.storage import join_path, make_store_path
from simplezarr.stores.base import ReadableStore
from simplezarr.stores.local import (
    STALE_AFTER,
    LocalStore,
    remove_stale_temporaries,
    stale_temporaries,
)

__all__ = ["Problem", "VerifyReport", "verify"]

_PART = 64  # stored objects per batched read at most


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the node's ``path`` ('' for the root), the store ``key`` concerned
    (None when it is the node as a whole) and what is wrong."""

    path: str
    key: str | None
    message: str

    def __str__(self) -> str:
        where = self.key if self.key is not None else (self.path or "/")
        return f"{where}: {self.message}"


Job = Callable[[], "Problem | None"]


@dataclass
class VerifyReport:
    """What :func:`verify` found. ``ok`` when there is no problem."""

    arrays: int = 0
    groups: int = 0
    chunks: int = 0
    problems: list[Problem] = field(default_factory=list)
    stale_temporaries: list[str] = field(default_factory=list)
    removed_temporaries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: what was checked and how it went.

        Example:
            >>> VerifyReport(arrays=1, chunks=3).summary()
            'ok: 1 array, 0 groups, 3 stored chunks checked'
        """
        head = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        arrays = f"{self.arrays} array{'s' if self.arrays != 1 else ''}"
        groups = f"{self.groups} group{'s' if self.groups != 1 else ''}"
        return f"{head}: {arrays}, {groups}, {self.chunks} stored chunks checked"


def verify(
    source: Any,
    *,
    progress: Progress | None = None,
    repair: bool = False,
    buffer_bytes: int = BUFFER_BYTES,
    max_age: float = STALE_AFTER,
) -> VerifyReport:
    """Check the array or group ``source`` (a node, or a store-like: path, URL, store, dict)
    and everything below it; returns a :class:`VerifyReport` (it raises only when the
    source itself cannot be opened). ``repair`` removes stale temporary files of a local
    store (those whose writer is gone, or older than ``max_age`` seconds).

    Example:
        >>> import simplezarr as zarr
        >>> g = zarr.group({})
        >>> _ = g.create_array("x", shape=(4,), dtype="u1", chunks=(2,), fill_value=0)
        >>> g["x"][:] = 1
        >>> zarr.verify(g).summary()
        'ok: 1 array, 1 group, 2 stored chunks checked'
    """
    if isinstance(source, ZarrNode):
        node: ZarrNode = source
    else:
        sp = make_store_path(source, mode="r")
        node = open_zarr(sp.store, sp.path)
    report = VerifyReport()
    work: list[_Object] = []
    _walk(node, report, work)
    report.chunks = len(work)
    jobs = _fetched(work, buffer_bytes)
    run_bounded(DECODE, jobs, len(work), buffer_bytes, progress, _collect(report))
    report.problems.sort(key=lambda p: (p.path, p.key or ""))
    store = node.store
    if isinstance(store, LocalStore):
        if repair:
            report.removed_temporaries = remove_stale_temporaries(store.root, max_age=max_age)
        report.stale_temporaries = stale_temporaries(store.root, max_age=max_age)
    return report


def _collect(report: VerifyReport) -> Callable[[Problem | None], None]:
    def add(problem: Problem | None) -> None:
        if problem is not None:
            report.problems.append(problem)

    return add


@dataclass(frozen=True)
class _Object:
    """One stored object to check: where it is, and what decodes it."""

    store: ReadableStore
    path: str
    key: str
    decode: Callable[[bytes], Any]
    cost: int  # bytes a check holds: the value (about its decoded size at most) and more


def _fetched(work: list[_Object], buffer_bytes: int) -> Iterator[tuple[int, Job]]:
    """Decode jobs, fetched in the calling thread a part at a time (a part holds at most
    half the buffer, so fetched and decoding objects stay within it together)."""
    start = 0
    while start < len(work):
        part = [work[start]]
        held = work[start].cost
        while start + len(part) < len(work) and len(part) < _PART:
            nxt = work[start + len(part)]
            if held + nxt.cost > buffer_bytes // 2 or nxt.store is not part[0].store:
                break
            part.append(nxt)
            held += nxt.cost
        start += len(part)
        try:
            values = part[0].store.get_many([(o.key, None) for o in part])
        except ZarrError as e:
            for o in part:
                yield o.cost, _failed(Problem(o.path, o.key, f"cannot read it: {e}"))
            continue
        for o, value in zip(part, values, strict=True):
            yield o.cost, _check(o, value)
        del values


def _failed(problem: Problem) -> Job:
    return lambda: problem


def _walk(node: ZarrNode, report: VerifyReport, work: list[_Object]) -> None:
    if isinstance(node, ZarrArray):
        report.arrays += 1
        _array_objects(node, report, work)
        return
    if not isinstance(node, ZarrGroup):
        return
    report.groups += 1
    for name in node:
        path = join_path(node.path, name)
        try:
            child = open_zarr(node.store, path)
        except ZarrError as e:
            report.problems.append(Problem(path, None, f"cannot open the node: {e}"))
            continue
        _walk(child, report, work)


def _array_objects(array: ZarrArray, report: VerifyReport, work: list[_Object]) -> None:
    io = array._io
    try:
        coords = engine.stored_chunks(io)
    except ZarrError as e:
        report.problems.append(Problem(array.path, None, f"cannot list the chunks: {e}"))
        return
    store = array.store
    if not isinstance(store, ReadableStore):
        return
    # what one check holds: the stored value (at most about the decoded size) and the
    # decoded object
    cost = 2 * int(np.prod(io.metadata.chunk_shape, dtype=np.int64)) * max(io.dtype.itemsize, 1)
    work.extend(_Object(store, array.path, io.key(c), io.chain_at(c).decode, cost) for c in coords)


def _check(o: _Object, value: bytes | None) -> Job:
    def run() -> Problem | None:
        if value is None:
            return None  # deleted meanwhile: reads as the fill value
        try:
            o.decode(value)
        except ZarrError as e:
            return Problem(o.path, o.key, str(e))
        return None

    return run
