"""Creating arrays the ways zarr-python does: from options or from data, and with the older
``create`` arguments (``chunks=None`` guesses, ``compressor``, ``codecs``,
``dimension_separator`` ...). Both end in one :class:`~simplezarr.metadata.options.
ArrayOptions` given to :meth:`ZarrArray.create`.

The API functions (:mod:`simplezarr.api`) and a group's ``create_array``, ``zeros``,
``__setitem__`` ... call these with a store and a node path; only the API turns store-likes
(paths, URLs, dicts) into stores.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> a = new_array(MemoryStore(), "x", data=[1, 2, 3])
    >>> a.chunks, a[:].tolist()
    ((3,), [1, 2, 3])
    >>> legacy_array(MemoryStore(), "y", shape=(100, 100), chunks=10, dtype="i2").chunks
    (10, 10)
"""

from __future__ import annotations

import dataclasses
import itertools
import numbers
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from simplezarr.config import config as settings
from simplezarr.dtypes import from_numpy_with_endian
from simplezarr.errors import (
    InvalidArgument,
    InvalidMetadata,
    ZarrDeprecationWarning,
    ZarrUserWarning,
)
from simplezarr.metadata.defaults import NULL_FILL, guess_chunks, is_rectilinear_spec, v3_codec
from simplezarr.metadata.options import DEFAULT_FILL_VALUE, ArrayOptions
from simplezarr.nodes.array import ZarrArray
from simplezarr.stores.base import BaseStore

__all__ = [
    "check_array_like",
    "config_with",
    "copy_data",
    "from_data",
    "legacy_array",
    "like_args",
    "new_array",
    "normalize_chunks",
    "v3_order",
]

#: The v2 compressor zarr-python's ``create`` writes when none is given.
_V2_DEFAULT_COMPRESSOR = {"id": "zstd", "level": 0, "checksum": False}


def v3_order(order: str | None, stacklevel: int = 4) -> None:
    """``order`` for a v3 array: ignored (the in-memory order is ``config={"order": ...}``),
    with a warning when given, as zarr-python does; the order to use is None."""
    if order is not None:
        warnings.warn(
            "order is ignored for Zarr v3 arrays; use config={'order': ...}",
            ZarrUserWarning,
            stacklevel=stacklevel,
        )


def _is(value: Any, word: str) -> bool:
    return isinstance(value, str) and value == word


# --------------------------------------------------------------------------- create_array


def new_array(
    store: BaseStore,
    path: str,
    *,
    data: Any = None,
    write_data: bool = True,
    config: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    **options: Any,
) -> ZarrArray:
    """zarr-python's ``create_array`` at ``path`` of ``store``: ``options`` are
    :class:`ArrayOptions` fields; give ``shape`` and ``dtype``, or ``data`` (then see
    :func:`from_data`; options left out take ``create_array``'s defaults, not the source's)."""
    _check_fields(options)
    if data is not None:
        if options.pop("shape", None) is not None or options.pop("dtype", None) is not None:
            raise InvalidArgument("pass data, or shape and dtype, not both")
        for name in ("chunks", "filters", "compressors", "serializer"):
            options.setdefault(name, "auto")
        options.setdefault("shards", None)
        options.setdefault("zarr_format", 3)
        return from_data(
            store, path, data, write_data=write_data, config=config, overwrite=overwrite, **options
        )
    if options.get("shape") is None or options.get("dtype") is None:
        raise InvalidArgument("create_array needs shape and dtype (or data)")
    if options.get("zarr_format") is None:
        options["zarr_format"] = settings.default_zarr_format
    if options["zarr_format"] == 3:
        v3_order(options.pop("order", None))
    return ZarrArray.create(
        store, path, ArrayOptions(**options), config=config, overwrite=overwrite
    )


_FIELDS = frozenset(f.name for f in dataclasses.fields(ArrayOptions))


