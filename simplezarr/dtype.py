"""zarr-python's ``zarr.dtype``: data types as objects (``Int16(endianness="big")``,
``FixedLengthUTF32(length=4)``, ...) over numpy dtypes, ``parse_dtype`` and the registry.

Each object names a native numpy dtype (:meth:`ZDType.to_native_dtype`) and writes zarr-python's
JSON for it (:meth:`ZDType.to_json`); ``create_array(dtype=...)`` takes them (and zarr-python's).
simplezarr's own data types (:mod:`simplezarr.dtypes`) stay what arrays hold.

Example:
    >>> import numpy as np
    >>> parse_dtype(">f8", zarr_format=2)
    Float64(endianness='big')
    >>> Int16().to_native_dtype(), Int8().to_json(zarr_format=2)
    (dtype('int16'), {'name': '|i1', 'object_codec_id': None})
    >>> ZDType.from_native_dtype(np.dtype("U3"))
    FixedLengthUTF32(length=3, endianness='little')
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, ClassVar, Literal, TypedDict

import numpy as np

from simplezarr.dtypes import from_numpy_with_endian
from simplezarr.errors import DataTypeValidationError, UnknownDataType
from simplezarr.nodes.api_hooks import HOOKS

__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "DTypeSpec_V2",
    "DataTypeValidationError",
    "DateTime64",
    "FixedLengthUTF32",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NullTerminatedBytes",
    "RawBytes",
    "Struct",
    "Structured",
    "TimeDelta64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableLengthBytes",
    "VariableLengthUTF8",
    "ZDType",
    "check_dtype_spec_no_object_codec_v2",
    "check_dtype_spec_v2",
    "data_type_registry",
    "parse_data_type",
    "parse_dtype",
]

#: zarr-python's error for a data type it cannot use: ours (a ValueError and TypeError).

Endianness = Literal["little", "big"]
_ORDER = {"little": "<", "big": ">"}


def _in_order(dt: np.dtype, endianness: Endianness) -> np.dtype:
    """``dt`` in a byte order; the machine's own is written ``=`` (``dtype('int16')``)."""
    char = _ORDER[endianness]
    native = "<" if sys.byteorder == "little" else ">"
    return dt.newbyteorder("=" if char == native else char)  # type: ignore[arg-type]


def _endianness(dt: np.dtype) -> Endianness:
    order = dt.byteorder
    if order == "=":
        order = "<" if sys.byteorder == "little" else ">"
    return "big" if order == ">" else "little"


@dataclass(frozen=True)
class ZDType:
    """A Zarr data type object (zarr-python's ``ZDType``) over one native numpy dtype."""

    _zarr_v3_name: ClassVar[str] = ""

    def to_native_dtype(self) -> Any:
        """The numpy dtype of this data type."""
        raise NotImplementedError  # pragma: no cover - every subclass has one

    @classmethod
    def from_native_dtype(cls, dtype: Any) -> ZDType:
        """The data type object of a numpy dtype (DataTypeValidationError if this class is
        not the one that fits it)."""
        out = _from_native(np.dtype(dtype))
        if cls is Structured and isinstance(out, Structured):
            return Structured(fields=out.fields)  # the older spelling, as asked
        if cls is not ZDType and not isinstance(out, cls):
            raise DataTypeValidationError(f"{cls.__name__} cannot hold numpy dtype {dtype!r}")
        return out

    def to_json(self, zarr_format: int) -> Any:
        """zarr-python's JSON: v3 the ``data_type`` value; v2 ``{"name", "object_codec_id"}``."""
        native = self.to_native_dtype()
        dt, _ = from_numpy_with_endian(self if isinstance(self, Struct) else native, zarr_format)
        if zarr_format == 3:
            return dt.to_json(3)
        if isinstance(self, VariableLengthUTF8 | VariableLengthBytes):
            codec = "vlen-utf8" if isinstance(self, VariableLengthUTF8) else "vlen-bytes"
            return {"name": "|O", "object_codec_id": codec}
        name = dt.to_json(2) if native.fields else native.str
        return {"name": name, "object_codec_id": None}

    def _data_type(self, zarr_format: int) -> Any:
        native = self.to_native_dtype()
        if isinstance(self, Struct):
            return from_numpy_with_endian(self, zarr_format)[0]
        return from_numpy_with_endian(native, 2 if native.kind == "O" else zarr_format)[0]

    def cast_scalar(self, data: Any) -> Any:
        """``data`` as a scalar of this data type (zarr-python's ``cast_scalar``)."""
        return self._data_type(3).cast_fill_value(data)

    def to_json_scalar(self, data: Any, *, zarr_format: int) -> Any:
        """A scalar as zarr-python writes it in metadata (``fill_value``): ``42``,
        ``"NaN"``, ``[re, im]``, base64 text for raw bytes.

        Example:
            >>> Int8().to_json_scalar(42, zarr_format=3), Float32().to_json_scalar(float("nan"), zarr_format=3)
            (42, 'NaN')
        """
        dt = self._data_type(zarr_format)
        out = dt.fill_value_to_json(dt.cast_fill_value(data), zarr_format)
        # zarr-python gives a complex value's parts as a tuple (written as a JSON list)
        return tuple(out) if isinstance(out, list) and dt.numpy.kind == "c" else out

    def from_json_scalar(self, data: Any, *, zarr_format: int) -> Any:
        """The scalar a metadata ``fill_value`` holds (zarr-python's ``from_json_scalar``)."""
        return self._data_type(zarr_format).fill_value_from_json(data, zarr_format)

    def default_scalar(self) -> Any:
        """The default fill value, as a scalar of the native dtype."""
        native = self.to_native_dtype()
        dt, _ = from_numpy_with_endian(native, 2 if native.kind == "O" else 3)
        value = dt.default_fill_value()
        return native.type(value) if native.kind not in "OTV" else value


