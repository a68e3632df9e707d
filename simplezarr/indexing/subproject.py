"""A chunk's selection projected onto the smaller chunks inside it (a shard's inner chunks).

A projection says which part of one stored object a selection needs and where that part goes
in the caller's buffer. When the object is a shard, its bytes are inner chunks, each decoded
on its own; :func:`project_within` turns the shard's projection into one projection per
inner chunk it touches, with the output selections composed so that every inner chunk still
lands straight in the caller's buffer (no shard-sized intermediate array).

Three forms, from the cheapest:

- *basic* (integers and slices): projected axis by axis, as :class:`BasicIndexer` does;
- *orthogonal* (slices and one 1-d array, or integers and ``np.ix_``-style arrays): each
  axis grouped on its own into runs per inner chunk, as :class:`OrthogonalIndexer` does;
- anything else (points, masks): the selected elements' coordinates, grouped per inner chunk
  with one stable sort (memory proportional to the points the shard holds, never to the
  shard's size).

Example:
    >>> from simplezarr.indexing import ChunkProjection
    >>> p = ChunkProjection((0,), (slice(1, 7),), (slice(10, 16),), False)
    >>> [(q.chunk_coords, q.chunk_selection, q.out_selection) for q in project_within(p, (8,), (4,), (20,))]
    [((0,), (slice(1, 4, 1),), (slice(10, 13, None),)), ((1,), (slice(0, 3, 1),), (slice(13, 16, None),))]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from simplezarr.indexing.basic import IntDim, SliceDim, as_index, contiguous_runs
from simplezarr.indexing.items import group_bounds, narrow_dtype, sort_order
from simplezarr.indexing.orthogonal import ArrayDim, DimRun, outer
from simplezarr.indexing.projection import ChunkProjection, FancyProjection

__all__ = ["compose", "project_within"]

Selector = int | slice | np.ndarray


def project_within(
    p: ChunkProjection,
    block_shape: tuple[int, ...],
    inner_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> Iterator[ChunkProjection]:
    """The projections of ``p`` (a selection inside one block of ``block_shape``) onto the
    block's inner chunks of ``inner_shape``; their output selections index the caller's
    buffer of ``out_shape`` directly.

    An inner chunk is complete when its selection covers it, or when ``p`` covers its whole
    block (then the part of an inner chunk the selection misses lies outside the array).

    Example:
        >>> from simplezarr.indexing import FancyProjection
        >>> p = FancyProjection((0, 0), (np.array([3, 0]), np.array([1, 2])), (np.array([0, 1]),), False)
        >>> [(q.chunk_coords, [s.tolist() for s in q.chunk_selection]) for q in project_within(p, (4, 4), (2, 2), (2,))]
        [((0, 1), [[0], [0]]), ((1, 0), [[1], [1]])]
    """
    if block_shape == inner_shape:  # one inner chunk: the selection is already its own
        yield p._replace(chunk_coords=(0,) * len(block_shape))
        return
    if type(p) is ChunkProjection:
        yield from _basic(p, block_shape, inner_shape)
        return
    dims = _orthogonal_dims(p.chunk_selection, block_shape, inner_shape)
    if dims is not None:
        outs = _orthogonal_outs(p.out_selection, out_shape)
        kept = sum(not isinstance(d, IntDim) for d in dims)
        if outs is not None and len(outs) == kept:
            yield from _orthogonal(dims, outs, inner_shape, out_shape)
            return
    yield from _points(p, block_shape, inner_shape, out_shape)


# -- composing output selections -----------------------------------------------------------


def _compose_slice(outer_sel: slice, inner: slice, length: int) -> slice:
    """``outer_sel`` (a slice of an axis of ``length``) followed by ``inner`` (a slice of
    its result), as one slice."""
    r = range(*outer_sel.indices(length))[inner]
    if r.step == 1 and inner.step is None:
        return slice(r.start, r.stop)
    return slice(r.start, r.stop if r.stop >= 0 else None, r.step)


def compose(outer_sel: slice | np.ndarray, inner: Selector, length: int) -> Selector:
    """One axis of an output selection: ``outer_sel`` (into an axis of ``length``) followed
    by ``inner`` (into what ``outer_sel`` selects).

    Example:
        >>> compose(slice(10, 20), slice(2, 4), 30), compose(np.array([5, 7, 9]), slice(1, 3), 30).tolist()
        (slice(12, 14, None), [7, 9])
        >>> compose(slice(4, 10, 2), np.array([0, 2]), 30).tolist()
        [4, 8]
    """
    if isinstance(outer_sel, slice):
        if isinstance(inner, slice):
            return _compose_slice(outer_sel, inner, length)
        start, _, step = outer_sel.indices(length)
        return inner * step + start if step != 1 else inner + start
    return outer_sel[inner]


# -- basic -----------------------------------------------------------------------------


def _basic(
    p: ChunkProjection, block_shape: tuple[int, ...], inner_shape: tuple[int, ...]
) -> Iterator[ChunkProjection]:
    # Hot (a box read of a sharded array goes through here): each axis's runs are found,
    # and their output slices composed, once per axis, not once per inner chunk.
    outer_out = iter(p.out_selection)
    per_axis: list[list[tuple[int, Any, slice | None, bool]]] = []
    for s, n, c in zip(p.chunk_selection, block_shape, inner_shape, strict=True):
        if isinstance(s, slice):
            o = next(outer_out)
            start = o.start
            plain = o.step in (None, 1)
            if plain and s.step in (None, 1) and type(s.start) is int and type(s.stop) is int:
                per_axis.append(contiguous_runs(s.start, min(s.stop, n), n, c, start))  # type: ignore[arg-type]
                continue
            per_axis.append(
                [
                    (
                        q.chunk_index,
                        q.chunk_sel,
                        slice(start + q.out_sel.start, start + q.out_sel.stop)  # type: ignore[union-attr]
                        if plain
                        else _compose_slice(o, q.out_sel, 1 << 62),  # type: ignore[arg-type]
                        q.is_complete,
                    )
                    for q in SliceDim.from_slice(s, n, c)
                ]
            )
        else:
            i = as_index(s)
            assert i is not None  # a basic projection holds integers and slices
            per_axis.append([next(iter(IntDim(i, n, c, 0)))])
    whole = p.is_complete
    for parts in itertools.product(*per_axis):
        coords, sels, outs, complete = zip(*parts, strict=True)
        yield ChunkProjection(
            coords,
            sels,
            tuple(o for o in outs if o is not None),
            whole or all(complete),
        )


# -- orthogonal --------------------------------------------------------------------------


def _as_positions(arr: np.ndarray) -> np.ndarray:
    flat = arr.reshape(-1)
    return np.flatnonzero(flat) if flat.dtype == bool else flat


def _orthogonal_dims(
    selection: Sequence[Any], block_shape: tuple[int, ...], inner_shape: tuple[int, ...]
) -> list[IntDim | SliceDim | ArrayDim] | None:
    """The selection's dimensions when numpy applies it orthogonally (see the module
    docstring), else None."""
    if len(selection) != len(block_shape):
        return None
    ints = [as_index(s) for s in selection]
    kept = [i for i, v in enumerate(ints) if v is None]
    arrays = [i for i in kept if isinstance(selection[i], np.ndarray)]
    slices = [i for i in kept if isinstance(selection[i], slice)]
    if len(arrays) + len(slices) != len(kept):
        return None
    has_ints = len(kept) != len(selection)
    if len(arrays) == 1 and not has_ints:  # numpy keeps a lone 1-d array's axis in place
        if selection[arrays[0]].ndim != 1:
            return None
    elif arrays:  # np.ix_ form: integers and arrays, each array along its own axis
        if slices:
            return None
        for position, axis in enumerate(kept):
            shape = selection[axis].shape
            if len(shape) != len(kept) or any(n != 1 for j, n in enumerate(shape) if j != position):
                return None
    dims: list[IntDim | SliceDim | ArrayDim] = []
    for axis, (s, n, c) in enumerate(zip(selection, block_shape, inner_shape, strict=True)):
        index = ints[axis]
        if index is not None:
            dims.append(IntDim(index, n, c, axis))
        elif isinstance(s, slice):
            dims.append(SliceDim.from_slice(s, n, c))
        else:
            dims.append(ArrayDim(_as_positions(s).astype(np.intp, copy=False), n, c))
    return dims


def _orthogonal_outs(
    out_selection: Sequence[Any], out_shape: tuple[int, ...]
) -> list[slice | np.ndarray] | None:
    """The output selection as one slice or 1-d array per output axis, or None when numpy
    would not apply it orthogonally (slices with at most one 1-d array, or ``np.ix_``-style
    arrays alone)."""
    if len(out_selection) != len(out_shape):
        return None
    arrays = [s for s in out_selection if isinstance(s, np.ndarray)]
    if any(not isinstance(s, slice | np.ndarray) or s.dtype == bool for s in arrays) or any(
        not isinstance(s, slice | np.ndarray) for s in out_selection
    ):
        return None
    if len(arrays) == 1 and arrays[0].ndim != 1:
        return None
    if len(arrays) > 1:
        if len(arrays) != len(out_selection):
            return None
        for position, s in enumerate(out_selection):
            if s.ndim != len(out_selection) or any(
                n != 1 for j, n in enumerate(s.shape) if j != position
            ):
                return None
    return [s.reshape(-1) if isinstance(s, np.ndarray) else s for s in out_selection]


def _runs(dim: IntDim | SliceDim | ArrayDim) -> list[DimRun]:
    if isinstance(dim, ArrayDim):
        return list(dim)
    return [DimRun(*q) for q in dim]


def _orthogonal(
    dims: list[IntDim | SliceDim | ArrayDim],
    outs: list[slice | np.ndarray],
    inner_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> Iterator[ChunkProjection]:
    runs = [_runs(d) for d in dims]
    for parts in itertools.product(*runs):
        coords = tuple(r.chunk_index for r in parts)
        chunk_sel = [r.chunk_sel for r in parts]
        inner_outs = [r.out_sel for r in parts if r.out_sel is not None]
        out_sel = [compose(o, i, n) for o, i, n in zip(outs, inner_outs, out_shape, strict=True)]
        fancy = any(isinstance(s, np.ndarray) for s in chunk_sel) or any(
            isinstance(s, np.ndarray) for s in out_sel
        )
        if not fancy:
            yield ChunkProjection(
                coords,
                tuple(chunk_sel),
                tuple(out_sel),
                all(r.is_complete for r in parts),
            )
        else:
            yield FancyProjection(
                coords,
                outer(chunk_sel, inner_shape),
                outer(out_sel, out_shape),
                False,
            )


# -- points ------------------------------------------------------------------------------


def _coordinates(selection: Any, shape: tuple[int, ...]) -> list[np.ndarray]:
    """For each axis, the coordinate along it of every element ``x[selection]`` selects
    from an array ``x`` of ``shape`` (numpy's rules, on zero-stride grids: nothing of the
    array's size is allocated)."""
    found = []
    for axis, n in enumerate(shape):
        grid_shape = [1] * len(shape)
        grid_shape[axis] = n
        grid = np.broadcast_to(np.arange(n, dtype=np.intp).reshape(grid_shape), shape)
        found.append(np.asarray(grid[selection]))
    return found


def _points(
    p: ChunkProjection,
    block_shape: tuple[int, ...],
    inner_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
) -> Iterator[ChunkProjection]:
    sel = p.chunk_selection
    coords = _coordinates(sel if isinstance(sel, tuple) else (sel,), block_shape)
    targets = _coordinates(p.out_selection, out_shape)
    both = np.broadcast_arrays(*coords, *targets)
    flat = [a.reshape(-1) for a in both]
    coords, targets = flat[: len(block_shape)], flat[len(block_shape) :]
    npoints = coords[0].shape[0] if coords else 1
    if npoints == 0:
        return
    grid = [-(-b // c) for b, c in zip(block_shape, inner_shape, strict=True)]
    chunk_ids = [c // n for c, n in zip(coords, inner_shape, strict=True)]
    keys = np.ravel_multi_index(chunk_ids, grid) if chunk_ids else np.zeros(1, np.intp)
    order = sort_order(keys)
    if order is not None:
        keys = keys[order]
        coords = [c[order] for c in coords]
        targets = [t[order] for t in targets]
    bounds = group_bounds(keys).tolist()
    local_dtype = narrow_dtype(max(inner_shape, default=1))
    for start, stop in itertools.pairwise(bounds):
        key = int(keys[start])
        inner_coords = tuple(int(i) for i in np.unravel_index(key, grid)) if grid else ()
        local = tuple(
            (c[start:stop] - i * n).astype(local_dtype)
            for c, i, n in zip(coords, inner_coords, inner_shape, strict=True)
        )
        out = tuple(t[start:stop] for t in targets)
        yield FancyProjection(inner_coords, local, out, False)
