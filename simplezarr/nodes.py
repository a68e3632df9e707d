"""Nodes of a Zarr hierarchy: groups and arrays, on top of a store and the engine.

Example:
    >>> import numpy as np
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrGroup, open_zarr
    >>> root = ZarrGroup.create(MemoryStore())
    >>> a = root.create_array("x", shape=(4, 4), dtype="int16", chunks=(2, 2))
    >>> a[:] = np.arange(16).reshape(4, 4)
    >>> open_zarr(root.store)["x"][1, 1:3].tolist()
    [5, 6]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future
from typing import Any

import numpy as np

from simplezarr import concurrency, engine
from simplezarr.errors import (
    ContainsArray,
    ContainsGroup,
    InvalidArgument,
    InvalidKey,
    InvalidMetadata,
    NodeNotFound,
    ReadOnlyError,
    SelectionError,
    ZarrError,
)
from simplezarr.indexing import BasicIndexer, as_index
from simplezarr.metadata.defaults import NULL_FILL, build_array_metadata
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.store_io import load_metadata, prefix, write_metadata
from simplezarr.metadata.v3 import parse_node_v3
from simplezarr.stores import validate_key


def _normalize_path(path: str) -> str:
    """Strip surrounding slashes; validate what is left as a store key (or root)."""
    if not isinstance(path, str):
        raise InvalidKey(f"node paths are strings, got {path!r} ({type(path).__name__})")
    path = path.strip("/")
    if path:
        validate_key(path)
    return path


def _join(parent: str, name: str) -> str:
    name = _normalize_path(name)
    return f"{parent}/{name}" if parent and name else parent or name


_UNSET: Any = object()  # "not given", where None means something

#: The documents whose presence makes a folder a node.
NODE_DOCUMENTS = ("zarr.json", ".zarray", ".zgroup")

#: Settings an array accepts in ``config=``, as zarr-python's ArrayConfig.
ARRAY_CONFIG_KEYS = frozenset({"write_empty_chunks", "order"})


def _array_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise InvalidArgument(f"config must be a mapping, got {type(config).__name__}")
    unknown = set(config) - ARRAY_CONFIG_KEYS
    if unknown:
        raise InvalidArgument(
            f"unknown array config {sorted(unknown)}; known: {sorted(ARRAY_CONFIG_KEYS)}"
        )
    if config.get("order", "C") not in ("C", "F"):
        raise InvalidArgument(f"config order must be 'C' or 'F', got {config['order']!r}")
    return dict(config)


def _node(store: Any, path: str, metadata: ArrayMetadata | GroupMetadata) -> ZarrNode:
    cls = ZarrArray if isinstance(metadata, ArrayMetadata) else ZarrGroup
    return cls(store, path, metadata)


def open_zarr(store: Any, path: str = "") -> ZarrNode:
    """Open the group or array at ``path`` (default: the root) of a store.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> from simplezarr.nodes import ZarrGroup, open_zarr
        >>> _ = ZarrGroup.create(MemoryStore(), attributes={"a": 1})
        >>> open_zarr(_.store).attrs["a"]
        1
    """
    path = _normalize_path(path)
    return _node(store, path, load_metadata(store, path))


class Attributes(MutableMapping[str, Any]):
    """A node's user attributes; every change is written back to the store at once."""

    def __init__(self, node: ZarrNode) -> None:
        self._node = node

    def _data(self) -> Mapping[str, Any]:
        return self._node.metadata.attributes

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        def drop(attrs: dict[str, Any]) -> dict[str, Any]:
            del attrs[key]
            return attrs

        self._node._change_attributes(drop)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:  # one write, not one per key
        new = dict(other, **kwargs)
        self._node._change_attributes(lambda attrs: {**attrs, **new})

    def put(self, attrs: Mapping[str, Any]) -> None:
        """Replace all attributes."""
        new = dict(attrs)
        self._node._change_attributes(lambda _: new)

    def asdict(self) -> dict[str, Any]:
        return dict(self._data())

    def __repr__(self) -> str:
        return repr(dict(self._data()))