def _check_fields(options: Mapping[str, Any]) -> None:
    unknown = set(options) - _FIELDS
    if unknown:
        raise InvalidArgument(
            f"unexpected keyword arguments {sorted(unknown)}; array options are {sorted(_FIELDS)}"
        )


#: The options :func:`from_data` takes from a Zarr source array unless told otherwise.
KEPT = ("chunks", "shards", "filters", "compressors", "serializer")


def from_data(
    store: BaseStore,
    path: str,
    data: Any,
    *,
    write_data: bool = True,
    config: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    **options: Any,
) -> ZarrArray:
    """zarr-python's ``from_array``: a new array holding a copy of ``data`` (a Zarr array,
    numpy array or array-like; not copied with ``write_data=False``). The :data:`KEPT`
    options default to ``"keep"``: taken from a Zarr source array of the same format (else
    the defaults); so are its fill value (unless given; also for ``fill_value=None``, as
    zarr-python 3.1), chunk key encoding,
    dimension names and v2 order unless given."""
    _check_fields(options)
    o = dict.fromkeys(KEPT, "keep") | options
    o.setdefault("zarr_format", None)
    if isinstance(data, ZarrArray):
        _keep_from(data, o)
    else:
        defaults = {"chunks": "auto", "shards": None}
        for name in KEPT:
            if _is(o[name], "keep"):
                o[name] = defaults.get(name, "auto")
        o["zarr_format"] = o["zarr_format"] or settings.default_zarr_format
        if not (hasattr(data, "shape") and hasattr(data, "dtype")):
            data = np.asarray(data)
        o["shape"], o["dtype"] = tuple(data.shape), data.dtype
    if o["zarr_format"] == 3:
        v3_order(o.pop("order", None), stacklevel=4)
    out = ZarrArray.create(store, path, ArrayOptions(**o), config=config, overwrite=overwrite)
    if write_data:
        copy_data(data, out)
    return out


def _keep_from(src: ZarrArray, o: dict[str, Any]) -> None:
    """Fill the options ``o`` leaves to ``src`` (see :func:`from_data`)."""
    meta = src.metadata
    zarr_format = o["zarr_format"] = o["zarr_format"] or meta.zarr_format
    same = zarr_format == meta.zarr_format
    sharded = src._io.chain.shard is not None
    # a rectilinear grid is kept verbatim (its kind, bare lengths, edges past the extent)
    grid = meta.chunk_grid if meta.is_rectilinear else None
    kept = {
        "chunks": grid if grid is not None and not sharded else src.chunks,
        "shards": grid if grid is not None and sharded else src.shards,
        "filters": (src.filters or None) if same else "auto",
        "compressors": (src.compressors or None) if same else "auto",
        "serializer": src.serializer if zarr_format == 3 and same else "auto",
    }
    for name in KEPT:
        if _is(o[name], "keep"):
            o[name] = kept[name]
    if o.get("fill_value", DEFAULT_FILL_VALUE) in (None, DEFAULT_FILL_VALUE):
        # kept when not given (zarr-python 3.4) and for fill_value=None (3.1)
        o["fill_value"] = src.fill_value
    if meta.zarr_format == 2 and zarr_format == 3 and src.order == "F":
        warnings.warn(
            "order 'F' of the Zarr v2 source has no Zarr v3 equivalent; ignored",
            ZarrUserWarning,
            stacklevel=5,
        )
    elif o.get("order") is None and zarr_format == 2:
        o["order"] = src.order
    if o.get("chunk_key_encoding") is None and same:
        o["chunk_key_encoding"] = meta.chunk_key_encoding.to_json()
    if o.get("dimension_names") is None and meta.zarr_format == 3:
        o["dimension_names"] = meta.dimension_names
    o["shape"] = src.shape
    # a v3 data type says more than numpy (fixed-length text ...); v2 keeps its byte order
    o["dtype"] = meta.dtype if same and zarr_format == 3 else src.dtype


