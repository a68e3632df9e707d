"""Selections become ChunkProjections: the only thing that crosses from indexing to I/O.

A :class:`ChunkProjection` says, for one chunk a selection touches: which chunk, which part
of the chunk, where that part goes in the output, and whether the chunk is wholly covered
(so a read can decode straight into the output and a write needs no read).

Each dimension is indexed on its own (:class:`IntDim`, :class:`SliceDim`); the projections
of a selection are the product of its dimensions' projections, so only touched chunks are
ever visited.

Example:
    >>> idx = BasicIndexer((slice(2, 7),), shape=(10,), chunk_shape=(4,))
    >>> idx.shape
    (5,)
    >>> [(p.chunk_coords, p.chunk_selection, p.out_selection) for p in idx]
    [((0,), (slice(2, 4, 1),), (slice(0, 2, None),)), ((1,), (slice(0, 3, 1),), (slice(2, 5, None),))]
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from simplezarr.errors import BoundsCheckError, SelectionError

ChunkSel = tuple[Any, ...]


class ChunkProjection(NamedTuple):
    """One touched chunk: where its data comes from and where it goes."""

    chunk_coords: tuple[int, ...]
    chunk_selection: ChunkSel
    out_selection: tuple[slice, ...]
    is_complete: bool


class FancyProjection(ChunkProjection):
    """A projection whose selections may hold integer arrays (orthogonal, coordinate or
    mask indexing): the engine moves its data with ``out[out_selection] =
    chunk[chunk_selection]`` (and the reverse on writes) and never takes a byte window.
    ``is_complete`` must only be true when ``chunk_selection`` is the whole chunk in order."""

    __slots__ = ()


class DimProjection(NamedTuple):
    chunk_index: int
    chunk_sel: int | slice
    out_sel: slice | None  # None: the dimension is dropped (integer index)
    is_complete: bool


def as_index(value: Any) -> int | None:
    """An integer index (Python int or numpy integer, not bool), else None.

    Example:
        >>> as_index(3), as_index(np.int8(-1)), as_index(True), as_index(1.0)
        (3, -1, None, None)
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value)
    return None


@dataclass(frozen=True)
class IntDim:
    """An integer index along one dimension: selects one element and drops the axis."""

    index: int
    dim_len: int
    chunk_len: int
    axis: int

    def __post_init__(self) -> None:
        i = self.index + self.dim_len if self.index < 0 else self.index
        if not 0 <= i < self.dim_len:
            raise BoundsCheckError(
                f"index {self.index} is out of bounds for axis {self.axis} with size {self.dim_len}"
            )
        object.__setattr__(self, "index", i)

    @property
    def nitems(self) -> int:
        return 1

    def __iter__(self) -> Iterator[DimProjection]:
        chunk, local = divmod(self.index, self.chunk_len)
        extent = min(self.chunk_len, self.dim_len - chunk * self.chunk_len)
        yield DimProjection(chunk, local, None, extent == 1)


