"""The ``structured`` data type: named fields of fixed-size types, numpy record dtypes.

v3 names it ``{"name": "structured", "configuration": {"fields": [[name, data_type], ...]}}``
(what zarr-python 3.1.6 reads and writes, and simplezarr writes), or, as zarr-python 3.4 writes
it, ``{"name": "struct", "configuration": {"fields": [{"name": ..., "data_type": ...}, ...]}}``
with the fill value as an object of field values; v2 as a list of ``[name, typestr]``. The
fill value is otherwise the base64 of one record's bytes. An array keeps the form it was
written in.

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
        if self.name == "struct":
            return {"fields": [{"name": f, "data_type": t.to_json(3)} for f, t in self.fields]}
        return {"fields": [[fname, ftype.to_json(3)] for fname, ftype in self.fields]}

    @property
    def has_endianness(self) -> bool:
        # zarr-python 3.1.6's "structured" has no endian in its bytes codec; 3.4's "struct"
        # has one.
        return self.name == "struct"

    def stored_numpy(self, endian: Endian | None) -> np.dtype:
        if endian is None:
            return self.numpy
        return np.dtype([(f, t.stored_numpy(endian)) for f, t in self.fields])

    def _v2_typestr(self, endian: Endian) -> Any:
        return [[fname, ftype.to_json(2, endian)] for fname, ftype in self.fields]

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if isinstance(value, dict):  # zarr-python 3.4: {field: value}, missing fields default
            unknown = set(value) - {f for f, _ in self.fields}
            if unknown:
                raise Bad(f"fields {sorted(unknown)} are not in the data type")
            return self._cast(
                tuple(
                    t.fill_value_from_json(value[f], zarr_format)
                    if f in value
                    else t.default_fill_value()
                    for f, t in self.fields
                )
            )
        return self._cast(b64decode(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        record = self._cast(value)
        if self.name == "struct" and zarr_format == 3:
            return {f: t.fill_value_to_json(record[f], zarr_format) for f, t in self.fields}
        return b64encode(record.tobytes())

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