def copy_data(data: Any, out: ZarrArray) -> None:
    """Write ``data`` (a numpy array, a Zarr array, an array-like) into ``out``: whole for
    numpy arrays, else one storage region (shard or chunk) of ``out`` at a time, so a large
    source is never held in memory at once."""
    if isinstance(data, np.ndarray) or out.size == 0 or out.ndim == 0:
        out[...] = np.asarray(data[...] if out.ndim == 0 else data)
        return
    if out.metadata.is_rectilinear:
        grid = out._io.grid
        for coords in grid.all_chunk_coords():
            region = grid.chunk_region(coords)
            out[region] = np.asarray(data[region])
        return
    for region in _regions(out.shape, out.shards or out.chunks):
        out[region] = np.asarray(data[region])


def _regions(shape: tuple[int, ...], block: tuple[int, ...]) -> Iterator[tuple[slice, ...]]:
    grid = [range(0, s, b) for s, b in zip(shape, block, strict=True)]
    for starts in np.ndindex(*(len(g) for g in grid)):
        yield tuple(
            slice(g[i], min(g[i] + b, s))
            for g, i, b, s in zip(grid, starts, block, shape, strict=True)
        )


def check_array_like(value: Any, what: str) -> None:
    """InvalidArgument unless ``value`` is a numpy array, an array-like or a scalar."""
    array_like = hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "__array__")
    if not array_like and not np.isscalar(value):
        raise InvalidArgument(
            f"{what} must be a numpy array (or array-like), got {type(value).__name__}"
        )


# --------------------------------------------------------------------------- create (older)


def config_with(config: Mapping[str, Any] | None, write_empty_chunks: Any) -> dict[str, Any]:
    """``config`` with the older ``write_empty_chunks`` keyword merged in."""
    if config is not None and not isinstance(config, Mapping) and hasattr(config, "to_dict"):
        config = config.to_dict()  # an ArrayConfig (ours or zarr-python's)
    out = dict(config or {})
    if write_empty_chunks is not None:
        warnings.warn(
            "write_empty_chunks is deprecated; use config={'write_empty_chunks': ...}",
            ZarrDeprecationWarning,
            stacklevel=4,
        )
        out["write_empty_chunks"] = write_empty_chunks
    return out


def normalize_chunks(chunks: Any, shape: tuple[int, ...], typesize: int) -> tuple[int, ...]:
    """zarr-python's ``create(chunks=...)``: None/True guess, False = one chunk, an int for
    every axis, dask-style tuples of tuples, missing trailing axes and -1/None = whole axis.

    Example:
        >>> normalize_chunks((10, None), (100, 50), 8)
        (10, 50)
        >>> normalize_chunks(None, (100, 100), 8)
        (100, 100)
        >>> normalize_chunks(((4, 4, 2), (3,)), (10, 3), 8)
        (4, 3)
    """
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
            if any(x != y for x, y in itertools.pairwise(c[:-1])) or (len(c) > 1 and c[-1] > c[0]):
                raise InvalidArgument(
                    f"irregular chunk sizes in dimension {i}: {tuple(c)}; only uniform chunks "
                    "(with an optional smaller last chunk) make a regular grid: turn on "
                    "config.set({'array.rectilinear_chunks': True}) for a rectilinear one"
                )
        chunks = tuple(c[0] for c in chunks)
    if len(chunks) > len(shape):
        raise InvalidArgument(f"chunks {chunks} has more dimensions than shape {shape}")
    chunks = chunks + shape[len(chunks) :]
    chunks = tuple(s if c is None or c == -1 else c for s, c in zip(shape, chunks, strict=True))
    if not all(isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in chunks):
        raise InvalidArgument(f"chunks must be integers, got {chunks!r}")
    return tuple(int(c) for c in chunks)


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
    """A v3 codec list as (filters, serializer, compressors)."""
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


