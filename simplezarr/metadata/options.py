"""ArrayOptions: every choice made when an array is created, in one frozen object.

zarr-python spreads these over the keywords of ``create_array``, ``from_array``, ``create``
and ``Group.create_array``; simplezarr's API functions accept the same keywords and build one
:class:`ArrayOptions`, which the core (:meth:`simplezarr.nodes.ZarrArray.create`) takes and
turns into the metadata zarr-python would write (:meth:`ArrayOptions.metadata`, with the
defaults of :mod:`simplezarr.metadata.defaults`).

``fill_value``: :data:`DEFAULT_FILL_VALUE` (left out) is the data type's default; ``None``
writes ``null`` in Zarr v2 and means the default in v3, as in zarr-python; :data:`NULL_FILL`
always asks for ``null``.

Example:
    >>> opts = ArrayOptions(shape=(1000, 1000), dtype="float32")
    >>> m = opts.metadata()
    >>> m.chunk_shape, [c["name"] for c in m.to_json()["codecs"]]
    ((250, 500), ['bytes', 'zstd'])
    >>> opts.replace(zarr_format=2).metadata().to_json()["compressor"]
    {'id': 'zstd', 'level': 0}
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from simplezarr.config import config as settings
from simplezarr.dtypes import from_numpy_with_endian
from simplezarr.errors import InvalidArgument, InvalidMetadata
from simplezarr.metadata.defaults import (
    NULL_FILL,
    Sentinel,
    _chunk_key_encoding,
    _fill,
    _is_auto,
    _partition,
    _shape,
    _v2_encoding,
    _v2_object_dtype,
    _v3_codecs,
    is_rectilinear_spec,
    rectilinear_chunk_shapes,
)
from simplezarr.metadata.model import ArrayMetadata
from simplezarr.metadata.v2 import make_v2_codec

__all__ = ["DEFAULT_FILL_VALUE", "NULL_FILL", "ArrayOptions", "build_array_metadata"]


#: The fill value left out: the data type's default (zarr-python's DEFAULT_FILL_VALUE).
DEFAULT_FILL_VALUE: Any = Sentinel("DEFAULT_FILL_VALUE")


def chunk_key_encoding_json(value: Any) -> Any:
    """A chunk key encoding as JSON: also tuples ``("default", ".")`` and zarr-python objects.

    Example:
        >>> chunk_key_encoding_json(("v2", "/"))
        {'name': 'v2', 'configuration': {'separator': '/'}}
    """
    if value is None or isinstance(value, (dict, str)):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return {"name": value[0], "configuration": {"separator": value[1]}}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "to_json"):
        return value.to_json()
    raise InvalidArgument(f"chunk_key_encoding: cannot use {value!r}")


@dataclass(frozen=True, kw_only=True)
class ArrayOptions:
    """How to create an array: keyword names, values and defaults as zarr-python's
    ``create_array`` (``chunks``/``shards``/codecs may be ``"auto"``)."""

    shape: tuple[int, ...]
    dtype: Any
    chunks: Any = "auto"
    shards: Any = None
    filters: Any = "auto"
    compressors: Any = "auto"
    serializer: Any = "auto"
    fill_value: Any = DEFAULT_FILL_VALUE
    order: Any = None
    attributes: Mapping[str, Any] | None = None
    dimension_names: Any = None
    chunk_key_encoding: Any = None
    zarr_format: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.shape, numbers.Integral):
            object.__setattr__(self, "shape", (int(self.shape),))
        if self.zarr_format not in (2, 3):
            raise InvalidMetadata(f"zarr_format must be 2 or 3, got {self.zarr_format!r}")
        object.__setattr__(self, "zarr_format", int(self.zarr_format))
        encoding = chunk_key_encoding_json(self.chunk_key_encoding)
        object.__setattr__(self, "chunk_key_encoding", encoding)

    def replace(self, **changes: Any) -> ArrayOptions:
        """A copy with some options changed."""
        return dataclasses.replace(self, **changes)

    def metadata(self) -> ArrayMetadata:
        """The metadata ``zarr.create_array(store, **these_options)`` writes; InvalidMetadata
        naming the option that is wrong."""
        fill_value = self.fill_value
        if fill_value is DEFAULT_FILL_VALUE:
            fill_value = None
        elif fill_value is None and self.zarr_format == 2:
            fill_value = NULL_FILL
        shape, dtype, zarr_format = self.shape, self.dtype, self.zarr_format
        chunks, shards, order, attributes = self.chunks, self.shards, self.order, self.attributes
        filters, compressors, serializer = self.filters, self.compressors, self.serializer
        dimension_names, chunk_key_encoding = self.dimension_names, self.chunk_key_encoding
        shape_t = _shape(shape, "shape")
        if any(s < 0 for s in shape_t):
            raise InvalidMetadata(f"shape entries must be >= 0, got {shape_t}")
        dt, endian = from_numpy_with_endian(dtype, zarr_format)
        encoding = _chunk_key_encoding(chunk_key_encoding, zarr_format)
        chunk_shapes, chunks, shards = _rectilinear(shape_t, chunks, shards, zarr_format)
        shard_shape, chunk_shape, location = _partition(shape_t, chunks, shards, dt.item_size or 1)
        if chunk_shapes is not None and shard_shape is not None:
            chunk_shapes = rectilinear_chunk_shapes(chunk_shapes, shape_t, "shards", chunk_shape)
            shard_shape = tuple(d if isinstance(d, int) else max(d) for d in chunk_shapes)
        elif chunk_shapes is not None:
            chunk_shapes = rectilinear_chunk_shapes(chunk_shapes, shape_t, "chunks")
            chunk_shape = tuple(d if isinstance(d, int) else max(d) for d in chunk_shapes)
        names = None if dimension_names is None else tuple(dimension_names)
        if zarr_format == 2:
            if shard_shape is not None:
                raise InvalidMetadata("shards: Zarr v2 arrays cannot be sharded")
            if not _is_auto(serializer):
                raise InvalidMetadata("serializer: Zarr v2 arrays have no serializer")
            if names is not None:
                raise InvalidMetadata("dimension_names: Zarr v2 arrays have no dimension names")
            v2_filters, compressor = _v2_encoding(dt, filters, compressors)
            dt = _v2_object_dtype(dt, v2_filters, compressor)
            if order not in (None, "C", "F"):
                raise InvalidMetadata(f"order must be 'C' or 'F', got {order!r}")
            order = settings.order if order is None else order  # zarr-python's array.order
            v2_order: Literal["C", "F"] = "F" if order == "F" else "C"
            fill = _fill(dt, fill_value, 2)
            return ArrayMetadata(
                zarr_format=2,
                shape=shape_t,
                chunk_shape=chunk_shape,
                dtype=dt,
                fill_value=fill,
                codecs=(make_v2_codec(v2_filters, compressor, v2_order, endian),),
                chunk_key_encoding=encoding,
                attributes=attributes or {},
                order=v2_order,
                endian=endian,
            )
        if order not in (None, "C", "F"):
            raise InvalidMetadata(f"order must be 'C' or 'F', got {order!r}")
        fill = _fill(dt, fill_value, 3)
        shard = None if shard_shape is None else (shard_shape, location)
        if shard is not None and chunk_shapes is not None:
            # the shards differ: ArrayMetadata checks each holds whole inner chunks
            shard = (chunk_shape, location)
        codecs = _v3_codecs(dt, chunk_shape, fill, filters, serializer, compressors, shard)
        return ArrayMetadata(
            zarr_format=3,
            shape=shape_t,
            chunk_shape=shard_shape or chunk_shape,
            dtype=dt,
            fill_value=fill,
            codecs=codecs,
            chunk_key_encoding=encoding,
            attributes=attributes or {},
            dimension_names=names or None,  # zarr-python drops an empty list
            chunk_shapes=chunk_shapes,
        )


def _rectilinear(
    shape: tuple[int, ...], chunks: Any, shards: Any, zarr_format: int
) -> tuple[Any, Any, Any]:
    """Split off a rectilinear ``chunks=`` or ``shards=`` (nested lists of sizes, zarr-python
    3.4): (the rectilinear spec or None, chunks, shards), the spec's place taken by a regular
    stand-in that :func:`_partition` accepts; refused as zarr-python refuses it."""
    grid = hasattr(shards, "chunk_shapes")  # a grid's metadata (a Mapping too)
    shard_spec = shards.get("shape") if isinstance(shards, Mapping) and not grid else shards
    rect_chunks, rect_shards = is_rectilinear_spec(chunks), is_rectilinear_spec(shard_spec)
    if not (rect_chunks or rect_shards):
        return None, chunks, shards
    if zarr_format == 2:
        raise InvalidMetadata("chunks: Zarr format 2 does not support rectilinear chunk grids")
    if rect_chunks:
        if shards is not None:
            raise InvalidMetadata(
                "chunks: Rectilinear chunks with sharding is not supported. Use rectilinear "
                "shards instead: regular chunks (the inner chunks) and shards=[[...], ...]"
            )
        return chunks, (1,) * len(shape), None
    stand_in = (1,) * len(shape)
    keyed = isinstance(shards, Mapping) and not grid
    shards = {**shards, "shape": stand_in} if keyed else stand_in
    return shard_spec, chunks, shards


def build_array_metadata(**options: Any) -> ArrayMetadata:
    """The metadata ``zarr.create_array(store, **options)`` would write (keywords as
    :class:`ArrayOptions`; here ``fill_value=None`` is the data type's default in v2 too).

    Example:
        >>> m = build_array_metadata(shape=(10,), dtype=">f8", zarr_format=2, order="F")
        >>> m.to_json()["dtype"], m.to_json()["compressor"], m.order
        ('>f8', {'id': 'zstd', 'level': 0}, 'F')
    """
    if options.get("fill_value", DEFAULT_FILL_VALUE) is None:
        options["fill_value"] = DEFAULT_FILL_VALUE
    return ArrayOptions(**options).metadata()
