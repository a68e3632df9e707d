"""The ``zstd`` codec, with bounded decompression.

Encoding makes the bytes zarr-python's (numcodecs' Zstd) makes for the same level and
checksum flag: with a ``zstandard`` compressor kept per thread when both packages carry the
same libzstd (the same library with the same parameters writes the same frame; numcodecs
makes a new compression context for every chunk, ~20% of a 64 KiB chunk's encode at level
1), else with numcodecs itself. numcodecs (about 30 ms to import) is imported at the first
encode or decode into a buffer, so opening and reading a zstd array through other paths
never pays for it. Decoding uses the ``zstandard`` package: measured on a 512 KiB float32 chunk
compressed at level 1 it decodes in ~360 us against ~380 us for numcodecs (both release the
GIL), and it can bound the output of frames that do not record their size. The frame header's
content size is checked against ``max_size`` before anything is allocated.

Example:
    >>> codec = ZstdCodec(level=1)
    >>> bytes(codec.decode(codec.encode(b"abc" * 10), max_size=30))
    b'abcabcabcabcabcabcabcabcabcabc'
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import zstandard

from simplezarr.codecs.base import BytesBytesCodec, BytesLike
from simplezarr.codecs.options import check_config, config_bool, config_int
from simplezarr.errors import CorruptChunk
from simplezarr.native import module as native_module

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

__all__ = ["ZstdCodec", "zstd_bound", "zstd_decompress", "zstd_decompress_prefix"]

_MIN_LEVEL = -131072  # ZSTD_minCLevel()
_MAX_LEVEL = 22
_BLOCK_SIZE_MAX = 128 * 1024  # ZSTD_BLOCKSIZE_MAX: zstd decodes a block at a time

_local = threading.local()  # ZstdDecompressor objects are not thread-safe


def _decompressor() -> zstandard.ZstdDecompressor:
    d = getattr(_local, "dctx", None)
    if d is None:
        d = _local.dctx = zstandard.ZstdDecompressor()
    return d


def _compressor(level: int, checksum: bool) -> zstandard.ZstdCompressor:
    cctxs = getattr(_local, "cctxs", None)
    if cctxs is None:
        cctxs = _local.cctxs = {}
    c = cctxs.get((level, checksum))
    if c is None:
        c = cctxs[level, checksum] = zstandard.ZstdCompressor(
            level=level, write_checksum=checksum, write_content_size=True
        )
    return c


def _same_libzstd() -> bool:
    """Whether numcodecs and zstandard carry the same libzstd version."""
    from numcodecs import zstd as nz

    theirs = (nz.MAJOR_VERSION_NUMBER, nz.MINOR_VERSION_NUMBER, nz.MICRO_VERSION_NUMBER)
    return tuple(theirs) == tuple(zstandard.ZSTD_VERSION)


def _encoder_for(level: int, checksum: bool) -> Callable[[BytesLike], BytesLike]:
    """The encode function of a codec: zarr-python's bytes, by the faster route there is."""
    if _same_libzstd():

        def encode(data: BytesLike) -> BytesLike:
            return _compressor(level, checksum).compress(data)

        return encode
    from numcodecs.zstd import Zstd

    return Zstd(level=level, checksum=checksum).encode


_into_buffer: Any = None


def _zstd_into_buffer(data: BytesLike, dest: Any) -> None:
    """numcodecs' zstd decompression into ``dest`` (imported at the first call)."""
    global _into_buffer
    if _into_buffer is None:
        from numcodecs.zstd import decompress

        _into_buffer = decompress
    _into_buffer(data, dest)


def zstd_bound(n: int | None) -> int | None:
    """A size no zstd frame of ``n`` input bytes exceeds (ZSTD_COMPRESSBOUND plus headroom)."""
    if n is None:
        return None
    return n + (n >> 8) + ((128 * 1024 - n) >> 11 if n < 128 * 1024 else 0) + 64