def legacy_array(
    store: BaseStore,
    path: str,
    *,
    shape: Any,
    dtype: Any = None,
    chunks: Any = None,
    chunk_shape: Any = None,
    compressor: Any = "auto",
    filters: Any = None,
    codecs: Any = None,
    order: Any = None,
    dimension_separator: Any = None,
    chunk_key_encoding: Any = None,
    dimension_names: Any = None,
    fill_value: Any = DEFAULT_FILL_VALUE,
    zarr_format: int | None = 3,
    attributes: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    write_empty_chunks: bool | None = None,
    overwrite: bool = False,
    data: Any = None,
) -> ZarrArray:
    """zarr-python's older ``create`` at ``path`` of ``store`` (``data`` is written after
    creation)."""
    zarr_format = zarr_format or settings.default_zarr_format
    config_d = config_with(config, write_empty_chunks)
    shape_t = (int(shape),) if isinstance(shape, numbers.Integral) else tuple(shape)
    dtype = np.dtype("float64") if dtype is None else dtype
    if chunks is not None and chunk_shape is not None:
        raise InvalidArgument("pass chunks or chunk_shape, not both")
    dt, _ = from_numpy_with_endian(dtype, zarr_format)
    chunk_arg = chunks if chunks else chunk_shape
    if settings.rectilinear_chunks and is_rectilinear_spec(chunk_arg):
        # zarr-python 3.4: nested sizes declare a rectilinear grid (checked with the options)
        normalized = chunk_arg
    else:
        normalized = normalize_chunks(chunk_arg, shape_t, dt.item_size or 1)
    opts = ArrayOptions(
        shape=shape_t,
        dtype=dtype,
        chunks=normalized,
        zarr_format=zarr_format,
        attributes=attributes,
    )
    if zarr_format == 3:
        for name, value, hint in (
            ("dimension_separator", dimension_separator, "use chunk_key_encoding"),
            ("filters", filters, "use array -> array codecs in codecs"),
        ):
            if value is not None:
                raise InvalidArgument(f"{name} cannot be used for Zarr v3 arrays; {hint}")
        if not _is(compressor, "auto"):
            raise InvalidArgument(
                "compressor cannot be used for Zarr v3 arrays; use bytes -> bytes codecs in codecs"
            )
        v3_order(order, stacklevel=5)
        if codecs is not None:
            aa, ab, bb = _split_codecs(codecs)
            opts = opts.replace(filters=aa, serializer=ab, compressors=bb)
        opts = opts.replace(
            chunk_key_encoding=chunk_key_encoding,
            dimension_names=dimension_names or None,
            fill_value=fill_value,
        )
    else:
        for name, value in (
            ("codecs", codecs),
            ("chunk_key_encoding", chunk_key_encoding),
            ("dimension_names", dimension_names),
        ):
            if value is not None:
                raise InvalidArgument(f"{name} cannot be used for Zarr v2 arrays")
        if _is(compressor, "auto"):
            compressors: Any = (_V2_DEFAULT_COMPRESSOR,)
        else:
            compressors = None if compressor is None else (compressor,)
        opts = opts.replace(
            order=order if order is not None else config_d.get("order"),
            filters="auto" if filters is None else filters,
            compressors=compressors,
            chunk_key_encoding={"name": "v2", "separator": dimension_separator or "."},
            fill_value=NULL_FILL if fill_value is None else fill_value,
        )
        if order is not None:
            config_d["order"] = order
    out = ZarrArray.create(store, path, opts, config=config_d or None, overwrite=overwrite)
    if data is not None:
        out[...] = data
    return out


def like_args(a: Any, *, fill_value: bool = False) -> dict[str, Any]:
    """The :func:`legacy_array` arguments a ``*_like`` function takes from ``a``
    (zarr-python's ``_like_args``): shape, chunks, dtype, and for a Zarr array its encoding
    (v2: order, compressor, filters; v3: codecs) and, with ``fill_value=True``, its fill
    value."""
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
