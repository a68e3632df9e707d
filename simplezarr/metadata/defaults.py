"""What ``zarr.create_array`` (zarr-python 3.1.6) writes, for the same arguments.

The defaults :class:`simplezarr.metadata.options.ArrayOptions` applies when it turns creation
arguments into an :class:`ArrayMetadata` whose ``to_json()`` equals the document zarr-python
writes:

- chunks ``"auto"``: zarr-python's heuristic (h5py's): halve the axes in turn until a chunk is
  near a target size between 128 KiB and 64 MiB that grows with the array (1 MiB at most when
  sharding);
- ``shards``: a tuple, ``{"shape": ..., "index_location": ...}`` or ``"auto"`` (2 chunks per
  axis along axes with more than 8 chunks) gives one ``sharding_indexed`` codec holding the
  filters, serializer and compressors, with index codecs ``bytes`` (little) + ``crc32c``;
- v3 codecs: no filters; ``bytes`` (``endian: little`` for multi-byte types), ``vlen-utf8``
  for strings, ``vlen-bytes`` for bytes; ``zstd`` level 0 without checksum;
- v2: compressor ``{"id": "zstd", "level": 0}``; filters ``[vlen-utf8]`` / ``[vlen-bytes]``
  for variable-length types, else null; ``order`` "C"; byte order from the dtype (">f8");
- fill value None: the type's default (0, False, NaT, "", zero bytes ...), as zarr-python
  does when no fill value is given. zarr-python writes a v2 ``null`` only when
  ``fill_value=None`` is passed explicitly; pass :data:`NULL_FILL` for that.

Codecs may be given as simplezarr codec objects, ``{"name", "configuration"}`` dicts, objects
with a zarr-style ``to_dict()`` (zarr / numcodecs.zarr3 codecs) and, for v2, numcodecs
instances or ``{"id": ...}`` dicts. A plain numcodecs instance in a v3 chain becomes the
``numcodecs.<id>`` codec.

Example:
    >>> guess_chunks((1000, 1000), 4)
    (250, 500)
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Mapping
from math import prod
from typing import Any

import numpy as np

from simplezarr.chunk_grid import ChunkShapes
from simplezarr.chunk_keys import ChunkKeyEncoding
from simplezarr.dtypes import (
    DataType,
    ObjectType,
    VlenBytesType,
    VlenStringType,
)
from simplezarr.errors import InvalidMetadata, InvalidMetadataType, ZarrUserWarning
from simplezarr.metadata.v2 import object_codec_id
from simplezarr.metadata.v3 import resolve_codecs

__all__ = ["NULL_FILL", "guess_chunks", "guess_shards", "v3_codec"]


class Sentinel:
    """A named marker value where ``None`` already means something.

    Example:
        >>> Sentinel("NULL_FILL")
        NULL_FILL
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


#: Pass as ``fill_value`` to write ``"fill_value": null`` in a v2 ``.zarray``.
NULL_FILL: Any = Sentinel("NULL_FILL")

_INDEX_CODECS = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]


# --------------------------------------------------------------------------- chunk shapes


def guess_chunks(
    shape: tuple[int, ...],
    typesize: int,
    *,
    increment_bytes: int = 256 * 1024,
    min_bytes: int = 128 * 1024,
    max_bytes: int = 64 * 1024 * 1024,
) -> tuple[int, ...]:
    """zarr-python's automatic chunk shape for an array of ``shape`` and item size ``typesize``.

    Example:
        >>> guess_chunks((10000, 10000), 8)
        (313, 625)
    """
    if typesize == 0:
        return tuple(shape)
    ndim = len(shape)
    chunks = [np.float64(max(s, 1)) for s in shape]
    dset_size = np.float64(prod(chunks)) * typesize
    target = increment_bytes * (2 ** np.log10(dset_size / (1024.0 * 1024)))
    target = min(max(target, min_bytes), max_bytes)
    i = 0
    while True:
        n = np.float64(prod(chunks))
        chunk_bytes = n * typesize
        near = chunk_bytes < target or abs(chunk_bytes - target) / target < 0.5
        if (near and chunk_bytes < max_bytes) or n == 1:
            break
        chunks[i % ndim] = np.float64(math.ceil(chunks[i % ndim] / 2.0))
        i += 1
    return tuple(int(c) for c in chunks)


def guess_shards(shape: tuple[int, ...], chunks: tuple[int, ...]) -> tuple[int, ...]:
    """zarr-python's ``shards="auto"``: 2 chunks per shard along axes with more than 8 chunks.

    Example:
        >>> guess_shards((1000, 10), (10, 10))
        (20, 10)
    """
    return tuple(c * 2 if s // c > 8 else c for s, c in zip(shape, chunks, strict=True))


def _shape(value: Any, what: str) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    try:
        out = tuple(value)
    except TypeError:
        msg = f"{what} must be an int or a sequence of ints, got {value!r}"
        raise InvalidMetadataType(msg) from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in out):
        raise InvalidMetadataType(f"{what} must contain only integers, got {value!r}")
    return tuple(int(v) for v in out)


