"""Whether a chunk holds nothing but the fill value: the test behind "all-fill chunks are
not stored".

Used by the engine (a chunk equal to the fill value is deleted instead of written, unless
``write_empty_chunks``) and by the sharding codec (such inner chunks are left out of a
shard), so it lives below both.

"Equal" must never lose a value a reader could tell apart, since a chunk that is not stored
reads back as the fill value: floats are compared bit for bit (``-0.0`` is not a ``0.0``
fill, as zarr-python compares zero fills), except that any NaN matches a NaN fill (as
zarr-python's ``equal_nan``); complex numbers by the same rule on each part; structured
items byte for byte; datetimes by their integers (NaT matches NaT).

Example:
    >>> import numpy as np
    >>> is_all_fill(np.zeros(4), 0.0), is_all_fill(np.array([np.nan, np.nan]), np.nan)
    (True, True)
    >>> is_all_fill(np.array([0, 1], dtype="i2"), 0), is_all_fill(np.array([-0.0]), 0.0)
    (False, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["is_all_fill"]


def is_all_fill(chunk: np.ndarray, fill_value: Any) -> bool:
    """True when every element equals the fill value, by the rules of the module docstring."""
    if chunk.size == 0:
        return True
    kind = chunk.dtype.kind
    if kind == "f":
        return _floats_are_fill(chunk, np.asarray(fill_value, dtype=chunk.dtype))
    if kind == "c":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return _floats_are_fill(chunk.real, fill.real) and _floats_are_fill(chunk.imag, fill.imag)
    if kind in "mM":  # NaT != NaT: compare the integer representation
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return bool(np.all(chunk.view(np.int64) == fill.view(np.int64)))
    if kind == "V":
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        return np.ascontiguousarray(chunk).tobytes() == fill.tobytes() * chunk.size
    if kind in "biu":
        # Most chunks that are not all fill differ at their first element: answer without
        # a pass over the chunk. A zero fill of integers needs no temporary array.
        fill = np.asarray(fill_value, dtype=chunk.dtype)
        if chunk[(0,) * chunk.ndim] != fill:
            return False
        if not fill:
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


_BITS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _floats_are_fill(chunk: np.ndarray, fill: np.ndarray) -> bool:
    """Floats: any NaN matches a NaN fill; otherwise the bits must be the fill's bits."""
    if np.isnan(fill):
        return bool(np.isnan(chunk).all())
    first = chunk[(0,) * chunk.ndim]
    if first != fill or np.signbit(first) != np.signbit(fill):
        return False
    bits = _BITS.get(chunk.dtype.itemsize)
    if bits is None:  # long double: its padding bytes are not part of the value
        return bool(np.all((chunk == fill) & (np.signbit(chunk) == np.signbit(fill))))
    pattern = fill.view(bits)
    as_bits = chunk.view(bits)
    if not pattern:  # +0.0, the usual fill: no temporary array
        return not as_bits.any()
    return bool(np.all(as_bits == pattern))
