"""Vectorized selections: numpy's advanced indexing, chunk by chunk.

Integer arrays (any number of dimensions, broadcast together), boolean masks (a mask of
``k`` dimensions covers ``k`` axes, as its ``nonzero()`` would), integers and slices mixed
freely, with numpy's placement rule: the broadcast axes replace the advanced items when those
are adjacent, else they come first. Coordinate selections (one integer array per axis) and
mask selections (one boolean array of the array's shape) are the two common cases.
(About 500 lines: the parser, the point indexer and the mask fast path share the
per-chunk grouping, and split apart they would each need the others' internals.)

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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from simplezarr.errors import SelectionError
from simplezarr.indexing.axes import (
    Axis,
    chunk_size,
    chunk_start,
    chunk_stop,
    chunks_of,
    n_chunks,
)
from simplezarr.indexing.basic import (
    NEWAXIS,
    BasicIndexer,
    DimProjection,
    SliceDim,
    as_index,
    too_many,
    two_ellipses,
)
from simplezarr.indexing.items import (
    INVALID_INDEX,
    as_tuple,
    check_mask,
    chunk_numbers,
    group_bounds,
    index_array,
    is_basic,
    is_bool_scalar,
    local_positions,
    narrow_dtype,
    positions,
    progression,
    sort_order,
)
from simplezarr.indexing.orthogonal import OrthogonalIndexer
from simplezarr.indexing.projection import ChunkProjection, FancyProjection

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
            if ellipses:
                raise two_ellipses()
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
        (
            value.shape
            if kind == "array"
            else ()
            if kind == "int"
            else (int(value.sum()),)
            if kind == "mask"
            else (int(value),)
        )
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
    # numpy checks integer arrays only when they select something: ``x[[4], []]`` is empty.
    empty = math.prod(broadcast) == 0
    advanced: list[Advanced] = []
    for kind, axis, value in placed:
        if kind == "int":
            advanced.append(Advanced(axis, positions(np.asarray(value), shape[axis], axis), False))
        elif kind == "array":
            pos = np.zeros(value.shape, np.intp) if empty else positions(value, shape[axis], axis)
            advanced.append(Advanced(axis, pos, value.ndim == 1))
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
        chunk_shape: tuple[Axis, ...],
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
        # Views for 1-d indices (the common case); a copy only when broadcasting.
        flat = [
            np.broadcast_to(a.positions, self.broadcast_shape).reshape(-1)
            for a in self.advanced
            if a.axis is not None
        ]
        grid = [n_chunks(self.array_shape[ax], cs[ax]) for ax in axes]
        order, bounds, group_coords = _group(flat, [cs[ax] for ax in axes], grid, npoints)
        if not axes:  # only boolean scalars: one group of one point
            group_coords = [()]
        slice_runs = [list(d) for _, d in self.slice_dims]
        combos = list(itertools.product(*slice_runs))
        ix_slices = None if self.natural or not axes else self._ix_slices(slice_runs)
        out_dtype = narrow_dtype(npoints)
        bl = bounds.tolist()
        for coords, start, stop in zip(group_coords, bl[:-1], bl[1:], strict=True):
            # Per chunk run, in narrow types: nothing of the selection's full length is
            # allocated here, so the projections cost a few bytes per point.
            where = slice(start, stop) if order is None else order[start:stop]
            point_sel = [
                local_positions(f[where], chunk_start(c, cs[ax]), chunk_size(c, cs[ax]))
                for f, c, ax in zip(flat, coords, axes, strict=True)
            ]
            point_out = self._out_part(where, start, stop, out_dtype)
            for runs in combos:
                yield self._projection(coords, point_sel, point_out, runs, ix_slices)

    def _out_part(
        self, where: slice | np.ndarray, start: int, stop: int, dtype: np.dtype
    ) -> tuple[Any, ...]:
        """The output index of the points ``where`` (``start:stop`` in grouped order) along
        the broadcast axes."""
        if not self.axes:  # boolean scalars only: the one point, as an integer
            return (0,)
        if len(self.broadcast_shape) == 1:
            if isinstance(where, slice):
                return (slice(start, stop, 1),)
            return (progression(where) or where.astype(dtype),)
        flat = np.arange(start, stop) if isinstance(where, slice) else where
        return tuple(u.astype(dtype) for u in np.unravel_index(flat, self.broadcast_shape))

    def _ix_slices(self, slice_runs: list[list[DimProjection]]) -> list[dict[int, np.ndarray]]:
        """Each slice run's positions shaped to broadcast along its axis of the result, by
        slice dimension and chunk index (a slice visits a chunk once)."""
        naxes = len(self.slice_dims) + 1
        result = []
        for j, ((axis, _), runs) in enumerate(zip(self.slice_dims, slice_runs, strict=True)):
            out_axis = j if j < self.position else j + 1
            per_run = {}
            for run in runs:
                assert isinstance(run.chunk_sel, slice)  # slice dimensions yield slices
                length = chunk_size(run.chunk_index, self.chunk_shape[axis])
                pos = np.arange(*run.chunk_sel.indices(length))
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
        runs: tuple[DimProjection, ...],
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
            tuple(chunk_coords),
            tuple(chunk_sel),
            out_sel,
            False,
        )


def _group(
    flat: list[np.ndarray], chunk_lens: list[Axis], grid: list[int], npoints: int
) -> tuple[np.ndarray | None, np.ndarray, list[tuple[int, ...]]]:
    """Group points by chunk: a stable sorting order of the chunk numbers alone (None when
    already grouped), the bounds of each chunk's run of points in that order, and each
    run's chunk coordinates."""
    if not flat:
        return None, np.array([0, npoints], dtype=np.intp), []
    if math.prod(grid) < RAVEL_LIMIT:
        keys = chunk_numbers(flat, chunk_lens, grid)
        order = sort_order(keys)
        if order is not None:
            keys = keys[order]
        bounds = group_bounds(keys)
        firsts = keys[bounds[:-1]].astype(np.intp)
        del keys
        coords = list(zip(*(c.tolist() for c in np.unravel_index(firsts, grid)), strict=True))
        return order, bounds, coords
    chunk_ids = [chunks_of(f, cl) for f, cl in zip(flat, chunk_lens, strict=True)]
    order = np.lexsort(chunk_ids[::-1])
    change = np.zeros(npoints - 1, dtype=bool)
    for c in chunk_ids:
        s = c[order]
        change |= s[1:] != s[:-1]
    bounds = np.concatenate(([0], np.flatnonzero(change) + 1, [npoints])).astype(np.intp)
    starts = order[bounds[:-1]]
    coords = list(zip(*(c[starts].tolist() for c in chunk_ids), strict=True))
    return order, bounds, coords


