"""Block selections: index the grid of stored objects instead of the elements.

``a.blocks[i, j]`` is the data of block ``(i, j)``; slices (step 1) select runs of blocks.
A block is a chunk, or a shard on a sharded array (as in zarr-python). Integers keep their
axis (a block is always a block, never a row). Indices follow numpy on the grid of blocks:
negative ones count from the end, an integer past the grid raises ``IndexError``, slices are
clipped (a slice past the grid is empty). The selection becomes a basic selection of
elements, projected as usual on the chunks (inner chunks when sharded).

Example:
    >>> idx = block_indexer((1, slice(-1, None)), shape=(10, 7), block_shape=(4, 4),
    ...                     chunk_shape=(2, 2))
    >>> idx.shape
    (4, 3)
"""

from __future__ import annotations

from typing import Any

from simplezarr.errors import BoundsCheckError, SelectionError
from simplezarr.indexing.axes import Axis, n_chunks
from simplezarr.indexing.basic import (
    NEWAXIS,
    BasicIndexer,
    as_index,
    expand_selection,
    slice_indices,
)


def _block_slice(item: Any, axis: int, dim_len: int, block_len: Axis) -> slice:
    nblocks = n_chunks(dim_len, block_len)
    if isinstance(item, slice):
        start, stop, step = slice_indices(item, nblocks)
        if step != 1:
            raise SelectionError(
                f"block selections take slices with step 1 only, got {item!r} for axis {axis}"
            )
        stop = max(start, stop)
    else:
        i = as_index(item)
        if i is None:
            if item is None:
                raise SelectionError(NEWAXIS)
            raise SelectionError(
                f"unsupported item {item!r} for axis {axis} of a block selection: use "
                "integers, slices with step 1 and Ellipsis"
            )
        if not -nblocks <= i < nblocks:
            raise BoundsCheckError(
                f"block index {i} is out of bounds for axis {axis} with {nblocks} blocks"
            )
        start = i + nblocks if i < 0 else i
        stop = start + 1
    if isinstance(block_len, int):
        return slice(start * block_len, min(stop * block_len, dim_len))
    # explicit edges: a block starts where the edges before it end
    return slice(
        block_len.start(start) if start < nblocks else dim_len,
        block_len.start(stop) if stop < nblocks else dim_len,
    )


def block_indexer(
    selection: Any,
    shape: tuple[int, ...],
    block_shape: tuple[Axis, ...],
    chunk_shape: tuple[Axis, ...],
) -> BasicIndexer:
    """The basic indexer reading the blocks ``selection`` picks from a grid of
    ``block_shape`` blocks, projected onto chunks of ``chunk_shape``.

    Example:
        >>> block_indexer(-1, shape=(10,), block_shape=(4,), chunk_shape=(4,)).shape
        (2,)
        >>> block_indexer(slice(5, 9), shape=(10,), block_shape=(4,), chunk_shape=(4,)).shape
        (0,)
    """
    items = expand_selection(selection, len(shape))
    region = tuple(
        _block_slice(item, axis, n, b)
        for axis, (item, n, b) in enumerate(zip(items, shape, block_shape, strict=True))
    )
    # A trailing Ellipsis: a block selection is always an array, even on a 0-d array.
    return BasicIndexer((*region, Ellipsis), shape, chunk_shape)
