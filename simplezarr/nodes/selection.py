"""The selection API of an array: ``oindex``, ``vindex``, ``blocks`` and zarr-python's named
``get_*_selection`` / ``set_*_selection`` methods.

:class:`SelectionMethods` is a mixin: :class:`~simplezarr.nodes.ZarrArray` inherits it and
provides ``_io`` (the array bound to its store) and ``_config``. Every method builds an
indexer (:mod:`simplezarr.indexing`) over the grid of stored objects and hands it to the
engine; nothing else happens here.

Example:
    >>> import numpy as np
    >>> from simplezarr import MemoryStore, ZarrArray
    >>> a = ZarrArray.create(MemoryStore(), shape=(4, 5), dtype="i4", chunks=(2, 2))
    >>> a[...] = np.arange(20).reshape(4, 5)
    >>> a.oindex[[3, 0], [4, 1]].tolist(), a.vindex[[3, 0], [4, 1]].tolist()
    ([[19, 16], [4, 1]], [19, 1])
    >>> a.blocks[1, 2].tolist()
    [[14], [19]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simplezarr import engine
from simplezarr.errors import InvalidArgument, SelectionError
from simplezarr.indexing import (
    BasicIndexer,
    Indexer,
    as_index,
    block_indexer,
    orthogonal_indexer,
    too_many,
    vectorized_indexer,
)
from simplezarr.indexing.axes import Axis
from simplezarr.indexing.items import as_tuple, check_mask, index_array


def _coordinate_items(selection: Any, ndim: int) -> tuple[Any, ...]:
    items = as_tuple(selection)
    if len(items) != ndim:
        if len(items) > ndim:
            raise too_many(ndim, len(items))
        raise SelectionError(
            f"a coordinate selection has one integer array per dimension: the array is "
            f"{ndim}-dimensional, but {len(items)} were given"
        )
    for axis, item in enumerate(items):
        if as_index(item) is not None:
            continue
        arr = index_array(item)
        if arr is None or arr.dtype == bool:
            raise SelectionError(
                f"a coordinate selection takes integers or integer arrays, got "
                f"{type(item).__name__} for axis {axis}; use vindex for masks and slices"
            )
    return items


def _mask_item(mask: Any, shape: tuple[int, ...]) -> np.ndarray:
    items = as_tuple(mask)
    arr = index_array(items[0]) if len(items) == 1 else None
    if arr is None or arr.dtype != bool:
        raise SelectionError(
            f"a mask selection is one boolean array of the array's shape {shape}, got "
            f"{type(mask).__name__}"
        )
    if arr.ndim > len(shape):
        raise too_many(len(shape), arr.ndim)
    if arr.ndim < len(shape):
        raise SelectionError(
            f"a mask selection covers every axis: the mask has shape {arr.shape}, the array "
            f"{shape}; use vindex to mask the first axes only"
        )
    check_mask(arr, shape, 0)
    return arr


class SelectionMethods:
    """The selection API of :class:`~simplezarr.nodes.ZarrArray` (a mixin).

    ``get_*`` methods accept ``out=``: a numpy array of the selection's shape and the
    array's dtype, filled in place and returned. ``set_*`` methods broadcast ``value`` to the
    selection's shape, as numpy does.

    Example:
        >>> from simplezarr import MemoryStore, ZarrArray
        >>> a = ZarrArray.create(MemoryStore(), shape=(6,), dtype="i2", chunks=(4,))
        >>> a.set_coordinate_selection([5, 0], [7, 8])
        >>> a.get_basic_selection(slice(None)).tolist()
        [8, 0, 0, 0, 0, 7]
    """

    _io: engine.ArrayIO
    _config: dict[str, Any]

    # -- plumbing ------------------------------------------------------------------

    def _grids(self) -> tuple[tuple[int, ...], tuple[Axis, ...]]:
        return self._io.metadata.shape, self._io.grid.axes

    def _read(self, indexer: Indexer, out: Any) -> Any:
        """Read into a new array (a numpy scalar when the selection is all integers), or
        into ``out``, which is then returned whatever the selection."""
        dtype = self._io.dtype
        if out is None:
            out = np.empty(indexer.shape, dtype=dtype, order=self._config.get("order", "C"))
            return engine.read(self._io, indexer, out)
        if not isinstance(out, np.ndarray):
            raise InvalidArgument(f"out must be a numpy array, got {type(out).__name__}")
        elif out.shape != tuple(indexer.shape) or out.dtype != dtype:
            raise InvalidArgument(
                f"out has shape {out.shape} and dtype {out.dtype}; the selection needs shape "
                f"{tuple(indexer.shape)} and dtype {dtype}"
            )
        elif not out.flags.writeable:
            raise InvalidArgument("out is read-only")
        engine.read(self._io, indexer, out)
        return out

    def _write(self, indexer: Indexer, value: Any) -> None:
        engine.write(self._io, indexer, value)

    # -- basic ---------------------------------------------------------------------

    def get_basic_selection(
        self, selection: Any = Ellipsis, *, out: np.ndarray | None = None
    ) -> Any:
        """Integers, slices (any step) and Ellipsis, as numpy's basic indexing.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i2", chunks=(2,))
            >>> a[:] = range(5)
            >>> a.get_basic_selection(slice(None, None, -2)).tolist()
            [4, 2, 0]
        """
        return self._read(BasicIndexer(selection, *self._grids()), out)

    def set_basic_selection(self, selection: Any, value: Any) -> None:
        """Write ``value`` (broadcast) into a basic selection.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i2", chunks=(2,))
            >>> a.set_basic_selection(slice(1, 3), 9)
            >>> a[:].tolist()
            [0, 9, 9, 0, 0]
        """
        self._write(BasicIndexer(selection, *self._grids()), value)

    # -- orthogonal ----------------------------------------------------------------

    def get_orthogonal_selection(self, selection: Any, *, out: np.ndarray | None = None) -> Any:
        """Each axis indexed on its own (integers, slices, 1-d integer or boolean arrays),
        as ``numpy.ix_``; integer axes are dropped.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a[...] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
            >>> a.get_orthogonal_selection(([2, 0], [True, False, True])).tolist()
            [[6, 8], [0, 2]]
        """
        return self._read(orthogonal_indexer(selection, *self._grids()), out)

    def set_orthogonal_selection(self, selection: Any, value: Any) -> None:
        """Write ``value`` (broadcast to the selection's shape) into an orthogonal selection.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a.set_orthogonal_selection(([0, 2], [0, 2]), [[1, 2], [3, 4]])
            >>> a[...].tolist()
            [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
        """
        self._write(orthogonal_indexer(selection, *self._grids()), value)

    @property
    def oindex(self) -> OIndex:
        """Orthogonal indexing: ``a.oindex[rows, cols]`` is ``a[np.ix_(rows, cols)]``.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a.oindex[[0, 1], 1:] = 5
            >>> a.oindex[[1, 0], [2]].tolist()
            [[5], [5]]
        """
        return OIndex(self)

    # -- coordinates and masks -----------------------------------------------------

    def get_coordinate_selection(self, selection: Any, *, out: np.ndarray | None = None) -> Any:
        """Points: one integer (array) per axis, broadcast together; the result has the
        broadcast shape (numpy's ``a[ix0, ix1]``).

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a[...] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
            >>> a.get_coordinate_selection(([2, 0], [1, 2])).tolist()
            [7, 2]
        """
        items = _coordinate_items(selection, len(self._io.metadata.shape))
        return self._read(vectorized_indexer(items, *self._grids()), out)

    def set_coordinate_selection(self, selection: Any, value: Any) -> None:
        """Write ``value`` (broadcast to the points' shape) at the given points.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(2, 2), dtype="i2", chunks=(1, 1))
            >>> a.set_coordinate_selection(([0, 1], [1, 0]), [3, 4])
            >>> a[...].tolist()
            [[0, 3], [4, 0]]
        """
        items = _coordinate_items(selection, len(self._io.metadata.shape))
        self._write(vectorized_indexer(items, *self._grids()), value)

    def get_mask_selection(self, mask: Any, *, out: np.ndarray | None = None) -> Any:
        """The elements where a boolean array of the array's shape is true, in C order.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(2, 2), dtype="i2", chunks=(1, 2))
            >>> a[...] = [[1, 2], [3, 4]]
            >>> a.get_mask_selection(np.array([[True, False], [False, True]])).tolist()
            [1, 4]
        """
        arr = _mask_item(mask, self._io.metadata.shape)
        return self._read(vectorized_indexer((arr,), *self._grids()), out)

    def set_mask_selection(self, mask: Any, value: Any) -> None:
        """Write ``value`` (a scalar, or one value per true element) where ``mask`` is true.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(2, 2), dtype="i2", chunks=(1, 2))
            >>> a.set_mask_selection(np.eye(2, dtype=bool), 7)
            >>> a[...].tolist()
            [[7, 0], [0, 7]]
        """
        arr = _mask_item(mask, self._io.metadata.shape)
        self._write(vectorized_indexer((arr,), *self._grids()), value)

    @property
    def vindex(self) -> VIndex:
        """Vectorized indexing with numpy's semantics for integer and boolean arrays: points
        (``a.vindex[ix0, ix1]``), masks (``a.vindex[mask]``), and arrays mixed with slices.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a.vindex[[0, 2], [2, 0]] = [1, 2]
            >>> a.vindex[a[...] > 0].tolist()
            [1, 2]
        """
        return VIndex(self)

    # -- blocks --------------------------------------------------------------------

    def _block_indexer(self, selection: Any) -> BasicIndexer:
        shape, stored = self._grids()
        return block_indexer(selection, shape, stored, stored)

    def get_block_selection(self, selection: Any, *, out: np.ndarray | None = None) -> Any:
        """Whole blocks (chunks, or shards when sharded) by their grid position; integers
        keep their axis, slices take step 1.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i2", chunks=(2,))
            >>> a[:] = range(5)
            >>> a.get_block_selection(-1).tolist(), a.get_block_selection(slice(0, 2)).tolist()
            ([4], [0, 1, 2, 3])
        """
        return self._read(self._block_indexer(selection), out)

    def set_block_selection(self, selection: Any, value: Any) -> None:
        """Write ``value`` (broadcast) into whole blocks.

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i2", chunks=(2,))
            >>> a.set_block_selection(1, [8, 9])
            >>> a[:].tolist()
            [0, 0, 8, 9, 0]
        """
        self._write(self._block_indexer(selection), value)

    @property
    def blocks(self) -> BlockIndex:
        """Block indexing: ``a.blocks[i, j]`` is block ``(i, j)`` of the chunk grid (the
        shard grid when sharded).

        Example:
            >>> from simplezarr import MemoryStore, ZarrArray
            >>> a = ZarrArray.create(MemoryStore(), shape=(4, 4), dtype="i2", chunks=(2, 2))
            >>> a.blocks[1, :] = 1
            >>> a.blocks[1, 0].shape
            (2, 2)
        """
        return BlockIndex(self)


class OIndex:
    """``a.oindex``: orthogonal reads and writes with ``[]``.

    Example:
        >>> from simplezarr import MemoryStore, ZarrArray
        >>> a = ZarrArray.create(MemoryStore(), shape=(2, 3), dtype="i2", chunks=(1, 2))
        >>> a.oindex[[1], [0, 2]] = [[4, 5]]
        >>> a.oindex[1, [2, 0]].tolist()
        [5, 4]
    """

    def __init__(self, array: SelectionMethods) -> None:
        self._array = array

    def __getitem__(self, selection: Any) -> Any:
        return self._array.get_orthogonal_selection(selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._array.set_orthogonal_selection(selection, value)

    def __repr__(self) -> str:
        return f"<OIndex of {self._array!r}>"


class VIndex:
    """``a.vindex``: vectorized (numpy advanced) reads and writes with ``[]``.

    Example:
        >>> from simplezarr import MemoryStore, ZarrArray
        >>> a = ZarrArray.create(MemoryStore(), shape=(2, 3), dtype="i2", chunks=(1, 2))
        >>> a.vindex[[0, 1], [2, 0]] = [4, 5]
        >>> a.vindex[[[1], [0]], [0, 2]].tolist()
        [[5, 0], [0, 4]]
    """

    def __init__(self, array: SelectionMethods) -> None:
        self._array = array

    def __getitem__(self, selection: Any) -> Any:
        a = self._array
        return a._read(vectorized_indexer(selection, *a._grids()), None)

    def __setitem__(self, selection: Any, value: Any) -> None:
        a = self._array
        a._write(vectorized_indexer(selection, *a._grids()), value)

    def __repr__(self) -> str:
        return f"<VIndex of {self._array!r}>"


class BlockIndex:
    """``a.blocks``: block reads and writes with ``[]``.

    Example:
        >>> from simplezarr import MemoryStore, ZarrArray
        >>> a = ZarrArray.create(MemoryStore(), shape=(5,), dtype="i2", chunks=(2,))
        >>> a.blocks[2] = 3
        >>> a.blocks[1:].tolist()
        [0, 0, 3]
    """

    def __init__(self, array: SelectionMethods) -> None:
        self._array = array

    def __getitem__(self, selection: Any) -> Any:
        return self._array.get_block_selection(selection)

    def __setitem__(self, selection: Any, value: Any) -> None:
        self._array.set_block_selection(selection, value)

    def __repr__(self) -> str:
        return f"<BlockIndex of {self._array!r}>"