@dataclass(frozen=True)
class SliceDim:
    """A slice with any step (negative too) along one dimension."""

    start: int
    stop: int
    step: int
    dim_len: int
    chunk_len: int

    @classmethod
    def from_slice(cls, s: slice, dim_len: int, chunk_len: int) -> SliceDim:
        for part in (s.start, s.stop, s.step):
            if part is not None and as_index(part) is None:
                raise SelectionError(f"slice indices must be integers or None, got {s!r}")
        if s.step is not None and int(s.step) == 0:
            raise SelectionError("slice step cannot be zero")
        start, stop, step = s.indices(dim_len)
        return cls(start, stop, step, dim_len, chunk_len)

    @property
    def nitems(self) -> int:
        return len(range(self.start, self.stop, self.step))

    def __iter__(self) -> Iterator[DimProjection]:
        n = self.nitems
        if n == 0:
            return
        if self.step > 0:
            yield from self._ascending(self.start, self.step, n)
            return
        # A negative step visits the same elements as the ascending slice over them, in
        # reverse: project the ascending one, then mirror chunk and output positions.
        step = -self.step
        lowest = self.start - (n - 1) * step
        for p in self._ascending(lowest, step, n):
            sel = p.chunk_sel
            assert isinstance(sel, slice) and p.out_sel is not None  # built just below
            k = p.out_sel.stop - p.out_sel.start
            first = sel.start + (k - 1) * step
            stop = sel.start - 1
            if k == 1:  # a single element: keep the plain forward form
                chunk_sel = slice(first, first + 1, 1)
            else:
                chunk_sel = slice(first, stop if stop >= 0 else None, -step)
            yield DimProjection(
                p.chunk_index,
                chunk_sel,
                slice(n - p.out_sel.stop, n - p.out_sel.start),
                p.is_complete and k == 1,
            )

    def _ascending(self, start: int, step: int, n: int) -> Iterator[DimProjection]:
        cl = self.chunk_len
        last = start + (n - 1) * step
        out_pos = 0
        for chunk in range(start // cl, last // cl + 1):
            lo = chunk * cl
            hi = min(lo + cl, self.dim_len)
            # first selected element at or after lo
            first = start if start >= lo else start + -(-(lo - start) // step) * step
            if first >= hi or first > last:
                continue
            end = min(hi - 1, last)
            k = (end - first) // step + 1
            complete = step == 1 and first == lo and first + k == hi
            yield DimProjection(
                chunk,
                slice(first - lo, first - lo + (k - 1) * step + 1, step),
                slice(out_pos, out_pos + k),
                complete,
            )
            out_pos += k


def normalize_basic_selection(selection: Any, ndim: int) -> tuple[Any, ...]:
    """Expand Ellipsis and pad with full slices; reject what basic indexing cannot take."""
    if not isinstance(selection, tuple):
        selection = (selection,)
    n_ellipsis = sum(1 for s in selection if s is Ellipsis)
    if n_ellipsis > 1:
        raise SelectionError("an index can only have a single ellipsis ('...')")
    if n_ellipsis:
        i = next(i for i, s in enumerate(selection) if s is Ellipsis)
        fill = ndim - (len(selection) - 1)
        if fill < 0:
            raise SelectionError(
                f"too many indices for array: array is {ndim}-dimensional, "
                f"but {len(selection) - 1} were indexed"
            )
        selection = selection[:i] + (slice(None),) * fill + selection[i + 1 :]
    if len(selection) > ndim:
        raise SelectionError(
            f"too many indices for array: array is {ndim}-dimensional, "
            f"but {len(selection)} were indexed"
        )
    for s in selection:
        if s is None:
            raise SelectionError("np.newaxis (None) is not supported in Zarr selections")
        if not isinstance(s, slice) and as_index(s) is None:
            raise SelectionError(
                f"unsupported selection item {s!r} for basic indexing: use integers, slices "
                "and Ellipsis"
            )
    return tuple(selection) + (slice(None),) * (ndim - len(selection))


class BasicIndexer:
    """Integers, slices (any step) and Ellipsis, numpy semantics.

    Iterating yields one :class:`ChunkProjection` per touched chunk, in C order.
    """

    def __init__(
        self, selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
    ) -> None:
        raw = selection if isinstance(selection, tuple) else (selection,)
        sel = normalize_basic_selection(selection, len(shape))
        self.dims: list[IntDim | SliceDim] = []
        for axis, (s, n, c) in enumerate(zip(sel, shape, chunk_shape, strict=True)):
            if isinstance(s, slice):
                self.dims.append(SliceDim.from_slice(s, n, c))
            else:
                self.dims.append(IntDim(as_index(s) or 0, n, c, axis))
        self.shape: tuple[int, ...] = tuple(
            d.nitems for d in self.dims if isinstance(d, SliceDim)
        )
        self.drop_axes = tuple(i for i, d in enumerate(self.dims) if isinstance(d, IntDim))
        #: numpy gives a scalar when every axis is indexed by an integer and there is no
        #: Ellipsis (``a[1, 2]``, ``a0[()]``); ``a[..., 1]`` on 1-d gives a 0-d array.
        self.scalar_result = len(self.drop_axes) == len(shape) and not any(
            s is Ellipsis for s in raw
        )

    def __iter__(self) -> Iterator[ChunkProjection]:
        # Hot: one projection per touched chunk (4,096 for a 256^3 array of 16^3 chunks).
        # zip(*parts) transposes the dimensions' projections in one C call.
        if not self.dims:  # 0-d: the one chunk, wholly selected
            yield ChunkProjection((), (), (), True)
            return
        dropped = bool(self.drop_axes)
        for parts in itertools.product(*(list(d) for d in self.dims)):
            coords, chunk_sel, out_sel, complete = zip(*parts, strict=True)
            if dropped:
                out_sel = tuple(o for o in out_sel if o is not None)
            yield ChunkProjection(coords, chunk_sel, out_sel, all(complete))
