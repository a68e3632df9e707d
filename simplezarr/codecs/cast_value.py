"""The ``cast_value`` codec (zarr-extensions; zarr-python 3.4's ``CastValue``).

An array -> array codec that converts each value to another numeric data type when
encoding (``data_type``, with a ``rounding`` mode, an ``out_of_range`` rule and a
``scalar_map`` of special values such as NaN -> a sentinel) and back when decoding. The
conversions are :mod:`simplezarr.codecs.value_cast`'s: in numpy, bit for bit what
zarr-python computes through ``cast-value-rs``. The fill value is encoded too, so stored
chunks hold the encoded fill.

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import from_numpy
    >>> codec = CastValue(data_type="uint8", out_of_range="clamp",
    ...                   scalar_map={"encode": [("NaN", 0)], "decode": [(0, "NaN")]})
    >>> spec = ChunkSpec((4,), from_numpy("float64"), 1.0)
    >>> codec.encode(np.array([1.4, np.nan, 300.0, -2.0]), spec).tolist()
    [1, 0, 255, 0]
    >>> codec.decode(np.array([1, 0, 255], "u1"), spec).tolist()
    [1.0, nan, 255.0]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

import numpy as np

from simplezarr.codecs.base import ArrayArrayCodec, ChunkSpec
from simplezarr.codecs.options import check_config
from simplezarr.codecs.value_cast import (
    ROUNDING_MODES,
    CastFailed,
    OutOfRangeMode,
    RoundingMode,
    cast_values,
    show_scalar,
)
from simplezarr.dtypes import DataType, from_numpy, parse_v3_dtype
from simplezarr.errors import InvalidMetadata, ZarrError, quote

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "CAST_VALUE_FLOAT_DTYPES",
    "CAST_VALUE_INT_DTYPES",
    "PERMITTED_DATA_TYPE_NAMES",
    "CastValue",
    "OutOfRangeMode",
    "RoundingMode",
    "ScalarMap",
    "parse_scalar_map",
]

#: The spec's integer types (its ``out_of_range="wrap"`` targets).
CAST_VALUE_INT_DTYPES: Final = frozenset(
    f"{u}int{b}" for u in ("", "u") for b in (2, 4, 8, 16, 32, 64)
)
#: The spec's floating-point types; simplezarr (as numpy) has float16, float32, float64.
CAST_VALUE_FLOAT_DTYPES: Final = frozenset(
    ["float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3"]
    + ["float8_e4m3b11fnuz", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz"]
    + ["float8_e8m0fnu", "bfloat16", "float16", "float32", "float64"]
)
#: Every data type name the codec is defined for (source and target).
PERMITTED_DATA_TYPE_NAMES: Final = CAST_VALUE_INT_DTYPES | CAST_VALUE_FLOAT_DTYPES

#: A scalar map in memory: per direction, a mapping of JSON scalars (zarr-python's form).
ScalarMap = dict[str, Mapping[Any, Any]]

_DIRECTIONS = ("encode", "decode")


def parse_scalar_map(obj: Any) -> ScalarMap:
    """A scalar map's JSON form (``[[input, output], ...]`` per direction) or its mapping
    form, as one mapping per direction (as zarr-python keeps it: a repeated input keeps its
    last output).

    Example:
        >>> parse_scalar_map({"encode": [("NaN", 0)], "decode": [[0, "NaN"]]})
        {'encode': {'NaN': 0}, 'decode': {0: 'NaN'}}
    """
    if not isinstance(obj, Mapping):
        raise InvalidMetadata(f"codec 'cast_value': scalar_map must be an object, got {quote(obj)}")
    unknown = set(obj) - set(_DIRECTIONS)
    if unknown:
        raise InvalidMetadata(
            f"codec 'cast_value': scalar_map has unknown keys {sorted(map(str, unknown))}; "
            "expected 'encode' and/or 'decode'"
        )
    result: ScalarMap = {}
    for direction in _DIRECTIONS:
        entries = obj.get(direction)
        if entries is None:
            continue
        if isinstance(entries, Mapping):
            pairs = list(entries.items())
        elif isinstance(entries, list | tuple):
            pairs = []
            for entry in entries:
                if not isinstance(entry, list | tuple) or len(entry) != 2:
                    raise InvalidMetadata(
                        f"codec 'cast_value': scalar_map {direction} entries must be "
                        f"[input, output] pairs, got {quote(entry)}"
                    )
                pairs.append((entry[0], entry[1]))
        else:
            raise InvalidMetadata(
                f"codec 'cast_value': scalar_map {direction} must be a list of [input, "
                f"output] pairs, got {quote(entries)}"
            )
        for k, v in pairs:
            for item in (k, v):
                if isinstance(item, bool) or not isinstance(item, int | float | str):
                    raise InvalidMetadata(
                        f"codec 'cast_value': scalar_map {direction} holds {quote(item)}; "
                        "inputs and outputs are numbers or strings such as 'NaN'"
                    )
        result[direction] = dict(pairs)
    return result


def _target(data_type: Any) -> DataType:
    try:
        if isinstance(data_type, DataType):
            dt = data_type
        elif isinstance(data_type, str | dict):
            dt = parse_v3_dtype(data_type)
        else:  # a zarr.dtype object (simplezarr's or zarr-python's) or a numpy dtype
            dt = from_numpy(data_type)
    except ZarrError as e:
        raise InvalidMetadata(
            f"codec 'cast_value': invalid target data type {quote(data_type)}: {e}"
        ) from e
    if dt.to_json(3) not in PERMITTED_DATA_TYPE_NAMES:
        raise InvalidMetadata(
            f"Invalid target data type {quote(data_type)}. cast_value codec only supports "
            f"integer and floating-point data types. Got {dt.name}."
        )
    return dt


def _scalar(value: Any, dtype: DataType, label: str) -> Any:
    """A scalar-map entry as a scalar of ``dtype``, as zarr-python hands it to its cast:
    checked as the data type's JSON, then converted from a Python int or float (a float16
    through float32)."""
    np_dtype = dtype.numpy
    try:
        dtype.fill_value_from_json(value, 3)
        if np_dtype.kind in "iu":
            return np_dtype.type(int(value))
        as_float = float(value)
    except (ZarrError, TypeError, ValueError, OverflowError) as e:
        raise InvalidMetadata(
            f"codec 'cast_value': {label} {value!r} is not representable in dtype {np_dtype}."
        ) from e
    with np.errstate(over="ignore"):
        if np_dtype.itemsize < 8:
            return np_dtype.type(np.float32(as_float))
        return np_dtype.type(as_float)


@dataclass(frozen=True, init=False)
class CastValue(ArrayArrayCodec):
    """Array to array: values converted to ``data_type`` (see the module docstring).
    Keywords and defaults as zarr-python 3.4: ``data_type`` (a name, a ``zarr.dtype``
    object or a simplezarr data type), ``rounding="nearest-even"``, ``out_of_range=None``
    (out-of-range values are an error; ``"clamp"``, or ``"wrap"`` for integer targets),
    ``scalar_map=None``. ``dtype`` is the target as a simplezarr data type.

    Example:
        >>> CastValue(data_type="int16", out_of_range="wrap").to_dict()
        {'name': 'cast_value', 'configuration': {'data_type': 'int16', 'out_of_range': 'wrap'}}
    """

    name: ClassVar[str] = "cast_value"

    dtype: DataType
    rounding: RoundingMode
    out_of_range: OutOfRangeMode | None
    scalar_map: ScalarMap | None

    def __init__(
        self,
        *,
        data_type: Any,
        rounding: RoundingMode = "nearest-even",
        out_of_range: OutOfRangeMode | None = None,
        scalar_map: Any = None,
    ) -> None:
        if rounding not in ROUNDING_MODES:
            raise InvalidMetadata(
                f"codec 'cast_value': unknown rounding {quote(rounding)}; one of "
                f"{list(ROUNDING_MODES)}"
            )
        if out_of_range not in (None, "clamp", "wrap"):
            raise InvalidMetadata(
                f"codec 'cast_value': unknown out_of_range {quote(out_of_range)}; 'clamp', "
                "'wrap' or None (out-of-range values are an error)"
            )
        object.__setattr__(self, "dtype", _target(data_type))
        object.__setattr__(self, "rounding", rounding)
        object.__setattr__(self, "out_of_range", out_of_range)
        parsed = None if scalar_map is None else parse_scalar_map(scalar_map)
        object.__setattr__(self, "scalar_map", parsed)

    @classmethod
    def from_config(cls, configuration: dict[str, Any] | None) -> Self:
        if configuration is None:
            raise InvalidMetadata("codec 'cast_value' needs a configuration with data_type")
        cfg = check_config(
            cls.name,
            configuration,
            ["data_type", "rounding", "out_of_range", "scalar_map"],
            required=["data_type"],
        )
        return cls(**cfg)

    def to_dict(self) -> dict[str, Any]:
        config: dict[str, Any] = {"data_type": self.dtype.to_json(3)}
        if self.rounding != "nearest-even":
            config["rounding"] = self.rounding
        if self.out_of_range is not None:
            config["out_of_range"] = self.out_of_range
        if self.scalar_map is not None:
            config["scalar_map"] = {
                d: list(self.scalar_map[d].items()) for d in _DIRECTIONS if d in self.scalar_map
            }
        return {"name": self.name, "configuration": config}

    # -- bound to a chunk ---------------------------------------------------------------

    def _check_source(self, spec: ChunkSpec) -> None:
        source = spec.dtype
        for role, dt in (("source", source), ("target", self.dtype)):
            name = dt.to_json(3)
            if not isinstance(name, str) or name not in PERMITTED_DATA_TYPE_NAMES:
                raise InvalidMetadata(
                    "The cast_value codec only supports integer and floating-point data "
                    f"types. Got {role} dtype {dt.name}."
                )
        if self.out_of_range == "wrap" and self.dtype.numpy.kind not in "iu":
            raise InvalidMetadata(
                "out_of_range='wrap' is only valid for integer target types. "
                f"Got target dtype {self.dtype.name}."
            )

    def _entries(self, direction: str, spec: ChunkSpec) -> list[tuple[Any, Any]]:
        """A direction's scalar map as typed (input, output) pairs."""
        if self.scalar_map is None or direction not in self.scalar_map:
            return []
        source, target = (
            (spec.dtype, self.dtype) if direction == "encode" else (self.dtype, spec.dtype)
        )
        return [
            (
                _scalar(k, source, f"scalar_map {direction} key"),
                _scalar(v, target, f"scalar_map {direction} value"),
            )
            for k, v in self.scalar_map[direction].items()
        ]

    def resolve(self, spec: ChunkSpec) -> Self:
        self._check_source(spec)
        self._entries("encode", spec)
        self._entries("decode", spec)
        return self

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), default=repr))

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        fill = np.asarray(spec.fill_value, dtype=spec.dtype.numpy)
        try:
            encoded = self.encode(fill, spec)[()]
        except CastFailed as e:
            raise InvalidMetadata(
                f"codec 'cast_value': the fill value {show_scalar(fill[()])} has no {self.dtype.name} "
                f"value: {e}"
            ) from e
        return dataclasses.replace(spec, dtype=self.dtype, fill_value=encoded)

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return cast_values(
            np.asarray(chunk),
            self.dtype.numpy,
            self.rounding,
            self.out_of_range,
            self._entries("encode", spec),
        )

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return cast_values(
            np.asarray(chunk),
            spec.dtype.numpy,
            self.rounding,
            self.out_of_range,
            self._entries("decode", spec),
        )
