"""The regular chunk grid: how an array's index space is cut into chunks.

Chunks at the high end of a dimension may stick out past the array's shape (ragged edge
chunks); they are stored at full chunk size, the part outside the array holding the fill
value.

Example:
    >>> grid = RegularChunkGrid(shape=(10, 7), chunk_shape=(4, 4))
    >>> grid.grid_shape
    (3, 2)
    >>> grid.chunk_region((2, 1))
    (slice(8, 10, None), slice(4, 7, None))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from math import prod


@dataclass(frozen=True)
class RegularChunkGrid:
    """A grid of equally sized chunks over an array of ``shape``."""

    shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Number of chunks along each dimension."""
        return tuple(-(-s // c) for s, c in zip(self.shape, self.chunk_shape, strict=True))

    @property
    def nchunks(self) -> int:
        return prod(self.grid_shape)

    def chunk_region(self, coords: tuple[int, ...]) -> tuple[slice, ...]:
        """The part of the array a chunk covers, clipped to the array's shape."""
        return tuple(
            slice(i * c, min((i + 1) * c, s))
            for i, c, s in zip(coords, self.chunk_shape, self.shape, strict=True)
        )

    def chunk_extent(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the in-bounds part of a chunk (smaller than chunk_shape at ragged edges)."""
        return tuple(
            min(c, s - i * c) for i, c, s in zip(coords, self.chunk_shape, self.shape, strict=True)
        )

    def all_chunk_coords(self) -> Iterator[tuple[int, ...]]:
        """Every chunk's coordinates in C order."""
        return itertools.product(*(range(n) for n in self.grid_shape))

    def contains(self, coords: tuple[int, ...]) -> bool:
        return len(coords) == len(self.shape) and all(
            0 <= i < n for i, n in zip(coords, self.grid_shape, strict=True)
        )
