"""Orthogonal (outer) selections: every dimension indexed on its own, as with ``np.ix_``.

A dimension takes an integer (the axis is dropped), a slice (any step), or a 1-d integer or
boolean array; integer arrays may be unsorted, repeated or negative. Positions along an
array dimension are sorted once (stably, so a repeated index written twice keeps numpy's
"last one wins") and cut into runs per chunk; the projections of the selection are the
product of its dimensions' runs, so each touched chunk is visited once.

A run that is an arithmetic progression becomes a slice, so a selection that is a slice in
disguise (a boolean mask covering a whole chunk, consecutive integers) takes the engine's
basic paths: byte windows, and no read before a chunk that is wholly overwritten.

Example:
    >>> idx = orthogonal_indexer(([5, 0, 1], slice(None)), shape=(6, 2), chunk_shape=(3, 2))
    >>> idx.shape
    (3, 2)
    >>> for p in idx:
    ...     print(p.chunk_coords, p.chunk_selection[0], p.out_selection[0])
    (0, 0) slice(0, 2, 1) slice(1, 3, 1)
    (1, 0) slice(2, 3, 1) slice(0, 1, 1)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from simplezarr.errors import SelectionError
from simplezarr.indexing.axes import Axis, chunk_size, chunk_start, chunk_stop, n_chunks
from simplezarr.indexing.basic import (
    NEWAXIS,
    BasicIndexer,
    IntDim,
    SliceDim,
    as_index,
    expand_selection,
)
from simplezarr.indexing.items import (
    as_tuple,
    check_mask,
    chunk_numbers,
    group_bounds,
    index_array,
    is_bool_scalar,
    local_positions,
    narrow_dtype,
    positions,
    progression,
    sort_order,
)
from simplezarr.indexing.projection import ChunkProjection, FancyProjection

Selector = int | slice | np.ndarray


class DimRun(NamedTuple):
    """What one dimension contributes to one touched chunk: the chunk's index along the
    dimension, the selection inside it, where that goes in the output, and whether the
    chunk is covered whole along the dimension.

    Example:
        >>> DimRun(2, slice(0, 3, 1), slice(5, 8, 1), True).chunk_index
        2
    """

    chunk_index: int
    chunk_sel: Selector
    out_sel: slice | np.ndarray | None  # None: the axis is dropped (integer index)
    is_complete: bool


@dataclass(frozen=True, eq=False)
class ArrayDim:
    """Integer positions along one dimension (already bounds-checked, non-negative), in
    the order of the selection.

    Example:
        >>> [tuple(r) for r in ArrayDim(np.array([4, 0, 1]), dim_len=5, chunk_len=2)]
        [(0, slice(0, 2, 1), slice(1, 3, 1), True), (2, slice(0, 1, 1), slice(0, 1, 1), True)]
    """

    positions: np.ndarray
    dim_len: int
    chunk_len: Axis

    @property
    def nitems(self) -> int:
        return int(self.positions.shape[0])

    def __iter__(self) -> Iterator[DimRun]:
        # Grouped on the chunk number alone (a stable sort keeps the selection's order inside
        # a chunk, so a repeated index written twice still has "last one wins"); positions
        # inside a chunk and output positions are stored narrow, a few bytes per point.
        pos, cl = self.positions, self.chunk_len
        n = pos.shape[0]
        if n == 0:
            return
        nchunks = n_chunks(self.dim_len, cl)
        chunks = chunk_numbers([pos], [cl], [nchunks])
        order = sort_order(chunks)
        if order is not None:
            chunks = chunks[order]
        bounds = group_bounds(chunks).tolist()
        firsts = chunks[bounds[:-1]].tolist()
        del chunks
        out_dtype = narrow_dtype(n)
        for chunk, start, stop in zip(firsts, bounds[:-1], bounds[1:], strict=True):
            where = slice(start, stop) if order is None else order[start:stop]
            lo = chunk_start(chunk, cl)
            local = local_positions(pos[where], lo, chunk_size(chunk, cl))
            sel: Selector = progression(local) or local
            out_pos: slice | np.ndarray = slice(start, stop, 1) if order is None else where
            if isinstance(sel, slice) and sel.step < 0:
                # a descending run (no repeats): read it ascending, place it reversed
                local = local[::-1]
                sel = progression(local) or local
                out_pos = np.arange(start, stop)[::-1] if order is None else order[start:stop][::-1]
            out: slice | np.ndarray
            if isinstance(out_pos, slice):
                out = out_pos
            else:
                out = progression(out_pos) or out_pos.astype(out_dtype)
            extent = chunk_stop(chunk, cl, self.dim_len) - lo
            complete = isinstance(sel, slice) and sel == slice(0, extent, 1)
            yield DimRun(chunk, sel, out, complete)


def _runs(dim: IntDim | SliceDim | ArrayDim) -> list[DimRun]:
    if isinstance(dim, ArrayDim):
        return list(dim)
    return [DimRun(*p) for p in dim]


def _as_positions(sel: Selector, length: int) -> np.ndarray:
    if isinstance(sel, slice):
        return np.arange(*sel.indices(length))
    return np.asarray(sel)


def outer(selectors: Sequence[Selector], lengths: Sequence[int]) -> tuple[Any, ...]:
    """An index that numpy applies orthogonally, whatever mix of integers, slices and arrays
    it holds: with at most one array and no integer it is left as it is (numpy keeps a lone
    array's axis in place); otherwise every kept axis becomes a broadcastable position array
    (``np.ix_``), integers stay scalars, and the result has one axis per non-integer selector.

    Example:
        >>> sel = outer([1, slice(0, 2), np.array([0, 2])], [3, 4, 5])
        >>> np.arange(60).reshape(3, 4, 5)[sel].tolist()
        [[20, 22], [25, 27]]
    """
    arrays = sum(isinstance(s, np.ndarray) for s in selectors)
    has_int = any(isinstance(s, int) for s in selectors)
    if arrays == 0 or (arrays == 1 and not has_int):
        return tuple(selectors)
    kept = sum(not isinstance(s, int) for s in selectors)
    result: list[Any] = []
    axis = 0
    for s, n in zip(selectors, lengths, strict=True):
        if isinstance(s, int):
            result.append(s)
            continue
        shape = [1] * kept
        p = _as_positions(s, n)
        shape[axis] = p.shape[0]
        result.append(p.reshape(shape))
        axis += 1
    return tuple(result)


class OrthogonalIndexer:
    """An orthogonal selection holding at least one array (see :func:`orthogonal_indexer`,
    which serves selections without arrays with the basic indexer).

    Example:
        >>> idx = OrthogonalIndexer((1, [True, False, True]), shape=(2, 3), chunk_shape=(1, 2))
        >>> idx.shape, [p.chunk_coords for p in idx]
        ((2,), [(1, 0), (1, 1)])
    """

    scalar_result = False

    def __init__(
        self, selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
    ) -> None:
        self.dims = _parse(selection, shape, chunk_shape)
        self.chunk_shape = chunk_shape
        self._regular = all(isinstance(c, int) for c in chunk_shape)
        self.shape: tuple[int, ...] = tuple(
            d.nitems for d in self.dims if not isinstance(d, IntDim)
        )
        self.drop_axes = tuple(i for i, d in enumerate(self.dims) if isinstance(d, IntDim))

    def __iter__(self) -> Iterator[ChunkProjection]:
        runs = [_runs(d) for d in self.dims]
        for parts in itertools.product(*runs):
            coords = tuple(p.chunk_index for p in parts)
            chunk_sel = [p.chunk_sel for p in parts]
            out_sel = [p.out_sel for p in parts if p.out_sel is not None]
            fancy = any(isinstance(s, np.ndarray) for s in chunk_sel) or any(
                isinstance(s, np.ndarray) for s in out_sel
            )
            if not fancy:
                yield ChunkProjection(
                    coords,
                    tuple(chunk_sel),
                    tuple(out_sel),
                    all(p.is_complete for p in parts),
                )
                continue
            lengths = (
                self.chunk_shape
                if self._regular
                else [chunk_size(i, c) for i, c in zip(coords, self.chunk_shape, strict=True)]
            )
            yield FancyProjection(
                coords,
                outer(chunk_sel, lengths),  # type: ignore[arg-type]
                outer(out_sel, self.shape),
                False,
            )


def _parse(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
) -> list[IntDim | SliceDim | ArrayDim]:
    items = expand_selection(selection, len(shape))
    dims: list[IntDim | SliceDim | ArrayDim] = []
    for axis, (item, n, c) in enumerate(zip(items, shape, chunk_shape, strict=True)):
        dims.append(_dim(item, axis, n, c))
    return dims


def _dim(item: Any, axis: int, n: int, c: Axis) -> IntDim | SliceDim | ArrayDim:
    if isinstance(item, slice):
        return SliceDim.from_slice(item, n, c)
    i = as_index(item)
    if i is not None:
        return IntDim(i, n, c, axis)
    if item is None:
        raise SelectionError(NEWAXIS)
    if is_bool_scalar(item):
        raise SelectionError(
            f"a boolean scalar cannot index axis {axis} of an orthogonal selection; "
            "use a boolean array with one value per element of the axis"
        )
    arr = index_array(item)
    if arr is None:
        raise SelectionError(
            f"unsupported item {item!r} for axis {axis} of an orthogonal selection: use "
            "integers, slices, Ellipsis, or 1-d integer or boolean arrays"
        )
    if arr.ndim != 1:
        kind = "boolean" if arr.dtype == bool else "integer"
        raise SelectionError(
            f"{kind} arrays in an orthogonal selection must be 1-dimensional, got one of "
            f"shape {arr.shape} for axis {axis}; use vindex for multi-dimensional indices"
        )
    if arr.dtype == bool:
        check_mask(arr, (n,), axis)
        return ArrayDim(np.flatnonzero(arr), n, c)
    return ArrayDim(positions(arr, n, axis), n, c)


def orthogonal_indexer(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
) -> BasicIndexer | OrthogonalIndexer:
    """The indexer of an orthogonal selection: the basic one when it holds no array.

    Example:
        >>> type(orthogonal_indexer((1, slice(None)), (4, 4), (2, 2))).__name__
        'BasicIndexer'
        >>> orthogonal_indexer(([3, 1], [0, 2]), (4, 4), (2, 2)).shape
        (2, 2)
    """
    items = as_tuple(selection)
    if all(s is Ellipsis or isinstance(s, slice) or as_index(s) is not None for s in items):
        return BasicIndexer(selection, shape, chunk_shape)
    return OrthogonalIndexer(selection, shape, chunk_shape)
