"""Zarr v2 chunk encoding as one array -> bytes codec: ``filters`` then ``compressor``.

``V2Codec`` holds the numcodecs configurations of ``.zarray`` and encodes exactly as
zarr-python 3.1.6 does for v2 arrays: the chunk in ``order`` ("C" or "F") memory layout and
the stored byte order (``endian``), through each filter in turn, then the compressor. Decoding
runs the compressor (bounded: the output may not exceed what the chunk can hold), the filters
in reverse, then views the bytes as the stored type and reshapes in ``order``. Object arrays
(strings, bytes, Python objects) need an object codec among the filters (vlen-utf8,
vlen-bytes, vlen-array, pickle, json2, msgpack2, ...).

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import from_numpy
    >>> codec = V2Codec(None, {"id": "zlib", "level": 1}, "F", "big")
    >>> spec = ChunkSpec((2, 2), from_numpy("int16"), 0, "F")
    >>> data = codec.encode(np.array([[1, 2], [3, 4]], "i2"), spec)
    >>> codec.decode(data, spec).tolist()
    [[1, 2], [3, 4]]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numcodecs
import numcodecs.errors
import numpy as np
from numcodecs.abc import Codec as Numcodec
from numcodecs.compat import ensure_bytes, ensure_ndarray_like

import simplezarr.codecs.blosc  # noqa: F401  (sets numcodecs.blosc.use_threads = False)
from simplezarr.codecs.base import ArrayBytesCodec, BytesLike, ChunkSpec
from simplezarr.codecs.bytes import stored_dtype
from simplezarr.codecs.numcodecs_codecs import UnsafeDecodeError, bounded_decode, check_vlen_header
from simplezarr.config import config
from simplezarr.dtypes.casting import astype
from simplezarr.errors import (
    CodecError,
    CorruptChunk,
    InvalidMetadata,
    PickleCodecDisabledError,
    UnknownCodec,
)

__all__ = ["V2Codec"]


def _numcodec(config: Any, what: str) -> Numcodec:
    if not isinstance(config, dict) or not isinstance(config.get("id"), str):
        raise InvalidMetadata(
            f"{what} must be a numcodecs configuration object with an 'id', got {config!r}"
        )
    try:
        return numcodecs.get_codec(config)
    except numcodecs.errors.UnknownCodecError as e:
        raise UnknownCodec(
            f"{what}: numcodecs {numcodecs.__version__} has no codec {config['id']!r} "
            "(is the package providing it installed?)"
        ) from e
    except Exception as e:
        raise InvalidMetadata(f"{what}: numcodecs rejected {config!r}: {e}") from e


@dataclass(frozen=True, eq=False)
class V2Codec(ArrayBytesCodec):
    """The single array -> bytes codec of a Zarr v2 array.

    ``filters`` and ``compressor`` are numcodecs configurations (dicts with an ``id``) as in
    ``.zarray``; ``order`` is the chunk memory layout; ``endian`` the byte order of stored
    items ("little" or "big"; ignored for types without one).
    """

    name: ClassVar[str] = "zarr_v2"

    filters: tuple[dict[str, Any], ...] | None = None
    compressor: dict[str, Any] | None = None
    order: Literal["C", "F"] = "C"
    endian: Literal["little", "big"] = "little"
    _filters: tuple[Numcodec, ...] = field(init=False, repr=False, compare=False)
    _compressor: Numcodec | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        filters = self.filters
        if filters is not None:
            if not isinstance(filters, (list, tuple)):
                raise InvalidMetadata(f"filters must be a list or null, got {filters!r}")
            filters = tuple(dict(f) if isinstance(f, dict) else f for f in filters)
            object.__setattr__(self, "filters", filters)
        if self.order not in ("C", "F"):
            raise InvalidMetadata(f"order must be 'C' or 'F', got {self.order!r}")
        if self.endian not in ("little", "big"):
            raise InvalidMetadata(f"endian must be 'little' or 'big', got {self.endian!r}")
        object.__setattr__(
            self,
            "_filters",
            tuple(_numcodec(f, f"filters[{i}]") for i, f in enumerate(filters or ())),
        )
        object.__setattr__(
            self,
            "_compressor",
            None if self.compressor is None else _numcodec(self.compressor, "compressor"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "configuration": {
                "filters": None if self.filters is None else [dict(f) for f in self.filters],
                "compressor": self.compressor,
                "order": self.order,
                "endian": self.endian,
            },
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, V2Codec) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))

    def resolve(self, spec: ChunkSpec) -> V2Codec:
        if spec.dtype.is_variable_length and not self._filters:
            raise InvalidMetadata(
                f"a Zarr v2 array of {spec.dtype.name!r} needs an object codec in its filters "
                "(e.g. {'id': 'vlen-utf8'})"
            )
        return self

    def _max_decompressed(self, spec: ChunkSpec) -> int | None:
        nbytes = spec.nbytes
        if nbytes is None:  # variable-length items: no natural bound, so a configured cap
            return config.max_variable_chunk_bytes
        if not self._filters:
            return nbytes
        # Filters may change the item type (astype, fixedscaleoffset, ...): allow up to
        # 16 bytes an item, the widest numeric type, plus slack for filter headers.
        return max(nbytes, spec.size * 16) + 1024

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        stored = stored_dtype(spec.dtype.numpy, self.endian)
        data: Any = astype(np.asarray(chunk), stored, order=self.order, copy=False)
        for f in self._filters:
            data = f.encode(data)
        if isinstance(data, np.ndarray) and data.dtype == object:
            raise CodecError(
                "cannot write an object array without an object codec among the filters "
                "(e.g. {'id': 'vlen-utf8'})"
            )
        if self._compressor is not None:
            data = self._compressor.encode(data)
        return ensure_bytes(data)

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        chunk: Any = data
        if self._compressor is not None:
            chunk = bounded_decode(self._compressor, data, self._max_decompressed(spec))
        for i in reversed(range(len(self._filters))):
            f = self._filters[i]
            # The first filter gives the chunk's items; vlen data must hold that many.
            check_vlen_header(f.codec_id, chunk, spec.size if i == 0 else None)
            if f.codec_id == "pickle" and not config.allow_unsafe_pickle_decode:
                raise PickleCodecDisabledError(
                    "refusing to decode a chunk encoded with the 'pickle' codec: unpickling "
                    "data from an untrusted source can run arbitrary code. If you trust this "
                    "data, set simplezarr.config.set({'array.allow_unsafe_pickle_decode': "
                    "True}) (or SIMPLEZARR_ALLOW_UNSAFE_PICKLE_DECODE=1), and numcodecs' own "
                    "opt-in, numcodecs.pickles.ALLOW_UNSAFE_PICKLE_DECODE = True"
                )
            try:
                chunk = f.decode(chunk)
            except UnsafeDecodeError as e:  # pickle: refused by policy, not corrupt
                raise CodecError(f"filter {f.codec_id!r}: {e}") from e
        native = spec.dtype.numpy
        arr = ensure_ndarray_like(chunk)
        if spec.dtype.is_variable_length:
            if arr.dtype != object:
                raise CorruptChunk(
                    f"decoded a {arr.dtype} array where the filters should give objects; "
                    "the object codec is missing or the chunk is corrupt"
                )
        elif arr.dtype == object:
            arr = astype(arr, stored_dtype(native, self.endian))
        else:
            stored = stored_dtype(native, self.endian)
            flat = arr.reshape(-1, order="A")
            if flat.nbytes != (spec.nbytes or 0):
                raise CorruptChunk(
                    f"chunk decodes to {flat.nbytes} bytes but a {spec.shape} chunk of "
                    f"{spec.dtype.name} needs {spec.nbytes}"
                )
            arr = flat.view(stored)
        if arr.size != spec.size:
            raise CorruptChunk(
                f"chunk decodes to {arr.size} items but a {spec.shape} chunk has {spec.size}"
            )
        arr = arr.reshape(-1, order="A").reshape(spec.shape, order=self.order)
        if arr.dtype != native:
            arr = astype(arr, native)
        return arr
