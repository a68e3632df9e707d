"""Vectorized selections: numpy's advanced indexing, chunk by chunk.

Integer arrays (any number of dimensions, broadcast together), boolean masks (a mask of
``k`` dimensions covers ``k`` axes, as its ``nonzero()`` would), integers and slices mixed
freely, with numpy's placement rule: the broadcast axes replace the advanced items when those
are adjacent, else they come first. Coordinate selections (one integer array per axis) and
mask selections (one boolean array of the array's shape) are the two common cases.

The selected points are grouped per chunk with vectorized numpy: chunk coordinates by
integer division, one stable sort on the raveled chunk number (skipped when the points are
in order already), runs found where the sorted number changes. A Python loop runs once per
touched chunk, never per point, and nothing larger than the selection is allocated: a few
thousand points from an array of billions of elements cost a few arrays of a few thousand
integers.

Example:
    >>> idx = vectorized_indexer(([0, 5, 1], [2, 0, 2]), shape=(6, 3), chunk_shape=(2, 3))
    >>> idx.shape
    (3,)
    >>> [(p.chunk_coords, [s.tolist() for s in p.chunk_selection]) for p in idx]
    [((0, 0), [[0, 1], [2, 2]]), ((2, 0), [[1], [0]])]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from simplezarr.errors import SelectionError
from simplezarr.indexing import BasicIndexer, ChunkProjection, FancyProjection, SliceDim, as_index
from simplezarr.selection.items import (
    INVALID_INDEX,
    NEWAXIS,
    as_tuple,
    check_mask,
    group_bounds,
    index_array,
    is_basic,
    is_bool_scalar,
    positions,
    progression,
    sort_order,
    too_many,
)
from simplezarr.selection.orthogonal import DimRun, OrthogonalIndexer

#: Above this many chunks in the grid of the indexed axes, chunk numbers could overflow
#: int64: points are then sorted on their chunk coordinates (lexsort) instead.
RAVEL_LIMIT = 1 << 62


@dataclass(frozen=True, eq=False)
class Advanced:
    """One advanced index: its positions (non-negative) and the axis it indexes (None for a
    boolean scalar, which indexes no axis but adds one of length 1 or 0).

    Example:
        >>> Advanced(1, np.array([0, 2]), single_array=True).positions.tolist()
        [0, 2]
    """

    axis: int | None
    positions: np.ndarray
    single_array: bool  # a 1-d integer array or a 1-d mask, on its own


@dataclass(frozen=True, eq=False)
class Parsed:
    """A selection split into numpy's parts: basic slices and advanced indices (see
    :func:`parse`).

    Example:
        >>> parse((0, slice(None), [1, 2]), (3, 4, 5)).broadcast_shape
        (2,)
    """

    slices: list[tuple[int, slice]]  # (axis, slice) in axis order
    advanced: list[Advanced]
    broadcast_shape: tuple[int, ...]  # of the advanced indices together
    adjacent: bool  # the advanced items are next to each other in the selection
    before: int  # slice axes before the first advanced item


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def parse(selection: Any, shape: tuple[int, ...]) -> Parsed:
    """Split a selection numpy's way, checking it as numpy does (with numpy's messages).

    Example:
        >>> p = parse((slice(None), [1, 0], 2), (3, 4, 5))
        >>> [a.axis for a in p.advanced], p.adjacent, p.before
        ([1, 2], True, 1)
    """
    ndim = len(shape)
    items = as_tuple(selection)
    used = 0
    ellipses = 0
    entries: list[tuple[str, Any]] = []
    for item in items:
        if item is Ellipsis:
            ellipses += 1
            entries.append(("ellipsis", None))
        elif item is None:
            raise SelectionError(NEWAXIS)
        elif isinstance(item, slice):
            entries.append(("slice", item))
            used += 1
        elif (i := as_index(item)) is not None:
            entries.append(("int", i))
            used += 1
        elif is_bool_scalar(item):
            entries.append(("bool", bool(item)))
        else:
            arr = index_array(item)
            if arr is None:
                raise SelectionError(INVALID_INDEX)
            if arr.dtype == bool:
                entries.append(("bool", bool(arr)) if arr.ndim == 0 else ("mask", arr))
                used += arr.ndim
            else:
                entries.append(("array", arr))
                used += 1
    if ellipses > 1:
        raise SelectionError("an index can only have a single ellipsis ('...')")
    if used > ndim:
        raise too_many(ndim, used)
    if not ellipses:
        entries.append(("ellipsis", None))  # trailing axes: after every advanced item

    slices: list[tuple[int, slice]] = []
    placed: list[tuple[str, int, Any]] = []  # (kind, axis, value) of each advanced item
    advanced_items: list[int] = []
    before = -1
    axis = 0
    for k, (kind, value) in enumerate(entries):
        if kind in ("slice", "ellipsis"):
            width = 1 if kind == "slice" else ndim - used
            for _ in range(width):
                slices.append((axis, value if kind == "slice" else slice(None)))
                axis += 1
            continue
        advanced_items.append(k)
        if before < 0:
            before = len(slices)
        placed.append((kind, axis, value))
        axis += value.ndim if kind == "mask" else 0 if kind == "bool" else 1
    # numpy's order of checks: mask shapes, integers, broadcasting, integer arrays.
    for kind, axis, value in placed:
        if kind == "mask":
            check_mask(value, shape[axis : axis + value.ndim], axis)
    for kind, axis, value in placed:
        if kind == "int":
            positions(np.asarray(value), shape[axis], axis)
    shapes = [
        (value.shape if kind == "array" else () if kind == "int" else
         (int(value.sum()),) if kind == "mask" else (int(value),))
        for kind, _, value in placed
    ]
    try:
        broadcast = np.broadcast_shapes(*shapes)
    except ValueError as e:
        text = " ".join(  # numpy names each array: a mask's nonzero() arrays, not integers
            " ".join([_shape_text(sh)] * (value.ndim if kind == "mask" else 1))
            for sh, (kind, _, value) in zip(shapes, placed, strict=True)
            if kind != "int"
        )
        raise SelectionError(
            f"shape mismatch: indexing arrays could not be broadcast together with shapes {text} "
        ) from e
    advanced: list[Advanced] = []
    for kind, axis, value in placed:
        if kind == "int":
            advanced.append(Advanced(axis, positions(np.asarray(value), shape[axis], axis), False))
        elif kind == "array":
            advanced.append(Advanced(axis, positions(value, shape[axis], axis), value.ndim == 1))
        elif kind == "mask":
            for j, nz in enumerate(np.nonzero(value)):
                advanced.append(Advanced(axis + j, nz, value.ndim == 1))
        else:  # a boolean scalar: a new axis of length 1 (True) or 0 (False)
            advanced.append(Advanced(None, np.zeros(int(value), dtype=np.intp), False))
    adjacent = advanced_items[-1] - advanced_items[0] + 1 == len(advanced_items)
    return Parsed(slices, advanced, broadcast, adjacent, before if adjacent else 0)


class VectorizedIndexer:
    """numpy advanced indexing over a chunked array (see :func:`vectorized_indexer`, which
    serves selections without arrays with the basic indexer).

    Example:
        >>> sel = ([[0, 1], [1, 0]], slice(None))
        >>> idx = VectorizedIndexer(sel, shape=(2, 3), chunk_shape=(1, 2))
        >>> idx.shape, len(list(idx))
        ((2, 2, 3), 4)
    """

    scalar_result = False

    def __init__(
        self,
        selection: Any,
        shape: tuple[int, ...],
        chunk_shape: tuple[int, ...],
        parsed: Parsed | None = None,
    ) -> None:
        p = parsed if parsed is not None else parse(selection, shape)
        self.array_shape = shape
        self.chunk_shape = chunk_shape
        self.slice_dims = [
            (axis, SliceDim.from_slice(s, shape[axis], chunk_shape[axis])) for axis, s in p.slices
        ]
        self.advanced = p.advanced
        self.broadcast_shape = p.broadcast_shape
        sizes = tuple(d.nitems for _, d in self.slice_dims)
        #: Where the broadcast axes go among the slice axes of the result.
        self.position = p.before
        self.shape: tuple[int, ...] = sizes[: p.before] + self.broadcast_shape + sizes[p.before :]
        axes = [a.axis for a in p.advanced if a.axis is not None]
        self.axes: list[int] = axes
        # Where numpy puts the points' axis when a chunk is indexed with the same mix of
        # per-point arrays and slices; when that is not where the result wants it, chunks
        # are indexed with broadcastable position arrays instead (np.ix_ style).
        consecutive = bool(axes) and axes == list(range(axes[0], axes[0] + len(axes)))
        natural = sum(1 for a, _ in self.slice_dims if a < axes[0]) if consecutive else 0
        self.natural = bool(axes) and natural == self.position

    def __iter__(self) -> Iterator[ChunkProjection]:
        npoints = math.prod(self.broadcast_shape)
        if npoints == 0:
            return
        cs = self.chunk_shape
        axes = self.axes
        flat = [
            np.broadcast_to(a.positions, self.broadcast_shape).reshape(-1)
            for a in self.advanced
            if a.axis is not None
        ]
        chunk_ids = [f // cs[ax] for f, ax in zip(flat, axes, strict=True)]
        grid = [-(-self.array_shape[ax] // cs[ax]) for ax in axes]
        order, bounds = _group(chunk_ids, grid, npoints)
        local = [f - c * cs[ax] for f, c, ax in zip(flat, chunk_ids, axes, strict=True)]
        if order is not None:
            local = [v[order] for v in local]
            chunk_ids = [c[order] for c in chunk_ids]
        starts = bounds[:-1]
        group_coords = list(zip(*(c[starts].tolist() for c in chunk_ids), strict=True))
        if not axes:  # only boolean scalars: one group of one point
            group_coords = [()] * len(starts)
        out_parts = self._out_parts(order, npoints)
        slice_runs = [list(d) for _, d in self.slice_dims]
        combos = list(itertools.product(*slice_runs))
        ix_slices = None if self.natural or not axes else self._ix_slices(slice_runs)
        bl = bounds.tolist()
        for g, (start, stop) in enumerate(zip(bl[:-1], bl[1:], strict=True)):
            point_sel = [v[start:stop] for v in local]
            point_out = out_parts(start, stop)
            for runs in combos:
                yield self._projection(group_coords[g], point_sel, point_out, runs, ix_slices)

    def _out_parts(
        self, order: np.ndarray | None, npoints: int
    ) -> Callable[[int, int], tuple[Any, ...]]:
        """A function giving the output index of the points ``start:stop`` (in sorted order)
        along the broadcast axes."""
        if not self.axes:  # boolean scalars only: the one point, as an integer
            return lambda start, stop: (0,)
        if len(self.broadcast_shape) == 1:
            if order is None:
                return lambda start, stop: (slice(start, stop, 1),)

            def part(start: int, stop: int) -> tuple[Any, ...]:
                where = order[start:stop]
                return (progression(where) or where,)

            return part
        unravelled = np.unravel_index(
            np.arange(npoints) if order is None else order, self.broadcast_shape
        )
        return lambda start, stop: tuple(u[start:stop] for u in unravelled)

    def _ix_slices(self, slice_runs: list[list[DimRun]]) -> list[dict[int, np.ndarray]]:
        """Each slice run's positions shaped to broadcast along its axis of the result, by
        slice dimension and chunk index (a slice visits a chunk once)."""
        naxes = len(self.slice_dims) + 1
        result = []
        for j, ((axis, _), runs) in enumerate(zip(self.slice_dims, slice_runs, strict=True)):
            out_axis = j if j < self.position else j + 1
            per_run = {}
            for run in runs:
                assert isinstance(run.chunk_sel, slice)  # slice dimensions yield slices
                pos = np.arange(*run.chunk_sel.indices(self.chunk_shape[axis]))
                shape = [1] * naxes
                shape[out_axis] = pos.shape[0]
                per_run[run.chunk_index] = pos.reshape(shape)
            result.append(per_run)
        return result

    def _projection(
        self,
        coords: tuple[int, ...],
        point_sel: list[np.ndarray],
        point_out: tuple[Any, ...],
        runs: tuple[DimRun, ...],
        ix_slices: list[dict[int, np.ndarray]] | None,
    ) -> FancyProjection:
        ndim = len(self.array_shape)
        chunk_coords = [0] * ndim
        chunk_sel: list[Any] = [None] * ndim
        for ax, c, sel in zip(self.axes, coords, point_sel, strict=True):
            chunk_coords[ax] = c
            chunk_sel[ax] = sel
        for (ax, _), run in zip(self.slice_dims, runs, strict=True):
            chunk_coords[ax] = run.chunk_index
            chunk_sel[ax] = run.chunk_sel
        if ix_slices is not None:  # place the points' axis explicitly
            naxes = len(self.slice_dims) + 1
            m = point_sel[0].shape[0]
            shape = [1] * naxes
            shape[self.position] = m
            for ax, sel in zip(self.axes, point_sel, strict=True):
                chunk_sel[ax] = sel.reshape(shape)
            for j, ((ax, _), run) in enumerate(zip(self.slice_dims, runs, strict=True)):
                chunk_sel[ax] = ix_slices[j][run.chunk_index]
        outs = [run.out_sel for run in runs]
        out_sel = tuple(outs[: self.position]) + point_out + tuple(outs[self.position :])
        return FancyProjection(
            tuple(chunk_coords), tuple(chunk_sel), out_sel, False  # type: ignore[arg-type]
        )


def _group(
    chunk_ids: list[np.ndarray], grid: list[int], npoints: int
) -> tuple[np.ndarray | None, np.ndarray]:
    """Group points by chunk: a stable sorting order (None when already grouped) and the
    bounds of each chunk's run of points in that order."""
    if not chunk_ids:
        return None, np.array([0, npoints], dtype=np.intp)
    if math.prod(grid) < RAVEL_LIMIT:
        keys = chunk_ids[0] if len(chunk_ids) == 1 else np.ravel_multi_index(chunk_ids, grid)
        order = sort_order(keys)
        return order, group_bounds(keys if order is None else keys[order])
    order = np.lexsort(chunk_ids[::-1])
    change = np.zeros(npoints - 1, dtype=bool)
    for c in chunk_ids:
        s = c[order]
        change |= s[1:] != s[:-1]
    bounds = np.concatenate(([0], np.flatnonzero(change) + 1, [npoints])).astype(np.intp)
    return order, bounds


def vectorized_indexer(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> BasicIndexer | OrthogonalIndexer | VectorizedIndexer:
    """The indexer of a vectorized selection: the basic one when it holds no array, the
    orthogonal one when its only advanced item is a 1-d array (the same result, and runs
    that are slices in disguise take the engine's basic paths).

    Example:
        >>> type(vectorized_indexer((1, 2), (4, 4), (2, 2))).__name__
        'BasicIndexer'
        >>> type(vectorized_indexer((slice(None), [3, 0]), (4, 4), (2, 2))).__name__
        'OrthogonalIndexer'
        >>> vectorized_indexer(([3, 0], [1, 1]), (4, 4), (2, 2)).shape
        (2,)
    """
    if is_basic(selection):  # no arrays, no booleans
        return BasicIndexer(selection, shape, chunk_shape)
    parsed = parse(selection, shape)
    adv = parsed.advanced
    if len(adv) == 1 and adv[0].single_array:
        items: list[Any] = [s for _, s in parsed.slices]
        items.insert(parsed.before, adv[0].positions)
        return OrthogonalIndexer(tuple(items), shape, chunk_shape)
    return VectorizedIndexer(selection, shape, chunk_shape, parsed)
