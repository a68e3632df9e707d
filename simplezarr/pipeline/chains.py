"""zarr-python codecs and chunk specs -> simplezarr's bound :class:`CodecChain`.

Each zarr-python codec is rebuilt from its JSON (``to_dict``) through simplezarr's
registry, so the engine runs its own codecs. A codec simplezarr does not know (a
third-party ``zarr.abc.codec`` class) is wrapped: its zarr-python ``encode``/``decode``
run inside the chain, still batched by the engine and off the event loop.

Example:
    >>> zarr = __import__("pytest").importorskip("zarr")
    >>> from zarr.core.array_spec import ArrayConfig, ArraySpec
    >>> from zarr.core.buffer import default_buffer_prototype
    >>> m = zarr.create_array({}, shape=(4,), dtype="int16", chunks=(2,)).metadata
    >>> spec = ArraySpec((2,), m.data_type, m.fill_value, ArrayConfig.from_dict({}),
    ...                  default_buffer_prototype())
    >>> chain = bind(tuple(m.codecs), spec)
    >>> chain.spec.shape, [c.name for c in chain.codecs]
    ((2,), ['bytes', 'zstd'])
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from simplezarr.codecs import codec_from_json
from simplezarr.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
)
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.sharding import ShardingCodec
from simplezarr.dtypes import from_numpy, parse_v2_dtype, parse_v3_dtype
from simplezarr.errors import InvalidMetadata, UnknownCodec
from simplezarr.metadata.v2 import make_v2_codec

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Chains", "bind", "is_v2"]


def is_v2(codecs: Sequence[Any]) -> bool:
    """Whether ``codecs`` is a Zarr v2 array's one codec (zarr-python's ``V2Codec``)."""
    return len(codecs) == 1 and type(codecs[0]).__name__ == "V2Codec"


def _numcodec_config(codec: Any) -> dict[str, Any]:
    return dict(codec.get_config())


def _spec(zspec: Any, v2: bool) -> ChunkSpec:
    """simplezarr's ChunkSpec for a zarr-python ArraySpec (through their JSON forms)."""
    fmt = 2 if v2 else 3
    dtype_json = zspec.dtype.to_json(zarr_format=fmt)
    try:
        if v2:
            dtype, _ = parse_v2_dtype(dtype_json["name"], dtype_json.get("object_codec_id"))
        else:
            dtype = parse_v3_dtype(dtype_json)
        fill = None
        if zspec.fill_value is not None:  # v2 "null": the data type's default
            fill_json = zspec.dtype.to_json_scalar(zspec.fill_value, zarr_format=fmt)
            fill = dtype.fill_value_from_json(fill_json, fmt)
    except InvalidMetadata:
        # A name simplezarr's registry does not know (zarr-python 3.4 writes structured
        # types as "struct"): the same type by its numpy form, the fill value as is.
        dtype = from_numpy(zspec.dtype.to_native_dtype())
        fill = None if zspec.fill_value is None else dtype.cast_fill_value(zspec.fill_value)
    if fill is None:
        fill = dtype.default_fill_value()
    # v3 chunks are always stored in C order; config.order is only the in-memory layout.
    order: Literal["C", "F"] = "F" if v2 and zspec.order == "F" else "C"
    return ChunkSpec(tuple(zspec.shape), dtype, fill, order)


def _v2_codec(codec: Any, zspec: Any) -> Codec:
    dtype_json = zspec.dtype.to_json(zarr_format=2)
    _, endian = parse_v2_dtype(dtype_json["name"], dtype_json.get("object_codec_id"))
    filters = None
    if codec.filters:
        filters = tuple(_numcodec_config(f) for f in codec.filters)
    compressor = None if codec.compressor is None else _numcodec_config(codec.compressor)
    v2_codec: Codec = make_v2_codec(filters, compressor, zspec.order, endian)
    return v2_codec


#: Where zarr-python's own codec classes (and numcodecs' zarr 3 wrappers) live: simplezarr
#: runs its implementation of these. A class from anywhere else, a subclass of a built-in
#: included (what zarr's ``codecs.<name>`` config selects), runs its own encode and decode.
_BUILT_IN_MODULES = ("zarr.codecs.", "numcodecs.zarr3")


def _ours(codec: Any) -> Codec | None:
    if not type(codec).__module__.startswith(_BUILT_IN_MODULES):
        return None
    try:
        ours = codec_from_json(codec.to_dict())
    except UnknownCodec:
        return None
    order = getattr(codec, "subchunk_write_order", None)  # zarr-python 3.4, not in to_dict
    if isinstance(ours, ShardingCodec) and order is not None:
        ours = dataclasses.replace(ours, subchunk_write_order=order)
    return ours


def _codecs(codecs: Sequence[Any], zspec: Any) -> list[Codec]:
    if is_v2(codecs):
        return [_v2_codec(codecs[0], zspec)]
    out: list[Codec] = []
    spec = zspec
    for codec in codecs:
        ours = _ours(codec)
        out.append(ours if ours is not None else _wrap(codec, spec))
        if hasattr(codec, "resolve_metadata"):
            spec = codec.resolve_metadata(spec)
    return out


def _spec_key(zspec: Any) -> tuple[Any, ...]:
    return (tuple(zspec.shape), str(zspec.dtype), _fill_key(zspec.fill_value), zspec.order)


def _fill_key(fill: Any) -> Any:
    # A numpy scalar by its bytes: bit-exact (NaN payloads, -0.0), and numpy cannot even
    # print some (a record holding a generic-unit datetime).
    if isinstance(fill, np.generic) and fill.dtype.kind != "O":
        return (str(fill.dtype), fill.tobytes())
    return repr(fill)


