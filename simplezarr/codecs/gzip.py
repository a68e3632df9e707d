"""The ``gzip`` codec (RFC 1952) through zlib, with bounded decompression.

Encoding writes one gzip member with a zero mtime, so equal chunks give equal bytes, and
the header Python's ``gzip`` module (so numcodecs and zarr-python) writes: OS byte 255
("unknown", where zlib would write its build platform) and XFL from the level.
Decoding accepts one or more concatenated members (as Python's ``gzip`` module does) and
fails with CorruptChunk on trailing garbage, truncation, a bad CRC, or as soon as the output
would exceed ``max_size``.

Example:
    >>> codec = GzipCodec(level=1)
    >>> bytes(codec.decode(codec.encode(b"abc" * 10), max_size=30))
    b'abcabcabcabcabcabcabcabcabcabc'
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from simplezarr.codecs.base import BytesBytesCodec, BytesLike
from simplezarr.codecs.options import check_config, config_int
from simplezarr.errors import CorruptChunk

if TYPE_CHECKING:
    from typing import Self

__all__ = ["GzipCodec", "deflate_bound", "inflate"]

GZIP_WBITS = 31  # zlib: gzip wrapper
ZLIB_WBITS = 15  # zlib: zlib wrapper


def gzip_compress(data: BytesLike, level: int) -> bytes:
    """One gzip member with mtime 0: byte for byte what Python's ``gzip.GzipFile`` (so
    numcodecs' GZip) writes, apart from the mtime it takes from the clock.

    Example:
        >>> gzip_compress(b"abc", 1)[:10]  # magic, deflate, no flags, mtime 0, XFL 4, OS 255
        b'\\x1f\\x8b\\x08\\x00\\x00\\x00\\x00\\x00\\x04\\xff'
    """
    xfl = 2 if level == 9 else 4 if level == 1 else 0  # as Python's gzip module
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes((xfl, 255))
    body = zlib.compress(data, level, wbits=-15)  # raw deflate
    trailer = struct.pack("<II", zlib.crc32(data), memoryview(data).nbytes & 0xFFFFFFFF)
    return header + body + trailer


def deflate_bound(n: int | None) -> int | None:
    """A size no gzip/zlib encoding of ``n`` bytes exceeds (stored blocks + headers)."""
    return None if n is None else n + (n >> 3) + 64


def inflate(
    data: BytesLike, max_size: int | None, wbits: int = GZIP_WBITS, what: str = "gzip"
) -> bytes:
    """Decompress zlib/gzip ``data``, producing at most ``max_size`` bytes (None: no limit).

    With the gzip wrapper, concatenated members are decoded one after the other.

    Example:
        >>> inflate(zlib.compress(b"x" * 100, wbits=31), 100) == b"x" * 100
        True
    """
    limit = 0 if max_size is None else max_size + 1  # max_length=0: unlimited
    parts: list[bytes] = []
    total = 0
    buf: BytesLike = data
    while True:
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(buf, limit - total if limit else 0)
        except zlib.error as e:
            raise CorruptChunk(f"{what} data is corrupt: {e}") from e
        total += len(out)
        parts.append(out)
        if max_size is not None and (total > max_size or d.unconsumed_tail):
            raise CorruptChunk(
                f"{what} data inflates to more than the {max_size} bytes a chunk can hold"
            )
        if not d.eof:
            raise CorruptChunk(f"{what} data is truncated (the stream does not end)")
        rest = d.unused_data
        if not rest:
            break
        if wbits != GZIP_WBITS:
            raise CorruptChunk(f"{what} data has {len(rest)} bytes of trailing garbage")
        buf = rest
    return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass(frozen=True, kw_only=True)
class GzipCodec(BytesBytesCodec):
    """Bytes to bytes: gzip compression at ``level`` 0-9."""

    name: ClassVar[str] = "gzip"

    level: int = 5

    def __post_init__(self) -> None:
        config_int(self.name, "level", self.level, 0, 9)

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        cfg = check_config(cls.name, configuration, ["level"])
        return cls(**cfg)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"level": self.level}}

    def encode(self, data: BytesLike) -> BytesLike:
        return gzip_compress(data, self.level)

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        return inflate(data, max_size, GZIP_WBITS, "gzip")

    def encoded_bound(self, n: int | None) -> int | None:
        return deflate_bound(n)
