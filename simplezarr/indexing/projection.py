"""The seam between indexing and I/O: :class:`ChunkProjection`, the only thing that crosses.

A projection says, for one chunk (or shard) a selection touches: which chunk, which part of
the chunk, where that part goes in the output, and whether the chunk is wholly covered (so a
read can decode straight into the output and a write needs no read). An :class:`Indexer` is
anything that yields them and knows the selection's shape.

Example:
    >>> p = ChunkProjection((0, 1), (slice(0, 2), 3), (slice(0, 2),), False)
    >>> p.chunk_coords, p.is_complete
    ((0, 1), False)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol

__all__ = ["ChunkProjection", "ChunkSel", "FancyProjection", "Indexer"]

ChunkSel = tuple[Any, ...]


class ChunkProjection(NamedTuple):
    """One touched chunk: where its data comes from and where it goes."""

    chunk_coords: tuple[int, ...]
    chunk_selection: ChunkSel
    #: Slices, except in a :class:`FancyProjection`, where it may hold integer arrays.
    out_selection: ChunkSel
    is_complete: bool


class FancyProjection(ChunkProjection):
    """A projection whose selections may hold integer arrays (orthogonal, coordinate or
    mask indexing): the engine moves its data with ``out[out_selection] =
    chunk[chunk_selection]`` (and the reverse on writes) and never takes a byte window.
    ``is_complete`` must only be true when ``chunk_selection`` is the whole chunk in order."""

    __slots__ = ()


class Indexer(Protocol):
    """What the engine takes: projections, the selection's shape, and whether the result
    is a scalar (every axis indexed by an integer, as numpy returns a scalar then).

    Example:
        >>> from simplezarr.indexing import BasicIndexer
        >>> idx: Indexer = BasicIndexer((1, 2), (4, 4), (2, 2))
        >>> idx.shape, idx.scalar_result, len(list(idx))
        ((), True, 1)
    """

    shape: tuple[int, ...]
    scalar_result: bool

    def __iter__(self) -> Iterator[ChunkProjection]: ...
