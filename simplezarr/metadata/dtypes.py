"""Zarr data types: v3 names and v2 type strings <-> numpy, and fill value JSON encodings.

A :class:`DataType` is a frozen value. ``numpy`` is the in-memory dtype in native byte order,
the one zarr-python 3.1.6 gives for such an array: ``StringDType()`` for ``string`` and
``object`` for ``variable_length_bytes``. Byte order is a property of the *stored* data, not
of the type: v3 keeps it in the ``bytes`` codec, v2 in the type string, so :func:`parse_v2_dtype`
returns it next to the type and :meth:`DataType.to_json` takes it as an argument.

Fill values (Zarr v3 core spec and zarr-python): integers as JSON integers, booleans as
``true``/``false``, floats as numbers, ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` or a hex bit
pattern such as ``"0x7fc00000"`` (read bit-exactly), complex numbers as ``[re, im]``, ``r<N>``
raw bits as a list of byte values, datetimes as an int64 count (NaT = -2**63), fixed-size bytes
and structured values as base64, strings as strings. A wrong value raises InvalidMetadata.

Example:
    >>> dt = parse_v3_dtype("float32")
    >>> dt.numpy, dt.item_size
    (dtype('float32'), 4)
    >>> dt.fill_value_from_json("0x7fc00000", 3)
    np.float32(nan)
    >>> parse_v2_dtype(">i2")
    (IntType(name='int16'), 'big')
    >>> from_numpy("U10").to_json(3)
    {'name': 'fixed_length_utf32', 'configuration': {'length_bytes': 40}}
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from simplezarr.errors import InvalidMetadata, UnknownDataType, UnsupportedFeature

__all__ = [
    "DataType",
    "Endian",
    "from_numpy",
    "from_numpy_with_endian",
    "parse_v2_dtype",
    "parse_v3_dtype",
    "register_data_type",
]

Endian = Literal["little", "big"]
_NATIVE: Endian = "little" if sys.byteorder == "little" else "big"
_ORDER_CHAR: dict[str, str] = {"little": "<", "big": ">"}
_NAT = -(2**63)


class _Bad(ValueError):
    """Internal: a fill value does not fit the data type (turned into InvalidMetadata)."""


# --------------------------------------------------------------------------- base class


@dataclass(frozen=True)
class DataType:
    """A Zarr data type. Subclasses add their parameters as dataclass fields.

    ``numpy`` is derived from the parameters (native byte order).

    Example:
        >>> t = parse_v3_dtype({"name": "numpy.datetime64",
        ...                     "configuration": {"unit": "s", "scale_factor": 1}})
        >>> t.numpy, t.default_fill_value()
        (dtype('<M8[s]'), np.datetime64('NaT','s'))
    """

    name: str
    numpy: np.dtype = field(init=False, repr=False, compare=False)

    is_variable_length: ClassVar[bool] = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "numpy", self._make_numpy())
        except (TypeError, ValueError) as e:
            raise InvalidMetadata(f"data type {self!r} is not valid: {e}") from e

    # --- what subclasses provide
    def _make_numpy(self) -> np.dtype:
        return np.dtype(self.name)

    @property
    def configuration(self) -> dict[str, Any] | None:
        """The v3 ``configuration`` object, or None for a plain name."""
        return None

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def _cast(self, value: Any) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def default_fill_value(self) -> Any:
        """zarr-python's default fill value for this type (zero, False, NaT, empty)."""
        return self.numpy.type(0)

    # --- common surface
    @property
    def item_size(self) -> int | None:
        """Bytes per element, or None for variable-length types."""
        return None if self.is_variable_length else self.numpy.itemsize

    @property
    def has_endianness(self) -> bool:
        """True if stored items have a byte order (the ``bytes`` codec then needs ``endian``)."""
        return self.numpy.itemsize > 1 and self.numpy.kind in "iufcmMU"

    @property
    def object_codec_id(self) -> str | None:
        """For v2 ``|O`` types: the numcodecs object codec id that encodes them."""
        return None

    def to_json(self, zarr_format: int, endian: Endian = "little") -> Any:
        """v3: the ``data_type`` name or object; v2: the numpy type string with ``endian``.

        Example:
            >>> parse_v3_dtype("int16").to_json(2, endian="big")
            '>i2'
        """
        if zarr_format == 3:
            config = self.configuration
            return self.name if config is None else {"name": self.name, "configuration": config}
        if zarr_format == 2:
            return self._v2_typestr(endian)
        raise InvalidMetadata(f"zarr_format must be 2 or 3, got {zarr_format!r}")

    def _v2_typestr(self, endian: Endian) -> Any:
        return self.stored_numpy(endian).str

    def stored_numpy(self, endian: Endian | None) -> np.dtype:
        """The numpy dtype of stored items in byte order ``endian`` (None: native).

        Example:
            >>> parse_v3_dtype("float64").stored_numpy("big")
            dtype('>f8')
        """
        if endian is None or not self.has_endianness:
            return self.numpy
        return self.numpy.newbyteorder(_ORDER_CHAR[endian])

    def fill_value_from_json(self, value: Any, zarr_format: int) -> Any:
        """Decode a ``fill_value`` from JSON. v2 ``null`` gives None.

        Example:
            >>> parse_v3_dtype("complex64").fill_value_from_json(["NaN", 1], 3)
            np.complex64(nan+1j)
        """
        if value is None:
            if zarr_format == 2:
                return None
            raise InvalidMetadata(f"fill_value is required for data type {self.name}, got null")
        try:
            return self._from_json(value, zarr_format)
        except (TypeError, ValueError, OverflowError, binascii.Error) as e:
            raise InvalidMetadata(
                f"fill_value {value!r} is not valid for data type {self._label()}: {e}"
            ) from e

    def fill_value_to_json(self, value: Any, zarr_format: int) -> Any:
        """Encode a fill value (as returned by fill_value_from_json / cast_fill_value).

        Example:
            >>> parse_v3_dtype("float32").fill_value_to_json(np.float32("inf"), 3)
            'Infinity'
        """
        if value is None:
            if zarr_format == 2:
                return None
            raise InvalidMetadata(f"fill_value is required for data type {self.name}")
        try:
            return self._to_json(value, zarr_format)
        except (TypeError, ValueError, OverflowError) as e:
            raise InvalidMetadata(
                f"fill_value {value!r} cannot be encoded for data type {self._label()}: {e}"
            ) from e

    def cast_fill_value(self, value: Any) -> Any:
        """Validate a user's fill value and convert it to this type's scalar.

        Example:
            >>> parse_v3_dtype("uint8").cast_fill_value(300)
            Traceback (most recent call last):
            ...
            simplezarr.errors.InvalidMetadata: fill_value 300 does not fit data type uint8: ...
        """
        try:
            return self._cast(value)
        except (TypeError, ValueError, OverflowError, binascii.Error) as e:
            raise InvalidMetadata(
                f"fill_value {value!r} does not fit data type {self._label()}: {e}"
            ) from e

    def _label(self) -> str:
        config = self.configuration
        return self.name if config is None else f"{self.name} {config}"


