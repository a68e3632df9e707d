"""Creating arrays: ``create_array`` and ``from_array`` (zarr-python 3's), and the older
``create`` family (``empty``, ``zeros``, ``ones``, ``full``, their ``*_like`` twins and
``array``), each writing the metadata zarr-python 3.1.6 writes for the same call.

Example:
    >>> from simplezarr.api.arrays import zeros
    >>> zeros((4, 4), chunks=2).chunks
    (2, 2)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from simplezarr.api._args import check_zarr_format
from simplezarr.config import config as settings
from simplezarr.errors import InvalidArgument, ZarrRuntimeWarning
from simplezarr.metadata.options import DEFAULT_FILL_VALUE
from simplezarr.nodes import ZarrArray
from simplezarr.nodes.create import copy_data, from_data, legacy_array, like_args, new_array
from simplezarr.storage import StoreLike, StorePath, make_store_path, normalize_path

__all__ = [
    "array",
    "copy_data",
    "create",
    "create_array",
    "empty",
    "empty_like",
    "from_array",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]

_UNUSED = (
    "synchronizer",
    "chunk_store",
    "cache_metadata",
    "cache_attrs",
    "object_codec",
    "read_only",
    "meta_array",
)


def _warn_unused(**given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            warnings.warn(
                f"{name} is accepted for compatibility and not used",
                ZarrRuntimeWarning,
                stacklevel=3,
            )


def _node_path(sp: StorePath) -> str:
    return normalize_path(sp.path)  # a legal store key (or the root), checked once here


# --------------------------------------------------------------------------- arrays


def create_array(
    store: StoreLike,
    *,
    name: str | None = None,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    chunks: Any = "auto",
    shards: Any = None,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: str | None = None,
    zarr_format: int | None = 3,
    attributes: dict[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Any = None,
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    config: Mapping[str, Any] | None = None,
    write_data: bool = True,
) -> ZarrArray:
    """Create an array; writes the metadata zarr-python's ``create_array`` writes for the
    same arguments. Give ``shape`` and ``dtype``, or ``data`` (then see :func:`from_array`).

    Example:
        >>> import simplezarr as zarr
        >>> a = zarr.create_array({}, shape=(1000, 1000), dtype="float32")
        >>> a.chunks, [type(c).__name__ for c in a.compressors]
        ((250, 500), ['ZstdCodec'])
    """
    sp = make_store_path(store, path=name, mode="a", storage_options=storage_options)
    return new_array(
        sp.store,
        _node_path(sp),
        data=data,
        write_data=write_data,
        config=config,
        overwrite=overwrite,
        shape=shape,
        dtype=dtype,
        chunks=chunks,
        shards=shards,
        filters=filters,
        compressors=compressors,
        serializer=serializer,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
    )


def from_array(
    store: StoreLike,
    *,
    data: Any,
    write_data: bool = True,
    name: str | None = None,
    chunks: Any = "keep",
    shards: Any = "keep",
    filters: Any = "keep",
    compressors: Any = "keep",
    serializer: Any = "keep",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: str | None = None,
    zarr_format: int | None = None,
    attributes: dict[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Any = None,
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    config: Mapping[str, Any] | None = None,
) -> ZarrArray:
    """A new array holding a copy of ``data`` (a Zarr array, numpy array or array-like).

    ``"keep"`` takes chunks, shards, codecs, key encoding and dimension names from a Zarr
    source array (from another format: the defaults); for other data it means the defaults.
    A Zarr source is copied one shard (or chunk) region at a time.

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> src = zarr.create_array({}, data=np.arange(6), chunks=(2,))
        >>> dst = zarr.from_array({}, data=src)
        >>> dst.chunks, dst[:].tolist()
        ((2,), [0, 1, 2, 3, 4, 5])
    """
    sp = make_store_path(store, path=name, mode="a", storage_options=storage_options)
    return from_data(
        sp.store,
        _node_path(sp),
        data,
        write_data=write_data,
        config=config,
        overwrite=overwrite,
        chunks=chunks,
        shards=shards,
        filters=filters,
        compressors=compressors,
        serializer=serializer,
        fill_value=fill_value,
        order=order,
        zarr_format=zarr_format,
        attributes=attributes,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
    )


def create(
    shape: Any,
    *,
    chunks: Any = None,
    dtype: Any = None,
    compressor: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: str | None = None,
    store: StoreLike = None,
    synchronizer: Any = None,
    overwrite: bool = False,
    path: str | None = None,
    chunk_store: Any = None,
    filters: Any = None,
    cache_metadata: bool | None = None,
    cache_attrs: bool | None = None,
    read_only: bool | None = None,
    object_codec: Any = None,
    dimension_separator: str | None = None,
    write_empty_chunks: bool | None = None,
    zarr_version: int | None = None,
    zarr_format: int | None = None,
    meta_array: Any = None,
    attributes: dict[str, Any] | None = None,
    chunk_shape: Any = None,
    chunk_key_encoding: Any = None,
    codecs: Any = None,
    dimension_names: Any = None,
    storage_options: dict[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> ZarrArray:
    """Create an array with zarr-python's older ``create`` arguments (``chunks=None``
    guesses, ``compressor`` for v2, ``codecs`` for v3, ``dimension_separator``, ...).
    ``kwargs`` may hold ``mode`` (default ``a``) and ``data`` (written after creation).

    Example:
        >>> import simplezarr as zarr
        >>> a = zarr.create((100, 100), chunks=10, dtype="i2", zarr_format=2)
        >>> a.chunks, a.metadata.to_json()["compressor"]
        ((10, 10), {'id': 'zstd', 'level': 0})
    """
    _warn_unused(
        synchronizer=synchronizer,
        chunk_store=chunk_store,
        cache_metadata=cache_metadata,
        cache_attrs=cache_attrs,
        object_codec=object_codec,
        read_only=read_only,
        meta_array=meta_array,
    )
    zarr_format = check_zarr_format(zarr_format, zarr_version) or settings.default_zarr_format
    mode = kwargs.pop("mode", None) or "a"
    data = kwargs.pop("data", None)
    if kwargs:
        raise InvalidArgument(f"create() got unexpected keyword arguments {sorted(kwargs)}")
    sp = make_store_path(store, path=path, mode=mode, storage_options=storage_options)
    return legacy_array(
        sp.store,
        _node_path(sp),
        shape=shape,
        dtype=dtype,
        chunks=chunks,
        chunk_shape=chunk_shape,
        compressor=compressor,
        filters=filters,
        codecs=codecs,
        order=order,
        dimension_separator=dimension_separator,
        chunk_key_encoding=chunk_key_encoding,
        dimension_names=dimension_names,
        fill_value=fill_value,
        zarr_format=zarr_format,
        attributes=attributes,
        config=config,
        write_empty_chunks=write_empty_chunks,
        overwrite=overwrite,
        data=data,
    )


def empty(shape: Any, **kwargs: Any) -> ZarrArray:
    """An array whose unwritten content reads as the fill value (:func:`create`).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.empty((2,), dtype="i1")[:].tolist()
        [0, 0]
    """
    return create(shape=shape, **kwargs)


def zeros(shape: Any, **kwargs: Any) -> ZarrArray:
    """An array of zeros (fill value 0).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.zeros((2, 2))[:].sum()
        np.float64(0.0)
    """
    return create(shape=shape, fill_value=0, **kwargs)


def ones(shape: Any, **kwargs: Any) -> ZarrArray:
    """An array of ones (fill value 1).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.ones((3,), dtype="u1")[:].tolist()
        [1, 1, 1]
    """
    return create(shape=shape, fill_value=1, **kwargs)


def full(shape: Any, fill_value: Any, **kwargs: Any) -> ZarrArray:
    """An array filled with ``fill_value``.

    Example:
        >>> import simplezarr as zarr
        >>> zarr.full((2,), 7, dtype="i4")[:].tolist()
        [7, 7]
    """
    return create(shape=shape, fill_value=fill_value, **kwargs)


def empty_like(a: Any, **kwargs: Any) -> ZarrArray:
    """:func:`empty` shaped (and, for a Zarr array, encoded and filled) like ``a``."""
    return empty(**(like_args(a, fill_value=True) | kwargs))


def zeros_like(a: Any, **kwargs: Any) -> ZarrArray:
    """:func:`zeros` shaped (and, for a Zarr array, encoded) like ``a``.

    Example:
        >>> import numpy as np, simplezarr as zarr
        >>> zarr.zeros_like(np.ones((2, 3), "i2")).shape
        (2, 3)
    """
    return zeros(**(like_args(a) | kwargs))


def ones_like(a: Any, **kwargs: Any) -> ZarrArray:
    """:func:`ones` shaped (and, for a Zarr array, encoded) like ``a``."""
    return ones(**(like_args(a) | kwargs))


def full_like(a: Any, **kwargs: Any) -> ZarrArray:
    """:func:`full` shaped like ``a`` (fill value: ``a``'s, unless given)."""
    return full(**(like_args(a, fill_value=True) | kwargs))


def array(data: Any, **kwargs: Any) -> ZarrArray:
    """A new array holding ``data`` (keywords as :func:`create`; a Zarr array source goes
    through :func:`from_array`).

    Example:
        >>> import simplezarr as zarr
        >>> zarr.array([[1, 2], [3, 4]], chunks=(1, 2))[1].tolist()
        [3, 4]
    """
    if isinstance(data, ZarrArray):
        return from_array(kwargs.pop("store", None), data=data, **kwargs)
    if not (hasattr(data, "shape") and hasattr(data, "dtype")):
        data = np.asanyarray(data)
    if kwargs.get("dtype") is None:
        kwargs["dtype"] = data.dtype
    kwargs["shape"] = tuple(data.shape)
    if kwargs.get("chunks") is None:
        chunks = getattr(data, "chunks", None)
        kwargs["chunks"] = chunks if isinstance(chunks, tuple) else None
    if kwargs.pop("read_only", False):
        raise InvalidArgument("read_only=True is not supported when creating an array")
    out = create(**kwargs)
    copy_data(data, out)
    return out
