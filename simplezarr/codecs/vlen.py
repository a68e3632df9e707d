"""The ``vlen-utf8`` and ``vlen-bytes`` codecs: variable-length items, numcodecs' layout.

A chunk is a little-endian uint32 item count, then for each item (C order) a uint32 byte
length and the bytes (UTF-8 for strings). Decoding checks the count against the chunk size
before anything is allocated; truncated or inconsistent data raises CorruptChunk. Bytes after
the last item are ignored, as numcodecs and zarr-python do.

The decoded array has the spec's dtype: ``StringDType()`` for ``string`` and ``object``
(holding ``bytes``) for ``variable_length_bytes``, as zarr-python 3.1.6 returns them.

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import parse_v3_dtype
    >>> spec = ChunkSpec((2,), parse_v3_dtype("string"), "")
    >>> data = VLenUTF8Codec().encode(np.array(["a", "bé"], dtype=object), spec)
    >>> bytes(data)
    b'\\x02\\x00\\x00\\x00\\x01\\x00\\x00\\x00a\\x03\\x00\\x00\\x00b\\xc3\\xa9'
    >>> VLenUTF8Codec().decode(data, spec).tolist()
    ['a', 'bé']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numcodecs.abc import Codec as Numcodec
from numcodecs.vlen import VLenBytes, VLenUTF8

from simplezarr.codecs.base import ArrayBytesCodec, BytesLike, ChunkSpec
from simplezarr.errors import CorruptChunk, InvalidMetadata

__all__ = ["VLenBytesCodec", "VLenUTF8Codec"]


class _VLenCodec(ArrayBytesCodec):
    _numcodec: ClassVar[Numcodec]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {}}

    def resolve(self, spec: ChunkSpec) -> Any:
        if not spec.dtype.is_variable_length:
            raise InvalidMetadata(
                f"the {self.name!r} codec encodes variable-length data types, not "
                f"{spec.dtype.name!r}; use the 'bytes' codec"
            )
        return self

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        # numcodecs flattens in memory order: an F-contiguous chunk (after a transpose codec)
        # would be stored column-major (zarr-python <= 3.3's bug, fixed in 3.4).
        return self._numcodec.encode(np.ascontiguousarray(chunk))

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        buf = memoryview(data)
        if buf.format != "B" or buf.ndim != 1:
            buf = buf.cast("B")
        if buf.nbytes < 4:
            raise CorruptChunk(f"{self.name}: chunk is {buf.nbytes} bytes, too short for a header")
        count = int.from_bytes(buf[:4], "little")
        if count != spec.size:
            raise CorruptChunk(
                f"{self.name}: chunk holds {count} items, a {spec.shape} chunk has {spec.size}"
            )
        # Each item needs at least its 4-byte length: reject before allocating `count` objects.
        if 4 + 4 * count > buf.nbytes:
            raise CorruptChunk(
                f"{self.name}: chunk is truncated ({buf.nbytes} bytes for {count} items)"
            )
        try:
            items = self._numcodec.decode(buf)
        except (ValueError, UnicodeDecodeError) as e:
            raise CorruptChunk(f"{self.name}: chunk is corrupt: {e}") from e
        items = items.reshape(spec.shape)
        target = spec.dtype.numpy
        return items if items.dtype == target else items.astype(target)


@dataclass(frozen=True)
class VLenUTF8Codec(_VLenCodec):
    """Array to bytes: variable-length UTF-8 strings."""

    name: ClassVar[str] = "vlen-utf8"
    _numcodec: ClassVar[Numcodec] = VLenUTF8()


@dataclass(frozen=True)
class VLenBytesCodec(_VLenCodec):
    """Array to bytes: variable-length byte strings."""

    name: ClassVar[str] = "vlen-bytes"
    _numcodec: ClassVar[Numcodec] = VLenBytes()
