"""Argument handling shared by the API functions: access modes, the legacy ``create``
arguments (``chunks=None``, ``compressor``, ``codecs``, ``dimension_separator`` ...), and the
``*_like`` argument sets, all mapped onto :meth:`ZarrArray.create`'s zarr-python 3.1.6
``create_array`` keywords.

Example:
    >>> normalize_chunks((10, None), (100, 50), 8)
    (10, 50)
    >>> normalize_chunks(None, (100, 100), 8)
    (100, 100)
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from simplezarr.dtypes import from_numpy_with_endian
from simplezarr.errors import InvalidArgument, InvalidMetadata
from simplezarr.metadata.defaults import NULL_FILL, guess_chunks, v3_codec

__all__ = [
    "CREATE_MODES",
    "DEFAULT_FILL_VALUE",
    "READ_MODES",
    "check_zarr_format",
    "chunk_key_encoding_json",
    "legacy_create_kwargs",
    "like_args",
    "normalize_chunks",
    "v3_order",
]

READ_MODES = ("r", "r+", "a")
CREATE_MODES = ("a", "w", "w-")


class _DefaultFillValue:
    """The fill value left out: the data type's default (zarr-python's DEFAULT_FILL_VALUE)."""

    def __repr__(self) -> str:
        return "DEFAULT_FILL_VALUE"


DEFAULT_FILL_VALUE: Any = _DefaultFillValue()


def check_zarr_format(zarr_format: Any, zarr_version: Any = None) -> int | None:
    """The zarr_format argument (or its deprecated alias zarr_version), checked."""
    if zarr_version is not None:
        if zarr_format is not None and zarr_format != zarr_version:
            raise InvalidArgument(
                f"zarr_format {zarr_format} does not match zarr_version {zarr_version}; "
                "pass only zarr_format"
            )
        warnings.warn(
            "zarr_version is deprecated, use zarr_format", DeprecationWarning, stacklevel=3
        )
        zarr_format = zarr_version
    if zarr_format not in (None, 2, 3):
        raise InvalidArgument(f"zarr_format must be 2, 3 or None, got {zarr_format!r}")
    return zarr_format


def fill_kwargs(fill_value: Any) -> dict[str, Any]:
    """``fill_value`` for ZarrArray.create: left out when it is the default."""
    return {} if fill_value is DEFAULT_FILL_VALUE else {"fill_value": fill_value}


def normalize_chunks(chunks: Any, shape: tuple[int, ...], typesize: int) -> tuple[int, ...]:
    """zarr-python's ``create(chunks=...)``: None/True guess, False = one chunk, an int for
    every axis, dask-style tuples of tuples, missing trailing axes and -1/None = whole axis."""
    if chunks is None or chunks is True:
        return guess_chunks(shape, typesize)
    if chunks is False:
        return shape
    if isinstance(chunks, numbers.Integral):
        chunks = tuple(int(chunks) for _ in shape)
    if not isinstance(chunks, Iterable):
        raise InvalidArgument(f"chunks must be an int, a tuple, True/False or None, got {chunks!r}")
    chunks = tuple(chunks)
    if chunks and all(isinstance(c, (tuple, list)) for c in chunks):
        for i, c in enumerate(chunks):
            if any(x != y for x, y in itertools.pairwise(c)) or (len(c) > 1 and c[-1] > c[0]):
                raise InvalidArgument(
                    f"irregular chunk sizes in dimension {i}: {tuple(c)}; only uniform chunks "
                    "(with an optional smaller last chunk) are supported"
                )
        chunks = tuple(c[0] for c in chunks)
    if len(chunks) > len(shape):
        raise InvalidArgument(f"chunks {chunks} has more dimensions than shape {shape}")
    chunks = chunks + shape[len(chunks) :]
    chunks = tuple(s if c is None or c == -1 else c for s, c in zip(shape, chunks, strict=True))
    if not all(isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in chunks):
        raise InvalidArgument(f"chunks must be integers, got {chunks!r}")
    return tuple(int(c) for c in chunks)


def chunk_key_encoding_json(value: Any) -> Any:
    """A chunk key encoding as JSON: tuples ``("default", ".")``, zarr-python objects."""
    if value is None or isinstance(value, (dict, str)):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return {"name": value[0], "configuration": {"separator": value[1]}}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "to_json"):
        return value.to_json()
    raise InvalidArgument(f"chunk_key_encoding: cannot use {value!r}")


def _codec_kind(codec: Any) -> str:
    errors: list[InvalidMetadata] = []
    for kind in ("array_bytes", "array_array", "bytes_bytes"):
        try:
            v3_codec(codec, kind, "codecs")
        except InvalidMetadata as e:
            errors.append(e)
            continue
        return kind
    raise errors[0]  # not a codec at all: the first reason says why


def _split_codecs(codecs: Iterable[Any]) -> tuple[list[Any], Any, list[Any]]:
    """A v3 codec list as (filters, serializer, compressors), for build_array_metadata."""
    if isinstance(codecs, (dict, str)):
        codecs = [codecs]
    kinds: dict[str, list[Any]] = {"array_array": [], "array_bytes": [], "bytes_bytes": []}
    for c in codecs:
        kinds[_codec_kind(c)].append(c)
    if len(kinds["array_bytes"]) != 1:
        raise InvalidMetadata(
            f"codecs: exactly one array -> bytes codec is needed, got {len(kinds['array_bytes'])}"
        )
    return kinds["array_array"], kinds["array_bytes"][0], kinds["bytes_bytes"]


def legacy_create_kwargs(
    *,
    shape: Any,
    dtype: Any,
    chunks: Any,
    chunk_shape: Any,
    compressor: Any,
    filters: Any,
    codecs: Any,
    order: Any,
    dimension_separator: Any,
    chunk_key_encoding: Any,
    dimension_names: Any,
    fill_value: Any,
    zarr_format: int,
    config: dict[str, Any],
) -> dict[str, Any]:
    """zarr-python's ``create()`` arguments as ``ZarrArray.create`` keywords.

    Example:
        >>> kw = legacy_create_kwargs(shape=10, dtype=None, chunks=5, chunk_shape=None,
        ...     compressor="auto", filters=None, codecs=None, order=None,
        ...     dimension_separator=None, chunk_key_encoding=None, dimension_names=None,
        ...     fill_value=DEFAULT_FILL_VALUE, zarr_format=3, config={})
        >>> kw["shape"], kw["chunks"], kw["dtype"]
        ((10,), (5,), dtype('float64'))
    """
    shape_t = (int(shape),) if isinstance(shape, numbers.Integral) else tuple(shape)
    dtype = np.dtype("float64") if dtype is None else dtype
    if chunks is not None and chunk_shape is not None:
        raise InvalidArgument("pass chunks or chunk_shape, not both")
    dt, _ = from_numpy_with_endian(dtype, zarr_format)
    chunk_arg = chunks if chunks else chunk_shape
    out: dict[str, Any] = {
        "shape": shape_t,
        "dtype": dtype,
        "chunks": normalize_chunks(chunk_arg, shape_t, dt.item_size or 1),
        "zarr_format": zarr_format,
    }
    if zarr_format == 3:
        for name, value, hint in (
            ("dimension_separator", dimension_separator, "use chunk_key_encoding"),
            ("filters", filters, "use array -> array codecs in codecs"),
        ):
            if value is not None:
                raise InvalidArgument(f"{name} cannot be used for Zarr v3 arrays; {hint}")
        if not (isinstance(compressor, str) and compressor == "auto"):
            raise InvalidArgument(
                "compressor cannot be used for Zarr v3 arrays; use bytes -> bytes codecs in codecs"
            )
        v3_order(order, stacklevel=5)
        if codecs is not None:
            out["filters"], out["serializer"], out["compressors"] = _split_codecs(codecs)
        out["chunk_key_encoding"] = chunk_key_encoding_json(chunk_key_encoding)
        out["dimension_names"] = dimension_names or None
        out.update(fill_kwargs(fill_value))
        return out
    for name, value in (
        ("codecs", codecs),
        ("chunk_key_encoding", chunk_key_encoding),
        ("dimension_names", dimension_names),
    ):
        if value is not None:
            raise InvalidArgument(f"{name} cannot be used for Zarr v2 arrays")
    out["order"] = order if order is not None else config.get("order", "C")
    out["filters"] = "auto" if filters is None else filters
    if isinstance(compressor, str) and compressor == "auto":
        out["compressors"] = ({"id": "zstd", "level": 0, "checksum": False},)
    else:
        out["compressors"] = None if compressor is None else (compressor,)
    out["chunk_key_encoding"] = {"name": "v2", "separator": dimension_separator or "."}
    if fill_value is None:
        out["fill_value"] = NULL_FILL
    else:
        out.update(fill_kwargs(fill_value))
    return out


def v3_order(order: str | None, stacklevel: int = 3) -> None:
    """``order`` for a v3 array: ignored (the in-memory order is ``config={"order": ...}``),
    with a warning when given, as zarr-python does. Returns None, the order to use."""
    if order is not None:
        warnings.warn(
            "order is ignored for Zarr v3 arrays; use config={'order': ...}",
            UserWarning,
            stacklevel=stacklevel,
        )


def like_args(a: Any, *, fill_value: bool = False) -> dict[str, Any]:
    """The arguments a ``*_like`` function takes from ``a`` (zarr-python's ``_like_args``):
    shape, chunks, dtype, and for a Zarr array its encoding (v2: order, compressor, filters;
    v3: codecs) and, with ``fill_value=True``, its fill value."""
    from simplezarr.nodes import ZarrArray

    out: dict[str, Any] = {}
    shape = getattr(a, "shape", None)
    if isinstance(shape, tuple):
        out["shape"] = shape
        chunks = getattr(a, "chunks", None)
        if isinstance(chunks, tuple) and len(chunks) == len(shape):
            out["chunks"] = chunks
    if hasattr(a, "dtype"):
        out["dtype"] = a.dtype
    if isinstance(a, ZarrArray):
        if a.metadata.zarr_format == 2:
            out["order"] = a.order
            out["compressor"] = a.compressor
            out["filters"] = a.filters or None
        else:
            out["codecs"] = a.metadata.codecs
        if fill_value:
            out["fill_value"] = a.metadata.fill_value
    return out


def config_with(config: Mapping[str, Any] | None, write_empty_chunks: Any) -> dict[str, Any]:
    """``config`` with the older ``write_empty_chunks`` keyword merged in."""
    out = dict(config or {})
    if write_empty_chunks is not None:
        warnings.warn(
            "write_empty_chunks is deprecated; use config={'write_empty_chunks': ...}",
            DeprecationWarning,
            stacklevel=4,
        )
        out["write_empty_chunks"] = write_empty_chunks
    return out
