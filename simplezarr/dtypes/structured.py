"""The ``structured`` data type: named fields of fixed-size types, numpy record dtypes.

v3 names it ``{"name": "structured", "configuration": {"fields": [[name, data_type], ...]}}``,
v2 as a list of ``[name, typestr]``. The fill value is the base64 of one record's bytes.

Example:
    >>> from simplezarr.dtypes import parse_v3_dtype
    >>> t = StructuredType(fields=(("a", parse_v3_dtype("uint8")), ("b", parse_v3_dtype("int16"))))
    >>> t.numpy
    dtype([('a', 'u1'), ('b', '<i2')])
    >>> t.to_json(2, endian="big")
    [['a', '|u1'], ['b', '>i2']]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simplezarr.dtypes.base import Bad, DataType, Endian, b64decode, b64encode
from simplezarr.dtypes.text import ObjectType

__all__ = ["StructuredType"]


@dataclass(frozen=True)
class StructuredType(DataType):
    """``structured`` ({fields: [[name, data_type], ...]}), v2 a list of [name, typestr].

    Example:
        >>> from simplezarr.dtypes import parse_v3_dtype
        >>> t = StructuredType(fields=(("x", parse_v3_dtype("int8")),))
        >>> t.cast_fill_value((5,)), t.fill_value_to_json((5,), 3)
        (np.void((5,), dtype=[('x', 'i1')]), 'BQ==')
    """

    name: str = "structured"
    fields: tuple[tuple[str, DataType], ...] = ()

    v2_zero_fill: ClassVar[bool] = True

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
        return self._cast(b64decode(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        return b64encode(self._cast(value).tobytes())

    def default_fill_value(self) -> Any:
        return np.zeros((), self.numpy)[()]

    def _cast(self, value: Any) -> Any:
        if isinstance(value, np.void) and value.dtype == self.numpy:
            return value
        if isinstance(value, (bytes, bytearray, np.void)):
            raw = bytes(value) if not isinstance(value, np.void) else value.tobytes()
            if len(raw) != self.numpy.itemsize:
                raise Bad(f"expected {self.numpy.itemsize} bytes, got {len(raw)}")
            return np.frombuffer(raw, self.numpy)[0]
        if isinstance(value, (list, tuple)):
            return np.array([tuple(value)], self.numpy)[0]
        raise Bad("expected bytes, a tuple of field values or a numpy.void")
