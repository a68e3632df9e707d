"""simplezarr arrays in dask: :func:`to_dask` reads one as a dask array, :func:`store`
writes a dask array into one, both cut along the array's shards (or chunks).

Arrays are dask sources and targets without this module (``dask.array.from_array(a,
chunks=a.chunks)``, ``dask.array.store(x, a, lock=False)``): they pickle (store, path and
metadata; each process opens its own files and connections) and tokenize by where they
live, never by their data. What this module adds is the alignment: a dask chunk that covers
whole shards is read with one request per shard and written without reading anything back;
one that cuts a shard makes the shard be read, patched and rewritten once per dask chunk.
See docs/dask.md.

Example:
    >>> import numpy as np
    >>> import simplezarr
    >>> a = simplezarr.create_array({}, shape=(8, 8), chunks=(2, 2), shards=(4, 4), dtype="i4")
    >>> x = to_dask(a)
    >>> x.chunks
    ((8,), (8,))
    >>> _ = store(x + np.arange(64, dtype="i4").reshape(8, 8), a)
    >>> int(a[7, 7]), to_dask(a, chunks=(3, 8)).chunks
    (63, ((3, 3, 2), (8,)))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dask.array as da
from dask.array.core import normalize_chunks

from simplezarr.api.synchronous import open_array
from simplezarr.errors import InvalidArgument
from simplezarr.nodes import ZarrArray

__all__ = ["aligned_chunks", "store", "to_dask", "write_unit"]

Chunks = tuple[tuple[int, ...], ...]


def write_unit(array: ZarrArray) -> tuple[int, ...]:
    """The smallest block of ``array`` a write can replace without reading anything back:
    its shard shape when it is sharded, else its chunk shape.

    Example:
        >>> import simplezarr
        >>> write_unit(simplezarr.create_array({}, shape=(8,), chunks=(2,), shards=(4,), dtype="i1"))
        (4,)
    """
    return array.shards or array.chunks


def _is_aligned(chunks: Chunks, offsets: Sequence[int], unit: Sequence[int]) -> bool:
    for sizes, start, step in zip(chunks, offsets, unit, strict=True):
        edge = start
        for size in sizes[:-1]:  # the last block may end anywhere: at the array's edge
            edge += size
            if edge % step:
                return False
    return True


def aligned_chunks(
    shape: Sequence[int],
    unit: Sequence[int],
    size: Sequence[int] | None = None,
    offsets: Sequence[int] | None = None,
) -> Chunks:
    """dask chunks for a block of ``shape`` starting at ``offsets`` (default: the origin) of
    an array written in blocks of ``unit``: every boundary between two chunks falls on a
    multiple of ``unit``. ``size`` is the chunk size wanted along each axis, rounded to a
    multiple of ``unit`` (at least one unit); by default one unit.

    Example:
        >>> aligned_chunks((10,), (4,))
        ((4, 4, 2),)
        >>> aligned_chunks((10,), (4,), size=(7,), offsets=(2,))
        ((6, 4),)
    """
    offsets = tuple(offsets) if offsets is not None else (0,) * len(shape)
    wanted = tuple(size) if size is not None else tuple(unit)
    out = []
    for length, start, step, want in zip(shape, offsets, unit, wanted, strict=True):
        block = max(1, round(want / step)) * step
        sizes, pos, end = [], start, start + length
        while pos < end:
            nxt = min(end, (pos // block + 1) * block)
            sizes.append(nxt - pos)
            pos = nxt
        out.append(tuple(sizes) or (0,))
    return tuple(out)


def to_dask(
    array: ZarrArray | str,
    chunks: Any = None,
    *,
    storage_options: dict[str, Any] | None = None,
    **from_array_kwargs: Any,
) -> da.Array:
    """``array`` (or the array at a path or URL, opened read-only with ``storage_options``)
    as a dask array.

    ``chunks`` is as ``dask.array.from_array`` takes it; by default ("auto") blocks of about
    dask's ``array.chunk-size`` made of whole shards (whole chunks when unsharded). Other
    keywords go to ``dask.array.from_array``.

    Example:
        >>> import simplezarr
        >>> a = simplezarr.create_array({}, shape=(6, 5), chunks=(2, 5), dtype="f4")
        >>> to_dask(a).chunks, to_dask(a, chunks=(3, 5)).chunks
        (((6,), (5,)), ((3, 3), (5,)))
    """
    if isinstance(array, str):
        array = open_array(array, mode="r", storage_options=storage_options)
    if not isinstance(array, ZarrArray):
        raise InvalidArgument(
            f"to_dask reads a simplezarr array or a path/URL, not {type(array).__name__}"
        )
    auto = chunks is None or (isinstance(chunks, str) and chunks == "auto")
    if array.metadata.is_rectilinear:
        # blocks of the stored objects by default; dask asks for ``chunks``, which such an
        # array does not have (NotImplementedError), so it reads through a view without it
        chunks = array.write_chunk_sizes if auto else chunks
        return da.from_array(_Rectilinear(array), chunks=chunks, **from_array_kwargs)
    if auto:
        unit = write_unit(array)
        chunks = normalize_chunks("auto", array.shape, dtype=array.dtype, previous_chunks=unit)
        if not _is_aligned(chunks, (0,) * array.ndim, unit):
            chunks = aligned_chunks(array.shape, unit)
    return da.from_array(array, chunks=chunks, **from_array_kwargs)


class _Rectilinear:
    """A rectilinear array for ``dask.array.from_array``: its shape, dtype and selections,
    without the ``chunks`` it has none of (picklable: it holds the array)."""

    def __init__(self, array: ZarrArray) -> None:
        self.array = array
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim

    def __getitem__(self, selection: Any) -> Any:
        return self.array[selection]

    def __dask_tokenize__(self) -> Any:
        return ("simplezarr-rectilinear", self.array.__dask_tokenize__())


def _region_offsets(region: tuple[slice, ...] | None, array: ZarrArray) -> tuple[int, ...]:
    if region is None:
        return (0,) * array.ndim
    if len(region) != array.ndim or not all(isinstance(s, slice) for s in region):
        raise InvalidArgument(
            f"region must be {array.ndim} slices (one per dimension of {array.name!r}), "
            f"got {region!r}"
        )
    starts = []
    for s, n in zip(region, array.shape, strict=True):
        start, _, step = s.indices(n)
        if step != 1:
            raise InvalidArgument(f"region slices must have step 1, got {region!r}")
        starts.append(start)
    return tuple(starts)


def store(
    x: da.Array,
    array: ZarrArray,
    *,
    region: tuple[slice, ...] | None = None,
    lock: Any = False,
    compute: bool = True,
    **store_kwargs: Any,
) -> Any:
    """Write the dask array ``x`` into ``array`` (or into ``array[region]``), each dask
    chunk as one write of whole shards (whole chunks when unsharded).

    ``x`` is rechunked first when one of its boundaries cuts a shard: to blocks of whole
    shards about as large as its chunks. Aligned writes never touch the same stored object,
    so no lock is needed (``lock=False``), on threads or on a distributed cluster. Other
    keywords go to ``dask.array.store`` (with ``compute=False`` it returns a delayed value).

    Example:
        >>> import simplezarr
        >>> a = simplezarr.create_array({}, shape=(6,), chunks=(2,), shards=(4,), dtype="i2")
        >>> _ = store(da.arange(6, chunks=3, dtype="i2"), a)
        >>> a[:].tolist()
        [0, 1, 2, 3, 4, 5]
    """
    if not isinstance(array, ZarrArray):
        raise InvalidArgument(f"store writes into a simplezarr array, not {type(array).__name__}")
    x = da.asarray(x)
    offsets = _region_offsets(region, array)
    target = array.shape
    if region is not None:
        target = tuple(len(range(*s.indices(n))) for s, n in zip(region, array.shape, strict=True))
    if x.shape != target:
        raise InvalidArgument(
            f"cannot store a dask array of shape {x.shape} into {array.name!r} "
            f"{'region ' + repr(region) + ' ' if region else ''}of shape {target}"
        )
    if array.metadata.is_rectilinear:
        if region is not None:
            raise InvalidArgument(
                f"store into a region of {array.name!r} (a rectilinear chunk grid) is not "
                "aligned to its chunks by this function; write the whole array, or use "
                "dask.array.store with a lock"
            )
        # one write per stored object of the rectilinear grid: no two touch the same one
        x = x.rechunk(array.write_chunk_sizes)
        return da.store(x, array, lock=lock, compute=compute, **store_kwargs)
    unit = write_unit(array)
    if not _is_aligned(x.chunks, offsets, unit):
        typical = tuple(max(c) if c else 1 for c in x.chunks)
        x = x.rechunk(aligned_chunks(x.shape, unit, typical, offsets))
    return da.store(x, array, lock=lock, regions=region, compute=compute, **store_kwargs)
