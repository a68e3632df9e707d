"""Codecs named ``numcodecs.<id>``: any numcodecs codec used as a Zarr v3 codec.

The JSON is ``{"name": "numcodecs.<id>", "configuration": {...}}``, the configuration being
the numcodecs config without ``id``, as zarr-python 3.1.6 writes it. Each id gets its own
class (``numcodecs_codec_class``) whose kind follows zarr-python: filters such as ``delta``,
``fixedscaleoffset``, ``quantize``, ``bitround``, ``packbits`` and ``astype`` are
array -> array; ``pcodec`` and ``zfpy`` are array -> bytes; compressors and checksums are
bytes -> bytes. Ids zarr-python does not know default to bytes -> bytes (object codecs such
as ``pickle`` and ``vlen-*`` to array -> bytes, ``categorize`` to array -> array).

Decoding of the common compressors (zlib, gzip, zstd, blosc, bz2, lzma, lz4) is bounded like
the built-in codecs (:func:`bounded_decode`, also used for Zarr v2).

Example:
    >>> from simplezarr.codecs.registry import codec_from_json
    >>> codec = codec_from_json({"name": "numcodecs.zlib", "configuration": {"level": 1}})
    >>> codec.kind, codec.to_dict()
    ('bytes_bytes', {'name': 'numcodecs.zlib', 'configuration': {'level': 1}})
    >>> bytes(codec.decode(codec.encode(b"abc"), max_size=3))
    b'abc'
"""

from __future__ import annotations

import bz2
import dataclasses
import json
import lzma
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import numcodecs
import numpy as np
from numcodecs.abc import Codec as Numcodec

try:
    from numcodecs.errors import UnsafeDecodeError
except ImportError:  # numcodecs < 0.16.6 has no decode policy: nothing is refused

    class UnsafeDecodeError(Exception):  # type: ignore[no-redef]
        """Stands for numcodecs' error of a decode refused by policy (never raised)."""


from numcodecs.registry import codec_registry, entries

from simplezarr.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    BytesLike,
    ChunkSpec,
    Codec,
)
from simplezarr.codecs.blosc import blosc_decompress
from simplezarr.codecs.gzip import GZIP_WBITS, ZLIB_WBITS, inflate
from simplezarr.codecs.zstd import zstd_decompress
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata, UnknownCodec

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "NumcodecsArrayArrayCodec",
    "NumcodecsArrayBytesCodec",
    "NumcodecsBytesBytesCodec",
    "NumcodecsCodec",
    "bounded_decode",
    "check_vlen_header",
    "compressor_bound",
    "numcodecs_codec_class",
]

PREFIX = "numcodecs."

# zarr.codecs.numcodecs (3.1.6) kinds; ids it does not list are classified by the extras.
_ARRAY_ARRAY = {
    "delta",
    "bitround",
    "fixedscaleoffset",
    "quantize",
    "packbits",
    "astype",
    "categorize",
}
_ARRAY_BYTES = {
    "pcodec",
    "zfpy",
    "vlen-utf8",
    "vlen-bytes",
    "vlen-array",
    "pickle",
    "json2",
    "msgpack2",
    "json",
    "msgpack",
}
_CHECKSUMS = {"crc32", "crc32c", "adler32", "fletcher32", "jenkins_lookup3"}
_COMPRESSORS = {"zlib", "gzip", "zstd", "blosc", "bz2", "lzma", "lz4"}
# settings zarr-python fills from the chunk's data type when they are missing
_FILLED_AT_RESOLVE = {
    "shuffle": "elementsize",
    "fixedscaleoffset": "dtype",
    "quantize": "dtype",
    "astype": "decode_dtype",
}


# --- bounded decompression of numcodecs compressors ------------------------------------


def _bounded_stream(
    make: Callable[[], Any], data: BytesLike, max_size: int | None, what: str
) -> bytes:
    """Decompress bz2/lzma streams (concatenated allowed) without exceeding ``max_size``."""
    parts: list[bytes] = []
    total = 0
    buf: BytesLike = data
    while True:
        d = make()
        chunk_in: BytesLike = buf
        while True:
            limit = -1 if max_size is None else max_size + 1 - total
            out = d.decompress(chunk_in, max_length=limit)
            chunk_in = b""
            total += len(out)
            parts.append(out)
            if max_size is not None and total > max_size:
                raise CorruptChunk(
                    f"{what} data inflates to more than the {max_size} bytes a chunk can hold"
                )
            if d.eof:
                break
            if d.needs_input:
                raise CorruptChunk(f"{what} data is truncated (the stream does not end)")
        buf = d.unused_data
        if not buf:
            break
    return b"".join(parts)


