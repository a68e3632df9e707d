"""How the engine cuts work: batches for the pool's threads, parts for one store request.

The sizes here are measured, not guessed; each says what it was measured on.

Example:
    >>> from simplezarr.config import config
    >>> with config.set(threads=2):
    ...     [len(b) for b in batches(list(range(20)), item_bytes=1 << 20)]
    [3, 3, 3, 3, 3, 3, 2]
    >>> len(batches(list(range(20)), item_bytes=1024))  # small work: one batch, no hand-off
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from simplezarr.config import config

__all__ = [
    "COALESCE_GAP",
    "PARALLEL_MIN_BYTES",
    "PART_BYTES",
    "PIPELINE_MAX_CHUNK_BYTES",
    "batches",
    "part_size",
]

T = TypeVar("T")

#: Inner chunks of one shard closer than this many bytes apart are fetched in one request.
COALESCE_GAP = 1 << 16

#: Reads and writes of less decoded data than this run in the calling thread: the pool's
#: hand-off costs more than a few small chunks take to decode.
PARALLEL_MIN_BYTES = 1 << 20

#: About how many decoded bytes of chunks one ``get_many`` asks a local store for.
PART_BYTES = 1 << 20

#: Compressed chunks up to this size are read pipelined (see simplezarr.engine.read): there
#: the Python of fetching and scattering is a large share of each chunk's cost. Larger
#: chunks are decode-bound and read fastest by a few batches per thread (measured: 512 KiB
#: blosc chunks 55-70 ms batched against 85-89 ms pipelined; 8 KiB zstd chunks 75-81 ms
#: pipelined against 89-97 ms batched).
PIPELINE_MAX_CHUNK_BYTES = 128 << 10


def batches(items: Sequence[T], item_bytes: int | None = None) -> list[Sequence[T]]:
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


def part_size(source: Any, chunk_bytes: int | None) -> int:
    """How many chunks to request per ``get_many``: the source's preference (a remote store
    wants enough requests to overlap their latency), else about PART_BYTES of chunks (a
    local store gains nothing from batching, and large live buffers cost page faults)."""
    n = getattr(source, "read_batch_size", 0)
    if n > 0:
        return int(n)
    return max(1, PART_BYTES // max(chunk_bytes or PART_BYTES, 1))