def _chunks(value: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),) * len(shape)  # one size for every dimension
    chunks = list(_shape(value, "chunks"))
    if len(chunks) != len(shape):
        raise InvalidMetadata(
            f"chunks {tuple(chunks)} has {len(chunks)} dimensions but shape {shape} has "
            f"{len(shape)}"
        )
    return tuple(s if c == -1 else c for c, s in zip(chunks, shape, strict=True))


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_rectilinear_spec(value: Any) -> bool:
    """Whether a ``chunks=`` / ``shards=`` value asks for a rectilinear grid: a sequence
    holding at least one sequence of chunk sizes (zarr-python 3.4's nested lists).

    Example:
        >>> is_rectilinear_spec([[10, 20], 5]), is_rectilinear_spec((10, 5)), is_rectilinear_spec(10)
        (True, False, False)
    """
    if hasattr(value, "chunk_shapes"):  # a rectilinear grid's metadata, kept as it is
        return True
    if (
        isinstance(value, (str, bytes, Mapping))
        or _is_int(value)
        or not isinstance(value, Iterable)
    ):
        return False
    if isinstance(value, np.ndarray):
        return False  # an array of ints is a regular shape; numpy cannot hold ragged lists
    return any(isinstance(v, Iterable) and not isinstance(v, (str, bytes, Mapping)) for v in value)