@dataclass(frozen=True)
class _Fixed(ZDType):
    _code: ClassVar[str] = ""

    def to_native_dtype(self) -> Any:
        return np.dtype(self._code)


@dataclass(frozen=True)
class _Ordered(ZDType):
    _code: ClassVar[str] = ""
    endianness: Endianness = "little"

    def to_native_dtype(self) -> Any:
        return _in_order(np.dtype(self._code), self.endianness)


def _frozen_setattr(self: ZDType, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: ZDType, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _subclass(name: str, base: type, code: str, doc: str) -> Any:
    # A plain subclass of the frozen dataclass ``base``: it adds no field, so it inherits
    # __init__, __eq__ (same class only), __repr__ (its own name) and __hash__, and only
    # needs to stay frozen for new attribute names too. Decorating each of the 14 with
    # @dataclass generated and compiled their methods again: about 3 ms apiece of
    # ``import simplezarr`` (measured: 14 decorated 44.7 ms, 14 plain 0.2 ms, loaded machine).
    np_name = np.dtype(code).name
    namespace = {
        "_code": code,
        "_zarr_v3_name": np_name,
        "__setattr__": _frozen_setattr,
        "__delattr__": _frozen_delattr,
        "__module__": __name__,
        "__doc__": doc.format(np_name),
    }
    return type(name, (base,), namespace)


def _fixed(name: str, code: str) -> type[_Fixed]:
    cls: type[_Fixed] = _subclass(name, _Fixed, code, "numpy {0} (Zarr ``{0}``).")
    return cls


def _ordered(name: str, code: str) -> type[_Ordered]:
    cls: type[_Ordered] = _subclass(
        name, _Ordered, code, "numpy {0} in a byte order (``endianness``)."
    )
    return cls


Bool = _fixed("Bool", "?")
Int8 = _fixed("Int8", "i1")
UInt8 = _fixed("UInt8", "u1")
Int16 = _ordered("Int16", "i2")
Int32 = _ordered("Int32", "i4")
Int64 = _ordered("Int64", "i8")
UInt16 = _ordered("UInt16", "u2")
UInt32 = _ordered("UInt32", "u4")
UInt64 = _ordered("UInt64", "u8")
Float16 = _ordered("Float16", "f2")
Float32 = _ordered("Float32", "f4")
Float64 = _ordered("Float64", "f8")
Complex64 = _ordered("Complex64", "c8")
Complex128 = _ordered("Complex128", "c16")


@dataclass(frozen=True)
class FixedLengthUTF32(ZDType):
    """numpy ``U<length>`` (Zarr ``fixed_length_utf32``)."""

    _zarr_v3_name: ClassVar[str] = "fixed_length_utf32"
    length: int = 1
    endianness: Endianness = "little"

    def to_native_dtype(self) -> Any:
        return _in_order(np.dtype(f"U{self.length}"), self.endianness)


@dataclass(frozen=True)
class NullTerminatedBytes(ZDType):
    """numpy ``S<length>`` (Zarr ``null_terminated_bytes``)."""

    _zarr_v3_name: ClassVar[str] = "null_terminated_bytes"
    length: int = 1

    def to_native_dtype(self) -> Any:
        return np.dtype(f"S{self.length}")


@dataclass(frozen=True)
class RawBytes(ZDType):
    """numpy ``V<length>`` (Zarr ``raw_bytes``)."""

    _zarr_v3_name: ClassVar[str] = "raw_bytes"
    length: int = 1

    def to_native_dtype(self) -> Any:
        return np.dtype(f"V{self.length}")


@dataclass(frozen=True)
class VariableLengthUTF8(ZDType):
    """numpy's ``StringDType`` (Zarr ``string``)."""

    _zarr_v3_name: ClassVar[str] = "string"

    def to_native_dtype(self) -> Any:
        return np.dtypes.StringDType()


@dataclass(frozen=True)
class VariableLengthBytes(ZDType):
    """Python ``bytes`` in an object array (Zarr ``variable_length_bytes``)."""

    _zarr_v3_name: ClassVar[str] = "variable_length_bytes"

    def to_native_dtype(self) -> Any:
        return np.dtype("O")

    def to_json(self, zarr_format: int) -> Any:
        if zarr_format == 3:
            return "variable_length_bytes"
        return super().to_json(zarr_format)


@dataclass(frozen=True)
class _Time(ZDType):
    _char: ClassVar[str] = ""
    endianness: Endianness = "little"
    scale_factor: int = 1
    unit: str = "generic"

    def to_native_dtype(self) -> Any:
        unit = "" if self.unit == "generic" else f"[{self.scale_factor}{self.unit}]"
        return _in_order(np.dtype(f"{self._char}8{unit}"), self.endianness)


@dataclass(frozen=True)
class DateTime64(_Time):
    """numpy ``datetime64[<scale_factor><unit>]`` (Zarr ``numpy.datetime64``)."""

    _zarr_v3_name: ClassVar[str] = "numpy.datetime64"
    _char: ClassVar[str] = "M"


@dataclass(frozen=True)
class TimeDelta64(_Time):
    """numpy ``timedelta64[<scale_factor><unit>]`` (Zarr ``numpy.timedelta64``)."""

    _zarr_v3_name: ClassVar[str] = "numpy.timedelta64"
    _char: ClassVar[str] = "m"


@dataclass(frozen=True)
class Structured(ZDType):
    """A numpy structured dtype: ``fields`` is ``((name, ZDType), ...)``."""

    _zarr_v3_name: ClassVar[str] = "structured"
    fields: tuple[tuple[str, ZDType], ...] = field(default=())

    def to_native_dtype(self) -> Any:
        return np.dtype([(name, t.to_native_dtype()) for name, t in self.fields])


_NUMERIC: dict[tuple[str, int], type[ZDType]] = {
    (np.dtype(c).kind, np.dtype(c).itemsize): cls
    for c, cls in [
        ("i1", Int8), ("u1", UInt8), ("i2", Int16), ("i4", Int32), ("i8", Int64),
        ("u2", UInt16), ("u4", UInt32), ("u8", UInt64), ("f2", Float16), ("f4", Float32),
        ("f8", Float64), ("c8", Complex64), ("c16", Complex128),
    ]
}  # fmt: skip


def _from_native(dt: np.dtype) -> ZDType:
    if dt.fields is not None:
        names = dt.names or ()
        return Struct(fields=tuple((n, _from_native(dt.fields[n][0])) for n in names))
    kind = dt.kind
    if kind == "b":
        return Bool()
    if (kind, dt.itemsize) in _NUMERIC:
        cls = _NUMERIC[(kind, dt.itemsize)]
        return cls() if dt.itemsize == 1 else cls(endianness=_endianness(dt))  # type: ignore[call-arg]
    if kind == "U":
        return FixedLengthUTF32(length=dt.itemsize // 4, endianness=_endianness(dt))
    if kind == "S":
        return NullTerminatedBytes(length=dt.itemsize)
    if kind == "V":
        return RawBytes(length=dt.itemsize)
    if kind in "mM":
        unit, count = np.datetime_data(dt)
        cls_t = DateTime64 if kind == "M" else TimeDelta64
        return cls_t(unit=unit, scale_factor=count, endianness=_endianness(dt))
    if kind == "T":
        return VariableLengthUTF8()
    raise DataTypeValidationError(
        f"numpy dtype {dt!r} has no Zarr data type object (object arrays are ambiguous: "
        "use VariableLengthUTF8 for text or VariableLengthBytes for bytes)"
    )


def parse_dtype(dtype_spec: Any, zarr_format: int = 3) -> ZDType:
    """A data type object from anything ``create_array(dtype=...)`` takes: a numpy dtype or
    its string, a Zarr v3 name or JSON object, ``str``, or a ZDType (returned as is).

    Example:
        >>> parse_dtype("int16"), parse_dtype(str)
        (Int16(endianness='little'), VariableLengthUTF8())
    """
    if isinstance(dtype_spec, ZDType):
        return dtype_spec
    dt, endian = from_numpy_with_endian(dtype_spec, zarr_format)
    if dt.numpy.kind == "O":
        return VariableLengthBytes() if dt.name == "variable_length_bytes" else VariableLengthUTF8()
    native = dt.numpy
    if endian == "big" and native.fields is None:
        native = native.newbyteorder(">")
    return _from_native(native)


#: zarr-python's older name.
parse_data_type = parse_dtype


@dataclass(frozen=True)
class Struct(Structured):
    """zarr-python 3.4's structured data type object: what :func:`parse_dtype` gives for a
    numpy record dtype, written as ``{"name": "struct", ...}`` (the zarr-extensions
    spelling) when an array is created with it. A numpy record dtype given directly
    creates the older ``"structured"`` spelling, which zarr-python 3.1 reads too.

    Example:
        >>> import numpy as np
        >>> t = parse_dtype(np.dtype([("a", "i1")]))
        >>> t, t.to_json(zarr_format=3)["name"]
        (Struct(fields=(('a', Int8()),)), 'struct')
    """

    _zarr_v3_name: ClassVar[str] = "struct"


class DTypeSpec_V2(TypedDict):
    """A Zarr v2 data type as zarr-python 3.4 passes it around: the ``.zarray`` ``dtype``
    (a typestr, or a structured list of ``[name, dtype]``) and the object codec's id."""

    name: Any
    object_codec_id: str | None


def _v2_dtype_name(name: object) -> bool:
    if isinstance(name, str):
        return True
    return isinstance(name, list | tuple) and all(
        isinstance(f, list | tuple)
        and len(f) == 2
        and isinstance(f[0], str)
        and _v2_dtype_name(f[1])
        for f in name
    )


def check_dtype_spec_v2(data: object) -> bool:
    """Whether ``data`` is a :class:`DTypeSpec_V2` (zarr-python 3.4's type guard).

    Example:
        >>> check_dtype_spec_v2({"name": "<i4", "object_codec_id": None})
        True
        >>> check_dtype_spec_v2({"name": [["a", "<i4"]], "object_codec_id": 1})
        False
    """
    return (
        isinstance(data, Mapping)
        and set(data) == {"name", "object_codec_id"}
        and _v2_dtype_name(data["name"])
        and isinstance(data["object_codec_id"], str | None)
    )


def check_dtype_spec_no_object_codec_v2(data: object) -> bool:
    """Whether ``data`` is a :class:`DTypeSpec_V2` without an object codec.

    Example:
        >>> check_dtype_spec_no_object_codec_v2({"name": "|O", "object_codec_id": "vlen-utf8"})
        False
    """
    return check_dtype_spec_v2(data) and data["object_codec_id"] is None  # type: ignore[index]


class DataTypeRegistry:
    """Zarr v3 data type names -> their ZDType classes (zarr-python's ``data_type_registry``);
    new data types are registered with :func:`simplezarr.dtypes.register_data_type`."""

    def __init__(self, contents: Mapping[str, type[ZDType]]) -> None:
        self.contents = dict(contents)

    def get(self, name: str) -> type[ZDType]:
        """The class of a Zarr v3 data type name (KeyError if unknown)."""
        return self.contents[name]

    def match_dtype(self, dtype: Any) -> ZDType:
        """The data type object of a numpy dtype."""
        return _from_native(np.dtype(dtype))

    def match_json(self, data: Any, zarr_format: int) -> ZDType:
        """The data type object of a ``data_type`` JSON value (or a v2 dtype string)."""
        return parse_dtype(data, zarr_format)

    def __repr__(self) -> str:
        return f"DataTypeRegistry({sorted(self.contents)})"


data_type_registry = DataTypeRegistry(
    {
        cls._zarr_v3_name: cls
        for cls in (
            Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32,
            Float64, Complex64, Complex128, FixedLengthUTF32, VariableLengthUTF8, RawBytes,
            NullTerminatedBytes, VariableLengthBytes, Structured, Struct, DateTime64,
            TimeDelta64,
        )
    }
)  # fmt: skip


def _info_repr(dtype: np.dtype[Any], zarr_format: int) -> str:
    """What ``array.info`` prints as the data type: its data type object, as zarr-python."""
    try:
        return repr(parse_dtype(dtype, zarr_format))
    except (UnknownDataType, TypeError, ValueError):
        return str(dtype)


HOOKS["dtype_repr"] = _info_repr