class MaskIndexer:
    """A boolean mask of the array's whole shape (``a.vindex[mask]``, ``a[mask]``,
    ``get_mask_selection``), projected chunk by chunk: the points are never materialised
    for the whole mask (no ``np.nonzero`` of it), only each chunk's part is looked at.

    An interior chunk takes its block of the mask as its selection (a view: no copy at
    all); an edge chunk, smaller than a stored chunk, takes the block's ``nonzero()`` in a
    narrow type. The output positions of a chunk's points follow from counts: the points
    of one row (the last axis) inside one chunk are consecutive in the output, starting
    after every point of earlier rows and of the row's earlier chunks.

    Example:
        >>> mask = np.array([[True, False, True], [False, True, True]])
        >>> idx = MaskIndexer(mask, shape=(2, 3), chunk_shape=(2, 2))
        >>> idx.shape
        (4,)
        >>> [(p.chunk_coords, p.out_selection[0]) for p in idx]  # doctest: +NORMALIZE_WHITESPACE
        [((0, 0), array([0, 2], dtype=uint8)), ((0, 1), array([1, 3], dtype=uint8))]
    """

    scalar_result = False

    def __init__(
        self, mask: np.ndarray, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
    ) -> None:
        assert mask.shape == shape and mask.ndim > 0 and mask.dtype == bool
        self.mask = mask
        self.array_shape = shape
        self.chunk_shape = chunk_shape
        self.shape: tuple[int, ...] = (int(np.count_nonzero(mask)),)

    def __iter__(self) -> Iterator[ChunkProjection]:
        npoints = self.shape[0]
        if npoints == 0:
            return
        mask, shape, cs = self.mask, self.array_shape, self.chunk_shape
        out_dtype = narrow_dtype(npoints)
        # next_out[row]: the output position of the row's next point (rows: all axes but
        # the last); starts as the number of points in the rows before, in C order.
        counts = np.asarray(np.count_nonzero(mask, axis=-1)).reshape(-1)
        next_out = np.cumsum(counts)
        next_out -= counts
        del counts
        next_out = next_out.reshape(shape[:-1])
        grid = [range(n_chunks(n, c)) for n, c in zip(shape, cs, strict=True)]
        regular = all(isinstance(c, int) for c in cs)
        for coords in itertools.product(*grid):
            region = (
                tuple(
                    slice(i * c, min((i + 1) * c, n))  # type: ignore[operator]
                    for i, c, n in zip(coords, cs, shape, strict=True)
                )
                if regular
                else tuple(
                    slice(chunk_start(i, c), chunk_stop(i, c, n))
                    for i, c, n in zip(coords, cs, shape, strict=True)
                )
            )
            block = mask[region]
            row_counts = np.asarray(np.count_nonzero(block, axis=-1))
            total = int(row_counts.sum())
            if total == 0:
                continue
            rows = region[:-1]
            first = np.array(next_out[rows], dtype=np.intp).reshape(-1)  # of each row's run
            flat_counts = row_counts.reshape(-1)
            next_out[rows] += row_counts
            # out position of point k (in the block's C order) is k + shift of its row
            before = np.cumsum(flat_counts)
            before -= flat_counts
            shift = first - before
            used = shift[flat_counts > 0]
            out: slice | np.ndarray
            if bool(np.all(used == used[0])):  # one run in the output (e.g. whole rows)
                out = slice(int(used[0]), int(used[0]) + total, 1)
            else:
                out = np.repeat(shift.astype(out_dtype), flat_counts)
                out += np.arange(total, dtype=out_dtype)
            chunk_sel: tuple[np.ndarray, ...]
            full: tuple[int, ...] = cs if regular else tuple(map(chunk_size, coords, cs))  # type: ignore[assignment]
            if block.shape == full:
                chunk_sel = (block,)
            else:  # an edge chunk: the mask block does not cover the stored chunk
                chunk_sel = tuple(
                    v.astype(narrow_dtype(c)) for v, c in zip(np.nonzero(block), full, strict=True)
                )
            yield FancyProjection(coords, chunk_sel, (out,), False)


def _whole_mask(selection: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The selection's boolean mask when it is one mask of the array's whole shape (with
    an optional Ellipsis), else None."""
    items = as_tuple(selection)
    rest = [s for s in items if s is not Ellipsis]
    if len(rest) != 1 or len(items) > 2 or not shape:
        return None
    item = rest[0]
    if not isinstance(item, np.ndarray | list):
        return None
    arr = index_array(item)
    if arr is None or arr.dtype != bool or arr.shape != shape:
        return None
    return arr


def vectorized_indexer(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
) -> BasicIndexer | OrthogonalIndexer | VectorizedIndexer | MaskIndexer:
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
    mask = _whole_mask(selection, shape)
    if mask is not None:
        return MaskIndexer(mask, shape, chunk_shape)
    parsed = parse(selection, shape)
    adv = parsed.advanced
    if len(adv) == 1 and adv[0].single_array:
        items: list[Any] = [s for _, s in parsed.slices]
        items.insert(parsed.before, adv[0].positions)
        return OrthogonalIndexer(tuple(items), shape, chunk_shape)
    return VectorizedIndexer(selection, shape, chunk_shape, parsed)