def _lz4(codec: Numcodec, data: BytesLike, max_size: int | None) -> BytesLike:
    buf = memoryview(data).cast("B")
    if buf.nbytes < 4:
        raise CorruptChunk(f"lz4 data is {buf.nbytes} bytes, too short for its size header")
    size = int.from_bytes(buf[:4], "little", signed=True)
    if size < 0 or (max_size is not None and size > max_size):
        raise CorruptChunk(
            f"lz4 header claims {size} bytes, more than the {max_size} bytes a chunk can hold"
        )
    return codec.decode(buf)


def _lzma(codec: Numcodec, data: BytesLike, max_size: int | None) -> BytesLike:
    if codec.format == lzma.FORMAT_RAW:  # raw streams have no end marker to stop at
        return codec.decode(data)
    return _bounded_stream(
        lambda: lzma.LZMADecompressor(format=codec.format, filters=codec.filters),
        data,
        max_size,
        "lzma",
    )


_BOUNDED: dict[str, Callable[[Numcodec, BytesLike, int | None], BytesLike]] = {
    "zlib": lambda c, d, m: inflate(d, m, ZLIB_WBITS, "zlib"),
    "gzip": lambda c, d, m: inflate(d, m, GZIP_WBITS, "gzip"),
    "zstd": lambda c, d, m: zstd_decompress(d, m),
    "blosc": lambda c, d, m: blosc_decompress(d, m),
    "bz2": lambda c, d, m: _bounded_stream(bz2.BZ2Decompressor, d, m, "bz2"),
    "lzma": _lzma,
    "lz4": _lz4,
}


def bounded_decode(codec: Numcodec, data: BytesLike, max_size: int | None) -> BytesLike:
    """Decode with numcodecs ``codec``, producing at most ``max_size`` bytes (None: no limit).

    Known compressors are decoded so that a decompression bomb fails before it inflates;
    other codecs are decoded, then their output size is checked. Errors become CorruptChunk.

    Example:
        >>> bounded_decode(numcodecs.Zlib(), numcodecs.Zlib().encode(b"x" * 10), 10)
        b'xxxxxxxxxx'
    """
    decode = _BOUNDED.get(codec.codec_id)
    try:
        out = decode(codec, data, max_size) if decode else codec.decode(data)
    except CorruptChunk:
        raise
    except MemoryError:
        raise
    except Exception as e:
        raise CorruptChunk(f"{codec.codec_id}: data is corrupt: {type(e).__name__}: {e}") from e
    if max_size is not None:
        n = out.nbytes if isinstance(out, (np.ndarray, memoryview)) else len(out)
        if n > max_size:
            raise CorruptChunk(
                f"{codec.codec_id}: decoded to {n} bytes, more than the {max_size} a chunk can hold"
            )
    return out


_VLEN = {"vlen-utf8", "vlen-bytes", "vlen-array"}


def check_vlen_header(codec_id: str, data: BytesLike, expected_items: int | None) -> None:
    """Check the item count of numcodecs vlen data before numcodecs decodes it.

    numcodecs' vlen codecs allocate as many objects as the 4-byte little-endian header claims
    before looking at the data, so a corrupt header could ask for billions. The count must be
    ``expected_items`` (when known) and each item needs at least its 4-byte length. Other
    codec ids are not checked.

    Example:
        >>> check_vlen_header("vlen-utf8", b"\\xff\\xff\\xff\\x7f", None)
        Traceback (most recent call last):
        ...
        simplezarr.errors.CorruptChunk: vlen-utf8: header claims 2147483647 items in 4 bytes
    """
    if codec_id not in _VLEN:
        return
    try:
        buf = memoryview(data).cast("B")
    except (TypeError, ValueError):
        return  # not a contiguous buffer: numcodecs rejects it itself
    n = buf.nbytes
    if n < 4:
        raise CorruptChunk(f"{codec_id}: data is {n} bytes, too short for its item count")
    count = int.from_bytes(buf[:4], "little")
    if expected_items is not None and count != expected_items:
        raise CorruptChunk(
            f"{codec_id}: header claims {count} items, the chunk has {expected_items}"
        )
    if 4 + 4 * count > n:
        raise CorruptChunk(f"{codec_id}: header claims {count} items in {n} bytes")