class Chains:
    """A pipeline's codecs bound to each chunk spec they meet, once per spec.

    Example:
        >>> Chains(()).codecs
        ()
    """

    _MAX_CACHED = 64

    def __init__(self, codecs: tuple[Any, ...]) -> None:
        self.codecs = codecs
        self._bound: dict[tuple[Any, ...], CodecChain] = {}
        self._lock = threading.Lock()

    def bind(self, zspec: Any) -> CodecChain:
        """The chain bound to zarr-python's chunk spec ``zspec`` (shape, data type, fill
        value, order), shared by every chunk of that spec."""
        key = _spec_key(zspec)
        chain = self._bound.get(key)
        if chain is None:
            v2 = is_v2(self.codecs)
            chain = CodecChain(_codecs(self.codecs, zspec), _spec(zspec, v2))
            with self._lock:
                if len(self._bound) >= self._MAX_CACHED:
                    self._bound.clear()  # irregular grids: bound the cache
                self._bound[key] = chain
        return chain


def bind(codecs: tuple[Any, ...], zspec: Any) -> CodecChain:
    """``codecs`` bound to ``zspec`` once (no cache); see :class:`Chains`."""
    return CodecChain(_codecs(codecs, zspec), _spec(zspec, is_v2(codecs)))


# -- codecs simplezarr does not know: zarr-python's own encode/decode ---------------------


def _run(method: Any, data: Any, zspec: Any) -> Any:
    """Call a zarr-python codec's ``_decode_single`` / ``_encode_single``: its sync twin
    when it has one (zarr 3.4), else the coroutine on a private loop of this thread (we are
    never on zarr-python's event loop here: the pipeline runs the engine off it)."""
    codec = method.__self__
    if _supports_sync(codec):
        return getattr(codec, method.__name__.replace("_single", "_sync"))(data, zspec)
    return asyncio.run(method(data, zspec))


def _supports_sync(codec: Any) -> bool:
    """zarr-python 3.4's own answer (a sharding codec is sync only if its inner codecs
    are); zarr-python 3.1 has no sync codecs."""
    import zarr.abc.codec

    check = getattr(zarr.abc.codec, "_codec_supports_sync", None)
    return check is not None and bool(check(codec))


def _prototype(zspec: Any) -> Any:
    return zspec.prototype


class _Wrapped:
    """A zarr-python codec inside a simplezarr chain (not registered, never in metadata)."""

    zarr_codec: Any
    zarr_spec: Any

    def to_dict(self) -> dict[str, Any]:
        return dict(self.zarr_codec.to_dict())

    def resolve(self, spec: ChunkSpec) -> Any:
        return self

    def __repr__(self) -> str:
        return f"zarr-python {self.zarr_codec!r}"


class ZarrArrayArray(_Wrapped, ArrayArrayCodec):
    name: ClassVar[str] = "zarr-python array->array"

    def __init__(self, codec: Any, zspec: Any) -> None:
        self.zarr_codec, self.zarr_spec = codec, zspec

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        after = self.zarr_codec.resolve_metadata(self.zarr_spec)
        return ChunkSpec(tuple(after.shape), spec.dtype, spec.fill_value, spec.order)

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        nd = _prototype(self.zarr_spec).nd_buffer.from_numpy_array(chunk)
        return np.asarray(_run(self.zarr_codec._encode_single, nd, self.zarr_spec).as_numpy_array())

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        after = self.zarr_codec.resolve_metadata(self.zarr_spec)
        nd = _prototype(after).nd_buffer.from_numpy_array(chunk)
        return np.asarray(_run(self.zarr_codec._decode_single, nd, self.zarr_spec).as_numpy_array())


class ZarrArrayBytes(_Wrapped, ArrayBytesCodec):
    name: ClassVar[str] = "zarr-python array->bytes"

    def __init__(self, codec: Any, zspec: Any) -> None:
        self.zarr_codec, self.zarr_spec = codec, zspec

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> Any:
        nd = _prototype(self.zarr_spec).nd_buffer.from_numpy_array(chunk)
        out = _run(self.zarr_codec._encode_single, nd, self.zarr_spec)
        return None if out is None else out.to_bytes()  # None: nothing stored (zarr's contract)

    def decode(self, data: Any, spec: ChunkSpec) -> np.ndarray:
        buf = _prototype(self.zarr_spec).buffer.from_bytes(bytes(data))
        nd = _run(self.zarr_codec._decode_single, buf, self.zarr_spec)
        return np.asarray(nd.as_numpy_array()).reshape(spec.shape)


class ZarrBytesBytes(_Wrapped, BytesBytesCodec):
    name: ClassVar[str] = "zarr-python bytes->bytes"

    def __init__(self, codec: Any, zspec: Any) -> None:
        self.zarr_codec, self.zarr_spec = codec, zspec

    def encode(self, data: Any) -> Any:
        buf = _prototype(self.zarr_spec).buffer.from_bytes(bytes(data))
        out = _run(self.zarr_codec._encode_single, buf, self.zarr_spec)
        return None if out is None else out.to_bytes()  # None: nothing stored (zarr's contract)

    def decode(self, data: Any, max_size: int | None) -> Any:
        buf = _prototype(self.zarr_spec).buffer.from_bytes(bytes(data))
        return _run(self.zarr_codec._decode_single, buf, self.zarr_spec).to_bytes()


def _wrap(codec: Any, zspec: Any) -> Codec:
    from zarr.abc.codec import ArrayArrayCodec as ZAA
    from zarr.abc.codec import ArrayBytesCodec as ZAB

    if isinstance(codec, ZAA):
        return ZarrArrayArray(codec, zspec)
    if isinstance(codec, ZAB):
        return ZarrArrayBytes(codec, zspec)
    return ZarrBytesBytes(codec, zspec)