def rectilinear_chunk_shapes(
    value: Any, shape: tuple[int, ...], what: str, unit: tuple[int, ...] | None = None
) -> ChunkShapes:
    """A rectilinear ``chunks=`` (or ``shards=``) spec as a grid's ``chunk_shapes``: per
    dimension an ``int`` (``-1``: one chunk over the whole extent, a multiple of ``unit``)
    or a sequence of sizes that sum to the extent (any positive sizes on an empty
    dimension: the chunks it grows into). InvalidMetadata naming the dimension otherwise.

    Example:
        >>> rectilinear_chunk_shapes((5, [10, 20, 70]), (30, 100), "chunks")
        (5, (10, 20, 70))
        >>> rectilinear_chunk_shapes([[10, 20]], (31,), "chunks")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: chunks[0]: chunk sizes [10, 20] do not sum to span 31 (the array's extent along dimension 0)
    """
    if hasattr(value, "chunk_shapes"):
        # a grid's metadata (``from_array``'s "keep", zarr-python's RectilinearChunkGridMetadata):
        # taken as stored, so edges past the extent (a shrunk array's) stay
        return tuple(d if _is_int(d) else tuple(int(e) for e in d) for d in value.chunk_shapes)
    dims = list(value)
    if len(dims) != len(shape):
        raise InvalidMetadata(
            f"{what} has {len(dims)} dimensions but shape {shape} has {len(shape)}"
        )
    out: list[int | tuple[int, ...]] = []
    for axis, (dim, span) in enumerate(zip(dims, shape, strict=True)):
        where = f"{what}[{axis}]"
        u = 1 if unit is None else unit[axis]
        if _is_int(dim):
            size = int(dim)
            if size == -1:
                size = u * max(1, -(-span // u))
            elif size < 1:
                raise InvalidMetadata(f"{where}: a chunk size must be positive or -1, got {size}")
            out.append(size)
            continue
        if isinstance(dim, (str, bytes, Mapping)) or not isinstance(dim, Iterable):
            raise InvalidMetadataType(
                f"{where} must be an integer or a sequence of chunk sizes, got {dim!r}"
            )
        sizes = list(dim)
        if not sizes:
            raise InvalidMetadata(f"{where}: the chunk sizes must not be empty")
        bad = [v for v in sizes if not _is_int(v)]
        if bad:
            raise InvalidMetadataType(
                f"{where}: each chunk size must be an integer, got {bad!r} in {sizes!r}"
            )
        ints = [int(v) for v in sizes]
        if any(v <= 0 for v in ints):
            raise InvalidMetadata(f"{where}: all chunk sizes must be positive, got {ints}")
        if span > 0 and sum(ints) != span:
            raise InvalidMetadata(
                f"{where}: chunk sizes {_brief(ints)} do not sum to span {span} (the array's "
                f"extent along dimension {axis})"
            )
        out.append(tuple(ints))
    return tuple(out)


def _brief(values: list[int]) -> str:
    return (
        str(values)
        if len(values) <= 8
        else f"[{values[0]}, ..., {values[-1]}] ({len(values)} sizes)"
    )


def _partition(
    shape: tuple[int, ...], chunks: Any, shards: Any, item_size: int
) -> tuple[tuple[int, ...] | None, tuple[int, ...], str]:
    """(shard shape or None, chunk shape, index location)."""
    if shards is None:
        inner = guess_chunks(shape, item_size) if _is_auto(chunks) else _chunks(chunks, shape)
        return None, inner, "end"
    if _is_auto(chunks):
        inner = guess_chunks(shape, item_size, max_bytes=1024 * 1024)
    else:
        inner = _chunks(chunks, shape)
    location = "end"
    if _is_auto(shards):
        warnings.warn(
            "shards='auto' picks a shard shape by a rule that may change between versions "
            "(as zarr-python warns); give the shard shape for a stable layout",
            ZarrUserWarning,
            stacklevel=6,
        )
        outer = guess_shards(shape, inner)
    elif isinstance(shards, Mapping):
        if "shape" not in shards:
            raise InvalidMetadata(f"shards must have a 'shape', got {shards!r}")
        outer = _chunks(shards["shape"], shape)
        location = shards.get("index_location") or "end"
    else:
        outer = _chunks(shards, shape)
    return outer, inner, location


def _is_auto(value: Any) -> bool:
    return isinstance(value, str) and value == "auto"


# --------------------------------------------------------------------------- codecs


def _is_numcodec(obj: Any) -> bool:
    return hasattr(obj, "get_config") and hasattr(obj, "codec_id") and not isinstance(obj, dict)


def v3_codec(value: Any, kind: str, role: str) -> Any:
    """One v3 codec of ``kind`` (``array_array``, ``array_bytes`` or ``bytes_bytes``) from a
    simplezarr or zarr-python codec object, a numcodecs instance or JSON; InvalidMetadata
    naming ``role`` when it is not one, or of another kind.

    Example:
        >>> v3_codec({"name": "gzip"}, "bytes_bytes", "compressors").name
        'gzip'
    """
    from simplezarr.codecs.base import Codec
    from simplezarr.codecs.registry import codec_from_json

    if isinstance(value, Codec):
        codec = value
    elif isinstance(value, (dict, str)):
        codec = codec_from_json(value)
    elif _is_numcodec(value):
        config = dict(value.get_config())
        codec = codec_from_json({"name": f"numcodecs.{config.pop('id')}", "configuration": config})
    elif hasattr(value, "to_dict"):
        codec = _keep_unresolved(codec_from_json(value.to_dict()), value)
    else:
        raise InvalidMetadata(f"{role}: {value!r} is not a codec")
    if codec.kind != kind:
        raise InvalidMetadata(
            f"{role}: codec {codec.name!r} is a {codec.kind.replace('_', ' -> ')} codec; "
            f"{role} must be {kind.replace('_', ' -> ')} codecs"
        )
    return codec


def _keep_unresolved(codec: Any, source: Any) -> Any:
    """Undo the placeholders of a zarr-python codec object's ``to_dict()``.

    zarr-python marks the fields left unset (blosc ``typesize`` and ``shuffle``) in
    ``_tunable_attrs`` and fills them from the data type later, also inside sharding codecs;
    ``to_dict()`` writes placeholder values for them. Set them back to None so they resolve
    against the data type here too.
    """
    if not dataclasses.is_dataclass(codec) or isinstance(codec, type):  # instances only
        return codec
    fields = {f.name for f in dataclasses.fields(codec) if f.init}
    changes: dict[str, Any] = {
        name: None for name in getattr(source, "_tunable_attrs", ()) or () if name in fields
    }
    for name in ("codecs", "index_codecs"):  # sharding: its inner codec objects
        inner, inner_source = getattr(codec, name, None), getattr(source, name, None)
        if (
            name in fields
            and isinstance(inner, tuple)
            and isinstance(inner_source, tuple)
            and len(inner) == len(inner_source)
        ):
            changes[name] = tuple(map(_keep_unresolved, inner, inner_source))
    return dataclasses.replace(codec, **changes) if changes else codec


def _v3_list(value: Any, kind: str, role: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (dict, str)) or not isinstance(value, Iterable):
        value = [value]
    return [v3_codec(v, kind, role) for v in value]


def _default_serializer(dtype: DataType) -> dict[str, Any]:
    if isinstance(dtype, VlenStringType):
        return {"name": "vlen-utf8", "configuration": {}}
    if isinstance(dtype, VlenBytesType):
        return {"name": "vlen-bytes", "configuration": {}}
    if dtype.has_endianness:
        return {"name": "bytes", "configuration": {"endian": "little"}}
    return {"name": "bytes"}


def _v3_codecs(
    dtype: DataType,
    chunk_shape: tuple[int, ...],
    fill: Any,
    filters: Any,
    serializer: Any,
    compressors: Any,
    shard: tuple[tuple[int, ...], str] | None,
) -> tuple[Any, ...]:
    from simplezarr.codecs.base import ChunkSpec
    from simplezarr.codecs.registry import codec_from_json

    aa = [] if _is_auto(filters) else _v3_list(filters, "array_array", "filters")
    ab = v3_codec(
        _default_serializer(dtype) if _is_auto(serializer) else serializer,
        "array_bytes",
        "serializer",
    )
    if _is_auto(compressors):
        compressors = [{"name": "zstd", "configuration": {"level": 0, "checksum": False}}]
    bb = _v3_list(compressors, "bytes_bytes", "compressors")
    spec = ChunkSpec(chunk_shape, dtype, fill)
    codecs = list(resolve_codecs((*aa, ab, *bb), spec))  # zarr-python writes e.g. blosc typesize
    if shard is None:
        return tuple(codecs)
    shard_shape, location = shard
    sharding = codec_from_json(
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": list(chunk_shape),
                "codecs": codecs,
                "index_codecs": _INDEX_CODECS,
                "index_location": location,
            },
        }
    )
    sharding.resolve(ChunkSpec(shard_shape, dtype, fill))  # validates shard vs inner chunks
    return (sharding,)