def compressor_bound(codec_id: str, n: int | None) -> int | None:
    """A generous bound on the encoded size of ``n`` bytes for known compressors/checksums."""
    if n is None:
        return None
    if codec_id in _CHECKSUMS:
        return n + 4
    if codec_id in _COMPRESSORS:
        return n + (n >> 3) + 1024
    return None


# --- the wrapper classes --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NumcodecsCodec(Codec):
    """A numcodecs codec as a Zarr v3 codec; ``configuration`` is its config without ``id``."""

    codec_id: ClassVar[str]

    configuration: dict[str, Any] = field(default_factory=dict)
    _instance: Numcodec | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        config = dict(self.configuration)
        cid = config.pop("id", self.codec_id)
        if cid != self.codec_id:
            raise InvalidMetadata(
                f"codec {self.name!r}: configuration id {cid!r} does not match the name"
            )
        object.__setattr__(self, "configuration", config)
        instance = None
        try:
            instance = numcodecs.get_codec({"id": self.codec_id, **config})
        except Exception as e:
            # Some required settings are filled from the data type at resolve time.
            filled = _FILLED_AT_RESOLVE.get(self.codec_id)
            if filled is None or config.get(filled) is not None:
                raise InvalidMetadata(
                    f"codec {self.name!r}: numcodecs rejected configuration {config!r}: {e}"
                ) from e
        object.__setattr__(self, "_instance", instance)

    def _numcodec(self) -> Numcodec:
        if self._instance is None:
            raise InvalidMetadata(
                f"codec {self.name!r} is used before being resolved against a chunk spec "
                f"(its {_FILLED_AT_RESOLVE.get(self.codec_id)!r} comes from the data type)"
            )
        return self._instance

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        if not isinstance(configuration, dict):
            raise InvalidMetadata(f"codec {cls.name!r}: configuration must be an object")
        return cls(configuration=configuration)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": dict(self.configuration)}

    def _with(self, **updates: Any) -> Self:
        return dataclasses.replace(self, configuration={**self.configuration, **updates})

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return False
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))


@dataclass(frozen=True, eq=False)
class NumcodecsBytesBytesCodec(NumcodecsCodec, BytesBytesCodec):
    """Bytes to bytes numcodecs codec (compressors, checksums, shuffle)."""

    def resolve(self, spec: ChunkSpec) -> Self:
        if self.codec_id == "shuffle" and self.configuration.get("elementsize") is None:
            return self._with(elementsize=spec.dtype.numpy.itemsize)
        return self

    def encode(self, data: BytesLike) -> BytesLike:
        out = self._numcodec().encode(data)
        return out.tobytes() if isinstance(out, np.ndarray) else out

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        out = bounded_decode(self._numcodec(), data, max_size)
        return out.tobytes() if isinstance(out, np.ndarray) and out.dtype != np.uint8 else out

    def encoded_size(self, n: int | None) -> int | None:
        return None if n is None or self.codec_id not in _CHECKSUMS else n + 4

    def encoded_bound(self, n: int | None) -> int | None:
        return compressor_bound(self.codec_id, n)


def _data_type(dtype: np.dtype) -> Any:
    from simplezarr.dtypes import from_numpy

    return from_numpy(dtype)


@dataclass(frozen=True, eq=False)
class NumcodecsArrayArrayCodec(NumcodecsCodec, ArrayArrayCodec):
    """Array to array numcodecs codec (filters); dtype-changing filters change the spec."""

    def resolve(self, spec: ChunkSpec) -> Self:
        cfg = self.configuration
        native = str(spec.dtype.numpy)
        if self.codec_id in ("fixedscaleoffset", "quantize") and cfg.get("dtype") is None:
            return self._with(dtype=native)
        if self.codec_id == "astype" and cfg.get("decode_dtype") is None:
            return self._with(decode_dtype=native)
        if self.codec_id == "packbits" and spec.dtype.numpy != np.dtype(bool):
            raise InvalidMetadata(
                f"codec {self.name!r} packs booleans, the data type is {spec.dtype.name!r}"
            )
        return self

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        cfg = self.configuration
        if self.codec_id == "packbits":
            return dataclasses.replace(
                spec, shape=(1 + math.ceil(spec.size / 8),), dtype=_data_type(np.dtype("u1"))
            )
        new = None
        if self.codec_id == "astype":
            new = cfg.get("encode_dtype")
        elif self.codec_id in ("delta", "fixedscaleoffset", "categorize"):
            new = cfg.get("astype")
        if new is None or np.dtype(new) == spec.dtype.numpy:
            return spec
        return dataclasses.replace(spec, dtype=_data_type(np.dtype(new).newbyteorder("=")))

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        # C order, whatever the memory order (numcodecs flattens an F-contiguous chunk
        # column-major): the items of the chunk as the codecs after this one index them.
        out = np.asarray(self._numcodec().encode(np.ascontiguousarray(chunk)))
        target = self.encoded_spec(spec)
        if out.size != target.size:
            raise CodecError(
                f"codec {self.name!r} encoded {out.size} items, expected {target.size}"
            )
        return _as_spec(out, target)

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        out = np.asarray(self._numcodec().decode(chunk))
        if out.size != spec.size:
            raise CorruptChunk(
                f"codec {self.name!r} decoded {out.size} items, a {spec.shape} chunk has "
                f"{spec.size}"
            )
        return _as_spec(out, spec)


