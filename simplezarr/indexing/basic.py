"""Basic selections (integers, slices with any step, Ellipsis), projected chunk by chunk.

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

import functools
import itertools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from simplezarr.errors import (
    BoundsCheckError,
    SelectionError,
    SelectionTypeError,
    SelectionValueError,
)
from simplezarr.indexing.axes import Axis, EdgeAxis
from simplezarr.indexing.projection import ChunkProjection


class DimProjection(NamedTuple):
    chunk_index: int
    chunk_sel: int | slice
    out_sel: slice | None  # None: the dimension is dropped (integer index)
    is_complete: bool


def as_index(value: Any) -> int | None:
    """An integer index (Python int, numpy integer, 0-d integer array, or any object with
    ``__index__``, but not a boolean), else None.

    Example:
        >>> as_index(3), as_index(np.int8(-1)), as_index(True), as_index(1.0)
        (3, -1, None, None)
    """
    if type(value) is int:
        return value
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.ndarray):
        return int(value) if value.ndim == 0 and value.dtype.kind in "iu" else None
    if not hasattr(type(value), "__index__"):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


#: numpy's message for ``None`` in a selection, which Zarr selections do not support.
NEWAXIS = "np.newaxis (None) is not supported in Zarr selections"


def too_many(ndim: int, used: int) -> SelectionError:
    """numpy's error for a selection that indexes more dimensions than the array has.

    Example:
        >>> str(too_many(2, 3))
        'too many indices for array: array is 2-dimensional, but 3 were indexed'
    """
    return SelectionError(
        f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
    )


def two_ellipses() -> SelectionError:
    """numpy's error for a selection holding more than one Ellipsis."""
    return SelectionError("an index can only have a single ellipsis ('...')")


def ellipsis_position(items: tuple[Any, ...] | list[Any]) -> int | None:
    """Where the one Ellipsis of a selection is (None without one); numpy's error for more.

    Example:
        >>> ellipsis_position((0, ..., 1)), ellipsis_position((0,))
        (1, None)
    """
    found = None
    for i, s in enumerate(items):
        if s is Ellipsis:
            if found is not None:
                raise two_ellipses()
            found = i
    return found


def expand_selection(selection: Any, ndim: int) -> tuple[Any, ...]:
    """One item per dimension: the selection as a tuple, its Ellipsis replaced by full
    slices and the missing trailing dimensions padded with full slices.

    Example:
        >>> expand_selection((..., 1), 3)
        (slice(None, None, None), slice(None, None, None), 1)
    """
    items = selection if isinstance(selection, tuple) else (selection,)
    i = ellipsis_position(items)
    if i is not None:
        fill = ndim - (len(items) - 1)
        if fill < 0:
            raise too_many(ndim, len(items) - 1)
        items = items[:i] + (slice(None),) * fill + items[i + 1 :]
    elif len(items) > ndim:
        raise too_many(ndim, len(items))
    return items + (slice(None),) * (ndim - len(items))


def slice_indices(s: slice, dim_len: int) -> tuple[int, int, int]:
    """``s.indices(dim_len)`` with numpy's errors: ``TypeError`` for bounds that are not
    integers (or objects with ``__index__``), ``ValueError`` for a zero step.

    Example:
        >>> slice_indices(slice(None, None, -2), 5)
        (4, -1, -2)
    """
    try:
        return s.indices(dim_len)
    except TypeError:
        raise SelectionTypeError(
            "slice indices must be integers or None or have an __index__ method"
        ) from None
    except ValueError:
        raise SelectionValueError("slice step cannot be zero") from None


@dataclass(frozen=True)
class IntDim:
    """An integer index along one dimension: selects one element and drops the axis."""

    index: int
    dim_len: int
    chunk_len: Axis
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
        cl = self.chunk_len
        if isinstance(cl, EdgeAxis):
            chunk = cl.chunk_of(self.index)
            lo = cl.start(chunk)
            yield DimProjection(chunk, self.index - lo, None, cl.stop(chunk) - lo == 1)
            return
        chunk, local = divmod(self.index, cl)
        extent = min(cl, self.dim_len - chunk * cl)
        yield DimProjection(chunk, local, None, extent == 1)