def _numcodec_config(value: Any, role: str) -> dict[str, Any]:
    """A v2 numcodecs configuration as zarr-python writes it (numcodecs' full config)."""
    import numcodecs

    if _is_numcodec(value):
        config = dict(value.get_config())
    elif isinstance(value, Mapping) and isinstance(value.get("id"), str):
        try:
            config = dict(numcodecs.get_codec(dict(value)).get_config())
        except (ValueError, TypeError, KeyError):
            config = dict(value)  # unknown to numcodecs: keep as given
    else:
        raise InvalidMetadata(f"{role}: {value!r} is not a numcodecs codec or configuration")
    if config.get("id") == "zstd" and not config.get("checksum", False):
        config.pop("checksum", None)  # as zarr-python
    return config


def _v2_encoding(
    dtype: DataType, filters: Any, compressors: Any
) -> tuple[tuple[dict[str, Any], ...] | None, dict[str, Any] | None]:
    if compressors is None or (isinstance(compressors, (list, tuple)) and not compressors):
        compressor = None
    elif _is_auto(compressors):
        compressor = {"id": "zstd", "level": 0}
    elif isinstance(compressors, (list, tuple)):
        if len(compressors) != 1:
            raise InvalidMetadata(
                f"compressors: a Zarr v2 array has at most one compressor, got {len(compressors)}"
            )
        compressor = _numcodec_config(compressors[0], "compressors")
    else:
        compressor = _numcodec_config(compressors, "compressors")
    out_filters: tuple[dict[str, Any], ...] | None
    if filters is None:
        out_filters = None
    elif _is_auto(filters):
        codec_id = dtype.object_codec_id
        out_filters = ({"id": codec_id},) if codec_id in ("vlen-utf8", "vlen-bytes") else None
    else:
        if _is_numcodec(filters) or isinstance(filters, Mapping):
            filters = [filters]
        out_filters = tuple(_numcodec_config(f, "filters") for f in filters) or None
    return out_filters, compressor


def _v2_object_dtype(dtype: DataType, filters: Any, compressor: Any) -> DataType:
    if not (dtype.is_variable_length or isinstance(dtype, ObjectType)):
        return dtype
    found = object_codec_id(filters, compressor)
    if found is None:
        raise InvalidMetadata(
            f"data type {dtype.name} needs an object codec (vlen-utf8, vlen-bytes, pickle, ...) "
            "in filters"
        )
    kinds = {"vlen-utf8": VlenStringType, "vlen-bytes": VlenBytesType}
    if isinstance(dtype, ObjectType) and dtype.object_codec is None:
        return kinds[found]() if found in kinds else ObjectType(object_codec=found)
    if dtype.object_codec_id != found:
        raise InvalidMetadata(
            f"data type {dtype.name} is encoded by {dtype.object_codec_id}, but the filters "
            f"use {found}"
        )
    return dtype


# --------------------------------------------------------------------------- entry point


def _fill(dt: DataType, value: Any, zarr_format: int) -> Any:
    if value is NULL_FILL:
        if zarr_format != 2:
            raise InvalidMetadata("fill_value: null is only allowed in Zarr v2")
        return None
    if value is None:
        return dt.default_fill_value()
    return dt.cast_fill_value(value)


def _chunk_key_encoding(value: Any, zarr_format: int) -> ChunkKeyEncoding:
    if value is None:
        return ChunkKeyEncoding("v2" if zarr_format == 2 else "default")
    encoding = ChunkKeyEncoding.from_json(value)
    if zarr_format == 2 and encoding.name != "v2":
        raise InvalidMetadata(
            f"chunk_key_encoding: Zarr v2 arrays use the 'v2' encoding, got {encoding.name!r}"
        )
    return encoding
