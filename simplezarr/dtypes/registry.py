"""Finding a :class:`DataType`: by v3 name (the registry), by numpy dtype, by v2 type string.

Byte order is a property of the *stored* data, not of the type: v3 keeps it in the ``bytes``
codec, v2 in the type string, so :func:`parse_v2_dtype` and :func:`from_numpy_with_endian`
return it next to the type.

Example:
    >>> parse_v3_dtype({"name": "raw_bytes", "configuration": {"length_bytes": 3}}).numpy
    dtype('V3')
    >>> from_numpy("S5")
    NullTerminatedBytesType(name='null_terminated_bytes', length=5)
    >>> parse_v2_dtype("<M8[ms]")[0].configuration
    {'unit': 'ms', 'scale_factor': 1}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from simplezarr.dtypes.base import NATIVE, DataType, Endian
from simplezarr.dtypes.numeric import (
    BoolType,
    ComplexType,
    FloatType,
    IntType,
    RawBitsType,
)
from simplezarr.dtypes.structured import StructuredType
from simplezarr.dtypes.text import (
    FixedUTF32Type,
    NullTerminatedBytesType,
    ObjectType,
    RawBytesType,
    VlenBytesType,
    VlenStringType,
)
from simplezarr.dtypes.time import TimeType
from simplezarr.errors import InvalidMetadata, UnknownDataType, UnsupportedFeature, quote
from simplezarr.named import parse_named

__all__ = [
    "from_numpy",
    "from_numpy_with_endian",
    "parse_v2_dtype",
    "parse_v3_dtype",
    "register_data_type",
]

Factory = Callable[[Mapping[str, Any] | None], DataType]

#: v3 name -> factory(configuration) -> DataType.
_V3_REGISTRY: dict[str, Factory] = {}
#: regex on the v3 name -> factory(name, configuration), for families like r<N>.
_V3_PATTERNS: list[tuple[re.Pattern[str], Callable[[str, Any], DataType]]] = []


def register_data_type(name: str, factory: Factory) -> None:
    """Register a v3 data type name; ``factory(configuration)`` builds it (None if absent).

    Example:
        >>> register_data_type("my_uint16", lambda config: parse_v3_dtype("uint16"))
        >>> parse_v3_dtype("my_uint16").numpy
        dtype('uint16')
    """
    _V3_REGISTRY[name] = factory


# --------------------------------------------------------------------------- v3 names


def _plain_name_only(name: str, config: Mapping[str, Any] | None) -> None:
    if config:
        raise InvalidMetadata(
            f"data type {quote(name)} takes no configuration, got {quote(config)}"
        )


def _simple(cls: type[DataType], name: str) -> Factory:
    def factory(config: Mapping[str, Any] | None) -> DataType:
        _plain_name_only(name, config)
        return cls(name)

    return factory


def _configured(
    from_config: Callable[[str, Mapping[str, Any] | None], DataType], name: str
) -> Factory:
    return lambda config: from_config(name, config)


def _structured(name: str) -> Factory:
    def parse(config: Mapping[str, Any] | None) -> DataType:
        fields = config.get("fields") if isinstance(config, Mapping) else None
        if (
            not isinstance(config, Mapping)
            or set(config) != {"fields"}
            or not isinstance(fields, list)
        ):
            raise InvalidMetadata(
                f"data type {quote(name)} needs {{'fields': [...]}}, got {quote(config)}"
            )
        parsed = []
        for item in fields:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
                parsed.append((item[0], parse_v3_dtype(item[1])))
            elif (
                isinstance(item, Mapping)
                and set(item) == {"name", "data_type"}
                and isinstance(item["name"], str)
            ):
                parsed.append((item["name"], parse_v3_dtype(item["data_type"])))
            else:
                raise InvalidMetadata(
                    f"{name} field must be {{'name': ..., 'data_type': ...}} or "
                    f"[name, data_type], got {quote(item)}"
                )
        return StructuredType(name, tuple(parsed))

    return parse


def _raw_bits(name: str, config: Any) -> DataType:
    _plain_name_only(name, config)
    bits = int(name[1:])
    if bits < 8 or bits % 8:
        raise InvalidMetadata(f"data type {quote(name)}: raw bits must be a positive multiple of 8")
    return RawBitsType(name)


for _n in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
    register_data_type(_n, _simple(IntType, _n))
for _n in ("float16", "float32", "float64"):
    register_data_type(_n, _simple(FloatType, _n))
for _n in ("complex64", "complex128"):
    register_data_type(_n, _simple(ComplexType, _n))
register_data_type("bool", _simple(BoolType, "bool"))
register_data_type("string", _simple(VlenStringType, "string"))
register_data_type("variable_length_bytes", _simple(VlenBytesType, "variable_length_bytes"))
register_data_type("bytes", lambda c: _simple(VlenBytesType, "variable_length_bytes")(c))
for _n in ("numpy.datetime64", "numpy.timedelta64"):
    register_data_type(_n, _configured(TimeType.from_config, _n))
for _n, _fixed in (
    ("fixed_length_utf32", FixedUTF32Type),
    ("null_terminated_bytes", NullTerminatedBytesType),
    ("raw_bytes", RawBytesType),
):
    register_data_type(_n, _configured(_fixed.from_config, _n))
register_data_type("structured", _structured("structured"))
register_data_type("struct", _structured("struct"))
_V3_PATTERNS.append((re.compile(r"r[0-9]+\Z"), _raw_bits))


def _is_v3_name(name: str) -> bool:
    return name in _V3_REGISTRY or any(p.match(name) for p, _ in _V3_PATTERNS)


def parse_v3_dtype(data: Any) -> DataType:
    """The DataType of a v3 ``data_type`` (a name or ``{"name", "configuration"}``).

    Example:
        >>> parse_v3_dtype("r16").numpy
        dtype('V2')
        >>> parse_v3_dtype("bytes")
        VlenBytesType(name='variable_length_bytes')
    """
    if isinstance(data, DataType):
        return data
    name, configuration = parse_named(data, "data_type")
    config = configuration or None  # factories get None for "no configuration"
    factory = _V3_REGISTRY.get(name)
    if factory is not None:
        return factory(config)
    for pattern, family in _V3_PATTERNS:
        if pattern.match(name):
            return family(name, config)
    raise UnknownDataType(
        f"data_type {quote(name)} is not supported; known: {sorted(_V3_REGISTRY)} and r<N>"
    )


# --------------------------------------------------------------------------- numpy dtypes


def _endian_of(dt: np.dtype) -> Endian | None:
    if dt.fields is not None:
        found = {_endian_of(dt.fields[n][0]) for n in dt.names or ()} - {None}
        if len(found) > 1:
            raise UnsupportedFeature(f"structured dtype {dt} mixes byte orders")
        return found.pop() if found else None
    if dt.itemsize <= 1 or dt.kind not in "iufcmMU":
        return None
    orders: dict[str, Endian] = {"<": "little", ">": "big"}
    return orders.get(dt.byteorder, NATIVE)


def _void(dt: np.dtype) -> DataType:
    if dt.subdtype is not None:
        raise UnsupportedFeature(f"sub-array dtype {dt} is not supported")
    if dt.fields is None:
        return RawBytesType(length=dt.itemsize)
    fields = [(fname, _from_numpy_dtype(dt.fields[fname][0])) for fname in dt.names or ()]
    st = StructuredType("structured", tuple(fields))
    if st.numpy.itemsize != dt.itemsize:
        raise UnsupportedFeature(f"structured dtype {dt} has padding or overlapping fields")
    return st


def _by_name(dt: np.dtype) -> DataType:
    factory = _V3_REGISTRY.get(dt.name)
    if factory is None:
        raise UnknownDataType(f"numpy dtype {dt} has no Zarr data type")
    return factory(None)


def _string_dtype(dt: np.dtype) -> DataType:
    if hasattr(dt, "na_object"):
        raise UnsupportedFeature(f"StringDType with na_object ({dt}) is not supported")
    return VlenStringType()


#: numpy dtype kind -> factory(dtype).
_FROM_NUMPY_KIND: dict[str, Callable[[np.dtype], DataType]] = {
    "b": _by_name,
    "i": _by_name,
    "u": _by_name,
    "f": _by_name,
    "c": _by_name,
    "M": TimeType.from_numpy,
    "m": TimeType.from_numpy,
    "U": lambda dt: FixedUTF32Type(length=dt.itemsize // 4),
    "S": lambda dt: NullTerminatedBytesType(length=dt.itemsize),
    "V": _void,
    "T": _string_dtype,
    "O": lambda dt: ObjectType(),
}


def _from_numpy_dtype(dt: np.dtype) -> DataType:
    factory = _FROM_NUMPY_KIND.get(dt.kind)
    if factory is None:
        raise UnknownDataType(f"numpy dtype {dt} has no Zarr data type")
    if dt.kind in "USV" and dt.itemsize == 0:
        raise InvalidMetadata(f"numpy dtype {dt} has no length; give one, e.g. {dt.kind}10")
    return factory(dt)


_VLEN_STRING_ALIASES = ("str", "string", "T")
_VLEN_BYTES_ALIASES = ("bytes", "variable_length_bytes")


def from_numpy_with_endian(dtype_like: Any, zarr_format: int = 3) -> tuple[DataType, Endian | None]:
    """Like :func:`from_numpy`, also returning the byte order the input asked for.

    Example:
        >>> from_numpy_with_endian(">f8")
        (FloatType(name='float64'), 'big')
    """
    if isinstance(dtype_like, DataType):
        return dtype_like, "little" if dtype_like.has_endianness else None
    to_native = getattr(dtype_like, "to_native_dtype", None)
    if callable(to_native) and not isinstance(dtype_like, np.dtype):
        if type(dtype_like).__name__ == "Struct" and zarr_format == 3:
            # zarr-python 3.4's Struct object (or simplezarr.dtype's): the "struct" spelling
            dt = _from_numpy_dtype(np.dtype(to_native()))
            if isinstance(dt, StructuredType):
                dt = StructuredType(name="struct", fields=dt.fields)
                return dt, "little" if dt.has_endianness else None
        dtype_like = to_native()  # a zarr.dtype object (simplezarr.dtype's or zarr-python's)
        if isinstance(dtype_like, np.dtype) and dtype_like.kind == "O":
            return VlenBytesType(), None  # VariableLengthBytes: unambiguous here
    if dtype_like is str or (isinstance(dtype_like, str) and dtype_like in _VLEN_STRING_ALIASES):
        return VlenStringType(), None
    if dtype_like is bytes or (isinstance(dtype_like, str) and dtype_like in _VLEN_BYTES_ALIASES):
        return VlenBytesType(), None
    if isinstance(dtype_like, dict) or (isinstance(dtype_like, str) and _is_v3_name(dtype_like)):
        dt = parse_v3_dtype(dtype_like)
        return dt, "little" if dt.has_endianness else None
    if isinstance(dtype_like, list):
        dtype_like = [tuple(d) if isinstance(d, list) else d for d in dtype_like]
    try:
        npdt = np.dtype(dtype_like)
    except (TypeError, ValueError) as e:
        raise UnknownDataType(f"{quote(dtype_like)} is not a data type: {e}") from e
    dt = _from_numpy_dtype(npdt)
    if isinstance(dt, ObjectType) and zarr_format != 2:
        raise UnknownDataType(
            "the numpy object dtype is ambiguous in Zarr v3; use 'string' for text or "
            "'variable_length_bytes' for bytes"
        )
    return dt, _endian_of(npdt)


def from_numpy(dtype_like: Any, zarr_format: int = 3) -> DataType:
    """The DataType for a numpy dtype or anything ``np.dtype`` accepts, a v3 name or JSON,
    or the aliases ``str``/"string" (vlen UTF-8) and ``bytes``/"bytes" (vlen bytes).

    ``object`` is accepted for Zarr v2 only (an object array; the filters pick its codec).

    Example:
        >>> from_numpy(np.int16), from_numpy("M8[ns]").configuration
        (IntType(name='int16'), {'unit': 'ns', 'scale_factor': 1})
    """
    return from_numpy_with_endian(dtype_like, zarr_format)[0]


# --------------------------------------------------------------------------- v2 type strings


def parse_v2_dtype(data: Any, object_codec_id: str | None = None) -> tuple[DataType, Endian | None]:
    """The DataType and stored byte order of a v2 ``dtype`` (typestr or structured list).

    ``|O`` needs the object codec id found in filters/compressor: vlen-utf8 -> ``string``,
    vlen-bytes -> ``variable_length_bytes``, others -> an object array.

    Example:
        >>> parse_v2_dtype("|O", "vlen-utf8")
        (VlenStringType(name='string'), None)
        >>> parse_v2_dtype([["a", "<i4"], ["b", "|u1"]])[0].numpy
        dtype([('a', '<i4'), ('b', 'u1')])
    """
    if isinstance(data, list):
        return _parse_v2_structured(data)
    if not isinstance(data, str):
        raise InvalidMetadata(f"dtype must be a numpy type string or a list, got {quote(data)}")
    try:
        npdt = np.dtype(data)
    except (TypeError, ValueError) as e:
        raise UnknownDataType(f"dtype {quote(data)} is not a numpy type string: {e}") from e
    if npdt.kind == "O":
        if object_codec_id is None:
            raise InvalidMetadata(
                f"dtype {quote(data)} needs an object codec (e.g. vlen-utf8) in filters or compressor"
            )
        kinds: dict[str, Callable[[], DataType]] = {
            "vlen-utf8": VlenStringType,
            "vlen-bytes": VlenBytesType,
        }
        make = kinds.get(object_codec_id)
        return (make() if make else ObjectType(object_codec=object_codec_id)), None
    if npdt.kind == "T":
        raise UnknownDataType(f"dtype {quote(data)} is not a Zarr v2 type string")
    return _from_numpy_dtype(npdt), _endian_of(npdt)


def _parse_v2_structured(data: list[Any]) -> tuple[DataType, Endian | None]:
    fields: list[tuple[str, DataType]] = []
    endians: set[Endian] = set()
    for item in data:
        if not (isinstance(item, list) and isinstance(item[0] if item else None, str)):
            raise InvalidMetadata(
                f"structured dtype field must be [name, dtype], got {quote(item)}"
            )
        if len(item) != 2:
            raise UnsupportedFeature(
                f"structured dtype field {quote(item)}: sub-array fields are not supported"
            )
        ftype, fend = parse_v2_dtype(item[1])
        if ftype.is_variable_length:
            raise InvalidMetadata(f"structured dtype field {quote(item)} must have a fixed size")
        fields.append((item[0], ftype))
        if fend is not None:
            endians.add(fend)
    if len(endians) > 1:
        raise UnsupportedFeature(f"structured dtype {quote(data)} mixes byte orders")
    if not fields:
        raise InvalidMetadata("structured dtype needs at least one field")
    try:
        return StructuredType("structured", tuple(fields)), (endians.pop() if endians else None)
    except InvalidMetadata as e:
        raise InvalidMetadata(f"structured dtype {quote(data)}: {e}") from e