def zstd_decompress(data: BytesLike, max_size: int | None) -> bytes:
    """Decompress one zstd frame, producing at most ``max_size`` bytes (None: no limit).

    Example:
        >>> zstd_decompress(ZstdCodec(level=1).encode(b"x" * 100), 100) == b"x" * 100
        True
    """
    try:
        params = zstandard.get_frame_parameters(data)
    except zstandard.ZstdError as e:
        raise CorruptChunk(f"zstd data has no valid frame header: {e}") from e
    size = params.content_size
    try:
        if size != zstandard.CONTENTSIZE_UNKNOWN and max_size is not None:
            if size > max_size:
                raise CorruptChunk(
                    f"zstd frame claims {size} bytes, more than the {max_size} bytes a chunk "
                    "can hold"
                )
            return _decompressor().decompress(data, allow_extra_data=False)
        if max_size is not None:
            # The frame does not record its size: zstandard stops at max_output_size
            # (0 would mean "no limit", hence the max()).
            try:
                out = _decompressor().decompress(
                    data, max_output_size=max(max_size, 1), allow_extra_data=False
                )
            except zstandard.ZstdError as e:
                raise CorruptChunk(
                    f"zstd frame without a recorded size is corrupt or inflates to more than "
                    f"the {max_size} bytes a chunk can hold: {e}"
                ) from e
            if len(out) > max_size:
                raise CorruptChunk(
                    f"zstd data inflates to more than the {max_size} bytes a chunk can hold"
                )
            return out
        # No bound (variable-length chunks): stream, so memory follows the data rather than
        # a size the header claims; zstd checks a recorded size against the output.
        dobj = _decompressor().decompressobj()
        out = dobj.decompress(data)
        if not dobj.eof:
            raise CorruptChunk("zstd data is truncated (the frame does not end)")
        if dobj.unused_data:
            raise CorruptChunk(f"zstd data has {len(dobj.unused_data)} bytes of trailing data")
        return out
    except zstandard.ZstdError as e:
        raise CorruptChunk(f"zstd data is corrupt: {e}") from e


def _frame_size(data: BytesLike) -> int:
    """The length of the zstd frame ``data`` starts with (header, blocks, checksum), read
    from the block headers; -1 if the frame is malformed or cut short.

    Example:
        >>> frame = ZstdCodec(level=1).encode(b"abc" * 100)
        >>> _frame_size(frame) == len(frame), _frame_size(frame + b"x") == len(frame)
        (True, True)
    """
    try:
        pos = zstandard.frame_header_size(data)
        checksum = zstandard.get_frame_parameters(data).has_checksum
    except zstandard.ZstdError:
        return -1
    end = len(data)
    while pos + 3 <= end:
        header = data[pos] | data[pos + 1] << 8 | data[pos + 2] << 16
        kind = (header >> 1) & 3  # 0 raw, 1 RLE (one byte stored), 2 compressed, 3 reserved
        if kind == 3:
            return -1
        pos += 3 + (1 if kind == 1 else header >> 3)
        if header & 1:  # the last block
            return pos + 4 if checksum else pos
    return -1


def zstd_decompress_prefix(data: BytesLike, n: int, max_size: int | None) -> BytesLike:
    """The first ``n`` bytes of one zstd frame, decompressing no further than needed.

    Example:
        >>> bytes(zstd_decompress_prefix(ZstdCodec(level=1).encode(b"abc" * 100), 4, 300))
        b'abca'
    """
    try:
        size = zstandard.get_frame_parameters(data).content_size
    except zstandard.ZstdError as e:
        raise CorruptChunk(f"zstd data has no valid frame header: {e}") from e
    if size != zstandard.CONTENTSIZE_UNKNOWN and max_size is not None and size > max_size:
        raise CorruptChunk(
            f"zstd frame claims {size} bytes, more than the {max_size} bytes a chunk can hold"
        )
    if size != zstandard.CONTENTSIZE_UNKNOWN and (size <= _BLOCK_SIZE_MAX or 2 * n > size):
        # zstd decodes whole blocks (up to 128 KiB): a frame of one block, or a prefix of
        # most of the frame, costs the same decoded whole, without a streaming reader's
        # buffers.
        return memoryview(zstd_decompress(data, max_size))[:n]
    parts: list[bytes] = []
    got = 0
    try:
        with _decompressor().stream_reader(data, read_across_frames=False) as reader:
            while got < n:
                part = reader.read(n - got)
                if not part:
                    break
                parts.append(part)
                got += len(part)
    except zstandard.ZstdError as e:
        raise CorruptChunk(f"zstd data is corrupt: {e}") from e
    return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass(frozen=True, kw_only=True)
