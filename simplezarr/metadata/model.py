"""Frozen array and group metadata: the one model both Zarr formats are parsed into.

An :class:`ArrayMetadata` is validated once, when it is built (by the v3 / v2 parsers, by
``options.build_array_metadata``, or by ``with_shape`` / ``with_attributes``); after that
every field can be trusted. ``to_json()`` gives back the stored document: ``zarr.json`` for
v3, ``.zarray`` for v2 (whose attributes live in ``.zattrs``).

(Over 500 lines on purpose: the validation of every field lives next to the field, so a
reader sees in one place what an ArrayMetadata guarantees.)

Limits (chosen so sizes stay within int64 and a decoded chunk stays allocatable):

- rank <= 64 (numpy's limit);
- every extent a non-negative int, and the product of the extents (zeros counted as 1) below
  2**63, so element counts and chunk counts fit int64; for fixed-size types, that product
  times the item size below 2**63 too, so the array's size in bytes fits int64;
- a chunk holds at most 2**31 elements and, for fixed-size types, at most 2**34 bytes;
- for a sharded array (``sharding_indexed`` is the only codec) the outer chunk, the shard,
  may hold up to 2**48 elements; its inner chunks (at every level of nested sharding) obey
  the chunk limits, as they are what gets decoded.

Example:
    >>> from simplezarr.metadata.options import build_array_metadata
    >>> m = build_array_metadata(shape=(10, 10), dtype="int16", chunks=(4, 4))
    >>> m.chunk_grid_shape, m.nchunks
    ((3, 3), 9)
    >>> m.with_shape((20, 10)).to_json()["shape"]
    [20, 10]
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import prod
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from simplezarr.chunk_grid import (
    ChunkShapes,
    RectilinearChunkGrid,
    RegularChunkGrid,
    check_chunk_shapes,
    chunk_shapes_to_json,
)
from simplezarr.chunk_keys import ChunkKeyEncoding
from simplezarr.codecs.base import ChunkSpec
from simplezarr.codecs.chain import CodecChain
from simplezarr.dtypes import DataType
from simplezarr.errors import InvalidMetadata, NoUniformChunkShape, UnsupportedFeature, quote
from simplezarr.metadata.json import MAX_NESTING, check_nesting
from simplezarr.stores.keys import key_problem

if TYPE_CHECKING:
    from simplezarr.codecs.base import Codec

__all__ = [
    "MAX_CHUNK_BYTES",
    "MAX_CHUNK_ELEMENTS",
    "MAX_NDIM",
    "MAX_SHARD_ELEMENTS",
    "ArrayMetadata",
    "GroupMetadata",
    "NodeMetadata",
    "node_context",
]

MAX_NDIM = 64
MAX_CHUNK_ELEMENTS = 2**31
MAX_CHUNK_BYTES = 2**34
MAX_SHARD_ELEMENTS = 2**48
_INT64_LIMIT = 2**63

#: Keys of a v3 array document; extension fields may not reuse them.
V3_ARRAY_KEYS = frozenset(
    {
        "zarr_format",
        "node_type",
        "shape",
        "data_type",
        "chunk_grid",
        "chunk_key_encoding",
        "fill_value",
        "codecs",
        "attributes",
        "dimension_names",
        "storage_transformers",
    }
)
V3_GROUP_KEYS = frozenset({"zarr_format", "node_type", "attributes", "consolidated_metadata"})


def where(path: str) -> str:
    """How a node path is named in messages: the root is ``/``."""
    return f"/{path.strip('/')}" if path.strip("/") else "/"


def check_member_names(consolidated: Mapping[str, Any], path: str) -> None:
    """Refuse consolidated metadata whose member names are not relative node paths below
    the group (``../../x``, ``/abs``, ``a//b``, ``a/./b``, backslashes, control characters),
    nested consolidated objects included: such a document is hostile or broken, and hiding
    its members (as listing them by name would) leaves the user unaware of it.

    Example:
        >>> check_member_names({"metadata": {"a": {}, "a/b": {}}}, "g")
        >>> check_member_names({"metadata": {"../../x": {}}}, "g")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: /g: consolidated_metadata: member '../../x' is not a path below the group (it has a '..' segment); the document is refused (nothing outside the group was read)
    """
    stack: list[tuple[Mapping[str, Any], str]] = [(consolidated, "")]
    while stack:
        obj, above = stack.pop()
        members = obj.get("metadata")
        if not isinstance(members, Mapping):
            continue
        for name, doc in members.items():
            problem = key_problem(name)
            if problem is not None:
                raise InvalidMetadata(
                    f"{where(path)}: consolidated_metadata: member {quote(above + str(name))} "
                    f"is not a path below the group ({problem}); the document is refused "
                    "(nothing outside the group was read)"
                )
            nested = doc.get("consolidated_metadata") if isinstance(doc, Mapping) else None
            if isinstance(nested, Mapping):
                stack.append((nested, f"{above}{name}/"))


@contextmanager
def node_context(path: str, field_name: str | None = None) -> Iterator[None]:
    """Re-raise InvalidMetadata (same subclass) prefixed with the node path and field.

    Example:
        >>> with node_context("a/b", "shape"):
        ...     raise InvalidMetadata("must be a list")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: /a/b: shape: must be a list
    """
    try:
        yield
    except InvalidMetadata as e:
        prefix = where(path) + (f": {field_name}" if field_name else "")
        raise type(e)(f"{prefix}: {e}") from e


def freeze_json_object(value: Any, what: str) -> Mapping[str, Any]:
    """A read-only deep copy of a JSON object (attributes, consolidated metadata)."""
    if not isinstance(value, Mapping):
        raise InvalidMetadata(f"{what} must be a JSON object, got {type(value).__name__}")
    if isinstance(value, MappingProxyType):
        value = dict(value)
    for k in value:
        if not isinstance(k, str):
            raise InvalidMetadata(f"{what}: keys must be strings, got {quote(k)}")
    # One level less than a whole document: the object is stored inside one. The check also
    # keeps deepcopy (and later thaw / to_jsonable) far from the recursion limit.
    check_nesting(value, what, MAX_NESTING - 1)
    return MappingProxyType(_copy_json(dict(value)))


_JSON_LEAVES = (str, int, float, bool, type(None))


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON data: dicts, lists and tuples copied, JSON leaves shared (they
    are immutable), anything else through ``copy.deepcopy``. About 4x faster than
    ``copy.deepcopy`` on a parsed document (the consolidated metadata of 1,000 arrays);
    the nesting was checked before, so the recursion is bounded.

    Example:
        >>> doc = {"a": [1, {"b": None}], "c": (2.5,)}
        >>> copied = _copy_json(doc)
        >>> copied == doc, copied["a"] is doc["a"], copied["a"][1] is doc["a"][1]
        (True, False, False)
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _JSON_LEAVES else _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _JSON_LEAVES else _copy_json(v) for v in value]
    if kind is tuple:
        return tuple(_copy_json(v) for v in value)
    if kind in _JSON_LEAVES:
        return value
    return copy.deepcopy(value)


def _frozen_state(node: Any) -> dict[str, Any]:
    """A frozen metadata object's fields for pickling: read-only JSON objects as plain dicts
    (``mappingproxy`` cannot be pickled), cached derived values (the bound codec chain)
    left out: the copy derives them again, in its own process."""
    return {
        name: dict(value) if isinstance(value, MappingProxyType) else value
        for name, value in vars(node).items()
        if name not in _DERIVED
    }


def _restore_frozen_state(node: Any, state: dict[str, Any]) -> None:
    """Undo :func:`_frozen_state`: the JSON objects read-only again."""
    for name, value in state.items():
        if name in _FROZEN_OBJECTS and isinstance(value, dict):
            value = MappingProxyType(value)
        object.__setattr__(node, name, value)


#: Fields that hold read-only JSON objects; cached values derived from the others.
_FROZEN_OBJECTS = frozenset({"attributes", "extra"})
_DERIVED = frozenset({"chain", "grid", "_chains"})


class RegularGridMetadata(Mapping[str, Any]):
    """The ``chunk_grid`` of an array's metadata (zarr-python 3.4's ``RegularChunkGridMetadata``): its
    ``chunk_shape``, ``to_dict()``, and the JSON object itself as a mapping.

    Example:
        >>> g = RegularGridMetadata((5, 5))
        >>> g.chunk_shape, g["configuration"], g
        ((5, 5), {'chunk_shape': [5, 5]}, RegularChunkGridMetadata(chunk_shape=(5, 5)))
    """

    def __init__(self, chunk_shape: tuple[int, ...]) -> None:
        self.chunk_shape = tuple(chunk_shape)

    def _json(self) -> dict[str, Any]:
        return {"name": "regular", "configuration": {"chunk_shape": list(self.chunk_shape)}}

    def __getitem__(self, key: str) -> Any:
        return self._json()[key]

    def __iter__(self) -> Any:
        return iter(("name", "configuration"))

    def __len__(self) -> int:
        return 2

    def to_dict(self) -> dict[str, Any]:
        """As zarr-python's: the chunk shape as a tuple."""
        return {"name": "regular", "configuration": {"chunk_shape": self.chunk_shape}}

    def __repr__(self) -> str:
        return f"RegularChunkGridMetadata(chunk_shape={self.chunk_shape})"


