"""Structured data types: named fields of fixed-size types, numpy record dtypes.

Zarr v3 knows two spellings. ``struct`` (the zarr-extensions specification, what zarr-python
3.4 writes): ``{"name": "struct", "configuration": {"fields": [{"name": ..., "data_type":
...}, ...]}}``, the fill value an object of field values, and every multi-byte field stored in
the ``bytes`` codec's byte order. ``structured`` (zarr-python 3.0-3.3, what simplezarr writes,
as every zarr-python 3 reads it): ``{"fields": [[name, data_type], ...]}``, the fill value the
base64 of one record, and the ``bytes`` codec written without a byte order (little endian).
Both field spellings and both fill value spellings are read under either name, as zarr-python
3.4 does, and a document keeps the name it was read with. v2 is a list of ``[name, typestr]``.

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
            return {
                "fields": [
                    {"name": fname, "data_type": ftype.to_json(3)} for fname, ftype in self.fields
                ]
            }
        return {"fields": [[fname, ftype.to_json(3)] for fname, ftype in self.fields]}

    @property
    def has_endianness(self) -> bool:
        # ``struct``: the bytes codec names the fields' byte order; ``structured`` (zarr-python
        # 3.0-3.3) writes the codec without one.
        return self.name == "struct" and self.has_multi_byte_fields

    @property
    def has_multi_byte_fields(self) -> bool:
        """True if some field is stored with a byte order (the bytes codec's ``endian``)."""
        return any(
            ftype.has_multi_byte_fields
            if isinstance(ftype, StructuredType)
            else ftype.has_endianness
            for _, ftype in self.fields
        )

    def stored_numpy(self, endian: Endian | None) -> np.dtype:
        if endian is None:
            return self.numpy
        return np.dtype([(f, t.stored_numpy(endian)) for f, t in self.fields])

    def _v2_typestr(self, endian: Endian) -> Any:
        return [[fname, ftype.to_json(2, endian)] for fname, ftype in self.fields]

    def _from_json(self, value: Any, zarr_format: int) -> Any:
        if zarr_format == 3 and isinstance(value, dict):
            unknown = set(value) - {fname for fname, _ in self.fields}
            if unknown:
                raise ValueError(f"no field named {sorted(unknown)[0]!r}")
            return self._cast(
                tuple(
                    ftype.fill_value_from_json(value[fname], 3)
                    if fname in value
                    else ftype.default_fill_value()
                    for fname, ftype in self.fields
                )
            )
        if not isinstance(value, str):
            raise TypeError(f"expected a base64 string or an object of fields, got {value!r}")
        return self._cast(b64decode(value))

    def _to_json(self, value: Any, zarr_format: int) -> Any:
        record = self._cast(value)
        if zarr_format == 3 and self.name == "struct":
            return {
                fname: ftype.fill_value_to_json(ftype.cast_fill_value(record[fname]), 3)
                for fname, ftype in self.fields
            }
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
        if isinstance(value, (int, np.integer)):  # every field set to it, as zarr-python does
            return np.array([value], self.numpy)[0]
        raise Bad("expected bytes, a tuple of field values, an integer or a numpy.void")
