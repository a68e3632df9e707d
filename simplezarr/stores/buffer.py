"""Buffer: the bytes a dict store holds, which also answer zarr-python's ``Buffer`` calls.

zarr-python keeps ``Buffer`` objects in the dict a user passes as ``store={}``, and code
written for it reads them back with ``d["zarr.json"].to_bytes()``; zarr-python itself reads a
value with ``value[start:stop]`` and ``as_numpy_array()``. A :class:`Buffer` is a ``bytes``
that does all of that, so a dict written by simplezarr is read by zarr-python and by code
that treats its values as plain bytes alike.

Example:
    >>> b = Buffer(b"0123")
    >>> b.to_bytes(), b == b"0123", type(b[1:3]).__name__, b.as_numpy_array().tolist()
    (b'0123', True, 'Buffer', [48, 49, 50, 51])
"""

from __future__ import annotations

from typing import Any, SupportsIndex, overload

import numpy as np

from simplezarr.stores.byte_ranges import to_bytes

__all__ = ["Buffer", "value_bytes"]


class Buffer(bytes):
    """Immutable bytes with zarr-python's ``Buffer`` reading methods (host memory only);
    shown, compared and hashed as the ``bytes`` it is.

    Example:
        >>> Buffer.from_bytes(bytearray(b"ab")) + Buffer(b"c")
        b'abc'
        >>> len(Buffer(b"xyz")[-2:])
        2
    """

    __slots__ = ()

    @classmethod
    def from_bytes(cls, bytes_like: Any) -> Buffer:
        """A Buffer holding a copy of ``bytes_like`` (as zarr-python's ``Buffer.from_bytes``)."""
        return cls(bytes_like)

    def to_bytes(self) -> bytes:
        """The value as plain ``bytes``."""
        return bytes(self)

    def as_numpy_array(self) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """The bytes as a read-only 1-d ``uint8`` array, without copying."""
        return np.frombuffer(self, dtype=np.uint8)

    as_array_like = as_numpy_array

    def as_buffer_like(self) -> memoryview:
        """A ``memoryview`` of the bytes, without copying."""
        return memoryview(self)

    @overload
    def __getitem__(self, key: SupportsIndex) -> int: ...
    @overload
    def __getitem__(self, key: slice) -> Buffer: ...
    def __getitem__(self, key: SupportsIndex | slice) -> int | Buffer:
        # A slice stays a Buffer: zarr-python slices a stored value and then reads it.
        item = super().__getitem__(key)
        return Buffer(item) if isinstance(item, bytes) else item


def value_bytes(value: Any, key: str) -> bytes:
    """The bytes of a value found in a caller's dict: ``bytes`` (a :class:`Buffer`
    included) as they are, zarr-python's ``Buffer`` objects through their numpy view, any
    other bytes-like object copied.

    Example:
        >>> value_bytes(Buffer(b"a"), "k"), value_bytes(bytearray(b"b"), "k")
        (b'a', b'b')
    """
    if isinstance(value, bytes):
        return value
    if hasattr(value, "as_numpy_array") and not isinstance(value, np.ndarray):
        value = value.as_numpy_array()  # zarr-python's Buffer
    return to_bytes(value, key)