class RectilinearGridMetadata(Mapping[str, Any]):
    """The ``chunk_grid`` of a rectilinear array (zarr-python 3.4's
    ``RectilinearChunkGridMetadata``): ``chunk_shapes`` (per dimension a bare length or a
    tuple of edges), ``ndim``, ``to_dict()``, and the JSON object itself as a mapping.

    Example:
        >>> g = RectilinearGridMetadata((4, (10, 10, 5)))
        >>> g.ndim, g["configuration"]
        (2, {'kind': 'inline', 'chunk_shapes': [4, [[10, 2], 5]]})
    """

    def __init__(self, chunk_shapes: ChunkShapes) -> None:
        self.chunk_shapes = chunk_shapes

    @property
    def ndim(self) -> int:
        return len(self.chunk_shapes)

    def _json(self) -> dict[str, Any]:
        shapes = chunk_shapes_to_json(self.chunk_shapes)
        return {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": shapes}}

    def __getitem__(self, key: str) -> Any:
        return self._json()[key]

    def __iter__(self) -> Any:
        return iter(self._json())

    def __len__(self) -> int:
        return 2

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (zarr-python's ``to_dict()``)."""
        return self._json()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RectilinearGridMetadata):
            return self.chunk_shapes == other.chunk_shapes
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RectilinearChunkGridMetadata(chunk_shapes={self.chunk_shapes})"


class ConsolidatedMetadata(Mapping[str, Any]):
    """A group's consolidated metadata: the frozen JSON object (``cm["metadata"]``), with
    zarr-python's attributes: ``kind``, ``must_understand``, ``metadata`` (the children's
    parsed metadata, each group holding its own children), ``flattened_metadata`` (every
    node below, by relative path) and ``to_dict()``.
    """

    #: The object -> ``{relative path: parsed metadata}``; set by
    #: :mod:`simplezarr.metadata.consolidated`, which parses documents (above this module).
    flatten: ClassVar[Any] = None

    def __init__(self, value: Mapping[str, Any]) -> None:
        self._json = freeze_json_object(value, "consolidated_metadata")

    def __getitem__(self, key: str) -> Any:
        return self._json[key]

    def __iter__(self) -> Any:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)

    def __repr__(self) -> str:
        return f"ConsolidatedMetadata({dict(self._json)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (thaw(self._json),))

    @property
    def kind(self) -> str:
        return str(self._json.get("kind", "inline"))

    @property
    def must_understand(self) -> bool:
        return bool(self._json.get("must_understand", False))

    @property
    def flattened_metadata(self) -> dict[str, Any]:
        """Every node below the group by relative path (``"b/c"``), as zarr-python's."""
        return dict(type(self).flatten(self))

    @property
    def metadata(self) -> dict[str, Any]:
        """The group's children by name; child groups hold their own children."""
        return {k: v for k, v in self.flattened_metadata.items() if "/" not in k}

    def to_dict(self) -> dict[str, Any]:
        return dict(thaw(self._json))