# --------------------------------------------------------------------------- helpers


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_, np.timedelta64))


def _intish(v: Any) -> int:
    """An integer from an int, an integral float, or an integer string (zarr-python)."""
    if _is_int(v):
        return int(v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            pass
    raise _Bad(f"expected an integer, got {type(v).__name__}")


def _b64decode(v: Any) -> bytes:
    if not isinstance(v, str):
        raise _Bad(f"expected a base64 string, got {type(v).__name__}")
    return base64.b64decode(v.encode("ascii"), validate=True)


def _b64encode(b: bytes) -> str:
    return base64.standard_b64encode(bytes(b)).decode("ascii")


def _plain_name_only(name: str, config: Mapping[str, Any] | None) -> None:
    if config:
        raise InvalidMetadata(f"data type {name!r} takes no configuration, got {config!r}")


def _length_bytes(name: str, config: Mapping[str, Any] | None, unit: int = 1) -> int:
    if not isinstance(config, Mapping) or set(config) != {"length_bytes"}:
        raise InvalidMetadata(
            f"data type {name!r} needs configuration {{'length_bytes': int}}, got {config!r}"
        )
    n = config["length_bytes"]
    if not _is_int(n) or n < unit or n % unit:
        raise InvalidMetadata(
            f"data type {name!r}: length_bytes must be a positive multiple of {unit}, got {n!r}"
        )
    return int(n)


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class BoolType(DataType):
    """``bool``: fill ``true``/``false`` (0 and 1 accepted)."""

    name: str = "bool"

    def _make_numpy(self) -> np.dtype:
        return np.dtype(bool)

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, bool) or (_is_int(value) and value in (0, 1)):
            return np.bool_(value)
        raise _Bad("expected true or false")

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return bool(value)

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (bool, np.bool_)) or (_is_int(value) and value in (0, 1)):
            return np.bool_(value)
        raise _Bad("expected a boolean")


