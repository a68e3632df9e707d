"""One dimension of a chunk grid, as the indexers see it: a chunk length, or explicit edges.

A regular dimension is a plain ``int`` (the chunk length; the last chunk may stick out past
the array). A dimension of a rectilinear grid with explicit edges is an :class:`EdgeAxis`:
chunk ``i`` covers ``[start(i), stop(i))``, looked up by bisection. Indexers take a tuple of
either per dimension (``chunk_shape``) and keep their arithmetic for ``int`` axes, which are
the only kind a regular grid has, so regular arrays pay nothing for this module.

Example:
    >>> axis = EdgeAxis((10, 20, 30), extent=55)
    >>> axis.nchunks, axis.chunk_of(29), axis.start(2), axis.stop(2), axis.size(2)
    (3, 1, 30, 55, 30)
    >>> axis.chunks_of(np.array([0, 10, 54])).tolist()
    [0, 1, 2]
    >>> chunk_of(7, 4), chunk_stop(1, 4, 6), chunk_of(7, axis)
    (1, 6, 0)
"""

from __future__ import annotations

import bisect
import itertools
from typing import TypeAlias

import numpy as np

__all__ = [
    "Axis",
    "EdgeAxis",
    "chunk_of",
    "chunk_size",
    "chunk_start",
    "chunk_stop",
    "chunks_of",
    "n_chunks",
]


class EdgeAxis:
    """Explicit chunk edges along one dimension of ``extent`` elements (the edges sum to
    at least the extent; chunks wholly past it are not part of the grid)."""

    __slots__ = ("_starts", "_starts_array", "edges", "extent", "nchunks")

    def __init__(self, edges: tuple[int, ...], extent: int) -> None:
        self.edges = tuple(edges)
        self.extent = extent
        starts = (0, *itertools.accumulate(self.edges))
        self._starts = starts
        self._starts_array = np.asarray(starts, dtype=np.int64)
        #: Chunks overlapping ``[0, extent)``: trailing edges past the extent (left by a
        #: shrinking resize) hold nothing.
        self.nchunks = 0 if extent == 0 else bisect.bisect_left(starts, extent)

    def chunk_of(self, index: int) -> int:
        """The chunk holding element ``index`` (``0 <= index < extent``)."""
        return bisect.bisect_right(self._starts, index) - 1

    def chunks_of(self, positions: np.ndarray) -> np.ndarray:
        """The chunk of each position (all inside the extent)."""
        return np.searchsorted(self._starts_array, positions, side="right") - 1

    def start(self, chunk: int) -> int:
        return self._starts[chunk]

    def stop(self, chunk: int) -> int:
        """Where chunk ``chunk``'s part inside the array ends."""
        end = self._starts[chunk + 1]
        return end if end < self.extent else self.extent

    def size(self, chunk: int) -> int:
        """The chunk's full edge length (what its codecs encode)."""
        return self.edges[chunk]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EdgeAxis):
            return NotImplemented
        return (self.edges, self.extent) == (other.edges, other.extent)

    def __hash__(self) -> int:
        return hash((self.edges, self.extent))

    def __repr__(self) -> str:
        return f"EdgeAxis({self.edges}, extent={self.extent})"


#: One dimension of a grid: a regular chunk length or explicit edges.
Axis: TypeAlias = int | EdgeAxis


def n_chunks(dim_len: int, axis: Axis) -> int:
    """How many chunks cover ``dim_len`` elements."""
    if isinstance(axis, int):
        return -(-dim_len // axis)
    return axis.nchunks


def chunk_of(index: int, axis: Axis) -> int:
    """The chunk holding element ``index``."""
    if isinstance(axis, int):
        return index // axis
    return axis.chunk_of(index)


def chunks_of(positions: np.ndarray, axis: Axis) -> np.ndarray:
    """The chunk of each of ``positions``."""
    if isinstance(axis, int):
        return positions // axis
    return axis.chunks_of(positions)


def chunk_start(chunk: int, axis: Axis) -> int:
    """Where chunk ``chunk`` starts."""
    if isinstance(axis, int):
        return chunk * axis
    return axis.start(chunk)


def chunk_stop(chunk: int, axis: Axis, dim_len: int) -> int:
    """Where chunk ``chunk``'s part inside the ``dim_len`` elements ends."""
    if isinstance(axis, int):
        return min((chunk + 1) * axis, dim_len)
    return axis.stop(chunk)


def chunk_size(chunk: int, axis: Axis) -> int:
    """Chunk ``chunk``'s full length along the axis (past the array's end too)."""
    if isinstance(axis, int):
        return axis
    return axis.size(chunk)