def thaw(value: Any) -> Any:
    """A mutable deep copy of a frozen JSON object (for ``to_json``)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


def _check_extension_fields(extra: Mapping[str, Any], core_keys: frozenset[str]) -> None:
    """Extension fields may not reuse a core key, and must say ``"must_understand": false``.

    Example:
        >>> _check_extension_fields({"x": {"must_understand": True}}, V3_GROUP_KEYS)
        Traceback (most recent call last):
        ...
        simplezarr.errors.UnsupportedFeature: extension field 'x' is not supported ...
    """
    for key, value in extra.items():
        if key in core_keys:
            raise InvalidMetadata(f"extension field {quote(key)} collides with a core field")
        if not (isinstance(value, Mapping) and value.get("must_understand") is False):
            raise UnsupportedFeature(
                f"extension field {quote(key)} is not supported (it does not declare "
                '"must_understand": false)'
            )


def _sharding_codec(codecs: tuple[Any, ...]) -> Any | None:
    """The ``sharding_indexed`` codec when it is the only codec (a sharded array), else None.

    Example:
        >>> _sharding_codec(()) is None
        True
    """
    if len(codecs) == 1 and getattr(codecs[0], "name", "") == "sharding_indexed":
        return codecs[0]
    return None


def _check_codec_order(codecs: tuple[Codec, ...]) -> None:
    """array -> array codecs, then exactly one array -> bytes codec, then bytes -> bytes codecs.

    The codec chain's own check, run when the metadata is loaded so the error names the field
    (and, through :func:`node_context`, the node).

    Example:
        >>> from simplezarr.codecs import codec_from_json
        >>> _check_codec_order((codec_from_json("crc32c"), codec_from_json("bytes")))
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: codecs: codecs must be array -> array codecs, then ...
    """
    try:
        CodecChain._check_order(codecs)
    except InvalidMetadata as e:
        raise type(e)(f"codecs: {e}") from e


def _int_tuple(value: Any, what: str, minimum: int) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise InvalidMetadata(f"{what} must be a list of integers, got {quote(value)}")
    out = []
    for v in value:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise InvalidMetadata(f"{what} must be a list of integers, got {quote(list(value))}")
        if v < minimum:
            raise InvalidMetadata(f"{what} entries must be >= {minimum}, got {quote(list(value))}")
        if v >= _INT64_LIMIT:
            raise InvalidMetadata(f"{what} entries must be < 2**63, got {quote(list(value))}")
        out.append(int(v))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class ArrayMetadata:
    """The metadata of one array, either format.

    - ``chunk_shape``: the regular grid's chunk shape (the shard shape when sharded); for a
      rectilinear grid, the largest chunk (or shard) along each dimension.
    - ``chunk_shapes``: None for a regular grid; for a rectilinear one (zarr-python 3.4's
      ``"rectilinear"`` grid), per dimension a bare chunk length or a tuple of edges (see
      :mod:`simplezarr.chunk_grid`).
    - ``fill_value``: a scalar of ``dtype.numpy`` (str / bytes for variable-length types);
      None only for a v2 ``null`` fill (use :attr:`effective_fill_value` to fill chunks).
    - ``codecs``: v3 as parsed; v2 a single ``V2Codec(filters, compressor, order)``.
    - ``endian``: v2 only, the byte order of stored items (None when it does not apply);
      v3 keeps the byte order in the ``bytes`` codec.
    - ``extra``: v3 extension fields with ``must_understand: false``, kept for round trips.

    Example:
        >>> from simplezarr.metadata.v3 import parse_node_v3
        >>> m = parse_node_v3({"zarr_format": 3, "node_type": "array", "shape": [5],
        ...     "data_type": "uint8", "chunk_grid": {"name": "regular",
        ...     "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding":
        ...     {"name": "default"}, "fill_value": 7, "codecs": [{"name": "bytes"}]}, "a")
        >>> m.fill_value, m.nchunks, m.chunk_key_encoding.encode((2,))
        (np.uint8(7), 3, 'c/2')
    """

    zarr_format: Literal[2, 3]
    shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]
    dtype: DataType
    fill_value: Any
    codecs: tuple[Codec, ...]
    chunk_key_encoding: ChunkKeyEncoding
    attributes: Mapping[str, Any] = field(default_factory=dict)
    dimension_names: tuple[str | None, ...] | None = None
    order: Literal["C", "F"] = "C"
    storage_transformers: tuple[Any, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    endian: Literal["little", "big"] | None = None
    chunk_shapes: ChunkShapes | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.chunk_shapes is not None:
            shapes = tuple(d if isinstance(d, int) else tuple(d) for d in self.chunk_shapes)
            check_chunk_shapes(shapes, tuple(self.shape))
            set_(self, "chunk_shapes", shapes)
            # the largest chunk along each dimension: what the size limits apply to
            set_(self, "chunk_shape", tuple(d if isinstance(d, int) else max(d) for d in shapes))
        if self.zarr_format not in (2, 3):
            raise InvalidMetadata(f"zarr_format must be 2 or 3, got {quote(self.zarr_format)}")
        if not isinstance(self.dtype, DataType):
            raise InvalidMetadata(f"dtype must be a DataType, got {quote(self.dtype)}")
        set_(self, "shape", _int_tuple(self.shape, "shape", 0))
        set_(self, "chunk_shape", _int_tuple(self.chunk_shape, "chunk_shape", 1))
        set_(self, "codecs", tuple(self.codecs))
        set_(self, "attributes", freeze_json_object(self.attributes, "attributes"))
        set_(self, "extra", freeze_json_object(self.extra, "extra"))
        set_(self, "storage_transformers", tuple(self.storage_transformers or ()))
        if self.dimension_names is not None:
            set_(self, "dimension_names", tuple(self.dimension_names))
        if not isinstance(self.chunk_key_encoding, ChunkKeyEncoding):
            set_(self, "chunk_key_encoding", ChunkKeyEncoding.from_json(self.chunk_key_encoding))
        self._validate()

    # -- validation -------------------------------------------------------------------
    def _validate(self) -> None:
        ndim = len(self.shape)
        if ndim > MAX_NDIM:
            raise InvalidMetadata(f"shape has {ndim} dimensions; at most {MAX_NDIM} are supported")
        if len(self.chunk_shape) != ndim:
            raise InvalidMetadata(
                f"chunk_shape {list(self.chunk_shape)} has rank {len(self.chunk_shape)} but "
                f"shape {list(self.shape)} has rank {ndim}"
            )
        n_items = prod(max(s, 1) for s in self.shape)
        if n_items >= _INT64_LIMIT:
            raise InvalidMetadata(f"shape {list(self.shape)} has more than 2**63 elements")
        item = self.dtype.item_size
        if item is not None and n_items * item >= _INT64_LIMIT:
            raise InvalidMetadata(
                f"shape {list(self.shape)} of {self.dtype.name} ({item} bytes an item) is "
                "2**63 bytes or more"
            )
        self._validate_chunk_size()
        if self.chunk_shapes is not None:
            self._validate_rectilinear()
        if self.order not in ("C", "F"):
            raise InvalidMetadata(f"order must be 'C' or 'F', got {quote(self.order)}")
        if self.endian not in (None, "little", "big"):
            raise InvalidMetadata(
                f"endian must be 'little', 'big' or None, got {quote(self.endian)}"
            )
        if self.fill_value is None and self.zarr_format == 3:
            raise InvalidMetadata("fill_value is required (null is only allowed in Zarr v2)")
        if self.dimension_names is not None:
            if self.zarr_format == 2:
                raise InvalidMetadata("dimension_names are not part of Zarr v2 metadata")
            if len(self.dimension_names) != ndim or not all(
                n is None or isinstance(n, str) for n in self.dimension_names
            ):
                raise InvalidMetadata(
                    f"dimension_names must be {ndim} strings or nulls (one per dimension), got "
                    f"{quote(list(self.dimension_names))}"
                )
        if self.storage_transformers:
            raise UnsupportedFeature(
                f"storage_transformers {quote(list(self.storage_transformers))} are not supported"
            )
        _check_extension_fields(self.extra, V3_ARRAY_KEYS)
        self._validate_codecs()

    def _validate_chunk_size(self) -> None:
        shape, codecs, what = self.chunk_shape, self.codecs, "chunk_shape"
        # A shard's inner chunks are what gets decoded: follow nested sharding down to them.
        while (shard := _sharding_codec(codecs)) is not None:
            n = prod(shape)
            if n > MAX_SHARD_ELEMENTS:
                raise InvalidMetadata(
                    f"shard shape {list(shape)} has {n} elements; at most 2**48 are supported"
                )
            shape = tuple(getattr(shard, "chunk_shape", ()))
            codecs = tuple(getattr(shard, "codecs", ()))
            what = "sharding_indexed inner chunk_shape"
        n = prod(shape)
        if n > MAX_CHUNK_ELEMENTS:
            raise InvalidMetadata(
                f"{what} {list(shape)} has {n} elements; at most 2**31 are "
                "supported (use smaller chunks, or shards)"
            )
        item = self.dtype.item_size
        if item is not None and n * item > MAX_CHUNK_BYTES:
            raise InvalidMetadata(
                f"{what} {list(shape)} of {self.dtype.name} is {n * item} bytes; "
                "at most 2**34 are supported"
            )

    def _validate_rectilinear(self) -> None:
        if self.zarr_format == 2:
            raise InvalidMetadata(
                "chunk_grid: Zarr format 2 does not support rectilinear chunk grids"
            )
        shard = _sharding_codec(self.codecs)
        if shard is None or self.chunk_shapes is None:
            return
        inner = tuple(getattr(shard, "chunk_shape", ()))
        if len(inner) != len(self.shape):
            return  # the sharding codec's own check names it
        for axis, (dim, c) in enumerate(zip(self.chunk_shapes, inner, strict=True)):
            for edge in sorted({dim} if isinstance(dim, int) else set(dim)):
                if edge % c:
                    raise InvalidMetadata(
                        f"chunk_grid: the shard edge {edge} along dimension {axis} is not "
                        f"divisible by the inner chunk length {c} (sharding_indexed "
                        "chunk_shape): every shard must hold whole inner chunks"
                    )

    def _validate_codecs(self) -> None:
        from simplezarr.codecs.base import Codec

        for c in self.codecs:
            if not isinstance(c, Codec):
                raise InvalidMetadata(f"codecs must be codec objects, got {quote(c)}")
        if self.zarr_format == 2:
            if len(self.codecs) != 1 or self.codecs[0].kind != "array_bytes":
                raise InvalidMetadata("a Zarr v2 array has exactly one (V2Codec) codec")
            if self.chunk_key_encoding.name != "v2":
                raise InvalidMetadata("a Zarr v2 array uses the 'v2' chunk key encoding")
            return
        _check_codec_order(self.codecs)

    # -- derived ----------------------------------------------------------------------
    node_type: ClassVar[str] = "array"

    @property
    def data_type(self) -> DataType:
        """The data type (zarr-python's name for it)."""
        return self.dtype

    @property
    def chunk_grid(self) -> RegularGridMetadata | RectilinearGridMetadata:
        """The regular grid of :attr:`chunk_shape`: ``.chunk_shape`` and ``to_dict()`` as
        zarr-python's ``RegularChunkGrid``, and also its JSON object; a rectilinear grid's
        ``chunk_shapes`` as zarr-python 3.4's ``RectilinearChunkGridMetadata``."""
        if self.chunk_shapes is not None:
            return RectilinearGridMetadata(self.chunk_shapes)
        return RegularGridMetadata(self.chunk_shape)

    @property
    def is_rectilinear(self) -> bool:
        """True for a rectilinear (variable) chunk grid."""
        return self.chunk_shapes is not None

    @functools.cached_property
    def grid(self) -> RegularChunkGrid | RectilinearChunkGrid:
        """The grid of stored objects (chunks, or shards when sharded) over :attr:`shape`."""
        if self.chunk_shapes is not None:
            return RectilinearChunkGrid(self.shape, self.chunk_shapes)
        return RegularChunkGrid(self.shape, self.chunk_shape)

    @property
    def chunks(self) -> tuple[int, ...]:
        """The chunk shape, as zarr-python's metadata gives it: the inner chunk shape of a
        sharded array, else :attr:`chunk_shape` (NoUniformChunkShape, a
        NotImplementedError as in zarr-python, for rectilinear chunks)."""
        shard = _sharding_codec(self.codecs)
        if shard is not None:
            return tuple(shard.chunk_shape)
        if self.chunk_shapes is not None:
            raise NoUniformChunkShape(
                "The chunks of this array have no one shape: its chunk grid is rectilinear "
                "(regular chunk grids only have a chunk shape). Use read_chunk_sizes for the "
                "size of every chunk"
            )
        return self.chunk_shape

    @property
    def is_sharded(self) -> bool:
        """True when the only codec is ``sharding_indexed`` (chunk_shape is the shard shape)."""
        return _sharding_codec(self.codecs) is not None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def chunk_grid_shape(self) -> tuple[int, ...]:
        """Number of chunks along each dimension (ceil division on a regular grid)."""
        if self.chunk_shapes is not None:
            return self.grid.grid_shape
        return tuple(-(-s // c) for s, c in zip(self.shape, self.chunk_shape, strict=True))

    @property
    def nchunks(self) -> int:
        return prod(self.chunk_grid_shape)

    @property
    def numpy_dtype(self) -> np.dtype:
        """The numpy dtype reads return: native byte order, except that a Zarr v2 array keeps
        its stored byte order (``>i4`` stays big-endian), as zarr-python returns it."""
        if self.zarr_format == 2:
            return self.dtype.stored_numpy(self.endian)
        return self.dtype.numpy

    @property
    def effective_fill_value(self) -> Any:
        """The fill value to put in chunks: the dtype's default for a v2 ``null`` fill."""
        return self.dtype.default_fill_value() if self.fill_value is None else self.fill_value

    @functools.cached_property
    def chain(self) -> CodecChain:
        """The codec chain bound to this array's stored objects (its shards when sharded):
        resolved, validated and bound once per metadata object, then shared by every read
        and write of the array."""
        spec = ChunkSpec(self.chunk_shape, self.dtype, self.effective_fill_value, self.order)
        return CodecChain(self.codecs, spec)

    def chain_for(self, shape: tuple[int, ...]) -> CodecChain:
        """The codec chain bound to stored objects of ``shape``: a rectilinear grid's chunks
        differ in shape, and each distinct shape is bound once per metadata object."""
        if shape == self.chunk_shape:
            return self.chain
        chains: dict[tuple[int, ...], CodecChain] = self.__dict__.setdefault("_chains", {})
        chain = chains.get(shape)
        if chain is None:
            spec = ChunkSpec(shape, self.dtype, self.effective_fill_value, self.order)
            chain = chains[shape] = CodecChain(self.codecs, spec)
        return chain

    def with_resolved_codecs(self) -> ArrayMetadata:
        """A copy whose codecs are resolved against the chunks they encode (blosc
        ``typesize``, no ``endian`` for 1-byte types ...), as they are written; the chain
        that resolved them comes along, so an open resolves its codecs once."""
        chain = self.chain
        if chain.codecs == self.codecs:
            return self  # nothing to resolve: no second validation of the whole document
        resolved = dataclasses.replace(self, codecs=chain.codecs)
        resolved.__dict__["chain"] = chain  # the same chunks, the same (resolved) codecs
        return resolved

    # -- updates ----------------------------------------------------------------------
    def with_shape(self, shape: tuple[int, ...]) -> ArrayMetadata:
        """A copy with a new shape (same rank), validated."""
        new = tuple(shape)
        if len(new) != self.ndim:
            raise InvalidMetadata(
                f"cannot change the rank of an array from {self.ndim} to {len(new)} dimensions"
            )
        if self.chunk_shapes is not None:
            # zarr-python 3.4's resize: growing past explicit edges appends one edge
            grown = RectilinearChunkGrid(self.shape, self.chunk_shapes).resized(new)
            return dataclasses.replace(self, shape=new, chunk_shapes=grown.chunk_shapes)
        return dataclasses.replace(self, shape=new)

    def with_attributes(self, attrs: Mapping[str, Any]) -> ArrayMetadata:
        """A copy with new attributes."""
        return dataclasses.replace(self, attributes=attrs)

    # -- serialization ----------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """v3: the ``zarr.json`` document; v2: the ``.zarray`` document (no attributes).

        Keys come in the order zarr-python writes them.
        """
        fill = self.dtype.fill_value_to_json(self.fill_value, self.zarr_format)
        if self.zarr_format == 2:
            codec = self.codecs[0]
            filters = getattr(codec, "filters", None)
            compressor = getattr(codec, "compressor", None)
            return {
                "shape": list(self.shape),
                "chunks": list(self.chunk_shape),
                "dtype": self.dtype.to_json(2, self.endian or "little"),
                "fill_value": fill,
                "order": self.order,
                "filters": None if not filters else [thaw(f) for f in filters],
                "dimension_separator": self.chunk_key_encoding.separator,
                "compressor": thaw(compressor) if compressor is not None else None,
                "zarr_format": 2,
            }
        doc: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": self.dtype.to_json(3),
            "chunk_grid": self.chunk_grid.to_dict()
            if self.chunk_shapes is not None
            else {"name": "regular", "configuration": {"chunk_shape": list(self.chunk_shape)}},
            "chunk_key_encoding": self.chunk_key_encoding.to_json(),
            "fill_value": fill,
            "codecs": [c.to_dict() for c in self.codecs],
            "attributes": thaw(self.attributes),
        }
        if self.dimension_names is not None:
            doc["dimension_names"] = list(self.dimension_names)
        doc.update(zarr_format=3, node_type="array", storage_transformers=[])
        doc.update(thaw(self.extra))
        return doc

    def to_dict(self) -> dict[str, Any]:
        """The metadata as one JSON object, as zarr-python's ``to_dict()``: v3 the
        ``zarr.json`` document; v2 the ``.zarray`` document with the attributes added.

        Example:
            >>> from simplezarr.metadata.options import build_array_metadata
            >>> m = build_array_metadata(shape=(4,), dtype="i1", zarr_format=2)
            >>> m.to_dict()["attributes"], m.node_type, m.chunks
            ({}, 'array', (4,))
        """
        doc = self.to_json()
        if self.zarr_format == 2:
            doc.pop("zarr_format")
            doc.update(attributes=thaw(self.attributes), zarr_format=2)
        return doc

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArrayMetadata):
            return NotImplemented
        return (self.to_json(), thaw(self.attributes)) == (other.to_json(), thaw(other.attributes))

    def __hash__(self) -> int:
        return hash((self.zarr_format, self.shape, self.chunk_shape, self.dtype))

    def __getstate__(self) -> dict[str, Any]:
        return _frozen_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        _restore_frozen_state(self, state)


@dataclass(frozen=True)
class GroupMetadata:
    """The metadata of one group. ``consolidated_metadata`` is the v3 inline object, if any.

    Example:
        >>> GroupMetadata(3, {"a": 1}).to_json()
        {'attributes': {'a': 1}, 'zarr_format': 3, 'node_type': 'group'}
        >>> GroupMetadata(2).to_json()
        {'zarr_format': 2}
    """

    zarr_format: Literal[2, 3] = 3
    attributes: Mapping[str, Any] = field(default_factory=dict)
    consolidated_metadata: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.zarr_format not in (2, 3):
            raise InvalidMetadata(f"zarr_format must be 2 or 3, got {quote(self.zarr_format)}")
        object.__setattr__(self, "attributes", freeze_json_object(self.attributes, "attributes"))
        object.__setattr__(self, "extra", freeze_json_object(self.extra, "extra"))
        if self.consolidated_metadata is not None:
            object.__setattr__(
                self, "consolidated_metadata", ConsolidatedMetadata(self.consolidated_metadata)
            )
        _check_extension_fields(self.extra, V3_GROUP_KEYS)

    __hash__ = None  # type: ignore[assignment]

    node_type: ClassVar[str] = "group"

    def __getstate__(self) -> dict[str, Any]:
        return _frozen_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        _restore_frozen_state(self, state)

    def to_dict(self) -> dict[str, Any]:
        """The metadata as one JSON object, as zarr-python's ``to_dict()`` (v2 too: the
        attributes and ``node_type`` with the format).

        Example:
            >>> GroupMetadata(2, {"a": 1}).to_dict()
            {'attributes': {'a': 1}, 'zarr_format': 2, 'node_type': 'group'}
        """
        if self.zarr_format == 2:
            return {"attributes": thaw(self.attributes), "zarr_format": 2, "node_type": "group"}
        return self.to_json()

    def with_attributes(self, attrs: Mapping[str, Any]) -> GroupMetadata:
        """A copy with new attributes."""
        return dataclasses.replace(self, attributes=attrs)

    def to_json(self) -> dict[str, Any]:
        """v3: the ``zarr.json`` document; v2: the ``.zgroup`` document (no attributes)."""
        if self.zarr_format == 2:
            return {"zarr_format": 2}
        doc: dict[str, Any] = {"attributes": thaw(self.attributes), "zarr_format": 3}
        if self.consolidated_metadata is not None:
            doc["consolidated_metadata"] = thaw(self.consolidated_metadata)
        doc["node_type"] = "group"
        doc.update(thaw(self.extra))
        return doc


#: The metadata of any node.
NodeMetadata = ArrayMetadata | GroupMetadata
