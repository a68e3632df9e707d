"""Numeric data types: ``bool``, integers, floats, complex numbers and ``r<N>`` raw bits.

Fill values (Zarr v3 core spec and zarr-python): integers as JSON integers, booleans as
``true``/``false``, floats as numbers, ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` or a hex bit
pattern such as ``"0x7fc00000"`` (read bit-exactly), complex numbers as ``[re, im]``, ``r<N>``
raw bits as a list of byte values (base64 in v2).

Example:
    >>> FloatType("float32").fill_value_from_json("0x7fc00000", 3)
    np.float32(nan)
    >>> ComplexType("complex128").fill_value_to_json(1 + 2j, 3)
    [1.0, 2.0]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simplezarr.dtypes.base import Bad, DataType, OutOfRange, b64decode, b64encode, intish, is_int
from simplezarr.errors import quote

__all__ = ["BoolType", "ComplexType", "FloatType", "IntType", "RawBitsType"]


@dataclass(frozen=True)
class BoolType(DataType):
    """``bool``: fill ``true``/``false`` (0 and 1 accepted).

    Example:
        >>> BoolType().fill_value_from_json(1, 3)
        np.True_
    """

    name: str = "bool"

    def _make_numpy(self) -> np.dtype:
        return np.dtype(bool)

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, bool) or (is_int(value) and value in (0, 1)):
            return np.bool_(value)
        raise Bad("expected true or false")

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return bool(value)

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (bool, np.bool_)) or (is_int(value) and value in (0, 1)):
            return np.bool_(value)
        raise Bad("expected a boolean")


@dataclass(frozen=True)
class IntType(DataType):
    """``int8`` ... ``uint64``: fill a JSON integer (integral floats and strings accepted).

    Example:
        >>> IntType("int8").fill_value_from_json("-3", 3)
        np.int8(-3)
    """

    def _check(self, v: int) -> Any:
        info = np.iinfo(self.numpy)
        if not info.min <= v <= info.max:
            raise OutOfRange(f"out of range [{info.min}, {info.max}]")
        return self.numpy.type(v)

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return self._check(intish(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return int(value)

    def _cast(self, value: Any) -> Any:
        return self._check(intish(value))


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_HEX_FLOAT = re.compile(r"0x[0-9a-fA-F]+\Z")


def _bits_as(digits: str, ftype: np.dtype) -> Any:
    """The float of type ``ftype`` whose bit pattern is the hex ``digits``."""
    return np.array(int(digits, 16), dtype=f"u{ftype.itemsize}").view(ftype)[()]


def _float_from_json(value: Any, ftype: np.dtype) -> Any:
    """One float (or complex component) of dtype ``ftype`` from its JSON encoding."""
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return ftype.type(_SPECIAL_FLOATS[value])
        if _HEX_FLOAT.match(value):
            digits = value[2:]
            if len(digits) == 2 * ftype.itemsize:  # exact bit pattern of this width
                return _bits_as(digits, ftype)
            widths = {4: "f2", 8: "f4", 16: "f8"}  # zarr-python: other widths by value
            if len(digits) not in widths:
                raise Bad(f"hex float {quote(value)} must have 4, 8 or 16 hex digits")
            return ftype.type(_bits_as(digits, np.dtype(widths[len(digits)])))
        try:
            return ftype.type(float(value))  # zarr-python accepts "3.5"
        except ValueError:
            raise Bad("expected a number, 'NaN', 'Infinity', '-Infinity' or '0x...'") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with np.errstate(over="ignore"):
            return ftype.type(value)
    raise Bad(f"expected a number, got {type(value).__name__}")


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
        raise Bad(f"{quote(value)} overflows {ftype.name}")
    return x


@dataclass(frozen=True)
class FloatType(DataType):
    """``float16/32/64``: fill a number, "NaN", "Infinity", "-Infinity" or a hex bit pattern.

    Example:
        >>> FloatType("float16").fill_value_to_json(np.float16("-inf"), 3)
        '-Infinity'
    """

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        return _float_from_json(value, self.numpy)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return _float_to_json(value, self.numpy, zarr_format)

    def _cast(self, value: Any) -> Any:
        return _float_cast(value, self.numpy)


@dataclass(frozen=True)
class ComplexType(DataType):
    """``complex64/128``: fill ``[re, im]``, each a float encoding.

    Example:
        >>> ComplexType("complex64").cast_fill_value([1, "NaN"])
        np.complex64(1+nanj)
    """

    @property
    def _part(self) -> np.dtype:
        return np.dtype(f"f{self.numpy.itemsize // 2}")

    def _complex(self, re_: Any, im: Any) -> Any:
        out = np.empty((), self.numpy)
        out.real, out.imag = re_, im  # bit-exact parts (complex(...) would canonicalize NaN)
        return out[()]

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
            raise Bad("expected a [real, imaginary] pair")
        return self._complex(*(_float_from_json(v, self._part) for v in value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        x = self.numpy.type(value)
        return [
            _float_to_json(x.real, self._part, zarr_format),
            _float_to_json(x.imag, self._part, zarr_format),
        ]

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return self._complex(*(_float_cast(v, self._part) for v in value))
        if isinstance(value, (complex, np.complexfloating)):
            return self.numpy.type(value)
        return self.numpy.type(_float_cast(value, self._part))


@dataclass(frozen=True)
class RawBitsType(DataType):
    """``r<N>`` (N a multiple of 8): N/8 opaque bytes; v3 fill is a list of byte values.

    Example:
        >>> RawBitsType("r16").fill_value_to_json(b"ab", 3)
        [97, 98]
    """

    def _make_numpy(self) -> np.dtype:
        return np.dtype(f"V{self.bits // 8}")

    @property
    def bits(self) -> int:
        """N, the number of bits an item has.

        Example:
            >>> RawBitsType("r24").bits
            24
        """
        return int(self.name[1:])

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 2:
            return self._cast(b64decode(value))
        if not isinstance(value, list):
            raise Bad(f"expected a list of {self.numpy.itemsize} byte values")
        return self._cast(value)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        raw = self._cast(value).tobytes()
        return b64encode(raw) if zarr_format == 2 else list(raw)

    def default_fill_value(self) -> Any:
        return np.void(bytes(self.numpy.itemsize))

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void):
            value = value.tobytes()
        if isinstance(value, list):
            if not all(is_int(b) and 0 <= b <= 255 for b in value):
                raise Bad("byte values must be integers 0..255")
            value = bytes(value)
        if not isinstance(value, (bytes, bytearray)):
            raise Bad("expected bytes or a list of byte values")
        if len(value) != self.numpy.itemsize:
            raise Bad(f"expected {self.numpy.itemsize} bytes, got {len(value)}")
        return np.void(bytes(value))
