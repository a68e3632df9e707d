"""The lazy array xarray holds for each variable: selections become simplezarr reads.

xarray hands a :class:`SimplezarrBackendArray` one of three explicit keys; each goes to the
simplezarr selection that means the same thing, so only the chunks it touches are read:

- basic (integers and slices) -> :meth:`ZarrArray.get_basic_selection`
- outer (each axis on its own) -> :meth:`ZarrArray.get_orthogonal_selection`
- vectorized (numpy's pointwise advanced indexing) ->
  :meth:`ZarrArray.get_coordinate_selection`, slices first turned into ranges

Example:
    >>> import numpy as np
    >>> from xarray.core import indexing
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrArray
    >>> a = ZarrArray.create(MemoryStore(), shape=(3, 4), dtype="i2", chunks=(2, 2))
    >>> a[...] = np.arange(12).reshape(3, 4)
    >>> lazy = SimplezarrBackendArray(a)
    >>> lazy[indexing.OuterIndexer((np.array([0, 2]), slice(1, 3)))].tolist()
    [[1, 2], [9, 10]]
    >>> lazy[indexing.VectorizedIndexer((np.array([0, 2]), np.array([3, 0])))].tolist()
    [3, 8]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xarray.backends.common import BackendArray
from xarray.core import indexing

from simplezarr.api.asynchronous import run
from simplezarr.nodes import ZarrArray

__all__ = ["SimplezarrBackendArray", "arrayize"]


def arrayize(key: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """A vectorized key with only integer arrays: each slice becomes a range on an axis of
    its own after the broadcast axes of the arrays (numpy's, and xarray's, rule for a
    vectorized key), so the coordinate selection sees points only.

    Example:
        >>> [k.tolist() for k in arrayize((np.array([0, 1]), slice(0, 3, 2)), (2, 3))]
        [[[0], [1]], [[0, 2]]]
    """
    arrays = [k for k in key if isinstance(k, np.ndarray)]
    n_array_dims = arrays[0].ndim if arrays else 0
    n_slices = sum(isinstance(k, slice) for k in key)
    out: list[np.ndarray] = []
    i_slice = 0
    for k, size in zip(key, shape, strict=True):
        if isinstance(k, slice):
            where = (1,) * (n_array_dims + i_slice) + (-1,) + (1,) * (n_slices - i_slice - 1)
            out.append(np.arange(*k.indices(size)).reshape(where))
            i_slice += 1
        else:
            out.append(np.reshape(k, np.shape(k) + (1,) * n_slices))
    return tuple(out)


class SimplezarrBackendArray(BackendArray):
    """One Zarr array as xarray's lazily indexed backend array.

    ``shape`` and ``dtype`` are the array's; ``async_getitem`` runs the same read off the
    event loop (in simplezarr's async-edge pool), for ``Dataset.load_async``.
    """

    __slots__ = ("_array", "dtype", "shape")

    def __init__(self, array: ZarrArray) -> None:
        self._array = array  # not ``array``: xarray would take an ``array`` property as data
        self.shape = array.shape
        self.dtype = array.dtype

    def get_array(self) -> ZarrArray:
        """The simplezarr array read from."""
        return self._array

    def _basic(self, key: tuple[Any, ...]) -> Any:
        return self._array.get_basic_selection(key)

    def _outer(self, key: tuple[Any, ...]) -> Any:
        return self._array.get_orthogonal_selection(key)

    def _vectorized(self, key: tuple[Any, ...]) -> Any:
        if any(isinstance(k, slice) for k in key):
            key = arrayize(key, self.shape)
        return self._array.get_coordinate_selection(key)

    def _method(self, key: indexing.ExplicitIndexer) -> Any:
        if isinstance(key, indexing.VectorizedIndexer):
            return self._vectorized
        if isinstance(key, indexing.OuterIndexer):
            return self._outer
        return self._basic

    def _keep_string_dtype(self, value: Any) -> Any:
        # a scalar read of a StringDType array comes back as a Python str
        if self.dtype.kind == "T" and isinstance(value, str):
            return np.asarray(value, dtype=self.dtype)
        return value

    def __getitem__(self, key: indexing.ExplicitIndexer) -> Any:
        value = indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.VECTORIZED, self._method(key)
        )
        return self._keep_string_dtype(value)

    async def async_getitem(self, key: indexing.ExplicitIndexer) -> Any:
        return await run(self.__getitem__, key)

    def __repr__(self) -> str:
        return f"SimplezarrBackendArray({self._array!r})"