class ZarrNode:
    """What groups and arrays share: a store, a path in it, metadata and attributes."""

    def __init__(
        self, store: Any, path: str, metadata: ArrayMetadata | GroupMetadata | Mapping | None = None
    ) -> None:
        self.store = store
        self.path = _normalize_path(path)
        if metadata is None:
            metadata = load_metadata(store, self.path)
        elif isinstance(metadata, Mapping):  # the seed allows the zarr.json document itself
            metadata = parse_node_v3(metadata, self.path)
        self.metadata: ArrayMetadata | GroupMetadata = metadata

    @property
    def name(self) -> str:
        """Absolute path of the node, as zarr-python: ``"/"`` for the root."""
        return "/" + self.path

    @property
    def basename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def zarr_format(self) -> int:
        return self.metadata.zarr_format

    @property
    def read_only(self) -> bool:
        return bool(self.store.read_only)

    @property
    def attrs(self) -> Attributes:
        return Attributes(self)

    def _change_attributes(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Apply ``change`` to the attributes as stored now and write them back.

        The document is read again first, so a change through this handle never undoes
        what another handle stored meanwhile (a resize, other attributes).
        """
        if self.read_only:
            raise ReadOnlyError(f"cannot change attributes of {self.name!r}: it is read-only")
        current = load_metadata(self.store, self.path)
        if type(current) is not type(self.metadata):
            raise NodeNotFound(f"the {type(self).__name__} at {self.name!r} was replaced")
        # Validated (JSON types, nesting depth) and serialised before anything is stored.
        metadata = current.with_attributes(change(dict(current.attributes)))
        write_metadata(self.store, self.path, metadata)
        self._metadata_changed(metadata)

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        self.metadata = metadata

    def print_metadata(self) -> None:
        """Print the node's metadata document, as stored."""
        doc = self.metadata.to_json()
        if self.metadata.zarr_format == 2 and self.metadata.attributes:
            doc = {**doc, "attributes": dict(self.metadata.attributes)}
        print(json.dumps(doc, indent=2, default=str))

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.path == other.path  # type: ignore[attr-defined]
            and (self.store is other.store or self.store == other.store)  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:  # equal nodes have equal paths
        return hash((type(self), self.path))


class ZarrGroup(ZarrNode):
    """A group: a node whose children are groups and arrays.

    ``repr()`` shows the children; ``group["path/to/node"]`` navigates.
    """

    metadata: GroupMetadata

    @classmethod
    def create(
        cls,
        store: Any,
        path: str = "",
        *,
        attributes: Mapping[str, Any] | None = None,
        zarr_format: int = 3,
        overwrite: bool = False,
    ) -> ZarrGroup:
        """Create a group (and any missing parent groups) at ``path``."""
        path = _normalize_path(path)
        if zarr_format not in (2, 3):
            raise InvalidMetadata(f"zarr_format must be 2 or 3, got {zarr_format!r}")
        _prepare_slot(store, path, overwrite, want="group")
        meta = GroupMetadata(zarr_format=zarr_format, attributes=dict(attributes or {}))
        _ensure_parents(store, path, zarr_format)
        write_metadata(store, path, meta)
        return cls(store, path, meta)

    # -- navigation ----------------------------------------------------------------

    def __getitem__(self, path: str) -> ZarrNode:
        """The node at ``path`` below this group (nested paths like ``"a/b/c"`` work)."""
        full = _join(self.path, path)
        if full == self.path:
            return self
        try:
            return open_zarr(self.store, full)
        except NodeNotFound:
            raise NodeNotFound(f"no array or group named {path!r} in group {self.name!r}") from None

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        try:
            self[path]
        except ZarrError:  # missing, unreadable, or not a legal path
            return False
        return True

    def keys(self) -> list[str]:
        """Names of the direct children, sorted. Found from the listing and the presence of
        metadata documents, without parsing them, so an unreadable child is still listed."""
        p = prefix(self.path)
        names = sorted(k[len(p) : -1] for k in self.store.list_dir(p) if k.endswith("/"))
        docs = [f"{p}{name}/{doc}" for name in names for doc in NODE_DOCUMENTS]
        present = {d for d in docs if self.store.exists(d)}
        return [n for n in names if any(f"{p}{n}/{doc}" in present for doc in NODE_DOCUMENTS)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def members(self) -> list[tuple[str, ZarrNode]]:
        """The direct children as (name, node) pairs, sorted by name.

        An unreadable child (unknown codec, corrupt metadata) raises its error here, as
        opening it would; :meth:`keys` and ``repr`` still show it.
        """
        return [(name, open_zarr(self.store, _join(self.path, name))) for name in self.keys()]

    def groups(self) -> list[tuple[str, ZarrGroup]]:
        """The direct child groups as (name, group) pairs."""
        return [(n, m) for n, m in self.members() if isinstance(m, ZarrGroup)]

    def arrays(self) -> list[tuple[str, ZarrArray]]:
        """The direct child arrays as (name, array) pairs."""
        return [(n, m) for n, m in self.members() if isinstance(m, ZarrArray)]

    def tree(self, max_depth: int | None = None) -> str:
        """A text drawing of the hierarchy below this group."""
        lines = [self.name]

        def walk(group: ZarrGroup, indent: str, depth: int) -> None:
            names = group.keys()
            for i, name in enumerate(names):
                last = i == len(names) - 1
                branch = "└── " if last else "├── "
                try:
                    node = open_zarr(group.store, _join(group.path, name))
                except ZarrError as e:
                    lines.append(f"{indent}{branch}{name} <unreadable: {type(e).__name__}: {e}>")
                    continue
                if isinstance(node, ZarrArray):
                    lines.append(f"{indent}{branch}{name} {node.shape} {node.dtype}")
                else:
                    lines.append(f"{indent}{branch}{name}")
                    if max_depth is None or depth < max_depth:
                        walk(node, indent + ("    " if last else "│   "), depth + 1)  # type: ignore[arg-type]

        walk(self, "", 1)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ZarrGroup {self.name} (zarr v{self.zarr_format})>\n{self.tree()}"

    # -- creation ------------------------------------------------------------------

    def create_group(
        self, name: str, *, attributes: Mapping[str, Any] | None = None, overwrite: bool = False
    ) -> ZarrGroup:
        """Create a child group (nested names create the groups between)."""
        self._check_writable()
        return ZarrGroup.create(
            self.store,
            _join(self.path, name),
            attributes=attributes,
            zarr_format=self.zarr_format,
            overwrite=overwrite,
        )

    def require_group(self, name: str, **kwargs: Any) -> ZarrGroup:
        """The child group ``name``, created if it does not exist."""
        try:
            node = self[name]
        except NodeNotFound:
            return self.create_group(name, **kwargs)
        if not isinstance(node, ZarrGroup):
            raise ContainsArray(f"an array exists at {node.name!r}, not a group")
        return node

    def create_array(self, name: str, **kwargs: Any) -> ZarrArray:
        """Create a child array; keywords as :meth:`ZarrArray.create` (zarr-python's create_array).

        The array's ``zarr_format`` defaults to the group's.
        """
        self._check_writable()
        kwargs.setdefault("zarr_format", self.zarr_format)
        return ZarrArray.create(self.store, _join(self.path, name), **kwargs)

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"group {self.name!r} is read-only")


def _ensure_parents(store: Any, path: str, zarr_format: int) -> None:
    """Make every ancestor of ``path`` a group (zarr-python does the same)."""
    parts = path.split("/")[:-1] if path else []
    for i in range(len(parts) + 1):
        parent = "/".join(parts[:i])
        if parent == path:
            break
        try:
            meta = load_metadata(store, parent)
        except NodeNotFound:
            write_metadata(store, parent, GroupMetadata(zarr_format=zarr_format, attributes={}))
            continue
        if isinstance(meta, ArrayMetadata):
            raise ContainsArray(
                f"cannot create a node below {parent or '/'!r}: an array is stored there"
            )


def _prepare_slot(store: Any, path: str, overwrite: bool, want: str) -> None:
    """Refuse to replace an existing node unless ``overwrite``; then clear it."""
    if store.read_only:
        raise ReadOnlyError(f"cannot create a {want} at {path or '/'!r}: the store is read-only")
    try:
        existing = load_metadata(store, path)
    except NodeNotFound:
        return
    except InvalidMetadata:
        existing = None
    if not overwrite:
        kind = ContainsArray if isinstance(existing, ArrayMetadata) else ContainsGroup
        what = "an array" if kind is ContainsArray else "a group"
        raise kind(
            f"{what} already exists at {path or '/'!r}; pass overwrite=True to replace it"
        )
    store.erase_prefix(prefix(path))


def _chunk_index(index: Any, grid_shape: tuple[int, ...]) -> tuple[int, ...]:
    items = index if isinstance(index, tuple | list) else (index,)
    parsed = [as_index(i) for i in items]
    if any(i is None for i in parsed):
        raise SelectionError(f"a chunk index is a tuple of integers, got {index!r}")
    coords = tuple(parsed)  # type: ignore[arg-type]
    if len(coords) != len(grid_shape) or not all(
        0 <= c < n for c, n in zip(coords, grid_shape, strict=True)
    ):
        raise SelectionError(
            f"chunk index {coords} is outside the chunk grid of shape {grid_shape}"
        )
    return coords


class ZarrArray(ZarrNode):
    """An array: a proxy that reads and writes numpy data through the store.

    Index it like numpy (integers, slices with any step, Ellipsis) to read or write.
    """

    metadata: ArrayMetadata

    def __init__(
        self,
        store: Any,
        path: str,
        metadata: ArrayMetadata | Mapping[str, Any] | None = None,
        *,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(store, path, metadata)
        if not isinstance(self.metadata, ArrayMetadata):
            raise ContainsGroup(f"the node at {self.name!r} is a group, not an array")
        self._config = _array_config(config)
        self._io = self._bind(self.metadata)

    def _bind(self, metadata: ArrayMetadata) -> engine.ArrayIO:
        return engine.ArrayIO(
            self.store, self.path, metadata,
            write_empty_chunks=self._config.get("write_empty_chunks"),
        )

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        assert isinstance(metadata, ArrayMetadata)  # _change_attributes checked the type
        self.metadata = metadata
        self._io = self._bind(metadata)

    @classmethod
    def create(
        cls,
        store: Any,
        path: str = "",
        *,
        shape: Any,
        dtype: Any,
        chunks: Any = "auto",
        shards: Any = None,
        filters: Any = "auto",
        compressors: Any = "auto",
        serializer: Any = "auto",
        fill_value: Any = _UNSET,
        order: Any = None,
        attributes: Mapping[str, Any] | None = None,
        dimension_names: Any = None,
        chunk_key_encoding: Any = None,
        zarr_format: int = 3,
        config: Mapping[str, Any] | None = None,
        overwrite: bool = False,
    ) -> ZarrArray:
        """Create an array at ``path``; keyword names and defaults as zarr-python's create_array.

        ``fill_value`` left out means the data type's default; an explicit ``None`` is
        stored as ``null`` in Zarr v2 (as zarr-python does) and means the default in v3.
        """
        path = _normalize_path(path)
        _array_config(config)  # a typo in config fails before anything is written
        if fill_value is _UNSET:
            fill_value = None
        elif fill_value is None and zarr_format == 2:
            fill_value = NULL_FILL
        if isinstance(shape, int | np.integer):
            shape = (int(shape),)
        meta = build_array_metadata(
            shape=tuple(shape),
            dtype=dtype,
            chunks=chunks,
            shards=shards,
            filters=filters,
            compressors=compressors,
            serializer=serializer,
            fill_value=fill_value,
            order=order,
            attributes=attributes,
            dimension_names=dimension_names,
            chunk_key_encoding=chunk_key_encoding,
            zarr_format=zarr_format,
        )
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
        """The chunk shape (the inner chunk shape when sharded, as zarr-python)."""
        return self._io.read_grid.chunk_shape

    @property
    def shards(self) -> tuple[int, ...] | None:
        """The shard shape, or None for an unsharded array."""
        return self.metadata.chunk_shape if self._io.shard is not None else None

    @property
    def fill_value(self) -> Any:
        return self.metadata.fill_value

    @property
    def order(self) -> str:
        return self.metadata.order

    @property
    def nchunks(self) -> int:
        return self._io.read_grid.nchunks

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<ZarrArray {self.name} shape={self.shape} dtype={self.dtype}>"

    # -- reading and writing -------------------------------------------------------

    def _indexer(self, selection: Any) -> BasicIndexer:
        return BasicIndexer(selection, self.shape, self.chunks)

    def __getitem__(self, selection: Any) -> Any:
        indexer = self._indexer(selection)
        out = np.empty(indexer.shape, dtype=self.dtype, order=self._config.get("order", "C"))
        return engine.read(self._io, indexer, out)

    def __setitem__(self, selection: Any, value: Any) -> None:
        engine.write(self._io, self._indexer(selection), value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = np.asarray(self[...])
        return data if dtype is None else data.astype(dtype)

    def __iter__(self) -> Iterator[Any]:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def _chunk_region(self, index: Any) -> tuple[slice, ...]:
        coords = _chunk_index(index, self._io.read_grid.grid_shape)
        return self._io.read_grid.chunk_region(coords)

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
        coords = _chunk_index(index, self._io.read_grid.grid_shape)
        region = self._io.read_grid.chunk_region(coords)
        data = np.asarray(data)
        full = self._io.read_grid.chunk_shape
        if data.shape == full and full != self._io.read_grid.chunk_extent(coords):
            data = data[tuple(slice(0, r.stop - r.start) for r in region)]
        engine.write(
            self._io,
            BasicIndexer(region, self.shape, self.chunks),
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
        shape = tuple(parsed)  # type: ignore[arg-type]
        if self.read_only:
            raise ReadOnlyError(f"array {self.name!r} is read-only")
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
        new_shape = tuple(s + data.shape[axis] if i == axis else s for i, s in enumerate(self.shape))
        self.resize(new_shape)
        region = tuple(slice(old, None) if i == axis else slice(None) for i in range(self.ndim))
        self[region] = data
        return new_shape
