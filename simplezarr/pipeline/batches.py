"""zarr-python's batch (byte getter, chunk spec, selections, complete?) -> ChunkRequests.

zarr-python's indexers yield the same four things as simplezarr's ChunkProjection; only
the forms differ. Orthogonal selections with an integer axis (``drop_axes``) come with
that axis still present in the chunk selection; the output (and the value of a write) is
then seen with the axis put back as length one, so every request is the plain
``out[out_selection] = chunk[chunk_selection]``.

Example:
    >>> import numpy as np
    >>> p = projection((slice(0, 2), 1), (slice(2, 4),), True, (), (2, 2))
    >>> type(p).__name__, p.out_selection, p.is_complete
    ('ChunkProjection', (slice(2, 4, None),), False)
    >>> q = projection(np.ix_([0], [1, 2]), np.ix_([0, 1]), False, (0,), (2, 3))
    >>> type(q).__name__, [s.shape for s in q.out_selection]
    ('FancyProjection', [(1, 1), (1, 2)])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simplezarr.indexing import ChunkProjection, FancyProjection

__all__ = ["extent", "projection", "with_axes"]


def _tuple(selection: Any) -> tuple[Any, ...]:
    return selection if isinstance(selection, tuple) else (selection,)


def _restore_axes(out_selection: tuple[Any, ...], drop_axes: tuple[int, ...]) -> tuple[Any, ...]:
    """``out_selection`` over the output with the dropped axes put back (length one)."""
    ndim = len(out_selection) + len(drop_axes)
    if all(isinstance(s, slice) for s in out_selection):
        items = iter(out_selection)
        return tuple(slice(0, 1) if a in drop_axes else next(items) for a in range(ndim))
    flat = iter(np.asarray(s).reshape(-1) if not isinstance(s, slice) else s for s in out_selection)
    axes = [np.zeros(1, dtype=np.intp) if a in drop_axes else next(flat) for a in range(ndim)]
    if any(isinstance(s, slice) for s in axes):
        raise TypeError(f"cannot combine slices and arrays in out selection {out_selection!r}")
    return tuple(np.ix_(*axes))


def _covers(cs: tuple[Any, ...], shape: tuple[int, ...]) -> bool:
    """Whether a basic chunk selection is the whole chunk: zarr-python calls an edge chunk
    complete when the selection reaches the array's end, but the cells past the end are
    kept (they come back when the array grows), so a write must merge with them."""
    if len(cs) != len(shape):
        return False
    return all(
        isinstance(s, slice) and s.start in (0, None) and s.stop == n and s.step in (1, None)
        for s, n in zip(cs, shape, strict=True)
    )


def projection(
    chunk_selection: Any,
    out_selection: Any,
    is_complete: bool,
    drop_axes: tuple[int, ...],
    shape: tuple[int, ...],
) -> ChunkProjection:
    """The engine's projection for one chunk (of ``shape``) of zarr-python's batch."""
    cs, os_ = _tuple(chunk_selection), _tuple(out_selection)
    coords = (0,) * len(shape)
    fancy = any(isinstance(s, np.ndarray) for s in cs) or any(
        isinstance(s, np.ndarray) for s in os_
    )
    if drop_axes:
        os_ = _restore_axes(os_, drop_axes)
    if fancy:
        return FancyProjection(coords, cs, os_, False)
    return ChunkProjection(coords, cs, os_, bool(is_complete) and _covers(cs, shape))


def extent(out_selections: list[tuple[Any, ...]], ndim: int) -> tuple[int, ...]:
    """The shape of the selection whose chunks' out selections are ``out_selections``: the
    value of a write broadcast to it is what the engine takes."""
    ext = [0] * ndim
    for sel in out_selections:
        for axis, s in enumerate(sel[:ndim]):
            if isinstance(s, slice):
                stop = int(s.stop)
            elif isinstance(s, np.ndarray):
                stop = int(s.max()) + 1 if s.size else 0
            else:
                stop = int(s) + 1
            ext[axis] = max(ext[axis], stop)
    return tuple(ext)


def with_axes(array: np.ndarray, drop_axes: tuple[int, ...]) -> np.ndarray:
    """A view of ``array`` with the dropped axes put back (length one)."""
    return np.expand_dims(array, drop_axes) if drop_axes else array