def contiguous_runs(
    start: int, stop: int, dim_len: int, chunk_len: Axis, out_start: int = 0
) -> list[DimProjection]:
    """The runs of the step-1 selection ``[start, stop)`` along one dimension, one per
    touched chunk, placed in the output from ``out_start`` on. The common case of every
    slice, computed without the general stepping of :class:`SliceDim`.

    Example:
        >>> [tuple(r) for r in contiguous_runs(3, 9, 10, 4)]
        [(0, slice(3, 4, 1), slice(0, 1, None), False), (1, slice(0, 4, 1), slice(1, 5, None), True), (2, slice(0, 1, 1), slice(5, 6, None), False)]
    """
    if isinstance(chunk_len, EdgeAxis):
        return _edge_runs(start, stop, chunk_len, out_start)
    runs = []
    cl = chunk_len
    for chunk in range(start // cl, (stop - 1) // cl + 1) if stop > start else ():
        lo = chunk * cl
        hi = lo + cl if lo + cl < dim_len else dim_len
        first = start if start > lo else lo
        end = stop if stop < hi else hi
        runs.append(
            DimProjection(
                chunk,
                slice(first - lo, end - lo, 1),
                slice(out_start + first - start, out_start + end - start),
                first == lo and end == hi,
            )
        )
    return runs


def _edge_runs(start: int, stop: int, axis: EdgeAxis, out_start: int) -> list[DimProjection]:
    """:func:`contiguous_runs` over explicit edges (a rectilinear grid's dimension)."""
    runs = []
    for chunk in range(axis.chunk_of(start), axis.chunk_of(stop - 1) + 1) if stop > start else ():
        lo, hi = axis.start(chunk), axis.stop(chunk)
        first = start if start > lo else lo
        end = stop if stop < hi else hi
        runs.append(
            DimProjection(
                chunk,
                slice(first - lo, end - lo, 1),
                slice(out_start + first - start, out_start + end - start),
                first == lo and end == hi,
            )
        )
    return runs


@dataclass(frozen=True)
class SliceDim:
    """A slice with any step (negative too) along one dimension."""

    start: int
    stop: int
    step: int
    dim_len: int
    chunk_len: Axis

    @classmethod
    def from_slice(cls, s: slice, dim_len: int, chunk_len: Axis) -> SliceDim:
        start, stop, step = slice_indices(s, dim_len)
        return cls(start, stop, step, dim_len, chunk_len)

    @property
    def nitems(self) -> int:
        return len(range(self.start, self.stop, self.step))

    def __iter__(self) -> Iterator[DimProjection]:
        if self.step == 1:
            yield from contiguous_runs(self.start, self.stop, self.dim_len, self.chunk_len)
            return
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
        bounds: Iterable[tuple[int, int, int]]
        if isinstance(cl, EdgeAxis):
            touched = range(cl.chunk_of(start), cl.chunk_of(last) + 1)
            bounds = [(c, cl.start(c), cl.stop(c)) for c in touched]
        else:
            bounds = (
                (c, c * cl, min(c * cl + cl, self.dim_len))
                for c in range(start // cl, last // cl + 1)
            )
        for chunk, lo, hi in bounds:
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


#: ChunkProjection from a 4-tuple without a Python call (the hot loop of BasicIndexer).
_projection = functools.partial(tuple.__new__, ChunkProjection)


def normalize_basic_selection(selection: Any, ndim: int) -> tuple[Any, ...]:
    """Expand Ellipsis and pad with full slices; reject what basic indexing cannot take."""
    selection = expand_selection(selection, ndim)
    for s in selection:
        if type(s) is int or isinstance(s, slice):
            continue
        if s is None:
            raise SelectionError(NEWAXIS)
        if as_index(s) is None:
            raise SelectionError(
                f"unsupported selection item {s!r} for basic indexing: use integers, slices "
                "and Ellipsis"
            )
    return selection


class BasicIndexer:
    """Integers, slices (any step) and Ellipsis, numpy semantics.

    Iterating yields one :class:`ChunkProjection` per touched chunk, in C order.
    """

    def __init__(
        self, selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
    ) -> None:
        raw = selection if isinstance(selection, tuple) else (selection,)
        sel = normalize_basic_selection(selection, len(shape))
        self.dims: list[IntDim | SliceDim] = []
        for axis, (s, n, c) in enumerate(zip(sel, shape, chunk_shape, strict=True)):
            if isinstance(s, slice):
                self.dims.append(SliceDim.from_slice(s, n, c))
            else:
                i = s if type(s) is int else as_index(s)
                assert i is not None  # normalize_basic_selection checked it
                self.dims.append(IntDim(i, n, c, axis))
        self.shape: tuple[int, ...] = tuple(d.nitems for d in self.dims if isinstance(d, SliceDim))
        self.drop_axes = tuple(i for i, d in enumerate(self.dims) if isinstance(d, IntDim))
        #: numpy gives a scalar when every axis is indexed by an integer and there is no
        #: Ellipsis (``a[1, 2]``, ``a0[()]``); ``a[..., 1]`` on 1-d gives a 0-d array.
        self.scalar_result = len(self.drop_axes) == len(shape) and not any(
            s is Ellipsis for s in raw
        )

    def keeping_axes(self) -> BasicIndexer:
        """The same elements with every integer's axis kept as a length-1 slice, so each
        projection's selections are slices only (the engine's fast paths take those); read
        into ``np.expand_dims(out, self.drop_axes)``, a view of the result.

        Example:
            >>> BasicIndexer((1, slice(0, 2)), (3, 4), (2, 2)).keeping_axes().shape
            (1, 2)
        """
        kept = object.__new__(BasicIndexer)
        kept.dims = [
            SliceDim(d.index, d.index + 1, 1, d.dim_len, d.chunk_len)
            if isinstance(d, IntDim)
            else d
            for d in self.dims
        ]
        kept.shape = tuple(d.nitems for d in kept.dims)
        kept.drop_axes = ()
        kept.scalar_result = False
        return kept

    def __iter__(self) -> Iterator[ChunkProjection]:
        # Hot: one projection per touched chunk (4,096 for a 256^3 array of 16^3 chunks).
        # zip(*parts) transposes the dimensions' projections in one C call.
        if not self.dims:  # 0-d: the one chunk, wholly selected
            yield ChunkProjection((), (), (), True)
            return
        # Each field is the product of the dimensions' own lists (C calls, no Python per
        # chunk), zipped in step; an integer's axis has one projection and no output
        # position, so leaving it out of the output product keeps the order.
        dims = [list(d) for d in self.dims]
        if not all(dims):  # an empty selection along some axis
            return
        coords = itertools.product(*[[p[0] for p in d] for d in dims])
        chunk_sel = itertools.product(*[[p[1] for p in d] for d in dims])
        out_sel = itertools.product(*[[p[2] for p in d] for d in dims if d[0][2] is not None])
        complete = map(all, itertools.product(*[[p[3] for p in d] for d in dims]))
        yield from map(_projection, zip(coords, chunk_sel, out_sel, complete, strict=True))