def _as_spec(arr: np.ndarray, spec: ChunkSpec) -> np.ndarray:
    """Reshape to the spec; reinterpret same-width items (bitround hands floats back as ints,
    and zarr-python serialises them by their bytes)."""
    arr = arr.reshape(spec.shape)
    target = spec.dtype.numpy
    if (
        arr.dtype != target
        and arr.dtype.itemsize == target.itemsize
        and not arr.dtype.hasobject
        and not target.hasobject
        and target.kind != "T"
    ):
        arr = np.ascontiguousarray(arr).view(target)
    return arr


@dataclass(frozen=True, eq=False)
class NumcodecsArrayBytesCodec(NumcodecsCodec, ArrayBytesCodec):
    """Array to bytes numcodecs codec (pcodec, zfpy, object codecs)."""

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        out = self._numcodec().encode(np.ascontiguousarray(chunk))  # C order, as above
        return out.tobytes() if isinstance(out, np.ndarray) else out

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        check_vlen_header(self.codec_id, data, spec.size)
        try:
            out = np.asarray(self._numcodec().decode(data))
        except UnsafeDecodeError as e:
            raise CodecError(f"codec {self.name!r}: {e}") from e
        except Exception as e:
            raise CorruptChunk(f"codec {self.name!r}: chunk is corrupt: {e}") from e
        if out.size != spec.size:
            raise CorruptChunk(
                f"codec {self.name!r} decoded {out.size} items, a {spec.shape} chunk has "
                f"{spec.size}"
            )
        return out.reshape(spec.shape)


def _kind_base(codec_id: str) -> type[NumcodecsCodec]:
    if codec_id in _ARRAY_ARRAY:
        return NumcodecsArrayArrayCodec
    if codec_id in _ARRAY_BYTES:
        return NumcodecsArrayBytesCodec
    return NumcodecsBytesBytesCodec


#: codec id -> the public class of :mod:`simplezarr.codecs.numcodecs` (``Delta``, ...), which
#: registers itself so that arrays read back hold the classes users construct.
PUBLIC_CLASSES: dict[str, type[NumcodecsCodec]] = {}


def numcodecs_codec_class(name: str) -> type[NumcodecsCodec]:
    """The codec class for ``numcodecs.<id>``; UnknownCodec if numcodecs has no such id.

    Example:
        >>> numcodecs_codec_class("numcodecs.delta").__name__
        'Delta'
    """
    codec_id = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    public = PUBLIC_CLASSES.get(codec_id)
    return public if public is not None else generated_codec_class(name)


@cache
def generated_codec_class(name: str) -> type[NumcodecsCodec]:
    """A class made for ``numcodecs.<id>`` (the base of the public one, when there is one).

    Example:
        >>> generated_codec_class("numcodecs.delta").kind
        'array_array'
    """
    codec_id = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    if codec_id not in codec_registry and codec_id not in entries:
        raise UnknownCodec(
            f"unknown codec {name!r}: numcodecs {numcodecs.__version__} has no codec "
            f"{codec_id!r} (is the package providing it installed?); numcodecs codecs: "
            f"{', '.join(sorted(codec_registry))}"
        )
    base = _kind_base(codec_id)
    cls_name = "Numcodecs_" + "".join(ch if ch.isalnum() else "_" for ch in codec_id)
    cls = type(
        cls_name,
        (base,),
        {
            "name": PREFIX + codec_id,
            "codec_id": codec_id,
            "__module__": __name__,
            "__qualname__": cls_name,
        },
    )
    return dataclass(frozen=True, eq=False)(cls)
