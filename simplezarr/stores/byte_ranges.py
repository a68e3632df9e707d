"""Byte ranges and the buffers stores take: checked once, here.

Byte ranges (:data:`ByteRange`) are ``None`` for the whole value or ``(start, length)``:

- ``start >= 0`` and ``length`` an int ``>= 0``: ``length`` bytes from ``start``;
- ``start >= 0`` and ``length is None``: from ``start`` to the end;
- ``start < 0`` and ``length is None``: the last ``-start`` bytes (a suffix).

Ranges past the end are clipped like Python slicing. Any other form raises
:class:`~simplezarr.errors.SelectionError`.

Example:
    >>> slice_byte_range(b"0123456789", (2, 3)), slice_byte_range(b"0123456789", (-2, None))
    (b'234', b'89')
"""

from __future__ import annotations

import operator
from typing import Any, TypeAlias

from simplezarr.errors import SelectionError

__all__ = [
    "ByteRange",
    "BytesLike",
    "as_buffer",
    "as_int",
    "byte_range_bounds",
    "check_byte_range",
    "slice_byte_range",
    "to_bytes",
]

#: ``None`` (the whole value) or ``(start, length)``; see the module docstring.
ByteRange: TypeAlias = tuple[int, int | None] | None

#: Anything with the buffer protocol and C-contiguous memory: bytes, bytearray, memoryview,
#: numpy arrays, ...
BytesLike: TypeAlias = Any


def as_int(value: object) -> int | None:
    """``value`` as an int if it is an integer (numpy integers too, bools not), else None."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def check_byte_range(byte_range: object) -> ByteRange:
    """Return ``byte_range`` as a checked ``(start, length)`` tuple of ints, or None.

    Raises :class:`SelectionError` for anything that is not a :data:`ByteRange`.

    Example:
        >>> check_byte_range([4, None]), check_byte_range((-8, None))
        ((4, None), (-8, None))
    """
    if byte_range is None:
        return None
    if not isinstance(byte_range, tuple | list) or len(byte_range) != 2:
        raise SelectionError(f"byte range {byte_range!r} must be None or a (start, length) pair")
    start = as_int(byte_range[0])
    if start is None:
        raise SelectionError(f"byte range {byte_range!r}: start must be an int")
    if byte_range[1] is None:
        return (start, None)
    length = as_int(byte_range[1])
    if length is None:
        raise SelectionError(f"byte range {byte_range!r}: length must be an int or None")
    if length < 0:
        raise SelectionError(f"byte range {byte_range!r}: length must be >= 0 or None")
    if start < 0:
        raise SelectionError(
            f"byte range {byte_range!r}: a suffix range (negative start) takes no length; "
            f"use ({start}, None)"
        )
    return (start, length)


def slice_byte_range(data: bytes, byte_range: ByteRange) -> bytes:
    """The part of ``data`` a *checked* byte range selects, clipped like slicing.

    Example:
        >>> slice_byte_range(b"abcdef", (4, 10)), slice_byte_range(b"abcdef", (-10, None))
        (b'ef', b'abcdef')
    """
    if byte_range is None:
        return data
    start, length = byte_range
    if length is None:
        return data[start:]
    return data[start : start + length]


def byte_range_bounds(size: int, byte_range: ByteRange) -> tuple[int, int]:
    """The ``(start, stop)`` offsets a *checked* byte range selects in a value of ``size``
    bytes, clipped like slicing (a suffix longer than the value starts at 0).

    Example:
        >>> byte_range_bounds(6, (4, 10)), byte_range_bounds(6, (-2, None)), byte_range_bounds(6, None)
        ((4, 6), (4, 6), (0, 6))
    """
    if byte_range is None:
        return 0, size
    start, length = byte_range
    start = max(size + start, 0) if start < 0 else min(start, size)
    return start, size if length is None else min(start + length, size)


def as_buffer(value: BytesLike, key: str) -> memoryview | bytes:
    """``value`` as a flat, C-contiguous byte buffer, without copying.

    Example:
        >>> import numpy as np
        >>> bytes(as_buffer(np.array([1, 2], dtype="<u2"), "k"))
        b'\\x01\\x00\\x02\\x00'
    """
    if type(value) is bytes:
        return value
    try:
        view = memoryview(value)
    except TypeError as e:
        raise TypeError(
            f"the value for key {key!r} must be bytes-like (bytes, bytearray, memoryview, "
            f"a numpy array), not {type(value).__name__}"
        ) from e
    if not view.c_contiguous:
        raise TypeError(
            f"the value for key {key!r} is not C-contiguous; "
            "pass numpy.ascontiguousarray(value) or bytes"
        )
    return view.cast("B") if view.ndim != 1 or view.format != "B" else view


def to_bytes(value: BytesLike, key: str) -> bytes:
    """The bytes of a bytes-like ``value`` (a copy unless it already is ``bytes``).

    Example:
        >>> import numpy as np
        >>> to_bytes(np.array([1, 2], dtype="<u2"), "k")
        b'\\x01\\x00\\x02\\x00'
    """
    buffer = as_buffer(value, key)
    return buffer if type(buffer) is bytes else bytes(buffer)
