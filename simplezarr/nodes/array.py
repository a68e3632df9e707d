"""Arrays: :class:`ZarrArray`, a proxy that reads and writes numpy data through the engine.

Example:
    >>> import numpy as np
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrArray
    >>> a = ZarrArray.create(MemoryStore(), "x", shape=(4, 4), dtype="int16", chunks=(2, 2))
    >>> a[:] = np.arange(16).reshape(4, 4)
    >>> a[1, 1:3].tolist(), a.nchunks
    ([5, 6], 4)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from typing import Any

import numpy as np

from simplezarr import concurrency, engine
from simplezarr.config import config as settings
from simplezarr.errors import (
    ContainsGroup,
    InvalidArgument,
    NoUniformChunkShape,
    SelectionError,
)
from simplezarr.indexing import BasicIndexer, Indexer, as_index, getitem_indexer
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.options import ArrayOptions
from simplezarr.metadata.store_io import prefix, write_metadata
from simplezarr.nodes import html as node_html
from simplezarr.nodes import info as node_info
from simplezarr.nodes.api_hooks import api_hook
from simplezarr.nodes.base import ZarrNode, _ensure_parents, _prepare_slot
from simplezarr.nodes.selection import SelectionMethods
from simplezarr.stores.base import BaseStore, listable, readable
from simplezarr.stores.paths import normalize_path

#: Settings an array accepts in ``config=``, as zarr-python's ArrayConfig.
ARRAY_CONFIG_KEYS = frozenset(
    {
        "write_empty_chunks",
        "order",
        "read_missing_chunks",
        "sharding_coalesce_max_gap_bytes",
        "sharding_coalesce_max_bytes",
    }
)


class ArrayConfig(Mapping[str, Any]):
    """An array's runtime settings, as zarr-python 3.4's ``array.config``: ``order`` (of
    reads), ``write_empty_chunks``, ``read_missing_chunks`` and the limits for merging reads
    of one shard (``sharding_coalesce_max_gap_bytes``, ``sharding_coalesce_max_bytes``; see
    :data:`simplezarr.config`); also readable as a mapping (``config["order"]``).

    Example:
        >>> c = ArrayConfig(order="F", write_empty_chunks=True)
        >>> c.order, c["write_empty_chunks"], sorted(c.to_dict())[:3]
        ('F', True, ['order', 'read_missing_chunks', 'sharding_coalesce_max_bytes'])
    """

    __slots__ = _FIELDS = (
        "order",
        "write_empty_chunks",
        "read_missing_chunks",
        "sharding_coalesce_max_gap_bytes",
        "sharding_coalesce_max_bytes",
    )

    order: str
    write_empty_chunks: bool
    #: False makes reading a chunk that is not stored raise ChunkNotFoundError.
    read_missing_chunks: bool
    sharding_coalesce_max_gap_bytes: int
    sharding_coalesce_max_bytes: int

    def __init__(
        self,
        order: str,
        write_empty_chunks: bool,
        *,
        read_missing_chunks: bool = True,
        sharding_coalesce_max_gap_bytes: int = 1 << 20,
        sharding_coalesce_max_bytes: int = 16 << 20,
    ) -> None:
        if order not in ("C", "F"):
            raise InvalidArgument(f"config order must be 'C' or 'F', got {order!r}")
        for name, flag in (
            ("write_empty_chunks", write_empty_chunks),
            ("read_missing_chunks", read_missing_chunks),
        ):
            if not isinstance(flag, bool):
                raise InvalidArgument(f"config {name} must be True or False, got {flag!r}")
        for name, size in (
            ("sharding_coalesce_max_gap_bytes", sharding_coalesce_max_gap_bytes),
            ("sharding_coalesce_max_bytes", sharding_coalesce_max_bytes),
        ):
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise InvalidArgument(f"config {name} must be an integer >= 0, got {size!r}")
        values = (
            order,
            write_empty_chunks,
            read_missing_chunks,
            sharding_coalesce_max_gap_bytes,
            sharding_coalesce_max_bytes,
        )
        for name, value in zip(self._FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ArrayConfig is frozen; use array.with_config({{{name!r}: ...}})")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArrayConfig:
        """Settings missing from ``data`` come from :data:`simplezarr.config`."""
        unknown = set(data) - set(cls._FIELDS)
        if unknown:
            raise InvalidArgument(
                f"unknown array config {sorted(unknown)}; known: {list(cls._FIELDS)}"
            )
        values = {name: data.get(name, getattr(settings, name)) for name in cls._FIELDS}
        return cls(values.pop("order"), values.pop("write_empty_chunks"), **values)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._FIELDS)

    def __len__(self) -> int:
        return len(self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ArrayConfig):
            return self.to_dict() == other.to_dict()
        return isinstance(other, Mapping) and self.to_dict() == dict(other)

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"ArrayConfig({inner})"


def _coalescing(config: Mapping[str, Any]) -> tuple[int, int] | None:
    """An array's own limits for merging a shard's reads, where its config sets one."""
    gap = config.get("sharding_coalesce_max_gap_bytes")
    most = config.get("sharding_coalesce_max_bytes")
    if gap is None and most is None:
        return None
    return (
        settings.sharding_coalesce_max_gap_bytes if gap is None else gap,
        settings.sharding_coalesce_max_bytes if most is None else most,
    )


def _array_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {}
    if not isinstance(config, Mapping) and hasattr(config, "to_dict"):
        config = config.to_dict()  # zarr-python's ArrayConfig
    if not isinstance(config, Mapping):
        raise InvalidArgument(f"config must be a mapping, got {type(config).__name__}")
    unknown = set(config) - ARRAY_CONFIG_KEYS
    if unknown:
        raise InvalidArgument(
            f"unknown array config {sorted(unknown)}; known: {sorted(ARRAY_CONFIG_KEYS)}"
        )
    ArrayConfig.from_dict(config)  # every value checked (InvalidArgument naming it)
    return dict(config)


def _chunk_sizes(grid: Any) -> tuple[tuple[int, ...], ...]:
    """Per dimension, the in-bounds size of every chunk of ``grid``."""
    if not grid.is_regular:
        return tuple(grid.chunk_sizes())
    return tuple(
        tuple(min(c, n - i * c) for i in range(g))
        for n, c, g in zip(grid.shape, grid.chunk_shape, grid.grid_shape, strict=True)
    )


def _chunk_index(index: Any, grid_shape: tuple[int, ...]) -> tuple[int, ...]:
    items = index if isinstance(index, tuple | list) else (index,)
    parsed = [as_index(i) for i in items]
    coords = tuple(i for i in parsed if i is not None)
    if len(coords) != len(parsed):
        raise SelectionError(f"a chunk index is a tuple of integers, got {index!r}")
    if len(coords) != len(grid_shape) or not all(
        0 <= c < n for c, n in zip(coords, grid_shape, strict=True)
    ):
        raise SelectionError(
            f"chunk index {coords} is outside the chunk grid of shape {grid_shape}"
        )
    return coords


class ZarrArray(SelectionMethods, ZarrNode):
    """An array: a proxy that reads and writes numpy data through the store.

    Index it like numpy to read or write: ``a[...]`` takes integers, slices (any step),
    Ellipsis, and integer or boolean arrays (dispatched as zarr-python does, see
    :meth:`__getitem__`). The other selection modes, each reading and writing:

    - :attr:`oindex`: orthogonal selection, each axis indexed on its own (``np.ix_``);
    - :attr:`vindex`: vectorized selection, numpy's advanced indexing (points, masks);
    - :attr:`blocks`: whole chunks (shards when sharded) by grid position;
    - the named methods ``get_basic_selection`` / ``set_basic_selection``,
      ``get_orthogonal_selection`` / ``set_orthogonal_selection``,
      ``get_coordinate_selection`` / ``set_coordinate_selection``,
      ``get_mask_selection`` / ``set_mask_selection`` and ``get_block_selection`` /
      ``set_block_selection`` (the ``get_*`` ones take ``out=``).
    """

    metadata: ArrayMetadata

    def __init__(
        self,
        store: BaseStore,
        path: str = "",
        metadata: ArrayMetadata | Mapping[str, Any] | None = None,
        *,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        wrapped = getattr(store, "sync", None)
        if isinstance(wrapped, ZarrArray) and config is None:  # zarr.Array(async_array)
            config = wrapped._config
        super().__init__(store, path, metadata)
        if not isinstance(self.metadata, ArrayMetadata):
            raise ContainsGroup(f"the node at {self.name!r} is a group, not an array")
        self._config = _array_config(config)
        self._io = self._bind(self.metadata)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        del state["_io"]  # bound to this process's objects: bound again by the copy
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._io = self._bind(self.metadata)

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """What dask names this array by: the store's identity (its ``lock_scope``: a
        directory, a URL, an in-memory dict), the path, the metadata document and the
        runtime settings; never the data, so tokenizing reads nothing. Rewriting the data
        keeps the token (pass ``name=`` to ``dask.array.from_array`` to read it afresh).

        Example:
            >>> from dask.base import tokenize
            >>> from simplezarr.stores import MemoryStore
            >>> store = MemoryStore()
            >>> a = ZarrArray.create(store, "x", shape=(4,), dtype="i2", chunks=(2,))
            >>> tokenize(a) == tokenize(ZarrArray(store, "x")), tokenize(a) == tokenize(
            ...     ZarrArray.create(store, "y", shape=(4,), dtype="i2", chunks=(2,)))
            (True, False)
        """
        scope = self.store.lock_scope
        if isinstance(scope, tuple) and scope[:1] == ("object",):
            scope = (*scope, repr(self.store))  # a store without a location: the object
        document = json.dumps(self.metadata.to_dict(), sort_keys=True, default=repr)
        return ("simplezarr.Array", repr(scope), self.path, document, sorted(self._config.items()))

    def _bind(self, metadata: ArrayMetadata) -> engine.ArrayIO:
        return engine.ArrayIO(
            self.store,
            self.path,
            metadata,
            write_empty_chunks=self._config.get("write_empty_chunks"),
            stored=True,
            read_missing_chunks=self._config.get("read_missing_chunks"),
            coalescing=_coalescing(self._config),
        )

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        assert isinstance(metadata, ArrayMetadata)  # _change_attributes checked the type
        self._io = self._bind(metadata)
        super()._metadata_changed(metadata)

    @classmethod
    def open(cls, store: Any) -> ZarrArray:
        """Open the existing array of a store-like (zarr-python's ``Array.open``); a missing
        array is an ArrayNotFoundError.

        Example:
            >>> import simplezarr as zarr
            >>> store = {}
            >>> _ = zarr.zeros((2,), store=store)
            >>> zarr.Array.open(store).shape
            (2,)
        """
        return api_hook("array_open")(store)

    @property
    def async_array(self) -> Any:
        """This array as a :class:`simplezarr.AsyncArray` (zarr-python's ``async_array``)."""
        return api_hook("async_array")(self)

    @classmethod
    def create(
        cls,
        store: BaseStore,
        path: str = "",
        options: ArrayOptions | None = None,
        *,
        config: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        **fields: Any,
    ) -> ZarrArray:
        """Create an array at ``path`` as ``options`` say, or as the ``fields`` of
        :class:`~simplezarr.metadata.options.ArrayOptions` (keyword names and defaults as
        zarr-python's create_array) say when no options object is given.

        ``fill_value`` left out means the data type's default; an explicit ``None`` is
        stored as ``null`` in Zarr v2 (as zarr-python does) and means the default in v3.
        """
        if options is None:
            options = ArrayOptions(**fields)
        elif fields:
            options = options.replace(**fields)
        path = normalize_path(path)
        _array_config(config)  # a typo in config fails before anything is written
        meta = options.metadata()
        _prepare_slot(store, path, overwrite, want="array")
        _ensure_parents(store, path, meta.zarr_format)
        write_metadata(store, path, meta)
        return cls(store, path, meta, config=config)

    # -- description ---------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.metadata.shape

    @property
    def dtype(self) -> np.dtype:
        return self.metadata.numpy_dtype

    @property
    def ndim(self) -> int:
        return len(self.metadata.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        """Bytes the whole array takes in memory (variable-length types: per object pointer)."""
        return self.size * self.dtype.itemsize

    @property
    def chunks(self) -> tuple[int, ...]:
        """The chunk shape (the inner chunk shape when sharded, as zarr-python); a
        rectilinear array's chunks have none (NoUniformChunkShape, a NotImplementedError as
        in zarr-python 3.4): see :attr:`read_chunk_sizes`."""
        if self._io.chain.shard is None and self.metadata.is_rectilinear:
            return self.metadata.chunks  # raises, naming what to use instead
        return self._io.chunk_shape

    @property
    def shards(self) -> tuple[int, ...] | None:
        """The shard shape, or None for an unsharded array (NoUniformChunkShape, a
        NotImplementedError as in zarr-python 3.4, for a rectilinear shard grid: see
        :attr:`write_chunk_sizes`)."""
        if self._io.chain.shard is None:
            return None
        if self.metadata.is_rectilinear:
            raise NoUniformChunkShape(
                "The shards of this array have no one shape: its shard grid is rectilinear "
                "(regular chunk grids only have a shard shape). Use write_chunk_sizes for the "
                "size of every shard"
            )
        return self.metadata.chunk_shape

    @property
    def read_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per dimension, the size of every chunk inside the array (the inner chunks when
        sharded; the last may be smaller), as zarr-python 3.4 and dask's ``chunks``.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> ZarrArray.create(MemoryStore(), shape=(5,), dtype="i1", chunks=(2,)).read_chunk_sizes
            ((2, 2, 1),)
        """
        return _chunk_sizes(self._io.inner_grid)

    @property
    def write_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per dimension, the size of every stored object inside the array: the shards when
        sharded, else the chunks (zarr-python 3.4's ``write_chunk_sizes``)."""
        return _chunk_sizes(self._io.grid)

    @property
    def fill_value(self) -> Any:
        return self.metadata.fill_value

    @property
    def order(self) -> str:
        """The memory order of reads: v2 the stored order, v3 ``config={"order": ...}``."""
        if self.metadata.zarr_format == 3:
            return str(self._config.get("order", settings.order))
        return self.metadata.order

    @property
    def nchunks(self) -> int:
        return self._io.inner_grid.nchunks

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __bool__(self) -> bool:
        """Always True, as zarr-python's arrays: an array object is a handle on stored data,
        so ``if array:`` never reads it (and never fails for 0-d or empty arrays). Test the
        content with ``array[...].any()`` or the size with ``array.size``."""
        return True

    def __repr__(self) -> str:
        return f"<Array {self.store_path} shape={self.shape} dtype={self.dtype}>"

    # -- reading and writing -------------------------------------------------------

    def _indexer(self, selection: Any) -> Indexer:
        return getitem_indexer(selection, self.shape, self._io.grid.axes)

    def __getitem__(self, selection: Any) -> Any:
        """Read a selection, dispatched as zarr-python does: integer arrays for every axis
        (or a boolean array) are points (:attr:`vindex`), one 1-d array among integers and
        slices (or 1-d arrays for every axis) is orthogonal (:attr:`oindex`), the rest basic.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="i2", chunks=(2, 2))
            >>> a[...] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
            >>> a[[0, 2], [1, 2]].tolist(), a[[2, 0], 1:].tolist(), a[1, ::-1].tolist()
            ([1, 8], [[7, 8], [1, 2]], [5, 4, 3])
        """
        return self._read(self._indexer(selection), None)

    def __setitem__(self, selection: Any, value: Any) -> None:
        """Write ``value`` (broadcast, numpy-style) into a selection dispatched as in
        :meth:`__getitem__`.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> a = ZarrArray.create(MemoryStore(), shape=(4,), dtype="i2", chunks=(2,))
            >>> a[[3, 0]] = [1, 2]
            >>> a[...].tolist()
            [2, 0, 0, 1]
        """
        self._write(self._indexer(selection), value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = np.asarray(self[...])
        return data if dtype is None else data.astype(dtype)

    def __iter__(self) -> Iterator[Any]:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def _chunk_region(self, index: Any) -> tuple[slice, ...]:
        grid = self._io.inner_grid
        return grid.chunk_region(_chunk_index(index, grid.grid_shape))

    def get_chunk(self, index: Any) -> np.ndarray:
        """Read one chunk (index in chunk-grid coordinates) into a numpy array.

        The result is the part of the chunk inside the array (edge chunks are smaller).
        On a sharded array, chunks are the inner chunks. Blocking.
        """
        return np.asarray(self[self._chunk_region(index)])

    def get_chunk_future(self, index: Any) -> Future[np.ndarray]:
        """Read one chunk in the shared thread pool; returns a concurrent.futures.Future.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> a = ZarrArray.create(MemoryStore(), shape=(4,), dtype="i2", chunks=(2,))
            >>> a.get_chunk_future((1,)).result().tolist()
            [0, 0]
        """
        region = self._chunk_region(index)  # bad indices fail here, not in the future
        return concurrency.submit(lambda: np.asarray(self[region]))

    def set_chunk(self, data: Any, index: Any, check_empty: bool = True) -> None:
        """Write one chunk. ``data`` has the shape of the chunk's part inside the array, or
        the full chunk shape (the part past the array's edge is then ignored).

        With ``check_empty``, a chunk equal to the fill value is not stored (a stored copy
        is deleted). Blocking.
        """
        grid = self._io.inner_grid
        coords = _chunk_index(index, grid.grid_shape)
        region = grid.chunk_region(coords)
        data = np.asarray(data)
        full = grid.chunk_size(coords)
        if data.shape == full and full != grid.chunk_extent(coords):
            data = data[tuple(slice(0, r.stop - r.start) for r in region)]
        engine.write(
            self._io,
            BasicIndexer(region, self.shape, self._io.grid.axes),
            data,
            write_empty_chunks=not check_empty,
        )

    def set_chunk_future(self, data: Any, index: Any) -> Future[None]:
        """Write one chunk in the shared thread pool; returns a concurrent.futures.Future.

        ``data`` is copied first, so changing it after the call does not change what is
        written.
        """
        self._chunk_region(index)
        data = np.array(data, copy=True)
        return concurrency.submit(lambda: self.set_chunk(data, index))

    # -- changing shape ------------------------------------------------------------

    def resize(self, *new_shape: Any) -> None:
        """Change the shape. Data outside the new shape is dropped; new space reads as fill."""
        if len(new_shape) == 1 and isinstance(new_shape[0], tuple | list):
            new_shape = tuple(new_shape[0])
        parsed = [as_index(s) for s in new_shape]
        if len(parsed) != self.ndim or any(s is None or s < 0 for s in parsed):
            raise InvalidArgument(
                f"resize needs {self.ndim} non-negative integers for the {self.ndim}-d array "
                f"{self.name!r}, got {new_shape!r}"
            )
        shape = tuple(s for s in parsed if s is not None)  # none is, after the check above
        self._check_writable()
        metadata = self.metadata.with_shape(shape)  # validated before anything changes
        engine.clear_outside(self._io, shape)
        write_metadata(self.store, self.path, metadata)
        self._metadata_changed(metadata)

    def append(self, data: Any, axis: int = 0) -> tuple[int, ...]:
        """Grow along ``axis`` and write ``data`` into the new part; returns the new shape."""
        data = np.asarray(data)
        if data.ndim != self.ndim:
            raise InvalidArgument(f"data has {data.ndim} dimensions, the array {self.ndim}")
        axis = axis + self.ndim if axis < 0 else axis
        if not 0 <= axis < self.ndim:
            raise InvalidArgument(f"axis {axis} is out of range for a {self.ndim}-d array")
        for i, (a, b) in enumerate(zip(self.shape, data.shape, strict=True)):
            if i != axis and a != b:
                raise InvalidArgument(
                    f"shape of data {data.shape} does not match the array {self.shape} "
                    f"outside axis {axis}"
                )
        old = self.shape[axis]
        new_shape = tuple(
            s + data.shape[axis] if i == axis else s for i, s in enumerate(self.shape)
        )
        self.resize(new_shape)
        region = tuple(slice(old, None) if i == axis else slice(None) for i in range(self.ndim))
        self[region] = data
        return new_shape

    # -- zarr-python's array surface -------------------------------------------------

    @property
    def config(self) -> ArrayConfig:
        """The runtime settings, ``order`` and ``write_empty_chunks``, those the array was
        not given as :data:`simplezarr.config` has them now (zarr-python's ArrayConfig)."""
        return ArrayConfig.from_dict(self._config)

    def with_config(self, config: Mapping[str, Any]) -> ZarrArray:
        """The same array with other runtime settings (``order``, ``write_empty_chunks``)."""
        out = type(self)(self.store, self.path, self.metadata, config={**self._config, **config})
        out._consolidated_parent = self._consolidated_parent
        return out

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """The number of chunks along each dimension (inner chunks when sharded)."""
        return self._io.inner_grid.grid_shape

    @property
    def filters(self) -> tuple[Any, ...]:
        """v3: the array -> array codecs; v2: the numcodecs filters."""
        return node_info.codec_parts(self.metadata)[0]

    @property
    def serializer(self) -> Any | None:
        """v3: the array -> bytes codec (inside the shards when sharded); v2: None."""
        return node_info.codec_parts(self.metadata)[1]

    @property
    def compressors(self) -> tuple[Any, ...]:
        """v3: the bytes -> bytes codecs; v2: the compressor, if any, in a tuple."""
        return node_info.codec_parts(self.metadata)[2]

    @property
    def compressor(self) -> Any | None:
        """The v2 compressor (numcodecs object or None); v3 arrays have ``compressors``."""
        if self.metadata.zarr_format != 2:
            raise InvalidArgument("compressor is a Zarr v2 property; use compressors for v3 arrays")
        compressors = self.compressors
        return compressors[0] if compressors else None

    def nbytes_stored(self) -> int:
        """Bytes stored under the array's path: metadata documents and chunks."""
        what = f"measure the bytes stored for {self.name!r}"
        keys = listable(self.store, what).list_prefix(prefix(self.path))
        store = readable(self.store, what)
        return sum(store.getsize(k) for k in keys)

    @property
    def nchunks_initialized(self) -> int:
        """How many chunks are stored (for a sharded array: the chunks of the stored shards,
        as zarr-python counts)."""
        return engine.inner_chunks_stored(self._io)

    @property
    def info(self) -> node_info.Info:
        """A summary of the array (type, shape, chunks, codecs, sizes)."""
        return node_info.array_info(self)

    def info_complete(self) -> node_info.Info:
        """:attr:`info` plus the bytes stored and the chunks initialized (lists the store)."""
        return node_info.array_info(self, self.nbytes_stored)

    def _repr_html_(self) -> str:
        """The array in a notebook: its info, stored size and ratio (see ``nodes.html``)."""
        return node_html.array_html(self)
