"""Selection items as numpy reads them: integers, slices, Ellipsis, integer and boolean arrays.

Shared by the orthogonal, vectorized and block indexers: parsing one item, numpy's error
messages, bounds checks on integer arrays, the stable grouping of positions by chunk, and
the classification of a plain ``a[...]`` selection the way zarr-python 3.1.6 dispatches it.

Example:
    >>> index_array([3, -1]).tolist(), index_array(np.array([True, False])).dtype.kind
    ([3, -1], 'b')
    >>> positions(np.array([3, -1]), dim_len=5, axis=0).tolist()
    [3, 4]
    >>> classify((slice(None), [0, 2]), ndim=2), classify(([0, 1], [1, 2]), ndim=2)
    ('orthogonal', 'vectorized')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from simplezarr.errors import BoundsCheckError, SelectionError, SelectionValueError
from simplezarr.indexing.axes import Axis
from simplezarr.indexing.basic import as_index

#: numpy's message for an item that is no index at all (a float, a string, a list of those).
INVALID_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
    "boolean arrays are valid indices"
)
#: numpy's message for an array of the wrong data type.
NOT_INTEGER_ARRAY = "arrays used as indices must be of integer (or boolean) type"

Kind = Literal["basic", "orthogonal", "vectorized"]


def as_tuple(selection: Any) -> tuple[Any, ...]:
    """The selection as a tuple of items (a lone item becomes a 1-tuple).

    Example:
        >>> as_tuple(3), as_tuple((1, 2))
        ((3,), (1, 2))
    """
    return selection if isinstance(selection, tuple) else (selection,)


def is_bool_scalar(item: Any) -> bool:
    """True for Python and numpy booleans, and 0-d boolean arrays.

    Example:
        >>> is_bool_scalar(True), is_bool_scalar(np.bool_(False)), is_bool_scalar(1)
        (True, True, False)
    """
    if isinstance(item, bool | np.bool_):
        return True
    return isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype == bool


def index_array(item: Any) -> np.ndarray | None:
    """``item`` as an integer or boolean ndarray when it is array-like (ndarray, list, tuple,
    range, or an object with ``__array__`` such as a Zarr array), else None.

    An empty list is an empty integer index, as in numpy. Other data types raise
    :class:`SelectionError` with numpy's message; a ragged list raises ``ValueError``, as
    numpy does.

    Example:
        >>> index_array([]).dtype == np.intp, index_array(5), index_array(range(2)).tolist()
        (True, None, [0, 1])
    """
    if isinstance(item, np.ndarray):
        arr = item
    elif isinstance(item, list | tuple | range):
        arr = list_array(item)
        if arr.size == 0 and arr.dtype.kind == "f":
            return arr.astype(np.intp)
        if arr.dtype.kind not in "biu":
            raise SelectionError(INVALID_INDEX)
        return arr
    elif hasattr(item, "__array__") and hasattr(item, "shape") and not isinstance(item, np.generic):
        arr = np.asarray(item)
    else:
        return None
    if arr.dtype.kind not in "biu":
        raise SelectionError(NOT_INTEGER_ARRAY)
    return arr


def list_array(item: list[Any] | tuple[Any, ...] | range) -> np.ndarray:
    """A list (or tuple, or range) as numpy converts it for indexing; a ragged one raises
    numpy's ``ValueError``.

    Example:
        >>> list_array([[0, 1], [1, 0]]).shape
        (2, 2)
    """
    if isinstance(item, range):
        return np.arange(item.start, item.stop, item.step)
    try:
        return np.asarray(item)
    except ValueError as e:  # ragged nested lists
        raise SelectionValueError(str(e)) from None


def positions(arr: np.ndarray, dim_len: int, axis: int) -> np.ndarray:
    """Integer indices along one axis, bounds-checked and made non-negative ``intp``. An
    ``intp`` array without negative indices comes back as it is (not copied: the selection
    costs no memory of its own); otherwise a copy is converted and fixed up. The caller's
    array is never changed.

    Example:
        >>> positions(np.array([0, -2]), 4, axis=1).tolist()
        [0, 2]
        >>> positions(np.array([4]), 4, axis=1)
        Traceback (most recent call last):
        ...
        simplezarr.errors.BoundsCheckError: index 4 is out of bounds for axis 1 with size 4
    """
    if arr.size == 0:
        return arr.astype(np.intp)
    low, high = arr.min(), arr.max()  # two passes, no temporaries
    if high >= dim_len or (arr.dtype.kind == "i" and low < -dim_len):
        if arr.dtype.kind == "u":
            bad = arr >= dim_len
        else:
            bad = (arr < -dim_len) | (arr >= dim_len)
        value = arr[bad].flat[0]
        raise BoundsCheckError(
            f"index {int(value)} is out of bounds for axis {axis} with size {dim_len}"
        )
    if arr.dtype == np.intp and low >= 0:
        return arr
    out = arr.astype(np.intp)  # narrow types would overflow in chunk arithmetic
    if low < 0:
        out[out < 0] += dim_len
    return out


def check_mask(mask: np.ndarray, shape: tuple[int, ...], first_axis: int) -> None:
    """A boolean index must match the axes it covers exactly (numpy's message otherwise),
    except that numpy lets an axis of length 0 of the mask stand for any axis (the mask
    selects nothing then).

    Example:
        >>> try:
        ...     check_mask(np.ones(3, bool), (4,), first_axis=0)
        ... except IndexError as e:
        ...     for part in str(e).split("; "):
        ...         print(part)
        boolean index did not match indexed array along axis 0
        size of axis is 4 but size of corresponding boolean axis is 3
    """
    for i, (m, n) in enumerate(zip(mask.shape, shape, strict=True)):
        if m != n and m != 0:  # numpy lets an empty boolean axis pass
            raise SelectionError(
                f"boolean index did not match indexed array along axis {first_axis + i}; "
                f"size of axis is {n} but size of corresponding boolean axis is {m}"
            )


def narrow_dtype(limit: int) -> np.dtype:
    """The narrowest integer type holding ``0 .. limit - 1`` (unsigned up to 16 bits, then
    signed): positions inside a chunk, chunk numbers and output positions are stored in it,
    so grouping a selection by chunk costs a few bytes per point, not 8 per axis.

    Example:
        >>> [str(narrow_dtype(n)) for n in (200, 4096, 70_000, 2**40)]
        ['uint8', 'uint16', 'int32', 'int64']
    """
    if limit <= 1 << 8:
        return np.dtype(np.uint8)
    if limit <= 1 << 16:
        return np.dtype(np.uint16)
    if limit <= 1 << 31:
        return np.dtype(np.int32)
    return np.dtype(np.intp)


def chunk_numbers(
    flat: list[np.ndarray], chunk_lens: Sequence[Axis], grid: list[int]
) -> np.ndarray:
    """Each point's chunk, raveled in C order over ``grid`` (the chunk grid of the axes
    ``flat`` index), in the narrowest type that holds it; built in place with one scratch
    array, never an 8-byte array per axis. ``prod(grid)`` must fit in an int64. An axis of
    explicit edges (:class:`~simplezarr.indexing.axes.EdgeAxis`) is looked up by bisection.

    Example:
        >>> chunk_numbers([np.array([0, 5]), np.array([3, 0])], [2, 2], [3, 2]).tolist()
        [1, 4]
    """
    n = flat[0].shape[0]
    dtype = narrow_dtype(math.prod(grid))
    keys = np.empty(n, dtype)
    _chunk_ids(flat[0], chunk_lens[0], keys)
    scratch = np.empty(n, dtype) if len(flat) > 1 else None
    for f, cl, g in zip(flat[1:], chunk_lens[1:], grid[1:], strict=True):
        _chunk_ids(f, cl, scratch)
        keys *= dtype.type(g)
        keys += scratch
    return keys


def _chunk_ids(positions: np.ndarray, axis: Axis, out: Any) -> None:
    if isinstance(axis, int):
        np.floor_divide(positions, axis, out=out, casting="unsafe")
    else:
        out[...] = axis.chunks_of(positions)


def local_positions(values: np.ndarray, offset: int, chunk_len: int) -> np.ndarray:
    """``values - offset`` (positions inside one chunk) in the narrowest type for the chunk.

    Example:
        >>> local_positions(np.array([5, 4]), 4, 4).tolist()
        [1, 0]
    """
    out = np.empty(values.shape, narrow_dtype(chunk_len))
    return np.subtract(values, offset, out=out, casting="unsafe")


def sort_order(keys: np.ndarray) -> np.ndarray | None:
    """A stable order sorting ``keys``, or None when they are sorted already (the common case
    of ordered selections costs one comparison pass, no sort).

    Example:
        >>> sort_order(np.array([1, 1, 2])) is None, sort_order(np.array([2, 0, 2])).tolist()
        (True, [1, 0, 2])
    """
    if keys.size > 1 and bool(np.any(keys[1:] < keys[:-1])):
        return np.argsort(keys, kind="stable")
    return None


def group_bounds(sorted_keys: np.ndarray) -> np.ndarray:
    """Boundaries of the runs of equal values in sorted keys: run ``i`` is
    ``bounds[i]:bounds[i + 1]``.

    Example:
        >>> group_bounds(np.array([0, 0, 3, 5, 5])).tolist()
        [0, 2, 3, 5]
    """
    n = sorted_keys.shape[0]
    if n == 0:
        return np.zeros(1, dtype=np.intp)
    starts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    return np.concatenate(([0], starts, [n])).astype(np.intp)


def progression(values: np.ndarray) -> slice | None:
    """The slice selecting exactly ``values`` (a non-empty 1-d integer array) when they form
    an arithmetic progression with a non-zero step, else None. Selections that are slices in
    disguise then take the engine's basic paths (byte windows, whole-chunk copies).

    Example:
        >>> progression(np.array([2, 4, 6])), progression(np.array([3, 2, 1, 0]))
        (slice(2, 7, 2), slice(3, None, -1))
        >>> progression(np.array([1, 1])) is None
        True
    """
    first = int(values[0])
    if values.shape[0] == 1:
        return slice(first, first + 1, 1)
    step = int(values[1]) - first
    if step == 0:
        return None
    if values.shape[0] > 2:
        if step < 0 and values.dtype.kind == "u":  # no wrapping in the differences
            values = values.astype(np.intp)
        if not bool(np.all(np.diff(values) == step)):
            return None
    stop = first + (values.shape[0] - 1) * step + (1 if step > 0 else -1)
    return slice(first, stop if stop >= 0 else None, step)


# -- how a plain a[...] is dispatched (zarr-python 3.1.6's rules) ---------------------------


def _list_as_array(item: list[Any] | range) -> np.ndarray | None:
    """A list or range as a 1-d integer or boolean array, converted once with numpy (never
    element by element); None when it is none (empty, ragged, nested, mixed with
    non-integers)."""
    if len(item) == 0:
        return None
    if isinstance(item, range):
        return np.arange(item.start, item.stop, item.step)
    try:
        arr = np.asarray(item)
    except ValueError:  # ragged: left for index_array to raise numpy's error
        return None
    if arr.ndim != 1 or arr.dtype.kind not in "biu":
        return None
    return arr


def _list_kind(item: list[Any] | range) -> str:
    """``"b"`` for a list of booleans, ``"i"`` for one of integers, ``""`` otherwise."""
    arr = _list_as_array(item)
    return "" if arr is None else "b" if arr.dtype.kind == "b" else "i"


def _int_iterable(item: Any, one_dim: bool) -> bool:
    """A non-empty list of integers or of booleans, or an integer or boolean ndarray."""
    if isinstance(item, list | range):
        return _list_kind(item) != ""
    if isinstance(item, np.ndarray) and item.ndim > 0 and item.dtype.kind in "biu":
        return item.ndim == 1 or not one_dim
    return False


def _int_only_iterable(item: Any) -> bool:
    if isinstance(item, list | range):
        return _list_kind(item) == "i"
    return isinstance(item, np.ndarray) and item.ndim > 0 and item.dtype.kind in "iu"


def lists_to_arrays(selection: Any) -> Any:
    """The selection with its lists and ranges of integers or booleans (the top-level one
    too) converted to ndarrays once, so classifying and indexing never walk them again.
    Lists numpy would reject (ragged, mixed with slices, floats) and empty ones stay lists,
    for the indexers to raise numpy's errors or give numpy's meaning.

    Example:
        >>> lists_to_arrays(([0, 1], slice(None), [1.5]))
        (array([0, 1]), slice(None, None, None), [1.5])
    """

    def convert(item: Any) -> Any:
        if isinstance(item, list | range):
            arr = _list_as_array(item)
            return item if arr is None else arr
        return item

    if isinstance(selection, tuple):
        return tuple(convert(s) for s in selection)
    return convert(selection)


def is_pure_fancy(selection: Any, ndim: int) -> bool:
    """zarr-python's "pure fancy" selection, served by ``vindex``: a boolean array, an
    integer array or list on a 1-d array, or one integer or integer array per dimension with
    at least one array.

    Example:
        >>> is_pure_fancy(([0, 1], 2), ndim=2), is_pure_fancy(([0, 1], slice(None)), ndim=2)
        (True, False)
    """
    if isinstance(selection, np.ndarray) and selection.dtype == bool:
        return True
    if ndim == 1 and (
        _int_only_iterable(selection)
        or (isinstance(selection, list | range) and _int_iterable(selection, one_dim=False))
    ):
        return True
    if not isinstance(selection, tuple) or len(selection) != ndim:
        return False
    if not all(as_index(s) is not None or _int_only_iterable(s) for s in selection):
        return False
    return any(_int_only_iterable(s) for s in selection)


def is_pure_orthogonal(selection: Any, ndim: int) -> bool:
    """zarr-python's "pure orthogonal" selection, served by ``oindex``: one integer or boolean
    1-d array (or list) per dimension, or at most one such array among integers and slices.

    Unlike zarr-python, arrays of more than one dimension are not orthogonal here (zarr-python
    would fail on them; they get numpy's vectorized meaning instead).

    Example:
        >>> is_pure_orthogonal(([True, False], [0, 2]), ndim=2)
        True
        >>> is_pure_orthogonal((0, [1, 2], [0, 1]), ndim=3)
        False
    """
    if not ndim:
        return False
    items = as_tuple(selection)
    if len(items) == ndim and all(_int_iterable(s, one_dim=True) for s in items):
        return True
    if len(items) > ndim:
        return False
    arrays = sum(_int_iterable(s, one_dim=True) for s in items)
    return arrays <= 1 and all(
        _int_iterable(s, one_dim=True) or isinstance(s, slice) or as_index(s) is not None
        for s in items
    )


def is_basic(selection: Any) -> bool:
    """Only integers, slices and Ellipsis (None is left to the basic indexer to reject).

    Example:
        >>> is_basic((1, slice(None), ...)), is_basic(([1],))
        (True, False)
    """
    return all(
        s is Ellipsis or s is None or isinstance(s, slice) or as_index(s) is not None
        for s in as_tuple(selection)
    )


def classify(selection: Any, ndim: int) -> Kind:
    """Which indexer serves ``a[selection]``: zarr-python 3.1.6's dispatch (pure fancy →
    vectorized, pure orthogonal → orthogonal, else basic), except that what zarr-python
    would reject as basic gets numpy's (vectorized) meaning.

    Example:
        >>> classify((1, slice(2, 4)), 2), classify(([0, 1],), 1), classify(([0, 1], 2), 2)
        ('basic', 'vectorized', 'vectorized')
        >>> classify((slice(None), [0, 1], [1, 2]), 3)
        'vectorized'
    """
    if is_pure_fancy(selection, ndim):
        return "vectorized"
    if is_pure_orthogonal(selection, ndim):
        return "basic" if is_basic(selection) else "orthogonal"
    if is_basic(selection):
        return "basic"
    return "vectorized"
