"""The ``blosc`` codec (Blosc 1 through numcodecs), with header checks before decompression.

Blosc runs single-threaded inside the codec: the engine already decodes chunks in parallel,
and numcodecs' threaded mode serialises every call on one global lock. Importing this module
therefore sets ``numcodecs.blosc.use_threads = False`` (zarr-python does the same).

Before decompressing, the 16-byte header is checked: the compressed size must equal the data
length, the decompressed size must fit ``max_size``, and the block offsets must lie inside
the data. Corrupt or oversized input raises CorruptChunk instead of reaching C code that
trusts the header.

Example:
    >>> codec = BloscCodec(cname="lz4", clevel=5, shuffle="shuffle", typesize=4)
    >>> bytes(codec.decode(codec.encode(b"abcd" * 8), max_size=32))
    b'abcdabcdabcdabcdabcdabcdabcdabcd'
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numcodecs.blosc
import numpy as np

from simplezarr.codecs.base import BytesBytesCodec, BytesLike, ChunkSpec
from simplezarr.codecs.options import check_config, config_choice, config_int, enum_value
from simplezarr.errors import CorruptChunk

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "BLOSC_CNAMES",
    "BLOSC_SHUFFLES",
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "blosc_bound",
    "blosc_decompress",
]

numcodecs.blosc.use_threads = False

BLOSC_CNAMES = ("lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib")
BLOSC_SHUFFLES = ("noshuffle", "shuffle", "bitshuffle")  # index = numcodecs' int code


class BloscShuffle(Enum):
    """Blosc's shuffle filters, as zarr-python's ``zarr.codecs.BloscShuffle`` (the codec
    also takes the plain strings)."""

    noshuffle = "noshuffle"
    shuffle = "shuffle"
    bitshuffle = "bitshuffle"


class BloscCname(Enum):
    """Blosc's compressors, as zarr-python's ``zarr.codecs.BloscCname``."""

    lz4 = "lz4"
    lz4hc = "lz4hc"
    blosclz = "blosclz"
    zstd = "zstd"
    snappy = "snappy"
    zlib = "zlib"


_HEADER = 16
_MEMCPYED = 0x02


def blosc_bound(n: int | None) -> int | None:
    """A size no Blosc 1 encoding of ``n`` bytes exceeds (n + 16-byte overhead, plus headroom)."""
    return None if n is None else n + (n >> 8) + 64


def blosc_decompress(data: BytesLike, max_size: int | None, dest: Any = None) -> BytesLike:
    """Check a Blosc 1 header against the data and ``max_size``, then decompress (into
    ``dest``, a flat uint8 array the data must fill exactly, when given).

    Example:
        >>> blosc_decompress(numcodecs.blosc.compress(b"x" * 64, b"lz4", 5, 1, 0, 1), 64)
        b'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    """
    buf = memoryview(data)
    if buf.format != "B" or buf.ndim != 1:
        buf = buf.cast("B")
    n = buf.nbytes
    if n < _HEADER:
        raise CorruptChunk(f"blosc data is {n} bytes, shorter than the 16-byte header")
    flags = buf[2]
    nbytes, blocksize, cbytes = struct.unpack_from("<III", buf, 4)
    if cbytes != n:
        raise CorruptChunk(f"blosc header claims {cbytes} compressed bytes, the data has {n}")
    if max_size is not None and nbytes > max_size:
        raise CorruptChunk(
            f"blosc header claims {nbytes} bytes, more than the {max_size} bytes a chunk can hold"
        )
    if flags & _MEMCPYED:
        if cbytes != nbytes + _HEADER:
            raise CorruptChunk(
                f"blosc header of uncompressed data claims {nbytes} bytes in {cbytes - _HEADER}"
            )
    elif nbytes:
        if blocksize == 0:
            raise CorruptChunk("blosc header has a zero block size")
        nblocks = -(-nbytes // blocksize)
        first = _HEADER + 4 * nblocks
        if first > cbytes:
            raise CorruptChunk(f"blosc header claims {nblocks} blocks, more than the data holds")
        if nblocks <= 256:  # the common case; struct is cheaper than numpy here
            starts = struct.unpack_from(f"<{nblocks}I", buf, _HEADER)
            lo, hi = min(starts), max(starts)
        else:
            arr = np.frombuffer(buf, dtype="<u4", count=nblocks, offset=_HEADER)
            lo, hi = int(arr.min()), int(arr.max())
        if lo < first or hi >= cbytes:
            raise CorruptChunk("blosc block offsets point outside the data")
    if dest is not None:
        if nbytes != dest.nbytes:
            raise CorruptChunk(f"blosc header claims {nbytes} bytes, the chunk has {dest.nbytes}")
        if nbytes:
            try:
                numcodecs.blosc.decompress(buf, dest)
            except Exception as e:  # numcodecs raises RuntimeError on a bad stream
                raise CorruptChunk(f"blosc data is corrupt: {e}") from e
        return dest
    if nbytes == 0:
        return b""  # c-blosc reports an empty result as an error
    try:
        out = numcodecs.blosc.decompress(buf)
    except Exception as e:  # numcodecs raises RuntimeError on a bad stream
        raise CorruptChunk(f"blosc data is corrupt: {e}") from e
    if len(out) != nbytes:
        raise CorruptChunk(f"blosc data decompressed to {len(out)} bytes, header says {nbytes}")
    return out


@dataclass(frozen=True, kw_only=True)
class BloscCodec(BytesBytesCodec):
    """Bytes to bytes: Blosc 1 with ``cname`` at ``clevel`` after a ``shuffle`` filter.

    ``typesize`` and ``shuffle`` left as None are filled from the data type when the codec is
    resolved, as zarr-python does: typesize = item size, shuffle = "bitshuffle" for 1-byte
    items, else "shuffle". ``cname`` and ``shuffle`` may be given as :class:`BloscCname` /
    :class:`BloscShuffle` members (or zarr-python's); the fields hold their strings.
    """

    name: ClassVar[str] = "blosc"

    cname: Literal["lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib"] = "zstd"
    clevel: int = 5
    shuffle: Literal["noshuffle", "shuffle", "bitshuffle"] | None = None
    typesize: int | None = None
    blocksize: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cname", enum_value(self.cname))
        object.__setattr__(self, "shuffle", enum_value(self.shuffle))
        config_choice(self.name, "cname", self.cname, BLOSC_CNAMES)
        config_int(self.name, "clevel", self.clevel, 0, 9)
        if self.shuffle is not None:
            config_choice(self.name, "shuffle", self.shuffle, BLOSC_SHUFFLES)
        if self.typesize is not None:
            config_int(self.name, "typesize", self.typesize, 1)
        config_int(self.name, "blocksize", self.blocksize, 0)

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        cfg = check_config(
            cls.name, configuration, ["cname", "clevel", "shuffle", "typesize", "blocksize"]
        )
        return cls(**cfg)

    def to_dict(self) -> dict[str, Any]:
        # Key order and unresolved defaults as zarr-python writes them.
        return {
            "name": self.name,
            "configuration": {
                "typesize": 1 if self.typesize is None else self.typesize,
                "cname": self.cname,
                "clevel": self.clevel,
                "shuffle": "bitshuffle" if self.shuffle is None else self.shuffle,
                "blocksize": self.blocksize,
            },
        }

    def resolve(self, spec: ChunkSpec) -> Self:
        if self.typesize is not None and self.shuffle is not None:
            return self
        item = spec.dtype.item_size or 1
        shuffle = self.shuffle
        if shuffle is None:
            shuffle = "bitshuffle" if item == 1 else "shuffle"
        typesize = item if self.typesize is None else self.typesize
        return dataclasses.replace(self, typesize=typesize, shuffle=shuffle)

    def encode(self, data: BytesLike) -> BytesLike:
        return numcodecs.blosc.compress(
            data,
            self.cname.encode("ascii"),
            self.clevel,
            BLOSC_SHUFFLES.index(self.shuffle or "bitshuffle"),
            self.blocksize,
            self.typesize or 1,
        )

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        return blosc_decompress(data, max_size)

    can_decode_into: ClassVar[bool] = True

    def __repr__(self) -> str:
        # zarr-python 3.4's form (what .info prints): fields in its order, unset tunables
        # named in _tunable_attrs with the values its to_dict writes (sorted, for a stable
        # repr; zarr-python prints the set in hash order).
        tunable = sorted(name for name in ("shuffle", "typesize") if getattr(self, name) is None)
        cfg = self.to_dict()["configuration"]
        attrs = "{" + ", ".join(map(repr, tunable)) + "}" if tunable else "set()"
        return (
            f"BloscCodec(_tunable_attrs={attrs}, "
            f"typesize={cfg['typesize']}, cname={self.cname!r}, clevel={self.clevel}, "
            f"shuffle={cfg['shuffle']!r}, blocksize={self.blocksize})"
        )

    def decode_into(self, data: BytesLike, dest: Any) -> None:
        blosc_decompress(data, dest.nbytes, dest)

    def encoded_bound(self, n: int | None) -> int | None:
        return blosc_bound(n)
