"""Shared pieces of the selection tests: arrays in every layout, numpy references."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from simplezarr import MemoryStore, ZarrArray, config
from simplezarr.chunk_grid import RectilinearChunkGrid

#: (zarr_format, sharded) layouts every property runs on; "rectilinear": variable chunks
#: (explicit edges on some axes), "rectilinear-shards": regular chunks in variable shards.
LAYOUTS: list[tuple[int, bool | str]] = [
    (3, False),
    (3, True),
    (2, False),
    (3, "rectilinear"),
    (3, "rectilinear-shards"),
]


def arange_of(shape: tuple[int, ...]) -> np.ndarray:
    """0, 1, 2, ... as int32 in ``shape``."""
    return np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)


def make_array(
    data: np.ndarray,
    chunks: tuple[int, ...],
    *,
    zarr_format: int = 3,
    shard_factor: tuple[int, ...] | None = None,
    store: Any = None,
    shards: Any = None,
) -> ZarrArray:
    """A Zarr array holding ``data``, chunked (and sharded: shards of ``shard_factor``
    chunks, or ``shards`` as given) as asked. Chunks holding only zeros (the fill value) are
    never stored, so ``data`` with zeroed chunks gives a sparse array: missing chunks, and
    missing shards or shards with missing inner chunks. ``chunks`` (or ``shards``) may be
    rectilinear (nested lists of edges)."""
    if shard_factor is not None:
        shards = tuple(c * f for c, f in zip(chunks, shard_factor, strict=True))
    with config.set({"array.rectilinear_chunks": True}):
        a = _create(data, chunks, shards, zarr_format, store)
    if data.size:
        a[...] = data
    return a


def _create(data: np.ndarray, chunks: Any, shards: Any, zarr_format: int, store: Any) -> ZarrArray:
    return ZarrArray.create(
        MemoryStore() if store is None else store,
        shape=data.shape,
        dtype=data.dtype,
        chunks=chunks,
        shards=shards,
        zarr_format=zarr_format,
        fill_value=0,
        config={"write_empty_chunks": False},
    )


def _edges(draw: st.DrawFn, n: int, unit: int = 1) -> list[int]:
    """Random explicit edges (multiples of ``unit``) summing to ``n`` (any, for n == 0)."""
    if n == 0:
        return [unit * draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    left, out = n // unit, []
    while left:
        k = draw(st.integers(1, min(left, 4)))
        out.append(k * unit)
        left -= k
    return out


def _rectilinear(draw: st.DrawFn, shape: tuple[int, ...]) -> list[Any]:
    """A rectilinear ``chunks=``: per axis a bare length or explicit edges (at least one)."""
    spec: list[Any] = [
        _edges(draw, n) if draw(st.booleans()) else draw(st.integers(1, 4)) for n in shape
    ]
    if not any(isinstance(d, list) for d in spec):
        spec[0] = _edges(draw, shape[0])
    return spec


@st.composite
def arrays(draw: st.DrawFn, min_ndim: int = 0, max_ndim: int = 4) -> dict[str, Any]:
    """A random array description: data, chunks, format and sharding."""
    ndim = draw(st.integers(min_ndim, max_ndim))
    shape = tuple(draw(st.integers(0, 9) if ndim < 3 else st.integers(1, 5)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    zarr_format, sharded = draw(st.sampled_from(LAYOUTS))
    if not ndim and isinstance(sharded, str):
        sharded = False  # a 0-d array has no axis to vary
    factor = tuple(draw(st.integers(1, 3)) for _ in range(ndim)) if sharded is True else None
    spec: Any = chunks
    shards: Any = None
    if sharded == "rectilinear":
        spec = _rectilinear(draw, shape)
    elif sharded == "rectilinear-shards":
        # an axis whose extent is no multiple of its chunk takes a bare shard length
        shards = [
            _edges(draw, n, c)
            if n % c == 0 and draw(st.booleans())
            else c * draw(st.integers(1, 3))
            for n, c in zip(shape, chunks, strict=True)
        ]
        if not any(isinstance(d, list) for d in shards):
            shards = None  # no axis could vary: a regular shard-less layout
    data = np.arange(1, int(np.prod(shape)) + 1, dtype=np.int32).reshape(shape)
    if ndim and data.size and draw(st.booleans()):  # sparse: some chunks never written
        grid = RectilinearChunkGrid(
            shape, tuple(tuple(d) if isinstance(d, list) else d for d in spec)
        )
        missing = np.random.default_rng(draw(st.integers(0, 2**16))).random(grid.grid_shape) < 0.5
        for coords in zip(*np.nonzero(missing), strict=True):
            data[grid.chunk_region(tuple(int(c) for c in coords))] = 0
    return {
        "data": data,
        "chunks": spec,
        "zarr_format": zarr_format,
        "shard_factor": factor,
        "shards": shards,
    }


def build(desc: dict[str, Any]) -> ZarrArray:
    return make_array(
        desc["data"],
        desc["chunks"],
        zarr_format=desc["zarr_format"],
        shard_factor=desc["shard_factor"],
        shards=desc.get("shards"),
    )


def int_array(draw: st.DrawFn, n: int, length: int, *, unique: bool = False) -> np.ndarray:
    """Integer indices into an axis of length ``n`` (negative ones too), unsorted."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    values = st.integers(-n, n - 1)
    if unique:
        picked = draw(st.lists(st.integers(0, n - 1), max_size=min(length, n), unique=True))
        signs = draw(st.lists(st.booleans(), min_size=len(picked), max_size=len(picked)))
        signed = [p - n if s else p for p, s in zip(picked, signs, strict=True)]
        return np.array(signed, dtype=np.int64)
    dtype = draw(st.sampled_from([np.int64, np.int32, np.int8])) if n <= 127 else np.int64
    return np.array(draw(st.lists(values, max_size=length)), dtype=dtype)


def slices(n: int) -> st.SearchStrategy[slice]:
    bound = st.none() | st.integers(-n - 2, n + 2)
    step = st.none() | st.integers(-3, 3).filter(lambda s: s != 0)
    return st.builds(slice, bound, bound, step)


def orthogonal_reference(data: np.ndarray, selection: tuple[Any, ...]) -> Any:
    """numpy's result of an orthogonal selection: ``np.ix_`` on positions, integer axes
    dropped (a scalar when every axis is an integer)."""
    if all(isinstance(s, int) for s in selection) and len(selection) == data.ndim:
        return data[selection]
    index = []
    for s, n in zip(selection, data.shape, strict=True):
        if isinstance(s, slice):
            index.append(np.arange(n)[s])
        elif isinstance(s, int):
            index.append(np.array([s]))
        else:
            arr = np.asarray(s)
            if arr.size == 0:
                arr = arr.astype(np.intp)
            index.append(np.flatnonzero(arr) if arr.dtype == bool else arr)
    out = data[np.ix_(*index)] if index else data[()]
    keep = tuple(n for s, n in zip(selection, out.shape, strict=True) if not isinstance(s, int))
    return out.reshape(keep)


def assert_same(actual: Any, expected: Any) -> None:
    """Same values, shape, and scalar-ness (numpy scalars against numpy scalars)."""
    assert isinstance(actual, np.ndarray) == isinstance(expected, np.ndarray), (
        type(actual),
        type(expected),
    )
    assert np.shape(actual) == np.shape(expected), (np.shape(actual), np.shape(expected))
    assert np.array_equal(actual, expected)
