"""The ``crc32c`` codec: append a CRC-32C (Castagnoli) checksum, verify and strip it.

The checksum is 4 bytes, little endian, after the data. Decoding returns a view of the
input without the checksum (no copy).

Example:
    >>> codec = Crc32cCodec()
    >>> codec.encode(b"123456789")
    b'123456789\\x83\\x92\\x06\\xe3'
    >>> bytes(codec.decode(b"123456789\\x83\\x92\\x06\\xe3", max_size=None))
    b'123456789'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from simplezarr.codecs.base import BytesBytesCodec, BytesLike
from simplezarr.errors import CorruptChunk

__all__ = ["Crc32cCodec", "crc32c"]

_crc32c: Callable[[Any], int] | None = None


def crc32c(data: Any) -> int:
    """The CRC-32C of a bytes-like object, through the ``crc32c`` package.

    The package is imported at the first checksum, not with this module: its ``__init__``
    reads its own version from the installed metadata (``importlib.metadata``, about 20 ms
    of a fresh process), which arrays without checksums never need.

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    global _crc32c
    if _crc32c is None:
        import crc32c as package

        _crc32c = package.crc32c
    return _crc32c(data)


@dataclass(frozen=True)
class Crc32cCodec(BytesBytesCodec):
    """Bytes to bytes: data followed by its CRC-32C; fixed size (n + 4)."""

    name: ClassVar[str] = "crc32c"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name}

    def encode(self, data: BytesLike) -> BytesLike:
        buf = memoryview(data)
        if buf.format != "B" or buf.ndim != 1:
            buf = buf.cast("B")
        return b"".join((buf, crc32c(buf).to_bytes(4, "little")))

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        buf = memoryview(data)
        if buf.format != "B" or buf.ndim != 1:
            buf = buf.cast("B")
        n = buf.nbytes
        if n < 4:
            raise CorruptChunk(f"crc32c: data is {n} bytes, too short to hold a checksum")
        body = buf[: n - 4]
        stored = int.from_bytes(buf[n - 4 :], "little")
        actual = crc32c(body)
        if stored != actual:
            raise CorruptChunk(
                f"crc32c checksum mismatch: stored {stored:#010x}, computed {actual:#010x}; "
                "the chunk is corrupt"
            )
        if max_size is not None and n - 4 > max_size:
            raise CorruptChunk(f"crc32c: data is {n - 4} bytes, more than the {max_size} expected")
        return body

    def encoded_size(self, n: int | None) -> int | None:
        return None if n is None else n + 4
