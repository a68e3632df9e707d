"""Casting arrays between byte orders, around numpy's one blind spot.

numpy converts datetimes and timedeltas of the *generic* unit (``M8``, ``m8[3generic]``)
between byte orders without swapping the bytes: ``x.astype("<M8")`` of a ``>M8`` array keeps
the big-endian bytes and reads them as little-endian counts. :func:`astype` casts through
int64 views there, and is ``ndarray.astype`` everywhere else.

Example:
    >>> import numpy as np
    >>> big = np.array([1, 2], ">i8").view(">M8")
    >>> astype(big, np.dtype("<M8")).view("<i8").tolist()
    [1, 2]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["astype"]


def _generic_time(dtype: np.dtype) -> bool:
    return dtype.kind in "mM" and np.datetime_data(dtype)[0] == "generic"


def astype(array: np.ndarray, dtype: np.dtype, order: Any = "K", copy: bool = True) -> np.ndarray:
    """``array.astype(dtype, order=order, copy=copy)``, swapping bytes where numpy does not."""
    src = array.dtype
    if (
        src != dtype
        and _generic_time(src)
        and _generic_time(dtype)
        and src.kind == dtype.kind
        and np.datetime_data(src) == np.datetime_data(dtype)
    ):
        counts = array.view(np.dtype("i8").newbyteorder(src.byteorder))
        swapped = counts.astype(np.dtype("i8").newbyteorder(dtype.byteorder), order=order)
        return swapped.view(dtype)
    return array.astype(dtype, order=order, copy=copy)
