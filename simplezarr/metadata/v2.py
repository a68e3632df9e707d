"""Zarr v2 ``.zarray`` / ``.zgroup`` / ``.zattrs`` documents <-> the common metadata model.

A v2 array becomes an :class:`ArrayMetadata` with ``zarr_format=2``, the ``v2`` chunk key
encoding with the array's ``dimension_separator``, and one codec,
``V2Codec(filters, compressor, order)``, holding the numcodecs configurations. The byte order
of the ``dtype`` string (``">f8"``) is kept in ``ArrayMetadata.endian`` and handed to the
V2Codec (see :func:`make_v2_codec`). ``|O`` arrays are told apart by the object codec found
in ``filters`` or ``compressor`` (vlen-utf8 -> ``string``, vlen-bytes -> bytes, others ->
Python objects).

As zarr-python, unknown ``.zarray`` keys are ignored, and an empty ``filters`` list means no
filters. Missing ``compressor``/``filters``/``fill_value`` default to null, ``order`` to "C".

Example:
    >>> m = parse_array_v2({"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": ">i2",
    ...     "compressor": None, "fill_value": None, "order": "C", "filters": None}, {}, "a")
    >>> m.endian, m.fill_value, m.chunk_key_encoding.encode((1,))
    ('big', None, '1')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simplezarr.chunk_keys import ChunkKeyEncoding
from simplezarr.dtypes import OBJECT_CODEC_IDS, parse_v2_dtype
from simplezarr.errors import InvalidMetadata, quote
from simplezarr.metadata.json import dump_document, parse_document
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata, node_context, where

__all__ = ["documents", "make_v2_codec", "object_codec_id", "parse_array_v2", "parse_group_v2"]

Doc = bytes | bytearray | memoryview | str | Mapping[str, Any]


def _load(doc: Doc | None, path: str, name: str) -> dict[str, Any]:
    if doc is None:
        return {}
    if isinstance(doc, Mapping):
        return dict(doc)
    return parse_document(doc, f"{where(path)}: {name}")


def _check_format(data: dict[str, Any], path: str) -> None:
    with node_context(path, "zarr_format"):
        fmt = data.get("zarr_format")
        if fmt != 2 or isinstance(fmt, bool):
            raise InvalidMetadata(f"expected 2, got {quote(fmt)}")


def object_codec_id(filters: Any, compressor: Any) -> str | None:
    """The id of the first object codec (vlen-utf8, vlen-bytes, pickle, ...) in the chain.

    Example:
        >>> object_codec_id([{"id": "vlen-utf8"}], {"id": "zstd"})
        'vlen-utf8'
    """
    for c in [*(filters or ()), compressor]:
        if isinstance(c, Mapping) and c.get("id") in OBJECT_CODEC_IDS:
            return str(c["id"])
    return None


def _numcodec_config(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("id"), str):
        raise InvalidMetadata(
            f"{what} must be a numcodecs configuration with an 'id', got {quote(value)}"
        )
    return dict(value)


def make_v2_codec(
    filters: tuple[dict[str, Any], ...] | None,
    compressor: dict[str, Any] | None,
    order: str,
    endian: str | None = None,
) -> Any:
    """The single array -> bytes codec of a v2 array, with the stored byte order."""
    from simplezarr.codecs.v2 import V2Codec

    return V2Codec(filters, compressor, order, endian or "little")  # type: ignore[arg-type]


def parse_array_v2(zarray: Doc, zattrs: Doc | None, path: str) -> ArrayMetadata:
    """Parse a ``.zarray`` document (bytes or dict) and its ``.zattrs`` (or None).

    Example:
        >>> zarray = {"zarr_format": 2, "shape": [3], "chunks": [0], "dtype": "<f4"}
        >>> parse_array_v2(zarray, None, "a")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: /a: chunk_shape entries must be >= 1, got [0]
    """
    data = _load(zarray, path, ".zarray")
    attrs = _load(zattrs, path, ".zattrs")
    _check_format(data, path)
    for key in ("shape", "chunks", "dtype"):
        if key not in data:
            with node_context(path, key):
                raise InvalidMetadata("required field is missing")
    with node_context(path, "filters"):
        raw_filters = data.get("filters")
        if raw_filters is not None and not isinstance(raw_filters, list):
            raise InvalidMetadata(f"must be a list or null, got {quote(raw_filters)}")
        filters = tuple(_numcodec_config(f, "each filter") for f in raw_filters or ()) or None
    with node_context(path, "compressor"):
        raw = data.get("compressor")
        compressor = None if raw is None else _numcodec_config(raw, "compressor")
    with node_context(path, "dtype"):
        dtype, endian = parse_v2_dtype(data["dtype"], object_codec_id(filters, compressor))
    with node_context(path, "fill_value"):
        fill_value = dtype.fill_value_from_json(data.get("fill_value"), 2)
    with node_context(path, "order"):
        order = data.get("order", "C")
        if order not in ("C", "F"):
            raise InvalidMetadata(f"must be 'C' or 'F', got {quote(order)}")
    with node_context(path, "dimension_separator"):
        separator = data.get("dimension_separator") or "."
        if separator not in ("/", "."):
            raise InvalidMetadata(
                f"chunk_key_encoding: separator must be '/' or '.', got {quote(separator)}"
            )
        encoding = ChunkKeyEncoding("v2", "/" if separator == "/" else ".")
    for key in ("shape", "chunks"):
        with node_context(path, key):
            if not isinstance(data[key], list):
                raise InvalidMetadata(f"must be a list of integers, got {quote(data[key])}")
    with node_context(path, "attributes"):
        if not isinstance(attrs, dict):
            raise InvalidMetadata(f".zattrs must be a JSON object, got {quote(attrs)}")
    codec = make_v2_codec(filters, compressor, order, endian)
    with node_context(path):
        return ArrayMetadata(
            zarr_format=2,
            shape=data["shape"],
            chunk_shape=data["chunks"],
            dtype=dtype,
            fill_value=fill_value,
            codecs=(codec,),
            chunk_key_encoding=encoding,
            attributes=attrs,
            order=order,
            endian=endian,
        )


def parse_group_v2(zgroup: Doc, zattrs: Doc | None, path: str) -> GroupMetadata:
    """Parse a ``.zgroup`` document and its ``.zattrs`` (or None).

    Example:
        >>> parse_group_v2(b'{"zarr_format": 2}', b'{"a": 1}', "g").attributes["a"]
        1
    """
    data = _load(zgroup, path, ".zgroup")
    attrs = _load(zattrs, path, ".zattrs")
    _check_format(data, path)
    with node_context(path):
        return GroupMetadata(2, attrs)


def documents(metadata: ArrayMetadata | GroupMetadata) -> dict[str, bytes]:
    """The v2 documents of a node, by file name: ``.zarray``/``.zgroup``, and ``.zattrs``
    (``{}`` when there are no attributes, as zarr-python writes it; readers treat a missing
    ``.zattrs`` as ``{}`` too).

    Example:
        >>> docs = documents(GroupMetadata(2))
        >>> sorted(docs), docs[".zattrs"]
        (['.zattrs', '.zgroup'], b'{}')
    """
    if metadata.zarr_format != 2:
        raise InvalidMetadata("documents writes Zarr v2 metadata; use v3.document_bytes for v3")
    name = ".zarray" if isinstance(metadata, ArrayMetadata) else ".zgroup"
    return {
        name: dump_document(metadata.to_json(), name),
        ".zattrs": dump_document(dict(metadata.attributes), ".zattrs"),
    }
