"""Text and bytes data types: fixed-length (UTF-32, null-terminated bytes, raw bytes) and
variable-length (UTF-8 strings, bytes, and v2 object arrays).

Fill values: strings as JSON strings, bytes as base64. zarr-python 2 writes a fill of ``0``
for these types; Zarr v2 documents read it as the type's default (empty).

Example:
    >>> t = FixedUTF32Type(length=3)
    >>> t.numpy, t.to_json(3)
    (dtype('<U3'), {'name': 'fixed_length_utf32', 'configuration': {'length_bytes': 12}})
    >>> NullTerminatedBytesType(length=2).fill_value_to_json(b"hi", 3)
    'aGk='
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simplezarr.dtypes.base import Bad, DataType, Endian, b64decode, b64encode, is_int
from simplezarr.errors import InvalidMetadata, UnsupportedFeature, quote

__all__ = [
    "OBJECT_CODEC_IDS",
    "FixedUTF32Type",
    "NullTerminatedBytesType",
    "ObjectType",
    "RawBytesType",
    "VlenBytesType",
    "VlenStringType",
]


# --------------------------------------------------------------------------- fixed length


@dataclass(frozen=True)
class _FixedLengthType(DataType):
    """A type configured by ``{length_bytes}``: numpy ``<char><length>``."""

    name: str = ""  # each concrete type defaults it to its own, so from_config need not pass it
    length: int = 1

    _numpy_char: ClassVar[str]
    _bytes_per_unit: ClassVar[int] = 1  # numpy counts U lengths in characters of 4 bytes
    v2_zero_fill: ClassVar[bool] = True

    @classmethod
    def from_config(cls, name: str, config: Mapping[str, Any] | None) -> _FixedLengthType:
        """The type of a v3 ``{"name", "configuration": {"length_bytes": n}}``.

        Example:
            >>> FixedUTF32Type.from_config("fixed_length_utf32", {"length_bytes": 8})
            FixedUTF32Type(name='fixed_length_utf32', length=2)
        """
        unit = cls._bytes_per_unit
        if not isinstance(config, Mapping) or set(config) != {"length_bytes"}:
            raise InvalidMetadata(
                f"data type {quote(name)} needs configuration {{'length_bytes': int}}, got {quote(config)}"
            )
        n = config["length_bytes"]
        if not is_int(n) or n < unit or n % unit:
            raise InvalidMetadata(
                f"data type {quote(name)}: length_bytes must be a positive multiple of {unit}, got {quote(n)}"
            )
        return cls(length=int(n) // unit)

    def _make_numpy(self) -> np.dtype:
        if not is_int(self.length) or self.length < 1:
            raise ValueError(f"length must be a positive int, got {quote(self.length)}")
        return np.dtype(f"{self._numpy_char}{self.length}")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"length_bytes": self.length * self._bytes_per_unit}


@dataclass(frozen=True)
class FixedUTF32Type(_FixedLengthType):
    """``fixed_length_utf32`` ({length_bytes}): numpy ``U<length>``; fill a string.

    Example:
        >>> FixedUTF32Type(length=2).fill_value_from_json("abc", 3)
        np.str_('ab')
    """

    name: str = "fixed_length_utf32"

    _numpy_char: ClassVar[str] = "U"
    _bytes_per_unit: ClassVar[int] = 4

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if not isinstance(value, str):
            raise Bad("expected a string")
        return np.str_(value[: self.length])  # what the array would hold anyway

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return str(value)

    def default_fill_value(self) -> Any:
        return np.str_("")

    def _cast(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise Bad("expected a string")
        if len(value) > self.length:
            raise Bad(f"longer than {self.length} characters")
        return np.str_(value)


@dataclass(frozen=True)
class _FixedBytesType(_FixedLengthType):
    """``length`` bytes an item; the fill value is the base64 of its bytes."""

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return self._cast(self._fit(b64decode(value)))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return b64encode(self._fill_bytes(value))

    def _fit(self, raw: bytes) -> bytes:
        """The decoded bytes of a JSON fill value, before ``_cast`` checks them."""
        return raw

    def _fill_bytes(self, value: Any) -> bytes:
        """The bytes of a fill value, to encode as base64."""
        return self._cast(value).tobytes()


@dataclass(frozen=True)
class NullTerminatedBytesType(_FixedBytesType):
    """``null_terminated_bytes`` ({length_bytes}): numpy ``S<length>``; fill base64.

    Example:
        >>> NullTerminatedBytesType(length=4).fill_value_from_json("aGk=", 3)
        np.bytes_(b'hi')
    """

    name: str = "null_terminated_bytes"

    _numpy_char: ClassVar[str] = "S"

    def _fit(self, raw: bytes) -> bytes:
        return raw[: self.length]  # what the array would hold anyway

    def _fill_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def default_fill_value(self) -> Any:
        return np.bytes_(b"")

    def _cast(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.encode("ascii")
        if not isinstance(value, (bytes, bytearray)):
            raise Bad("expected bytes")
        if len(value) > self.length:
            raise Bad(f"longer than {self.length} bytes")
        return np.bytes_(bytes(value))


@dataclass(frozen=True)
class RawBytesType(_FixedBytesType):
    """``raw_bytes`` ({length_bytes}), v2 ``|V<n>``: opaque bytes; fill base64.

    Example:
        >>> RawBytesType(length=2).cast_fill_value(b"ab")
        np.void(b'\\x61\\x62')
    """

    name: str = "raw_bytes"

    _numpy_char: ClassVar[str] = "V"

    def default_fill_value(self) -> Any:
        return np.void(bytes(self.length))

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void):
            value = value.tobytes()
        if not isinstance(value, (bytes, bytearray)):
            raise Bad("expected bytes")
        if len(value) != self.length:
            raise Bad(f"expected exactly {self.length} bytes, got {len(value)}")
        return np.void(bytes(value))


# --------------------------------------------------------------------------- variable length


@dataclass(frozen=True)
class _ObjectArrayType(DataType):
    """Items of any size; Zarr v2 stores them as ``|O`` with an object codec."""

    is_variable_length: ClassVar[bool] = True

    def _make_numpy(self) -> np.dtype:
        return np.dtype(object)

    @property
    def has_endianness(self) -> bool:
        return False

    def _v2_typestr(self, endian: Endian) -> Any:
        return "|O"


@dataclass(frozen=True)
class VlenStringType(_ObjectArrayType):
    """``string`` (UTF-8, variable length), v2 ``|O`` + vlen-utf8; numpy ``StringDType()``.

    Example:
        >>> VlenStringType().numpy, VlenStringType().to_json(2)
        (StringDType(), '|O')
    """

    name: str = "string"

    def _make_numpy(self) -> np.dtype:
        return np.dtypes.StringDType()

    @property
    def object_codec_id(self) -> str | None:
        return "vlen-utf8"

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)  # zarr-python reads a v2 fill of 0 as "0"
        raise Bad("expected a string")

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return str(value)

    def default_fill_value(self) -> Any:
        return ""

    def _cast(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise Bad("expected a string")
        return str(value)


@dataclass(frozen=True)
class VlenBytesType(_ObjectArrayType):
    """``variable_length_bytes`` (also read as ``bytes``), v2 ``|O`` + vlen-bytes; fill base64.

    Example:
        >>> VlenBytesType().fill_value_from_json("aGk=", 3)
        b'hi'
    """

    name: str = "variable_length_bytes"

    v2_zero_fill: ClassVar[bool] = True

    @property
    def object_codec_id(self) -> str | None:
        return "vlen-bytes"

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return b64decode(value)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return b64encode(value)

    def default_fill_value(self) -> Any:
        return b""

    def _cast(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8")
        if not isinstance(value, (bytes, bytearray)):
            raise Bad("expected bytes")
        return bytes(value)


#: v2 object codecs that are not vlen-utf8 / vlen-bytes: arrays of Python objects.
OBJECT_CODEC_IDS = (
    "vlen-utf8",
    "vlen-bytes",
    "vlen-array",
    "pickle",
    "json2",
    "msgpack2",
    "json",
    "msgpack",
)


@dataclass(frozen=True)
class ObjectType(_ObjectArrayType):
    """Zarr v2 only: ``|O`` arrays of Python objects encoded by ``object_codec_id``
    (vlen-array, pickle, json2, msgpack2). No v3 equivalent. The fill value is kept as JSON.

    Example:
        >>> ObjectType(object_codec="pickle").to_json(2)
        '|O'
    """

    name: str = "object"
    object_codec: str | None = None

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