class ZstdCodec(BytesBytesCodec):
    """Bytes to bytes: Zstandard compression at ``level``, optionally with a checksum."""

    name: ClassVar[str] = "zstd"

    level: int = 0
    checksum: bool = False
    _encode: Callable[[BytesLike], BytesLike] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        config_int(self.name, "level", self.level, _MIN_LEVEL, _MAX_LEVEL)
        config_bool(self.name, "checksum", self.checksum)

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        cfg = check_config(cls.name, configuration, ["level", "checksum"])
        return cls(**cfg)

    def to_dict(self) -> dict[str, Any]:
        config = {"level": self.level, "checksum": self.checksum}
        return {"name": self.name, "configuration": config}

    def encode(self, data: BytesLike) -> BytesLike:
        encode = self._encode
        if encode is None:  # chosen at the first encode, not when the array is opened
            encode = _encoder_for(self.level, self.checksum)
            object.__setattr__(self, "_encode", encode)
        return encode(data)

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        return zstd_decompress(data, max_size)

    def decode_many(self, datas: Sequence[BytesLike], size: int) -> list[BytesLike]:
        if len(datas) < 2:
            return [self.decode(d, size) for d in datas]
        # One call for all frames, the GIL released once; each output is allocated at
        # exactly ``size`` bytes and a frame decoding to anything else fails.
        sizes = size.to_bytes(8, sys.byteorder) * len(datas)
        try:
            # The batched decoder ignores bytes after a frame: insist there are none, as
            # decode does (a chunk with trailing data is corrupt).
            fast = native_module()
            if fast is not None:
                exact = fast.zstd_frames_exact(datas if type(datas) is list else list(datas))
            else:
                exact = all(_frame_size(d) == len(d) for d in datas)
            if not exact:
                raise zstandard.ZstdError("trailing data after a frame")
            result = _decompressor().multi_decompress_to_buffer(
                list(datas), decompressed_sizes=sizes, threads=0
            )
        except zstandard.ZstdError:
            # Decode one by one to say which frame is bad, and how.
            return [self.decode(d, size) for d in datas]
        return [result[i] for i in range(len(result))]

    can_decode_into: ClassVar[bool] = True

    def decode_into(self, data: BytesLike, dest: Any) -> None:
        size = dest.nbytes
        try:
            claimed = zstandard.get_frame_parameters(data).content_size
        except zstandard.ZstdError:
            claimed = -1
        if claimed != size or _frame_size(data) != len(data):
            # An unknown or wrong size, trailing data, a bad header: the checked decoder
            # says what is wrong (or decodes a frame that does not record its size).
            super().decode_into(data, dest)
            return
        try:
            # numcodecs decodes into the buffer; the header said exactly its size.
            _zstd_into_buffer(data, dest)
        except Exception as e:
            raise CorruptChunk(f"zstd data is corrupt: {e}") from e

    def decode_prefix(self, data: BytesLike, n: int, max_size: int | None) -> BytesLike:
        if self.checksum:  # the frame's checksum covers everything: decode it all
            return super().decode_prefix(data, n, max_size)
        return zstd_decompress_prefix(data, n, max_size)

    def prefix_saves(self, size: int) -> bool:
        return not self.checksum and size > _BLOCK_SIZE_MAX

    def encoded_bound(self, n: int | None) -> int | None:
        return zstd_bound(n)
