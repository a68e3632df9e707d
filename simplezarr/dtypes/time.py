"""Time data types: ``numpy.datetime64`` and ``numpy.timedelta64`` with ``{unit, scale_factor}``.

The fill value is the int64 count of ``scale_factor * unit`` steps (NaT is ``-2**63``; the
string ``"NaT"`` is read too).

Example:
    >>> t = TimeType("numpy.timedelta64", "s", 10)
    >>> t.numpy, t.fill_value_from_json(3, 3)
    (dtype('<m8[10s]'), np.timedelta64(3,'10s'))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simplezarr.dtypes.base import Bad, DataType, Endian, is_int
from simplezarr.errors import InvalidMetadata, quote

__all__ = ["TimeType"]

NAT = -(2**63)
_TIME_UNITS = (
    "Y",
    "M",
    "W",
    "D",
    "h",
    "m",
    "s",
    "ms",
    "us",
    "μs",
    "ns",
    "ps",
    "fs",
    "as",
    "generic",
)


@dataclass(frozen=True)
class TimeType(DataType):
    """``numpy.datetime64`` / ``numpy.timedelta64`` with ``{unit, scale_factor}``; fill int64.

    Example:
        >>> TimeType("numpy.datetime64", "D").cast_fill_value("2000-01-02")
        np.datetime64('2000-01-02')
    """

    unit: str = "generic"
    scale_factor: int = 1

    @classmethod
    def from_config(cls, name: str, config: Mapping[str, Any] | None) -> TimeType:
        """The type of a v3 ``{"name", "configuration": {"unit", "scale_factor"}}``.

        Example:
            >>> TimeType.from_config("numpy.datetime64", {"unit": "ns", "scale_factor": 1})
            TimeType(name='numpy.datetime64', unit='ns', scale_factor=1)
        """
        if not isinstance(config, Mapping) or set(config) != {"unit", "scale_factor"}:
            raise InvalidMetadata(
                f"data type {quote(name)} needs configuration {{'unit', 'scale_factor'}}, got {quote(config)}"
            )
        return cls(name, config["unit"], config["scale_factor"])

    @classmethod
    def from_numpy(cls, dt: np.dtype) -> TimeType:
        """The type of a numpy ``M8`` / ``m8`` dtype.

        Example:
            >>> TimeType.from_numpy(np.dtype("m8[5ms]")).configuration
            {'unit': 'ms', 'scale_factor': 5}
        """
        unit, count = np.datetime_data(dt)
        return cls("numpy.datetime64" if dt.kind == "M" else "numpy.timedelta64", unit, count)

    def _make_numpy(self) -> np.dtype:
        if self.unit not in _TIME_UNITS:
            raise ValueError(f"unit must be one of {_TIME_UNITS}, got {quote(self.unit)}")
        if not is_int(self.scale_factor) or not 1 <= self.scale_factor < 2**31:
            raise ValueError(
                f"scale_factor must be an int in [1, 2**31), got {quote(self.scale_factor)}"
            )
        code = "M8" if self.name == "numpy.datetime64" else "m8"
        if self.unit == "generic" and self.scale_factor == 1:
            return np.dtype(code)
        # numpy keeps a count with the generic unit too ("M8[2generic]"), as zarr-python 3.4.
        return np.dtype(f"{code}[{self.scale_factor}{self.unit}]")

    @property
    def configuration(self) -> dict[str, Any] | None:
        return {"unit": self.unit, "scale_factor": self.scale_factor}

    def _v2_typestr(self, endian: Endian) -> Any:
        typestr = self.stored_numpy(endian).str
        if self.unit == "generic" and self.scale_factor != 1:  # numpy's .str drops the count
            typestr += f"[{self.scale_factor}generic]"
        return typestr

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if value == "NaT":
            return self.default_fill_value()
        if not is_int(value):
            raise Bad("expected an integer (NaT is -9223372036854775808)")
        if not NAT <= value < 2**63:
            raise Bad("out of the int64 range")
        return np.int64(value).view(self.numpy)

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return int(np.asarray(value, dtype=self.numpy).view(np.int64)[()])

    def default_fill_value(self) -> Any:
        return np.int64(NAT).view(self.numpy)

    def _cast(self, value: Any) -> Any:
        if isinstance(value, (bool, float, np.bool_, np.floating)):
            raise Bad(f"expected an integer, a string or a {self.numpy.type.__name__}")
        if value is None:
            return self.default_fill_value()
        if is_int(value):
            return self._from_json(int(value), 3)
        if isinstance(value, (np.datetime64, np.timedelta64)):
            return np.asarray(value).astype(self.numpy)[()]
        if isinstance(value, (datetime.date, datetime.timedelta, str)):
            return np.asarray(value, dtype=self.numpy)[()]
        raise Bad(f"unsupported type {type(value).__name__}")