@dataclass(frozen=True)
class IntType(DataType):
    """``int8`` ... ``uint64``: fill a JSON integer (integral floats and strings accepted)."""

    def _check(self, v: int) -> Any:
        info = np.iinfo(self.numpy)
        if not info.min <= v <= info.max:
            raise _Bad(f"out of range [{info.min}, {info.max}]")
        return self.numpy.type(v)

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return self._check(_intish(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return int(value)

    def _cast(self, value: Any) -> Any:
        return self._check(_intish(value))


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_HEX_FLOAT = re.compile(r"0x[0-9a-fA-F]+\Z")


def _float_from_json(value: Any, ftype: np.dtype) -> Any:
    """One float (or complex component) of dtype ``ftype`` from its JSON encoding."""
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return ftype.type(_SPECIAL_FLOATS[value])
        if _HEX_FLOAT.match(value):
            digits = value[2:]
            if len(digits) == 2 * ftype.itemsize:  # exact bit pattern of this width
                bits = np.array(int(digits, 16), dtype=f"u{ftype.itemsize}")
                return bits.view(ftype)[()]
            widths = {4: "f2", 8: "f4", 16: "f8"}  # zarr-python: other widths by value
            if len(digits) not in widths:
                raise _Bad(f"hex float {value!r} must have 4, 8 or 16 hex digits")
            w = np.dtype(widths[len(digits)])
            other = np.array(int(digits, 16), dtype=f"u{w.itemsize}").view(w)[()]
            return ftype.type(other)
        try:
            return ftype.type(float(value))  # zarr-python accepts "3.5"
        except ValueError:
            raise _Bad("expected a number, 'NaN', 'Infinity', '-Infinity' or '0x...'") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with np.errstate(over="ignore"):
            return ftype.type(value)
    raise _Bad(f"expected a number, got {type(value).__name__}")


def _float_to_json(value: Any, ftype: np.dtype, zarr_format: int) -> Any:
    x = ftype.type(value)
    if np.isnan(x):
        bits = int(np.array(x).view(f"u{ftype.itemsize}")[()])
        canonical = int(np.array(ftype.type("nan")).view(f"u{ftype.itemsize}")[()])
        if bits == canonical or zarr_format == 2:
            return "NaN"
        return f"0x{bits:0{2 * ftype.itemsize}x}"  # keep a non-canonical NaN bit-exact
    if np.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(x)


def _float_cast(value: Any, ftype: np.dtype) -> Any:
    if isinstance(value, (np.floating, np.integer)) and not isinstance(value, np.bool_):
        value = value.item()
    x = _float_from_json(value, ftype)
    if np.isinf(x) and isinstance(value, (int, float)) and math.isfinite(value):
        raise _Bad(f"{value!r} overflows {ftype.name}")
    return x


@dataclass(frozen=True)
class FloatType(DataType):
    """``float16/32/64``: fill a number, "NaN", "Infinity", "-Infinity" or a hex bit pattern."""

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return _float_from_json(value, self.numpy)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _float_to_json(value, self.numpy, zarr_format)

    def _cast(self, value: Any) -> Any:
        return _float_cast(value, self.numpy)


@dataclass(frozen=True)
class ComplexType(DataType):
    """``complex64/128``: fill ``[re, im]``, each a float encoding."""

    @property
    def _part(self) -> np.dtype:
        return np.dtype(f"f{self.numpy.itemsize // 2}")

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
            raise _Bad("expected a [real, imaginary] pair")
        re_, im = (_float_from_json(v, self._part) for v in value)
        out = np.empty((), self.numpy)
        out.real, out.imag = re_, im  # bit-exact parts (complex(...) would canonicalize NaN)
        return out[()]

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        x = self.numpy.type(value)
        return [_float_to_json(x.real, self._part, zarr_format),
                _float_to_json(x.imag, self._part, zarr_format)]

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            parts = [_float_cast(v, self._part) for v in value]
            out = np.empty((), self.numpy)
            out.real, out.imag = parts
            return out[()]
        if isinstance(value, (complex, np.complexfloating)):
            return self.numpy.type(value)
        return self.numpy.type(_float_cast(value, self._part))


# --------------------------------------------------------------------------- raw bits, time


@dataclass(frozen=True)
class RawBitsType(DataType):
    """``r<N>`` (N a multiple of 8): N/8 opaque bytes; v3 fill is a list of byte values."""

    def _make_numpy(self) -> np.dtype:
        return np.dtype(f"V{self.bits // 8}")

    @property
    def bits(self) -> int:
        return int(self.name[1:])

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2:
            return self._cast(_b64decode(value))
        if not isinstance(value, list):
            raise _Bad(f"expected a list of {self.numpy.itemsize} byte values")
        return self._cast(value)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        raw = self._cast(value).tobytes()
        return _b64encode(raw) if zarr_format == 2 else list(raw)

    def default_fill_value(self) -> Any:
        return np.void(bytes(self.numpy.itemsize))

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void):
            value = value.tobytes()
        if isinstance(value, list):
            if not all(_is_int(b) and 0 <= b <= 255 for b in value):
                raise _Bad("byte values must be integers 0..255")
            value = bytes(value)
        if not isinstance(value, (bytes, bytearray)):
            raise _Bad("expected bytes or a list of byte values")
        if len(value) != self.numpy.itemsize:
            raise _Bad(f"expected {self.numpy.itemsize} bytes, got {len(value)}")
        return np.void(bytes(value))


_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "μs", "ns", "ps", "fs", "as",
               "generic")


