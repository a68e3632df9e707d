"""The ``scale_offset`` codec (zarr-extensions; zarr-python 3.4's ``ScaleOffset``).

Encoding stores ``(x - offset) * scale``, decoding gives ``x / scale + offset``, both in the
array's own data type (integers and floats). Integer results must be exact and in range:
an overflow or a division with a remainder raises instead of wrapping or rounding. ``offset``
and ``scale`` are JSON scalars of the data type (numbers, or strings such as ``"NaN"``);
the fill value is encoded too, so the stored chunks' fill is the encoded one.

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import from_numpy
    >>> codec = ScaleOffset(offset=10, scale=2)
    >>> spec = ChunkSpec((3,), from_numpy("int16"), 10)
    >>> codec.encode(np.array([10, 11, 15], "i2"), spec).tolist(), int(codec.encoded_spec(spec).fill_value)
    ([0, 2, 10], 0)
    >>> codec.decode(np.array([0, 2, 10], "i2"), spec).tolist()
    [10, 11, 15]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from simplezarr.codecs.base import ArrayArrayCodec, ChunkSpec
from simplezarr.codecs.options import check_config
from simplezarr.errors import CodecError, InvalidMetadata, quote

if TYPE_CHECKING:
    from typing import Self

__all__ = ["ScaleOffset"]


def _native(arr: np.ndarray) -> np.ndarray:
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


def _check_range(values: np.ndarray, dtype: np.dtype) -> None:
    if values.size == 0:
        return
    info = np.iinfo(dtype)
    lo, hi = values.min(), values.max()
    if lo < int(info.min) or hi > int(info.max):
        raise CodecError(
            f"scale_offset: a value is outside the range of dtype {dtype} [{info.min}, {info.max}]"
        )


def _integer_op(arr: np.ndarray, op: Any) -> np.ndarray:
    """``op`` on ``arr``'s integers without wrapping: in int64 (or Python ints for uint64),
    checked against ``arr``'s range, then back to its type."""
    wide = arr.astype(object if arr.dtype == np.uint64 else np.int64)
    result = np.asarray(op(wide))
    _check_range(result, arr.dtype)
    return result.astype(arr.dtype)


@dataclass(frozen=True, kw_only=True)
class ScaleOffset(ArrayArrayCodec):
    """Array to array: ``(x - offset) * scale`` in the array's data type (see the module
    docstring). Keywords and defaults as zarr-python 3.4: ``offset=0``, ``scale=1``."""

    name: ClassVar[str] = "scale_offset"

    offset: int | float | str = 0
    scale: int | float | str = 1

    def __post_init__(self) -> None:
        for field in ("offset", "scale"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise TypeError(
                    f"scale_offset: {field} must be a number or string, got {type(value).__name__}"
                )

    @classmethod
    def from_config(cls, configuration: dict[str, Any] | None) -> Self:
        cfg = check_config(cls.name, configuration or {}, ["offset", "scale"])
        return cls(**cfg)

    def to_dict(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.offset != 0:
            config["offset"] = self.offset
        if self.scale != 1:
            config["scale"] = self.scale
        return {"name": self.name, "configuration": config} if config else {"name": self.name}

    def _parameters(self, spec: ChunkSpec) -> tuple[Any, Any]:
        dtype = spec.dtype
        if dtype.numpy.kind not in "iuf":
            raise InvalidMetadata(
                f"codec 'scale_offset' supports integer and floating-point data types only, "
                f"not {quote(dtype.name)}"
            )
        values = []
        for field in ("offset", "scale"):
            raw = getattr(self, field)
            try:
                values.append(dtype.fill_value_from_json(raw, 3))
            except Exception as e:
                raise InvalidMetadata(
                    f"codec 'scale_offset': {field} {quote(raw)} is not a {dtype.name} value"
                ) from e
        if values[1] == 0:
            raise InvalidMetadata("codec 'scale_offset': scale must not be zero")
        return values[0], values[1]

    def resolve(self, spec: ChunkSpec) -> Self:
        self._parameters(spec)
        return self

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        fill = np.asarray(spec.fill_value, dtype=spec.dtype.numpy)
        return dataclasses.replace(spec, fill_value=self.encode(fill, spec)[()])

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        offset, scale = self._parameters(spec)
        arr = _native(np.asarray(chunk))
        if arr.dtype.kind == "f":
            return self._float_result(arr, (arr - offset) * scale, chunk)
        return _integer_op(arr, lambda x: (x - int(offset)) * int(scale)).astype(
            np.asarray(chunk).dtype, copy=False
        )

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        offset, scale = self._parameters(spec)
        arr = _native(np.asarray(chunk))
        if arr.dtype.kind == "f":
            return self._float_result(arr, arr / scale + offset, chunk)
        if arr.size and np.any(
            arr.astype(object if arr.dtype == np.uint64 else np.int64) % int(scale)
        ):
            raise CodecError(
                f"scale_offset: a stored value divided by scale={self.scale!r} leaves a "
                f"non-zero remainder, so it has no exact {arr.dtype} value"
            )
        return _integer_op(arr, lambda x: x // int(scale) + int(offset)).astype(
            np.asarray(chunk).dtype, copy=False
        )

    @staticmethod
    def _float_result(arr: np.ndarray, result: np.ndarray, chunk: Any) -> np.ndarray:
        if result.dtype != arr.dtype:
            raise CodecError(
                f"scale_offset: the arithmetic changed the data type from {arr.dtype} to "
                f"{result.dtype}; it must stay in the array's type"
            )
        return result.astype(np.asarray(chunk).dtype, copy=False)
