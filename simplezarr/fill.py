"""Whether a chunk holds nothing but the fill value: the test behind "all-fill chunks are
not stored".

Used by the engine (a chunk equal to the fill value is deleted instead of written, unless
``write_empty_chunks``) and by the sharding codec (such inner chunks are left out of a
shard), so it lives below both.

Example:
    >>> import numpy as np
    >>> is_all_fill(np.zeros(4), 0.0), is_all_fill(np.array([np.nan, np.nan]), np.nan)
    (True, True)
    >>> is_all_fill(np.array([0, 1], dtype="i2"), 0)
    False
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["is_all_fill"]


def is_all_fill(chunk: np.ndarray, fill_value: Any) -> bool:
    """True when every element equals the fill value (NaN and NaT count as equal to
    themselves)."""
    if chunk.size == 0:
        return True
    kind = chunk.dtype.kind
    if kind in "fc":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if np.isnan(fill).any():
            return bool(np.array_equal(chunk, np.broadcast_to(fill, chunk.shape), equal_nan=True))
    elif kind in "mM":  # NaT != NaT: compare the integer representation
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return bool(np.all(chunk.view(np.int64) == fill.view(np.int64)))
    elif kind == "V":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return np.ascontiguousarray(chunk).tobytes() == fill.tobytes() * chunk.size
    if kind in "biufc":
        # Most chunks that are not all fill differ at their first element: answer without
        # a pass over the chunk. A zero fill of integers needs no temporary array.
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if chunk[(0,) * chunk.ndim] != fill:
            return False
        if kind in "biu" and not fill:
            return not chunk.any()
        if kind in "fc":
            if not np.all(chunk == fill):
                return False
            # -0.0 == 0.0, yet a chunk of -0.0 is not the fill 0.0 (nor the reverse):
            # dropping it would read back the other zero (zarr-python issue 3144).
            if kind == "f":
                return bool(np.all(np.signbit(chunk) == np.signbit(fill)))
            return bool(
                np.all(np.signbit(chunk.real) == np.signbit(fill.real))
                and np.all(np.signbit(chunk.imag) == np.signbit(fill.imag))
            )
    try:
        return bool(np.all(chunk == fill_value))
    except (TypeError, ValueError):  # objects that do not compare element-wise
        return all(x == fill_value for x in chunk.ravel())