@dataclass(frozen=True)
class TimeType(DataType):
    """``numpy.datetime64`` / ``numpy.timedelta64`` with ``{unit, scale_factor}``; fill int64."""

    unit: str = "generic"
    scale_factor: int = 1

    def _make_numpy(self) -> np.dtype:
        if self.unit not in _TIME_UNITS:
            raise ValueError(f"unit must be one of {_TIME_UNITS}, got {self.unit!r}")
        if not _is_int(self.scale_factor) or not 1 <= self.scale_factor < 2**31:
            raise ValueError(
                f"scale_factor must be an int in [1, 2**31), got {self.scale_factor!r}"
            )
        code = "M8" if self.name == "numpy.datetime64" else "m8"
        if self.unit == "generic":
            if self.scale_factor != 1:
                raise ValueError("the generic unit takes no scale_factor")
            return np.dtype(code)
        return np.dtype(f"{code}[{self.scale_factor}{self.unit}]")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"unit": self.unit, "scale_factor": self.scale_factor}

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if value == "NaT":
            return self.default_fill_value()
        if not _is_int(value):
            raise _Bad("expected an integer (NaT is -9223372036854775808)")
        if not _NAT <= value < 2**63:
            raise _Bad("out of the int64 range")
        return np.int64(value).view(self.numpy)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return int(np.asarray(value, dtype=self.numpy).view(np.int64)[()])

    def default_fill_value(self) -> Any:
        return np.int64(_NAT).view(self.numpy)

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (bool, float, np.bool_, np.floating)):
            raise _Bad(f"expected an integer, a string or a {self.numpy.type.__name__}")
        if value is None:
            return self.default_fill_value()
        if _is_int(value):
            return self._from_json(int(value), 3)
        if isinstance(value, (np.datetime64, np.timedelta64)):
            return np.asarray(value).astype(self.numpy)[()]
        if isinstance(value, (datetime.date, datetime.timedelta, str)):
            return np.asarray(value, dtype=self.numpy)[()]
        raise _Bad(f"unsupported type {type(value).__name__}")


# --------------------------------------------------------------------------- fixed strings/bytes


