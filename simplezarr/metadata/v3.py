"""Zarr v3 ``zarr.json`` documents <-> :class:`ArrayMetadata` / :class:`GroupMetadata`.

Every error is an :class:`~simplezarr.errors.InvalidMetadata` (or a subclass:
``UnsupportedFeature``, ``UnknownCodec``, ``UnknownDataType``) whose message starts with the
node path and the field, e.g. ``/a/b: chunk_grid: chunk_shape entries must be >= 1``.

Extension fields (any other top-level key) are kept in ``extra`` when they are objects with
``"must_understand": false``; any other unknown key is an ``UnsupportedFeature``.

Example:
    >>> doc = b'{"zarr_format": 3, "node_type": "group", "attributes": {"a": 1}}'
    >>> g = parse_node_v3(doc, "g")
    >>> g.zarr_format, dict(g.attributes), g.consolidated_metadata
    (3, {'a': 1}, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simplezarr.chunk_grid import (
    ChunkShapes,
    check_chunk_shapes,
    chunk_shapes_from_json,
    require_rectilinear_flag,
)
from simplezarr.chunk_keys import ChunkKeyEncoding
from simplezarr.dtypes import parse_v3_dtype
from simplezarr.errors import InvalidMetadata, NodeTypeValidationError, UnsupportedFeature, quote
from simplezarr.metadata.json import dump_document, parse_document
from simplezarr.metadata.model import (
    V3_ARRAY_KEYS,
    V3_GROUP_KEYS,
    ArrayMetadata,
    GroupMetadata,
    check_member_names,
    node_context,
    where,
)
from simplezarr.named import parse_named

__all__ = ["document_bytes", "parse_codecs", "parse_node_v3", "resolve_codecs"]

_REQUIRED_ARRAY_KEYS = (
    "shape",
    "data_type",
    "chunk_grid",
    "chunk_key_encoding",
    "fill_value",
    "codecs",
)


def parse_node_v3(
    doc: bytes | bytearray | memoryview | str | Mapping[str, Any],
    path: str,
    *,
    gated: bool = True,
) -> ArrayMetadata | GroupMetadata:
    """Parse a ``zarr.json`` document (bytes or an already parsed dict) at node ``path``.

    ``gated``: a rectilinear chunk grid is refused while ``config.rectilinear_chunks`` is
    off (RectilinearChunksDisabledError), as zarr-python 3.4 refuses to read one; checks of
    what an array already open has stored pass False.

    Example:
        >>> parse_node_v3({"zarr_format": 3, "node_type": "array"}, "x")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: /x: shape: required field is missing
    """
    if isinstance(doc, Mapping):
        data = dict(doc)
    else:
        data = parse_document(doc, f"{where(path)}: zarr.json")
    with node_context(path, "zarr_format"):
        if type(data.get("zarr_format")) is not int or data["zarr_format"] != 3:
            raise InvalidMetadata(f"expected 3, got {quote(data.get('zarr_format'))}")
    node_type = data.get("node_type")
    if node_type == "group":
        return _parse_group(data, path)
    if node_type == "array":
        return _parse_array(data, path, gated)
    with node_context(path, "node_type"):
        raise NodeTypeValidationError(f"expected 'array' or 'group', got {quote(node_type)}")


def _extensions(data: dict[str, Any], core: frozenset[str], path: str) -> dict[str, Any]:
    extra = {}
    for key in data.keys() - core:
        value = data[key]
        if isinstance(value, Mapping) and value.get("must_understand") is False:
            extra[key] = value
        else:
            with node_context(path, key):
                raise UnsupportedFeature(
                    "unknown metadata field; extension fields must be objects with "
                    '"must_understand": false to be ignored'
                )
    return extra


def _attributes(data: dict[str, Any], path: str) -> dict[str, Any]:
    attrs = data.get("attributes", {})
    if attrs is None:
        attrs = {}
    if not isinstance(attrs, dict):
        with node_context(path, "attributes"):
            raise InvalidMetadata(f"must be a JSON object, got {type(attrs).__name__}")
    return attrs


def _parse_group(data: dict[str, Any], path: str) -> GroupMetadata:
    extra = _extensions(data, V3_GROUP_KEYS, path)
    consolidated = data.get("consolidated_metadata")
    with node_context(path, "consolidated_metadata"):
        if consolidated is not None and not isinstance(consolidated, dict):
            raise InvalidMetadata(f"must be a JSON object or null, got {quote(consolidated)}")
    if consolidated is not None:
        check_member_names(consolidated, path)
    with node_context(path):
        return GroupMetadata(3, _attributes(data, path), consolidated, extra)


def _grid(grid: Any, gated: bool) -> tuple[Any, ChunkShapes | None]:
    """(chunk_shape, None) of a regular grid, (None, chunk_shapes) of a rectilinear one."""
    name, config = parse_named(grid, "chunk grid", allow_string=False)
    if name == "rectilinear":
        if gated:
            # the flag decides what may be read before anything else is looked at
            require_rectilinear_flag()
        return None, _rectilinear_chunk_shapes(config)
    if name != "regular":
        raise UnsupportedFeature(
            f"chunk grid {quote(name)} is not supported (only 'regular' and 'rectilinear')"
        )
    if "chunk_shape" not in config:
        raise InvalidMetadata(f"a regular grid needs configuration.chunk_shape, got {quote(grid)}")
    if set(config) != {"chunk_shape"}:
        unknown = sorted(set(config) - {"chunk_shape"})
        raise InvalidMetadata(f"unexpected configuration keys {unknown}")
    chunk_shape = config["chunk_shape"]
    if not isinstance(chunk_shape, list):
        raise InvalidMetadata(f"chunk_shape must be a list of integers, got {quote(chunk_shape)}")
    return chunk_shape, None


def _rectilinear_chunk_shapes(config: Mapping[str, Any]) -> ChunkShapes:
    kind = config.get("kind")
    if kind is None:
        raise InvalidMetadata("a rectilinear grid needs configuration.kind (only 'inline' exists)")
    if kind != "inline":
        raise UnsupportedFeature(
            f"rectilinear grid kind {quote(kind)} is not supported (only 'inline')"
        )
    if "chunk_shapes" not in config:
        raise InvalidMetadata("a rectilinear grid needs configuration.chunk_shapes")
    unknown = sorted(set(config) - {"kind", "chunk_shapes"})
    if unknown:
        raise InvalidMetadata(f"unexpected configuration keys {unknown}")
    return chunk_shapes_from_json(config["chunk_shapes"])


def parse_codecs(value: Any, path: str = "") -> tuple[Any, ...]:
    """Build the codec objects of a v3 ``codecs`` list (through the codec registry).

    Example:
        >>> [c.name for c in parse_codecs([{"name": "bytes"}, {"name": "gzip"}])]
        ['bytes', 'gzip']
    """
    from simplezarr.codecs.base import Codec
    from simplezarr.codecs.registry import codec_from_json

    with node_context(path, "codecs"):
        if not isinstance(value, list) or not value:
            raise InvalidMetadata(f"must be a non-empty list of codecs, got {quote(value)}")
    out = []
    for i, c in enumerate(value):
        with node_context(path, f"codecs[{i}]"):
            out.append(c if isinstance(c, Codec) else codec_from_json(c))
    return tuple(out)


def resolve_codecs(codecs: tuple[Any, ...], spec: Any) -> tuple[Any, ...]:
    """Each codec resolved against the chunk it will see (array -> array codecs may change
    the spec for the codecs after them), as zarr-python does when it loads metadata: defaults
    that depend on the data type are filled in (blosc ``typesize``, no ``endian`` for 1-byte
    types) and impossible combinations are rejected here, once.

    Example:
        >>> from simplezarr.codecs.base import ChunkSpec
        >>> from simplezarr.dtypes import parse_v3_dtype
        >>> spec = ChunkSpec((4,), parse_v3_dtype("uint8"), 0)
        >>> resolve_codecs(parse_codecs([{"name": "bytes"}]), spec)
        (BytesCodec(endian=None),)
    """
    out = []
    for codec in codecs:
        codec = codec.resolve(spec)
        if codec.kind == "array_array":
            spec = codec.encoded_spec(spec)
        out.append(codec)
    return tuple(out)


def _parse_array(data: dict[str, Any], path: str, gated: bool = True) -> ArrayMetadata:
    for key in _REQUIRED_ARRAY_KEYS:
        if key not in data:
            with node_context(path, key):
                raise InvalidMetadata("required field is missing")
    extra = _extensions(data, V3_ARRAY_KEYS, path)
    with node_context(path, "storage_transformers"):
        transformers = data.get("storage_transformers", [])
        if transformers is None:
            transformers = []
        if not isinstance(transformers, list):
            raise InvalidMetadata(f"must be a list, got {quote(transformers)}")
        if transformers:
            raise UnsupportedFeature(
                f"storage transformers are not supported: {quote(transformers)}"
            )
    with node_context(path, "shape"):
        shape = data["shape"]
        if not isinstance(shape, list):
            raise InvalidMetadata(f"must be a list of integers, got {quote(shape)}")
    with node_context(path, "data_type"):
        dtype = parse_v3_dtype(data["data_type"])
    with node_context(path, "chunk_grid"):
        chunk_shape, chunk_shapes = _grid(data["chunk_grid"], gated)
        if chunk_shapes is not None:
            check_chunk_shapes(chunk_shapes, tuple(shape))
    with node_context(path, "chunk_key_encoding"):
        if not isinstance(data["chunk_key_encoding"], dict):
            got = data["chunk_key_encoding"]
            raise InvalidMetadata(f"must be an object with a 'name', got {quote(got)}")
        encoding = ChunkKeyEncoding.from_json(data["chunk_key_encoding"])
    with node_context(path, "fill_value"):
        fill_value = dtype.fill_value_from_json(data["fill_value"], 3)
    codecs = parse_codecs(data["codecs"], path)
    names = data.get("dimension_names")
    with node_context(path, "dimension_names"):
        if names is not None and not isinstance(names, list):
            raise InvalidMetadata(f"must be a list of strings or nulls, got {quote(names)}")
    with node_context(path):
        meta = ArrayMetadata(
            zarr_format=3,
            shape=shape,  # type: ignore[arg-type]
            chunk_shape=chunk_shape if chunk_shapes is None else (),
            chunk_shapes=chunk_shapes,
            dtype=dtype,
            fill_value=fill_value,
            codecs=codecs,
            chunk_key_encoding=encoding,
            attributes=_attributes(data, path),
            dimension_names=None if names is None else tuple(names),
            extra=extra,
        )
    with node_context(path, "codecs"):
        return meta.with_resolved_codecs()


def document_bytes(metadata: ArrayMetadata | GroupMetadata) -> bytes:
    """The ``zarr.json`` bytes of a v3 node, formatted as zarr-python writes them.

    Example:
        >>> document_bytes(GroupMetadata(3))
        b'{\\n  "attributes": {},\\n  "zarr_format": 3,\\n  "node_type": "group"\\n}'
    """
    if metadata.zarr_format != 3:
        raise InvalidMetadata("document_bytes writes Zarr v3 metadata; use v2.documents for v2")
    return dump_document(metadata.to_json(), "zarr.json")
