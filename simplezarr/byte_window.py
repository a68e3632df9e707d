"""Where a chunk selection's elements lie in an uncompressed, C-ordered chunk.

A chunk stored with only the ``bytes`` codec is a C-ordered array of fixed-size items, so
the elements a selection needs lie in one byte window ``[lo, hi)`` and can be read as a
strided view of just those bytes: a plane through a 64³ chunk is one 8 KiB window instead
of the whole 512 KiB chunk. Compressors that decode as a stream (zstd, gzip) can likewise
stop once ``hi`` bytes are out.

Example:
    >>> import numpy as np
    >>> w = ByteWindow.of((1, slice(None), slice(0, 4, 2)), (4, 3, 4), np.dtype("<u2"))
    >>> w.lo, w.hi, w.shape
    (24, 46, (3, 2))
    >>> chunk = np.arange(48, dtype="<u2").reshape(4, 3, 4)
    >>> w.view(chunk.tobytes()[w.lo : w.hi]).tolist() == chunk[1, :, 0:4:2].tolist()
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ByteWindow:
    """The bytes ``[lo, hi)`` of a chunk holding a selection, and how to view them."""

    lo: int
    hi: int
    first: int  # byte offset of the selection's first element, relative to lo
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: np.dtype

    @classmethod
    def of(
        cls, selection: tuple[Any, ...], chunk_shape: tuple[int, ...], dtype: np.dtype
    ) -> ByteWindow:
        """The window of ``selection`` (ints and slices, one per dimension) in a C-ordered
        chunk of ``chunk_shape`` items of ``dtype``."""
        item = dtype.itemsize
        stride = item
        strides_c = []
        for n in reversed(chunk_shape):
            strides_c.append(stride)
            stride *= n
        strides_c.reverse()
        lo = hi = first = 0
        shape: list[int] = []
        strides: list[int] = []
        for sel, n, st in zip(selection, chunk_shape, strides_c, strict=True):
            if isinstance(sel, slice):
                start, stop, step = sel.indices(n)
                count = len(range(start, stop, step))
                last = start + (count - 1) * step
                lo += min(start, last) * st
                hi += max(start, last) * st
                first += start * st
                shape.append(count)
                strides.append(step * st)
            else:
                lo += sel * st
                hi += sel * st
                first += sel * st
        return cls(lo, hi + item, first - lo, tuple(shape), tuple(strides), dtype)

    @property
    def size(self) -> int:
        return self.hi - self.lo

    def view(self, window: Any) -> np.ndarray:
        """The selection as a (read-only) strided view of the window's bytes."""
        return np.ndarray(
            self.shape, dtype=self.dtype, buffer=window, offset=self.first, strides=self.strides
        )