@dataclass(frozen=True)
class FixedUTF32Type(DataType):
    """``fixed_length_utf32`` ({length_bytes}): numpy ``U<length>``; fill a string."""

    name: str = "fixed_length_utf32"
    length: int = 1

    def _make_numpy(self) -> np.dtype:
        if not _is_int(self.length) or self.length < 1:
            raise ValueError(f"length must be a positive int, got {self.length!r}")
        return np.dtype(f"U{self.length}")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"length_bytes": self.length * 4}

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2 and value == 0:
            return self.default_fill_value()
        if not isinstance(value, str):
            raise _Bad("expected a string")
        return np.str_(value[: self.length])  # what the array would hold anyway

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return str(value)

    def default_fill_value(self) -> Any:
        return np.str_("")

    def _cast(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise _Bad("expected a string")
        if len(value) > self.length:
            raise _Bad(f"longer than {self.length} characters")
        return np.str_(value)


@dataclass(frozen=True)
class NullTerminatedBytesType(DataType):
    """``null_terminated_bytes`` ({length_bytes}): numpy ``S<length>``; fill base64."""

    name: str = "null_terminated_bytes"
    length: int = 1

    def _make_numpy(self) -> np.dtype:
        if not _is_int(self.length) or self.length < 1:
            raise ValueError(f"length must be a positive int, got {self.length!r}")
        return np.dtype(f"S{self.length}")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"length_bytes": self.length}

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2 and value == 0:
            return self.default_fill_value()
        return np.bytes_(_b64decode(value)[: self.length])

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _b64encode(bytes(value))

    def default_fill_value(self) -> Any:
        return np.bytes_(b"")

    def _cast(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.encode("ascii")
        if not isinstance(value, (bytes, bytearray)):
            raise _Bad("expected bytes")
        if len(value) > self.length:
            raise _Bad(f"longer than {self.length} bytes")
        return np.bytes_(bytes(value))


@dataclass(frozen=True)
class RawBytesType(DataType):
    """``raw_bytes`` ({length_bytes}), v2 ``|V<n>``: opaque bytes; fill base64."""

    name: str = "raw_bytes"
    length: int = 1

    def _make_numpy(self) -> np.dtype:
        if not _is_int(self.length) or self.length < 1:
            raise ValueError(f"length must be a positive int, got {self.length!r}")
        return np.dtype(f"V{self.length}")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"length_bytes": self.length}

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2 and value == 0:
            return self.default_fill_value()
        return self._cast(_b64decode(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _b64encode(self._cast(value).tobytes())

    def default_fill_value(self) -> Any:
        return np.void(bytes(self.length))

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void):
            value = value.tobytes()
        if not isinstance(value, (bytes, bytearray)):
            raise _Bad("expected bytes")
        if len(value) != self.length:
            raise _Bad(f"expected exactly {self.length} bytes, got {len(value)}")
        return np.void(bytes(value))


@dataclass(frozen=True)
class StructuredType(DataType):
    """``structured`` ({fields: [[name, data_type], ...]}), v2 a list of [name, typestr]."""

    name: str = "structured"
    fields: tuple[tuple[str, DataType], ...] = ()

    def _make_numpy(self) -> np.dtype:
        if not self.fields:
            raise ValueError("a structured type needs at least one field")
        for fname, ftype in self.fields:
            if ftype.is_variable_length or isinstance(ftype, ObjectType):
                raise ValueError(f"field {fname!r} has variable-length type {ftype.name}")
        return np.dtype([(fname, ftype.numpy) for fname, ftype in self.fields])

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"fields": [[fname, ftype.to_json(3)] for fname, ftype in self.fields]}

    @property
    def has_endianness(self) -> bool:
        return False  # as zarr-python: the bytes codec carries no endian for structs

    def stored_numpy(self, endian: Endian | None) -> np.dtype:
        if endian is None:
            return self.numpy
        return np.dtype([(f, t.stored_numpy(endian)) for f, t in self.fields])

    def _v2_typestr(self, endian: Endian) -> Any:
        return [[fname, ftype.to_json(2, endian)] for fname, ftype in self.fields]

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2 and value == 0:
            return self.default_fill_value()
        return self._cast(_b64decode(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _b64encode(self._cast(value).tobytes())

    def default_fill_value(self) -> Any:
        return np.zeros((), self.numpy)[()]

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void) and value.dtype == self.numpy:
            return value
        if isinstance(value, (bytes, bytearray, np.void)):
            raw = bytes(value) if not isinstance(value, np.void) else value.tobytes()
            if len(raw) != self.numpy.itemsize:
                raise _Bad(f"expected {self.numpy.itemsize} bytes, got {len(raw)}")
            return np.frombuffer(raw, self.numpy)[0]
        if isinstance(value, (list, tuple)):
            return np.array([tuple(value)], self.numpy)[0]
        raise _Bad("expected bytes, a tuple of field values or a numpy.void")


# --------------------------------------------------------------------------- variable length


@dataclass(frozen=True)
class VlenStringType(DataType):
    """``string`` (UTF-8, variable length), v2 ``|O`` + vlen-utf8; numpy ``StringDType()``."""

    name: str = "string"
    is_variable_length: ClassVar[bool] = True

    def _make_numpy(self) -> np.dtype:
        return np.dtypes.StringDType()

    @property
    def has_endianness(self) -> bool:
        return False

    @property
    def object_codec_id(self) -> str | None:
        return "vlen-utf8"

    def _v2_typestr(self, endian: Endian) -> Any:
        return "|O"

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)  # zarr-python reads a v2 fill of 0 as "0"
        raise _Bad("expected a string")

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return str(value)

    def default_fill_value(self) -> Any:
        return ""

    def _cast(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise _Bad("expected a string")
        return str(value)


@dataclass(frozen=True)
class VlenBytesType(DataType):
    """``variable_length_bytes`` (also read as ``bytes``), v2 ``|O`` + vlen-bytes; fill base64."""

    name: str = "variable_length_bytes"
    is_variable_length: ClassVar[bool] = True

    def _make_numpy(self) -> np.dtype:
        return np.dtype(object)

    @property
    def has_endianness(self) -> bool:
        return False

    @property
    def object_codec_id(self) -> str | None:
        return "vlen-bytes"

    def _v2_typestr(self, endian: Endian) -> Any:
        return "|O"

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2 and value == 0:
            return b""
        return _b64decode(value)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _b64encode(value)

    def default_fill_value(self) -> Any:
        return b""

    def _cast(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8")
        if not isinstance(value, (bytes, bytearray)):
            raise _Bad("expected bytes")
        return bytes(value)


#: v2 object codecs that are not vlen-utf8 / vlen-bytes: arrays of Python objects.
OBJECT_CODEC_IDS = ("vlen-utf8", "vlen-bytes", "vlen-array", "pickle", "json2", "msgpack2",
                    "json", "msgpack")


@dataclass(frozen=True)
class ObjectType(DataType):
    """Zarr v2 only: ``|O`` arrays of Python objects encoded by ``object_codec_id``
    (vlen-array, pickle, json2, msgpack2). No v3 equivalent. The fill value is kept as JSON.
    """

    name: str = "object"
    object_codec: str | None = None
    is_variable_length: ClassVar[bool] = True

    def _make_numpy(self) -> np.dtype:
        return np.dtype(object)

    @property
    def has_endianness(self) -> bool:
        return False

    @property
    def object_codec_id(self) -> str | None:
        return self.object_codec

    def to_json(self, zarr_format: int, endian: Endian = "little") -> Any:
        if zarr_format != 2:
            raise UnsupportedFeature(
                f"object arrays ({self.object_codec}) exist only in Zarr v2; use the 'string' "
                "or 'variable_length_bytes' data type for Zarr v3"
            )
        return "|O"

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return value

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return value

    def default_fill_value(self) -> Any:
        return None

    def _cast(self, value: Any) -> Any:
        return value


# --------------------------------------------------------------------------- registry

#: v3 name -> factory(configuration) -> DataType.
_V3_REGISTRY: dict[str, Callable[[Mapping[str, Any] | None], DataType]] = {}
#: regex on the v3 name -> factory(name, configuration), for families like r<N>.
_V3_PATTERNS: list[tuple[re.Pattern[str], Callable[[str, Any], DataType]]] = []


def register_data_type(name: str, factory: Callable[[Mapping[str, Any] | None], DataType]) -> None:
    """Register a v3 data type name; ``factory(configuration)`` builds it (None if absent).

    Example:
        >>> register_data_type("my_uint16", lambda config: parse_v3_dtype("uint16"))
        >>> parse_v3_dtype("my_uint16").numpy
        dtype('uint16')
    """
    _V3_REGISTRY[name] = factory


def _simple(cls: type[DataType], name: str) -> Callable[[Mapping[str, Any] | None], DataType]:
    def factory(config: Mapping[str, Any] | None) -> DataType:
        _plain_name_only(name, config)
        return cls(name)

    return factory


def _time(name: str) -> Callable[[Mapping[str, Any] | None], DataType]:
    def factory(config: Mapping[str, Any] | None) -> DataType:
        if not isinstance(config, Mapping) or set(config) != {"unit", "scale_factor"}:
            raise InvalidMetadata(
                f"data type {name!r} needs configuration {{'unit', 'scale_factor'}}, got {config!r}"
            )
        return TimeType(name, config["unit"], config["scale_factor"])

    return factory


def _structured(config: Mapping[str, Any] | None) -> DataType:
    fields = config.get("fields") if isinstance(config, Mapping) else None
    if not isinstance(config, Mapping) or set(config) != {"fields"} or not isinstance(fields, list):
        raise InvalidMetadata(f"data type 'structured' needs {{'fields': [...]}}, got {config!r}")
    parsed = []
    for item in fields:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise InvalidMetadata(f"structured field must be [name, data_type], got {item!r}")
        parsed.append((item[0], parse_v3_dtype(item[1])))
    return StructuredType("structured", tuple(parsed))


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
register_data_type("numpy.datetime64", _time("numpy.datetime64"))
register_data_type("numpy.timedelta64", _time("numpy.timedelta64"))
register_data_type(
    "fixed_length_utf32",
    lambda c: FixedUTF32Type(length=_length_bytes("fixed_length_utf32", c, 4) // 4),
)
register_data_type(
    "null_terminated_bytes",
    lambda c: NullTerminatedBytesType(length=_length_bytes("null_terminated_bytes", c)),
)
register_data_type("raw_bytes", lambda c: RawBytesType(length=_length_bytes("raw_bytes", c)))
register_data_type("structured", _structured)


def _raw_bits(name: str, config: Any) -> DataType:
    _plain_name_only(name, config)
    bits = int(name[1:])
    if bits < 8 or bits % 8:
        raise InvalidMetadata(f"data type {name!r}: raw bits must be a positive multiple of 8")
    return RawBitsType(name)


_V3_PATTERNS.append((re.compile(r"r[0-9]+\Z"), _raw_bits))


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
    if isinstance(data, str):
        name, config = data, None
    elif isinstance(data, dict) and isinstance(data.get("name"), str):
        unknown = set(data) - {"name", "configuration", "must_understand"}
        if unknown:
            raise InvalidMetadata(f"data_type: unexpected keys {sorted(unknown)} in {data!r}")
        name, config = data["name"], data.get("configuration")
        if config is not None and not isinstance(config, dict):
            raise InvalidMetadata(f"data_type: configuration must be an object, got {config!r}")
    else:
        raise InvalidMetadata(
            f"data_type must be a name or an object with a 'name', got {data!r}"
        )
    factory = _V3_REGISTRY.get(name)
    if factory is not None:
        return factory(config)
    for pattern, family in _V3_PATTERNS:
        if pattern.match(name):
            return family(name, config)
    raise UnknownDataType(
        f"data_type {name!r} is not supported; known: {sorted(_V3_REGISTRY)} and r<N>"
    )


# --------------------------------------------------------------------------- numpy -> DataType


def _endian_of(dt: np.dtype) -> Endian | None:
    if dt.fields is not None:
        found = {_endian_of(dt.fields[n][0]) for n in dt.names or ()} - {None}
        if len(found) > 1:
            raise UnsupportedFeature(f"structured dtype {dt} mixes byte orders")
        return found.pop() if found else None
    if dt.itemsize <= 1 or dt.kind not in "iufcmMU":
        return None
    orders: dict[str, Endian] = {"<": "little", ">": "big"}
    return orders.get(dt.byteorder, _NATIVE)


def _void(dt: np.dtype) -> DataType:
    if dt.subdtype is not None:
        raise UnsupportedFeature(f"sub-array dtype {dt} is not supported")
    if dt.fields is None:
        return RawBytesType(length=dt.itemsize)
    fields = []
    for fname in dt.names or ():
        ftype, offset = dt.fields[fname][:2]
        fields.append((fname, _from_numpy_dtype(ftype)))
    st = StructuredType("structured", tuple(fields))
    if st.numpy.itemsize != dt.itemsize:
        raise UnsupportedFeature(f"structured dtype {dt} has padding or overlapping fields")
    return st


def _by_name(dt: np.dtype) -> DataType:
    factory = _V3_REGISTRY.get(dt.name)
    if factory is None:
        raise UnknownDataType(f"numpy dtype {dt} has no Zarr data type")
    return factory(None)


def _time_from_numpy(dt: np.dtype) -> DataType:
    unit, count = np.datetime_data(dt)
    return TimeType("numpy.datetime64" if dt.kind == "M" else "numpy.timedelta64", unit, count)


def _string_dtype(dt: np.dtype) -> DataType:
    if hasattr(dt, "na_object"):
        raise UnsupportedFeature(f"StringDType with na_object ({dt}) is not supported")
    return VlenStringType()


def _object(dt: np.dtype) -> DataType:
    return ObjectType()


#: numpy dtype kind -> factory(dtype).
_FROM_NUMPY_KIND: dict[str, Callable[[np.dtype], DataType]] = {
    "b": _by_name,
    "i": _by_name,
    "u": _by_name,
    "f": _by_name,
    "c": _by_name,
    "M": _time_from_numpy,
    "m": _time_from_numpy,
    "U": lambda dt: FixedUTF32Type(length=dt.itemsize // 4),
    "S": lambda dt: NullTerminatedBytesType(length=dt.itemsize),
    "V": _void,
    "T": _string_dtype,
    "O": _object,
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
    if dtype_like is str or (isinstance(dtype_like, str) and dtype_like in _VLEN_STRING_ALIASES):
        return VlenStringType(), None
    if dtype_like is bytes or (isinstance(dtype_like, str) and dtype_like in _VLEN_BYTES_ALIASES):
        return VlenBytesType(), None
    if isinstance(dtype_like, dict) or (
        isinstance(dtype_like, str)
        and (dtype_like in _V3_REGISTRY or any(p.match(dtype_like) for p, _ in _V3_PATTERNS))
    ):
        dt = parse_v3_dtype(dtype_like)
        return dt, "little" if dt.has_endianness else None
    if isinstance(dtype_like, list):
        dtype_like = [tuple(d) if isinstance(d, list) else d for d in dtype_like]
    try:
        npdt = np.dtype(dtype_like)
    except (TypeError, ValueError) as e:
        raise UnknownDataType(f"{dtype_like!r} is not a data type: {e}") from e
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
        raise InvalidMetadata(f"dtype must be a numpy type string or a list, got {data!r}")
    try:
        npdt = np.dtype(data)
    except (TypeError, ValueError) as e:
        raise UnknownDataType(f"dtype {data!r} is not a numpy type string: {e}") from e
    if npdt.kind == "O":
        if object_codec_id is None:
            raise InvalidMetadata(
                f"dtype {data!r} needs an object codec (e.g. vlen-utf8) in filters or compressor"
            )
        kinds: dict[str, Callable[[], DataType]] = {
            "vlen-utf8": VlenStringType,
            "vlen-bytes": VlenBytesType,
        }
        make = kinds.get(object_codec_id)
        return (make() if make else ObjectType(object_codec=object_codec_id)), None
    if npdt.kind == "T":
        raise UnknownDataType(f"dtype {data!r} is not a Zarr v2 type string")
    return _from_numpy_dtype(npdt), _endian_of(npdt)


def _parse_v2_structured(data: list[Any]) -> tuple[DataType, Endian | None]:
    fields: list[tuple[str, DataType]] = []
    endians: set[Endian] = set()
    for item in data:
        if not (isinstance(item, list) and isinstance(item[0] if item else None, str)):
            raise InvalidMetadata(f"structured dtype field must be [name, dtype], got {item!r}")
        if len(item) != 2:
            raise UnsupportedFeature(
                f"structured dtype field {item!r}: sub-array fields are not supported"
            )
        ftype, fend = parse_v2_dtype(item[1])
        if ftype.is_variable_length:
            raise InvalidMetadata(f"structured dtype field {item!r} must have a fixed size")
        fields.append((item[0], ftype))
        if fend is not None:
            endians.add(fend)
    if len(endians) > 1:
        raise UnsupportedFeature(f"structured dtype {data!r} mixes byte orders")
    if not fields:
        raise InvalidMetadata("structured dtype needs at least one field")
    try:
        return StructuredType("structured", tuple(fields)), (endians.pop() if endians else None)
    except InvalidMetadata as e:
        raise InvalidMetadata(f"structured dtype {data!r}: {e}") from e
