"""The :class:`DataType` base class and the fill-value helpers every data type shares.

A data type turns fill values between JSON, user input and numpy scalars. Subclasses provide
``_make_numpy`` (the in-memory dtype), ``_from_json`` / ``_to_json`` / ``_cast`` (one fill
value) and, when they have parameters, ``configuration``; this class wraps them so every
failure becomes an :class:`~simplezarr.errors.InvalidMetadata` naming the type.

Example:
    >>> DataType("int16").to_json(2, endian="big")
    '>i2'
"""

from __future__ import annotations

import base64
import binascii
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from simplezarr.errors import FillValueOutOfRange, InvalidMetadata, quote

__all__ = ["DataType", "Endian"]

Endian = Literal["little", "big"]
NATIVE: Endian = "little" if sys.byteorder == "little" else "big"
_ORDER_CHAR: dict[str, Literal["<", ">"]] = {"little": "<", "big": ">"}


class Bad(ValueError):
    """Internal: a fill value does not fit the data type (turned into InvalidMetadata)."""


class OutOfRange(Bad, OverflowError):
    """Internal: a fill value is outside the data type's range (FillValueOutOfRange)."""


@dataclass(frozen=True)
class DataType:
    """A Zarr data type. Subclasses add their parameters as dataclass fields.

    ``numpy`` is derived from the parameters (native byte order).

    Example:
        >>> from simplezarr.dtypes import parse_v3_dtype
        >>> t = parse_v3_dtype({"name": "numpy.datetime64",
        ...                     "configuration": {"unit": "s", "scale_factor": 1}})
        >>> t.numpy, t.default_fill_value()
        (dtype('<M8[s]'), np.datetime64('NaT','s'))
    """

    name: str
    numpy: np.dtype = field(init=False, repr=False, compare=False)

    is_variable_length: ClassVar[bool] = False
    #: zarr-python 2 writes a fill of 0 for string and bytes arrays: read it as the default.
    v2_zero_fill: ClassVar[bool] = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "numpy", self._make_numpy())
        except (TypeError, ValueError) as e:
            raise InvalidMetadata(f"data type {quote(self)} is not valid: {e}") from e

    # --- what subclasses provide
    def _make_numpy(self) -> np.dtype:
        return np.dtype(self.name)

    @property
    def configuration(self) -> dict[str, Any] | None:
        """The v3 ``configuration`` object, or None for a plain name.

        Example:
            >>> DataType("int8").configuration is None
            True
        """
        return None

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def _cast(self, value: Any) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract

    def default_fill_value(self) -> Any:
        """zarr-python's default fill value for this type (zero, False, NaT, empty).

        Example:
            >>> DataType("uint16").default_fill_value()
            np.uint16(0)
        """
        return self.numpy.type(0)

    # --- common surface
    @property
    def item_size(self) -> int | None:
        """Bytes per element, or None for variable-length types.

        Example:
            >>> DataType("float64").item_size
            8
        """
        return None if self.is_variable_length else self.numpy.itemsize

    @property
    def has_endianness(self) -> bool:
        """True if stored items have a byte order (the ``bytes`` codec then needs ``endian``).

        Example:
            >>> DataType("int8").has_endianness, DataType("int16").has_endianness
            (False, True)
        """
        return self.numpy.itemsize > 1 and self.numpy.kind in "iufcmMU"

    @property
    def object_codec_id(self) -> str | None:
        """For v2 ``|O`` types: the numcodecs object codec id that encodes them.

        Example:
            >>> DataType("int8").object_codec_id is None
            True
        """
        return None

    def to_json(self, zarr_format: int, endian: Endian = "little") -> Any:
        """v3: the ``data_type`` name or object; v2: the numpy type string with ``endian``.

        Example:
            >>> from simplezarr.dtypes import parse_v3_dtype
            >>> parse_v3_dtype("int16").to_json(2, endian="big")
            '>i2'
        """
        if zarr_format == 3:
            config = self.configuration
            return self.name if config is None else {"name": self.name, "configuration": config}
        if zarr_format == 2:
            return self._v2_typestr(endian)
        raise InvalidMetadata(f"zarr_format must be 2 or 3, got {quote(zarr_format)}")

    def _v2_typestr(self, endian: Endian) -> Any:
        return self.stored_numpy(endian).str

    def stored_numpy(self, endian: Endian | None) -> np.dtype:
        """The numpy dtype of stored items in byte order ``endian`` (None: native).

        Example:
            >>> from simplezarr.dtypes import parse_v3_dtype
            >>> parse_v3_dtype("float64").stored_numpy("big")
            dtype('>f8')
        """
        if endian is None or not self.has_endianness:
            return self.numpy
        return self.numpy.newbyteorder(_ORDER_CHAR[endian])

    def fill_value_from_json(self, value: Any, zarr_format: int) -> Any:
        """Decode a ``fill_value`` from JSON. v2 ``null`` gives None.

        Example:
            >>> from simplezarr.dtypes import parse_v3_dtype
            >>> parse_v3_dtype("complex64").fill_value_from_json(["NaN", 1], 3)
            np.complex64(nan+1j)
        """
        if value is None:
            if zarr_format == 2:
                return None
            raise InvalidMetadata(f"fill_value is required for data type {self.name}, got null")
        try:
            if self.v2_zero_fill and zarr_format == 2 and value == 0:
                return self.default_fill_value()
            return self._from_json(value, zarr_format)
        except (TypeError, ValueError, OverflowError, binascii.Error) as e:
            raise InvalidMetadata(
                f"fill_value {quote(value)} is not valid for data type {self._label()}: {e}"
            ) from e

    def fill_value_to_json(self, value: Any, zarr_format: int) -> Any:
        """Encode a fill value (as returned by fill_value_from_json / cast_fill_value).

        Example:
            >>> from simplezarr.dtypes import parse_v3_dtype
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
                f"fill_value {quote(value)} cannot be encoded for data type {self._label()}: {e}"
            ) from e

    def cast_fill_value(self, value: Any) -> Any:
        """Validate a user's fill value and convert it to this type's scalar.

        Example:
            >>> from simplezarr.dtypes import parse_v3_dtype
            >>> parse_v3_dtype("uint8").cast_fill_value(300)
            Traceback (most recent call last):
            ...
            simplezarr.errors.FillValueOutOfRange: fill_value 300 does not fit data type uint8: ...
        """
        try:
            return self._cast(value)
        except (TypeError, ValueError, OverflowError, binascii.Error) as e:
            kind = FillValueOutOfRange if isinstance(e, OverflowError) else InvalidMetadata
            raise kind(
                f"fill_value {quote(value)} does not fit data type {self._label()}: {e}"
            ) from e

    def _label(self) -> str:
        config = self.configuration
        return self.name if config is None else f"{self.name} {config}"


# --------------------------------------------------------------------------- fill helpers


def is_int(v: Any) -> bool:
    """True for a Python or numpy integer (not a bool, not a timedelta)."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_, np.timedelta64))


def intish(v: Any) -> int:
    """An integer from an int, an integral float, or an integer string (zarr-python)."""
    if is_int(v):
        return int(v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            pass
    raise Bad(f"expected an integer, got {type(v).__name__}")


def b64decode(v: Any) -> bytes:
    """The bytes of a base64 fill value (strictly validated)."""
    if not isinstance(v, str):
        raise Bad(f"expected a base64 string, got {type(v).__name__}")
    return base64.b64decode(v.encode("ascii"), validate=True)


def b64encode(b: bytes) -> str:
    """A base64 fill value for ``b``."""
    return base64.standard_b64encode(bytes(b)).decode("ascii")
