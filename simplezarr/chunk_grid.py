"""Chunk grids: how an array's index space is cut into chunks (regular or rectilinear).

Chunks at the high end of a dimension may stick out past the array's shape (ragged edge
chunks); they are stored at full chunk size, the part outside the array holding the fill
value.

A :class:`RectilinearChunkGrid` (zarr-python 3.4's ``"rectilinear"`` grid, behind its
``array.rectilinear_chunks`` flag) gives each dimension either one chunk length (a bare
``int``, repeated to cover any extent) or explicit edges (a tuple, summing to at least the
extent; a shrinking resize leaves trailing edges past it). ``chunk_shapes`` is that
metadata form; :func:`chunk_shapes_from_json` / :func:`chunk_shapes_to_json` read and write
its run-length encoded JSON (``[[10, 3], 5]`` is ``(10, 10, 10, 5)``).

Example:
    >>> grid = RegularChunkGrid(shape=(10, 7), chunk_shape=(4, 4))
    >>> grid.grid_shape
    (3, 2)
    >>> grid.chunk_region((2, 1))
    (slice(8, 10, None), slice(4, 7, None))
    >>> rect = RectilinearChunkGrid(shape=(10, 7), chunk_shapes=((3, 7), 4))
    >>> rect.grid_shape, rect.chunk_region((1, 1)), rect.chunk_size((1, 1))
    ((2, 2), (slice(3, 10, None), slice(4, 7, None)), (7, 4))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from math import prod
from typing import Any, TypeAlias

from simplezarr.config import config
from simplezarr.errors import InvalidMetadata, RectilinearChunksDisabledError, quote
from simplezarr.indexing.axes import Axis, EdgeAxis

#: A rectilinear grid's dimensions as its metadata gives them: a bare chunk length, or
#: explicit edges.
ChunkShapes: TypeAlias = tuple[int | tuple[int, ...], ...]


@dataclass(frozen=True)
class RegularChunkGrid:
    """A grid of equally sized chunks over an array of ``shape``."""

    shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]

    #: A regular grid has no explicit edges (compare :class:`RectilinearChunkGrid`).
    is_regular = True

    @property
    def axes(self) -> tuple[int, ...]:
        """What indexers take for the grid's dimensions: its chunk lengths."""
        return self.chunk_shape

    def chunk_size(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape a chunk is stored at (the same for every chunk)."""
        return self.chunk_shape

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


@dataclass(frozen=True)
class RectilinearChunkGrid:
    """Chunks of varying sizes: per dimension a chunk length (``int``) or explicit edges.

    Example:
        >>> g = RectilinearChunkGrid((25,), ((5, 10, 10),))
        >>> g.nchunks, g.chunk_extent((2,)), g.resized((40,)).chunk_shapes
        (3, (10,), ((5, 10, 10, 15),))
        >>> small = g.resized((10,))
        >>> small.chunk_shapes, small.grid_shape, small.resized((20,)).chunk_shapes
        (((5, 10, 10),), (2,), ((5, 10, 10),))
    """

    shape: tuple[int, ...]
    chunk_shapes: ChunkShapes
    axes: tuple[Axis, ...] = field(init=False, repr=False, compare=False)

    is_regular = False

    def __post_init__(self) -> None:
        check_chunk_shapes(self.chunk_shapes, self.shape)
        axes = tuple(
            dim if isinstance(dim, int) else EdgeAxis(dim, n)
            for dim, n in zip(self.chunk_shapes, self.shape, strict=True)
        )
        object.__setattr__(self, "axes", axes)

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Number of chunks along each dimension (those overlapping the array)."""
        return tuple(
            -(-n // a) if isinstance(a, int) else a.nchunks
            for a, n in zip(self.axes, self.shape, strict=True)
        )

    @property
    def nchunks(self) -> int:
        return prod(self.grid_shape)

    def chunk_region(self, coords: tuple[int, ...]) -> tuple[slice, ...]:
        """The part of the array a chunk covers, clipped to the array's shape."""
        return tuple(
            slice(i * a, min((i + 1) * a, n))
            if isinstance(a, int)
            else slice(a.start(i), a.stop(i))
            for i, a, n in zip(coords, self.axes, self.shape, strict=True)
        )

    def chunk_extent(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the in-bounds part of a chunk."""
        return tuple(r.stop - r.start for r in self.chunk_region(coords))

    def chunk_size(self, coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape the chunk at ``coords`` is stored at (its full edges)."""
        return tuple(
            a if isinstance(a, int) else a.edges[i] for i, a in zip(coords, self.axes, strict=True)
        )

    def chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per dimension, the in-bounds length of every chunk (dask's ``chunks``)."""
        out = []
        for a, n in zip(self.axes, self.shape, strict=True):
            if isinstance(a, int):
                out.append(tuple(min(a, n - i * a) for i in range(-(-n // a))))
            else:
                out.append(tuple(a.stop(i) - a.start(i) for i in range(a.nchunks)))
        return tuple(out)

    def all_chunk_coords(self) -> Iterator[tuple[int, ...]]:
        """Every chunk's coordinates in C order."""
        return itertools.product(*(range(n) for n in self.grid_shape))

    def contains(self, coords: tuple[int, ...]) -> bool:
        return len(coords) == len(self.shape) and all(
            0 <= i < n for i, n in zip(coords, self.grid_shape, strict=True)
        )

    def resized(self, shape: tuple[int, ...]) -> RectilinearChunkGrid:
        """The grid after a resize, as zarr-python 3.4 extends it: a dimension of explicit
        edges growing past their sum gains one edge covering the growth; shrinking keeps
        every edge (the trailing ones then lie past the array); bare lengths stay."""
        dims: list[int | tuple[int, ...]] = []
        for dim, n in zip(self.chunk_shapes, shape, strict=True):
            if not isinstance(dim, int) and n > sum(dim):
                dim = (*dim, n - sum(dim))
            dims.append(dim)
        return RectilinearChunkGrid(tuple(shape), tuple(dims))


def require_rectilinear_flag() -> None:
    """RectilinearChunksDisabledError unless ``config.rectilinear_chunks`` is on: the flag
    zarr-python 3.4 puts in front of creating, opening and storing rectilinear arrays.

    Example:
        >>> with config.set({"array.rectilinear_chunks": False}):
        ...     require_rectilinear_flag()
        Traceback (most recent call last):
        ...
        simplezarr.errors.RectilinearChunksDisabledError: Rectilinear chunk grids are experimental and disabled by default. ...
    """
    if not config.rectilinear_chunks:
        raise RectilinearChunksDisabledError(
            "Rectilinear chunk grids are experimental and disabled by default. Turn them on "
            "with simplezarr.config.set({'array.rectilinear_chunks': True}) (the key "
            "zarr-python uses) or SIMPLEZARR_RECTILINEAR_CHUNKS=1 in the environment"
        )


def _edge(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMetadata(f"{where} must be an integer >= 1, got {quote(value)}")
    if value < 1:
        raise InvalidMetadata(f"{where} must be >= 1, got {value}")
    return value


def check_chunk_shapes(chunk_shapes: Sequence[Any], shape: tuple[int, ...]) -> None:
    """InvalidMetadata naming the dimension when ``chunk_shapes`` is not a rectilinear grid
    over ``shape``: one entry per dimension, lengths >= 1, explicit edges that cover the
    extent (their sum at least the extent: the edges past it are allowed)."""
    if len(chunk_shapes) != len(shape):
        raise InvalidMetadata(
            f"chunk_shapes has {len(chunk_shapes)} dimensions but shape {list(shape)} has "
            f"{len(shape)}"
        )
    for axis, (dim, n) in enumerate(zip(chunk_shapes, shape, strict=True)):
        where = f"chunk_shapes[{axis}]"
        if isinstance(dim, tuple):
            if not dim:
                raise InvalidMetadata(f"{where} has no chunk edges")
            for edge in dim:
                _edge(edge, f"{where} edges")
            if sum(dim) < n:
                raise InvalidMetadata(
                    f"{where}: the edges {_short(dim)} sum to {sum(dim)}, less than the "
                    f"array's extent {n} along dimension {axis} (they must cover it)"
                )
        else:
            _edge(dim, where)


def _short(edges: tuple[int, ...]) -> str:
    return str(list(edges)) if len(edges) <= 8 else f"[{edges[0]}, ..., {edges[-1]}]"


def chunk_shapes_from_json(value: Any) -> ChunkShapes:
    """The ``chunk_shapes`` of a rectilinear grid's JSON configuration: per dimension a bare
    length, or a list of edges where ``[size, count]`` repeats ``size`` ``count`` times.

    Example:
        >>> chunk_shapes_from_json([4, [[1, 3], 3], [10, 20]])
        (4, (1, 1, 1, 3), (10, 20))
        >>> chunk_shapes_from_json([[[5, 0]]])
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: chunk_shapes[0][0]: the repeat count must be >= 1, got 0
    """
    if not isinstance(value, list):
        raise InvalidMetadata(f"chunk_shapes must be a list, got {quote(value)}")
    dims: list[int | tuple[int, ...]] = []
    for axis, dim in enumerate(value):
        where = f"chunk_shapes[{axis}]"
        if not isinstance(dim, list):
            dims.append(_edge(dim, where))
            continue
        edges: list[int] = []
        for k, item in enumerate(dim):
            if isinstance(item, list):
                if len(item) != 2:
                    raise InvalidMetadata(
                        f"{where}[{k}]: a run must be [size, count], got {quote(item)}"
                    )
                size = _edge(item[0], f"{where}[{k}]: the size")
                count = item[1]
                if isinstance(count, bool) or not isinstance(count, int):
                    raise InvalidMetadata(
                        f"{where}[{k}]: the repeat count must be an integer, got {quote(count)}"
                    )
                if count < 1:
                    raise InvalidMetadata(
                        f"{where}[{k}]: the repeat count must be >= 1, got {count}"
                    )
                if len(edges) + count > _MAX_EDGES:
                    raise InvalidMetadata(f"{where} has more than {_MAX_EDGES} chunk edges")
                edges.extend([size] * count)
            else:
                edges.append(_edge(item, f"{where}[{k}]"))
        if not edges:
            raise InvalidMetadata(f"{where} has no chunk edges")
        dims.append(tuple(edges))
    return tuple(dims)


#: Explicit edges are expanded in memory (about 60 bytes each): a bound on them keeps a
#: hostile document's ``[[1, 10**15]]`` from exhausting it.
_MAX_EDGES = 2**22


def chunk_shapes_to_json(chunk_shapes: ChunkShapes) -> list[Any]:
    """The JSON of ``chunk_shapes`` as zarr-python 3.4 writes it: a bare length stays bare;
    explicit edges are run-length encoded when that is shorter.

    Example:
        >>> chunk_shapes_to_json((4, (10, 20), (5, 5), (10, 10, 10, 5)))
        [4, [10, 20], [[5, 2]], [[10, 3], 5]]
    """
    out: list[Any] = []
    for dim in chunk_shapes:
        if isinstance(dim, int):
            out.append(dim)
            continue
        runs: list[Any] = []
        for size, group in itertools.groupby(dim):
            count = len(list(group))
            runs.append([size, count] if count > 1 else size)
        out.append(runs if len(runs) < len(dim) else list(dim))
    return out
