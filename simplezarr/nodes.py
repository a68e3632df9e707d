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

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from simplezarr import concurrency, engine
from simplezarr.errors import (
    ContainsArray,
    ContainsArrayError,
    ContainsGroup,
    ContainsGroupError,
    InvalidArgument,
    InvalidKey,
    InvalidMetadata,
    NodeNotFound,
    ReadOnlyNodeError,
    SelectionError,
    ZarrError,
)
from simplezarr.indexing import BasicIndexer, as_index
from simplezarr.selection import Indexer, SelectionMethods, getitem_indexer
from simplezarr import node_info
from simplezarr.metadata.consolidated import child_metadata, inline_entries
from simplezarr.metadata.defaults import NULL_FILL, build_array_metadata
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.store_io import load_metadata, prefix, write_metadata
from simplezarr.metadata.v3 import parse_node_v3
from simplezarr.stores import validate_key

if TYPE_CHECKING:
    from simplezarr.storage import StorePath


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


def _without_consolidated(
    metadata: ArrayMetadata | GroupMetadata,
) -> ArrayMetadata | GroupMetadata:
    if isinstance(metadata, GroupMetadata) and metadata.consolidated_metadata is not None:
        return dataclasses.replace(metadata, consolidated_metadata=None)
    return metadata


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
            raise ReadOnlyNodeError(f"cannot change attributes of {self.name!r}: it is read-only")
        current = load_metadata(self.store, self.path)
        if type(current) is not type(self.metadata):
            raise NodeNotFound(f"the {type(self).__name__} at {self.name!r} was replaced")
        # Validated (JSON types, nesting depth) and serialised before anything is stored.
        metadata = current.with_attributes(change(dict(current.attributes)))
        write_metadata(self.store, self.path, metadata)
        self._metadata_changed(metadata)

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        self.metadata = metadata

    @property
    def store_path(self) -> StorePath:
        """The node's store and path as a :class:`simplezarr.storage.StorePath`."""
        from simplezarr.storage import StorePath

        return StorePath(self.store, self.path)

    def update_attributes(self, new_attributes: Mapping[str, Any]) -> Self:
        """Merge ``new_attributes`` into the stored attributes (one write); returns the node.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> ZarrGroup.create(MemoryStore()).update_attributes({"a": 1}).attrs["a"]
            1
        """
        self.attrs.update(new_attributes)
        return self

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
        """The node at ``path`` below this group (nested paths like ``"a/b/c"`` work).

        A group opened with consolidated metadata answers from it, without reading the store.
        """
        full = _join(self.path, path)
        if full == self.path:
            return self
        consolidated = self.metadata.consolidated_metadata
        if consolidated is not None:
            relative = full[len(self.path) + 1 :] if self.path else full
            try:
                return _node(self.store, full, child_metadata(consolidated, relative, full))
            except NodeNotFound:
                raise NodeNotFound(
                    f"no array or group named {path!r} in the consolidated metadata of group "
                    f"{self.name!r}"
                ) from None
        try:
            return open_zarr(self.store, full)
        except NodeNotFound:
            raise NodeNotFound(f"no array or group named {path!r} in group {self.name!r}") from None

    def get(self, path: str, default: Any = None) -> Any:
        """The node at ``path``, or ``default`` when there is none."""
        try:
            return self[path]
        except NodeNotFound:
            return default

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
        metadata documents, without parsing them, so an unreadable child is still listed
        (or from the consolidated metadata, when the group was opened with it)."""
        consolidated = self.metadata.consolidated_metadata
        if consolidated is not None:
            return sorted(k for k in inline_entries(consolidated, self.path) if "/" not in k)
        p = prefix(self.path)
        names = sorted(k[len(p) : -1] for k in self.store.list_dir(p) if k.endswith("/"))
        docs = [f"{p}{name}/{doc}" for name in names for doc in NODE_DOCUMENTS]
        present = {d for d in docs if self.store.exists(d)}
        return [n for n in names if any(f"{p}{n}/{doc}" in present for doc in NODE_DOCUMENTS)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def members(
        self, max_depth: int | None = 0, *, use_consolidated_for_children: bool = True
    ) -> tuple[tuple[str, ZarrNode], ...]:
        """The nodes below this group as (path relative to it, node) pairs, each child before
        its own members; ``max_depth=0`` gives the direct children, ``None`` everything.

        An unreadable child (unknown codec, corrupt metadata) raises its error here, as
        opening it would; :meth:`keys` and ``repr`` still show it. With
        ``use_consolidated_for_children=False`` child groups are read from the store even
        when this group holds consolidated metadata.
        """
        if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 0):
            raise InvalidArgument(f"max_depth must be None or an int >= 0, got {max_depth!r}")
        found: list[tuple[str, ZarrNode]] = []

        def walk(group: ZarrGroup, at: str, depth: int) -> None:
            for name in group.keys():
                node = group[name]
                if isinstance(node, ZarrGroup) and not use_consolidated_for_children:
                    stored = load_metadata(node.store, node.path)  # not the consolidated copy
                    node = ZarrGroup(node.store, node.path, _without_consolidated(stored))
                found.append((at + name, node))
                if isinstance(node, ZarrGroup) and (max_depth is None or depth < max_depth):
                    walk(node, f"{at}{name}/", depth + 1)

        walk(self, "", 0)
        return tuple(found)

    def nmembers(self, max_depth: int | None = 0) -> int:
        """How many nodes :meth:`members` would give for ``max_depth``."""
        return len(self.members(max_depth))

    def groups(self) -> list[tuple[str, ZarrGroup]]:
        """The direct child groups as (name, group) pairs."""
        return [(n, m) for n, m in self.members() if isinstance(m, ZarrGroup)]

    def arrays(self) -> list[tuple[str, ZarrArray]]:
        """The direct child arrays as (name, array) pairs."""
        return [(n, m) for n, m in self.members() if isinstance(m, ZarrArray)]

    def group_keys(self) -> list[str]:
        """Names of the direct child groups."""
        return [n for n, _ in self.groups()]

    def group_values(self) -> list[ZarrGroup]:
        """The direct child groups."""
        return [g for _, g in self.groups()]

    def array_keys(self) -> list[str]:
        """Names of the direct child arrays."""
        return [n for n, _ in self.arrays()]

    def array_values(self) -> list[ZarrArray]:
        """The direct child arrays."""
        return [a for _, a in self.arrays()]

    def tree(
        self,
        expand: bool | None = None,
        level: int | None = None,
        *,
        max_depth: int | None = None,
        max_nodes: int = 500,
        plain: bool = False,
    ) -> node_info.TreeRepr:
        """A text drawing of the hierarchy below this group (a ``str`` whose repr is the
        drawing). ``level=0`` (zarr-python's name) or ``max_depth=1`` shows only the direct
        children. ``expand`` and ``plain`` are accepted for zarr-python compatibility; the
        drawing is always plain text.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> g = ZarrGroup.create(MemoryStore())
            >>> _ = g.create_array("a/x", shape=(2,), dtype="i1")
            >>> g.tree()
            /
            └── a
                └── x (2,) int8
        """
        if level is not None:
            max_depth = level + 1
        return node_info.render_tree(self, max_depth, max_nodes)

    @property
    def info(self) -> node_info.Info:
        """A summary of the group (member counts when it holds consolidated metadata)."""
        if self.metadata.consolidated_metadata is None:
            return node_info.group_info(self)
        return node_info.group_info(self, [n for _, n in self.members(max_depth=None)])

    def info_complete(self) -> node_info.Info:
        """A summary of the group with member counts (lists the whole hierarchy)."""
        return node_info.group_info(self, [n for _, n in self.members(max_depth=None)])

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

    def require_groups(self, *names: str) -> tuple[ZarrGroup, ...]:
        """The child groups ``names``, each created if it does not exist."""
        return tuple(self.require_group(name) for name in names)

    def create_array(self, name: str, *, compressor: Any = "auto", **kwargs: Any) -> ZarrArray:
        """Create a child array; keywords as zarr-python's ``Group.create_array`` (those of
        :func:`simplezarr.create_array`, ``data`` included, and the older ``compressor``).

        The array's ``zarr_format`` is the group's. Defaults are ``create_array``'s
        everywhere (zarr-python's v2 groups alone default to blosc instead of zstd).

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> g = ZarrGroup.create(MemoryStore())
            >>> g.create_array("x", data=[1, 2, 3])[:].tolist()
            [1, 2, 3]
        """
        from simplezarr.api.synchronous import create_array

        self._check_writable()
        kwargs.setdefault("zarr_format", self.zarr_format)
        compressors = kwargs.get("compressors", "auto")
        if not (isinstance(compressor, str) and compressor == "auto"):
            if not (isinstance(compressors, str) and compressors == "auto"):
                raise InvalidArgument("pass compressors or compressor, not both")
            kwargs["compressors"] = () if compressor is None else (compressor,)
        return create_array(self.store_path, name=name, **kwargs)  # type: ignore[no-any-return]

    def require_array(
        self, name: str, *, shape: Any, dtype: Any = None, exact: bool = False, **kwargs: Any
    ) -> ZarrArray:
        """The child array ``name``, created (with ``kwargs``) if it does not exist. An
        existing array must have ``shape`` and a dtype that casts to ``dtype`` (equal to it
        with ``exact=True``), else InvalidArgument (a TypeError, as in zarr-python)."""
        try:
            node = self[name]
        except NodeNotFound:
            return self.create_array(name, shape=shape, dtype=dtype, **kwargs)
        if not isinstance(node, ZarrArray):
            raise InvalidArgument(f"a group exists at {node.name!r}, not an array")
        want = (int(shape),) if isinstance(shape, int | np.integer) else tuple(shape)
        if node.shape != want:
            raise InvalidArgument(f"array {node.name!r} has shape {node.shape}, not {want}")
        dt = np.dtype(dtype)
        if (exact and node.dtype != dt) or (not exact and not np.can_cast(node.dtype, dt)):
            raise InvalidArgument(f"array {node.name!r} has dtype {node.dtype}, not {dt}")
        return node

    def __delitem__(self, path: str) -> None:
        """Delete the child node at ``path`` and everything below it (and its entry in this
        group's consolidated metadata, which is written back when the store holds it)."""
        self._check_writable()
        node = self[path]
        self.store.erase_prefix(prefix(node.path))
        consolidated = self.metadata.consolidated_metadata
        if consolidated is None:
            return
        relative = node.path[len(self.path) + 1 :] if self.path else node.path
        entries = {
            k: v
            for k, v in inline_entries(consolidated, self.path).items()
            if k != relative and not k.startswith(relative + "/")
        }
        new = {"kind": "inline", "must_understand": False, "metadata": entries}
        self.metadata = dataclasses.replace(self.metadata, consolidated_metadata=new)
        from simplezarr.api.consolidated import rewrite_consolidated

        rewrite_consolidated(self.store, self.path, self.metadata, only_if_stored=True)

    def __setitem__(self, path: str, value: Any) -> None:
        """Store ``value`` (array-like) as the array ``path``, replacing what is there."""
        from simplezarr.api.synchronous import save_array

        self._check_writable()
        save_array(self.store_path, value, path=path, zarr_format=self.zarr_format, mode="a",
                   overwrite=True)

    def _array_like(self, function: str, name: str, **kwargs: Any) -> ZarrArray:
        from simplezarr.api import synchronous

        self._check_writable()
        kwargs.setdefault("zarr_format", self.zarr_format)
        make = getattr(synchronous, function)
        return make(store=self.store_path, path=name, **kwargs)  # type: ignore[no-any-return]

    def empty(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array whose content is the fill value (:func:`simplezarr.empty`)."""
        return self._array_like("empty", name, shape=shape, **kwargs)

    def zeros(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array of zeros (:func:`simplezarr.zeros`)."""
        return self._array_like("zeros", name, shape=shape, **kwargs)

    def ones(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array of ones (:func:`simplezarr.ones`)."""
        return self._array_like("ones", name, shape=shape, **kwargs)

    def full(self, *, name: str, shape: Any, fill_value: Any, **kwargs: Any) -> ZarrArray:
        """A child array filled with ``fill_value`` (:func:`simplezarr.full`)."""
        return self._array_like("full", name, shape=shape, fill_value=fill_value, **kwargs)

    def empty_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array shaped like ``data`` (:func:`simplezarr.empty_like`)."""
        return self._array_like("empty_like", name, a=data, **kwargs)

    def zeros_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array of zeros shaped like ``data`` (:func:`simplezarr.zeros_like`)."""
        return self._array_like("zeros_like", name, a=data, **kwargs)

    def ones_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array of ones shaped like ``data`` (:func:`simplezarr.ones_like`)."""
        return self._array_like("ones_like", name, a=data, **kwargs)

    def full_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array filled like ``data`` (:func:`simplezarr.full_like`)."""
        return self._array_like("full_like", name, a=data, **kwargs)

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyNodeError(f"group {self.name!r} is read-only")


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
        raise ReadOnlyNodeError(
            f"cannot create a {want} at {path or '/'!r}: the store is read-only"
        )
    try:
        existing = load_metadata(store, path)
    except NodeNotFound:
        return
    except InvalidMetadata:
        existing = None
    if not overwrite:
        kind = ContainsArrayError if isinstance(existing, ArrayMetadata) else ContainsGroupError
        what = "an array" if kind is ContainsArrayError else "a group"
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


class ZarrArray(SelectionMethods, ZarrNode):
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
        """The memory order of reads: v2 the stored order, v3 ``config={"order": ...}``."""
        if self.metadata.zarr_format == 3:
            return str(self._config.get("order", "C"))
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

    def _indexer(self, selection: Any) -> Indexer:
        return getitem_indexer(selection, self.shape, self.chunks)

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
        indexer = self._indexer(selection)
        out = np.empty(indexer.shape, dtype=self.dtype, order=self._config.get("order", "C"))
        return engine.read(self._io, indexer, out)

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
            raise ReadOnlyNodeError(f"array {self.name!r} is read-only")
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

    # -- zarr-python's array surface -------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """The runtime settings: ``order`` and ``write_empty_chunks`` (None: follow
        ``simplezarr.config``)."""
        return {
            "order": self._config.get("order", "C"),
            "write_empty_chunks": self._config.get("write_empty_chunks"),
        }

    def with_config(self, config: Mapping[str, Any]) -> ZarrArray:
        """The same array with other runtime settings (``order``, ``write_empty_chunks``)."""
        return type(self)(self.store, self.path, self.metadata, config={**self._config, **config})

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """The number of chunks along each dimension (inner chunks when sharded)."""
        return self._io.read_grid.grid_shape

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
        store = self.store
        keys = store.list_prefix(prefix(self.path))
        return sum(store.getsize(k) for k in keys)

    @property
    def nchunks_initialized(self) -> int:
        """How many chunks are stored (for a sharded array: stored shards times the chunks in
        a shard, as zarr-python counts)."""
        per_object = 1 if self._io.shard is None else self._io.shard.n_inner
        return engine.nchunks_stored(self._io) * per_object

    @property
    def info(self) -> node_info.Info:
        """A summary of the array (type, shape, chunks, codecs, sizes)."""
        return node_info.array_info(self)

    def info_complete(self) -> node_info.Info:
        """:attr:`info` plus the bytes stored and the chunks initialized (lists the store)."""
        return node_info.array_info(self, self.nbytes_stored)
