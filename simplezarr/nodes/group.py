"""Groups: :class:`ZarrGroup`, and :func:`open_zarr`, which opens the node at a path.

``open_zarr`` lives with the group because navigating a group is opening the node at a
path below it; keeping both here lets this module import :mod:`simplezarr.nodes.array`
without a cycle.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrGroup, open_zarr
    >>> root = ZarrGroup.create(MemoryStore())
    >>> _ = root.create_group("a").create_array("x", shape=(2,), dtype="i1")
    >>> root.keys(), type(open_zarr(root.store, "a/x")).__name__
    (['a'], 'ZarrArray')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import numpy as np

from simplezarr.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    ContainsGroupError,
    GroupNotFoundError,
    IncompatibleNodeError,
    InvalidArgument,
    InvalidMetadata,
    NodeNotFound,
    ZarrError,
)
from simplezarr.metadata.consolidated import (
    child_metadata,
    consolidated_entry,
    inline,
    inline_entries,
    without_consolidated,
)
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.store_io import (
    NodeDocuments,
    load_metadata,
    parse_node_documents,
    prefix,
    read_node_documents,
    rewrite_consolidated,
    write_metadata,
)
from simplezarr.nodes import html as node_html
from simplezarr.nodes import info as node_info
from simplezarr.nodes.api_hooks import api_hook
from simplezarr.nodes.array import ZarrArray
from simplezarr.nodes.base import (
    ZarrNode,
    _ensure_parents,
    _prepare_slot,
    _relative,
)
from simplezarr.nodes.create import check_array_like, legacy_array, like_args, new_array
from simplezarr.stores.base import BaseStore, listable, writable
from simplezarr.stores.paths import join_path, normalize_path

#: The documents whose presence makes a folder a node.
NODE_DOCUMENTS = ("zarr.json", ".zarray", ".zgroup")

#: What ``Group.create_array`` compresses with in a Zarr v2 group when not told (numcodecs'
#: Blosc defaults: lz4, level 5, byte shuffle), as zarr-python 3.1.6 does.
V2_GROUP_COMPRESSOR = {"id": "blosc"}


def _has_node_document(documents: NodeDocuments) -> bool:
    """Whether a ``zarr.json``, ``.zarray`` or ``.zgroup`` is there (``.zattrs`` alone
    makes no node)."""
    return any(doc is not None for doc in documents[:3])


def _node(store: BaseStore, path: str, metadata: ArrayMetadata | GroupMetadata) -> ZarrNode:
    if isinstance(metadata, ArrayMetadata):
        return ZarrArray(store, path, metadata)
    return ZarrGroup(store, path, metadata)


def open_zarr(store: BaseStore, path: str = "") -> ZarrNode:
    """Open the group or array at ``path`` (default: the root) of a store.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> from simplezarr.nodes import ZarrGroup, open_zarr
        >>> _ = ZarrGroup.create(MemoryStore(), attributes={"a": 1})
        >>> open_zarr(_.store).attrs["a"]
        1
    """
    path = normalize_path(path)
    return _node(store, path, load_metadata(store, path))


class ZarrGroup(ZarrNode):
    """A group: a node whose children are groups and arrays.

    ``group["path/to/node"]`` navigates; :meth:`tree` draws the hierarchy below.
    """

    metadata: GroupMetadata

    @classmethod
    def create(
        cls,
        store: BaseStore,
        path: str = "",
        *,
        attributes: Mapping[str, Any] | None = None,
        zarr_format: int = 3,
        overwrite: bool = False,
    ) -> ZarrGroup:
        """Create a group (and any missing parent groups) at ``path``."""
        path = normalize_path(path)
        if zarr_format not in (2, 3):
            raise InvalidMetadata(f"zarr_format must be 2 or 3, got {zarr_format!r}")
        fmt: Literal[2, 3] = 2 if zarr_format == 2 else 3
        _prepare_slot(store, path, overwrite, want="group")
        meta = GroupMetadata(zarr_format=fmt, attributes=dict(attributes or {}))
        _ensure_parents(store, path, fmt)
        write_metadata(store, path, meta)
        return cls(store, path, meta)

    @classmethod
    def from_store(
        cls,
        store: Any,
        *,
        attributes: Mapping[str, Any] | None = None,
        zarr_format: int = 3,
        overwrite: bool = False,
    ) -> ZarrGroup:
        """Create the root group of a store-like (zarr-python's ``Group.from_store``):
        ContainsGroupError / ContainsArrayError when a node is there and not ``overwrite``.

        Example:
            >>> import simplezarr as zarr
            >>> zarr.Group.from_store({}, attributes={"a": 1}).attrs["a"]
            1
        """
        return api_hook("group_from_store")(
            store, attributes=attributes, zarr_format=zarr_format, overwrite=overwrite
        )

    @classmethod
    def open(cls, store: Any, zarr_format: int | None = 3) -> ZarrGroup:
        """Open the existing root group of a store-like (zarr-python's ``Group.open``;
        ``zarr_format=None`` finds the format); a missing group is a GroupNotFoundError.

        Example:
            >>> import simplezarr as zarr
            >>> store = {}
            >>> _ = zarr.group(store)
            >>> zarr.Group.open(store).path
            ''
        """
        return api_hook("group_open")(store, zarr_format=zarr_format)

    # -- navigation ----------------------------------------------------------------

    def __getitem__(self, path: str) -> ZarrNode:
        """The node at ``path`` below this group (nested paths like ``"a/b/c"`` work).

        A group opened with consolidated metadata answers from it, without reading the store.
        """
        full = join_path(self.path, path)
        if full == self.path:
            return self
        consolidated = self.metadata.consolidated_metadata
        if consolidated is not None:
            relative = _relative(self.path, full)
            try:
                node = _node(self.store, full, child_metadata(consolidated, relative, full))
            except NodeNotFound:
                raise NodeNotFound(
                    f"no array or group named {path!r} in the consolidated metadata of group "
                    f"{self.name!r}"
                ) from None
            node._consolidated_parent = (self, relative)
            return node
        try:
            return open_zarr(self.store, full)
        except NodeNotFound:
            raise NodeNotFound(f"no array or group named {path!r} in group {self.name!r}") from None

    def get_array(self, path: str) -> ZarrArray:
        """The array at ``path`` below this group (zarr-python 3.4): ArrayNotFoundError
        when there is no node there, ContainsGroupError when it is a group.

        Example:
            >>> import simplezarr as zarr
            >>> root = zarr.group()
            >>> _ = root.create_array("a/b", shape=(2,), dtype="i1")
            >>> root.get_array("a/b").shape
            (2,)
        """
        try:
            node = self[path]
        except NodeNotFound as e:
            raise ArrayNotFoundError(f"no array at {join_path(self.path, path)!r}: {e}") from e
        if not isinstance(node, ZarrArray):
            raise ContainsGroupError(f"a group, not an array, is at {node.path!r}")
        return node

    def get_group(self, path: str) -> ZarrGroup:
        """The group at ``path`` below this group (zarr-python 3.4): GroupNotFoundError
        when there is no node there, ContainsArrayError when it is an array."""
        try:
            node = self[path]
        except NodeNotFound as e:
            raise GroupNotFoundError(f"no group at {join_path(self.path, path)!r}: {e}") from e
        if not isinstance(node, ZarrGroup):
            raise ContainsArrayError(f"an array, not a group, is at {node.path!r}")
        return node

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
        names = self._child_names()
        paths = [join_path(self.path, name) for name in names]
        # One batch (concurrent on a remote store) rather than a round trip per document;
        # in a v3 group the v2 documents only of children without a zarr.json.
        found = read_node_documents(
            self.store, paths, zarr_json_first=self.zarr_format == 3, documents=NODE_DOCUMENTS
        )
        return [n for n, docs in zip(names, found, strict=True) if _has_node_document(docs)]

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
            for name, node in group._children():
                if isinstance(node, ZarrGroup) and not use_consolidated_for_children:
                    stored = (  # not the consolidated copy; read already when not from one
                        node.metadata
                        if group.metadata.consolidated_metadata is None
                        else load_metadata(node.store, node.path)
                    )
                    node = ZarrGroup(node.store, node.path, without_consolidated(stored))
                found.append((at + name, node))
                if isinstance(node, ZarrGroup) and (max_depth is None or depth < max_depth):
                    walk(node, f"{at}{name}/", depth + 1)

        walk(self, "", 0)
        return tuple(found)

    def _children(self) -> list[tuple[str, ZarrNode]]:
        """The direct children, in the order of :meth:`keys`: from the consolidated metadata,
        or with every child's documents read in one batch (concurrently on a remote store)."""
        if self.metadata.consolidated_metadata is not None:
            return [(name, self[name]) for name in self.keys()]
        names, paths, found = self._child_documents()
        children = []
        for name, path, documents in zip(names, paths, found, strict=True):
            metadata = parse_node_documents(path, documents)  # raises for an unreadable one
            if metadata is not None:
                children.append((name, _node(self.store, path, metadata)))
        return children

    def _child_names(self) -> list[str]:
        """The names the store lists below this group, sorted; a name may hold no node
        (an empty directory, a folder of other files): its documents tell."""
        p = prefix(self.path)
        lister = listable(self.store, f"list the members of {self.name!r}")
        return sorted(k[len(p) : -1] for k in lister.list_dir_candidates(p) if k.endswith("/"))

    def _child_documents(self) -> tuple[list[str], list[str], list[NodeDocuments]]:
        """The listed names, their node paths and their metadata documents (unparsed), read
        in one listing and batched reads (v3 group: ``zarr.json`` first, v2 documents only
        where it is missing)."""
        names = self._child_names()
        paths = [join_path(self.path, name) for name in names]
        return (
            names,
            paths,
            read_node_documents(self.store, paths, zarr_json_first=self.zarr_format == 3),
        )

    def _open_children(self, names: list[str]) -> list[ZarrNode | ZarrError | None]:
        """Each of ``names`` (direct children) opened, or the error opening it raises, or
        None where no node is (what ``group[name]`` gives, NodeNotFound as None): from the
        consolidated metadata, or with the documents of all of them in one batch."""
        if self.metadata.consolidated_metadata is not None:
            opened: list[ZarrNode | ZarrError | None] = []
            for name in names:
                try:
                    opened.append(self[name])
                except NodeNotFound:
                    opened.append(None)
                except ZarrError as e:
                    opened.append(e)
            return opened
        paths = [join_path(self.path, name) for name in names]
        found = read_node_documents(self.store, paths, zarr_json_first=self.zarr_format == 3)
        nodes: list[ZarrNode | ZarrError | None] = []
        for path, documents in zip(paths, found, strict=True):
            try:
                metadata = parse_node_documents(path, documents)
            except ZarrError as e:
                nodes.append(e)
                continue
            nodes.append(None if metadata is None else _node(self.store, path, metadata))
        return nodes

    def _child_nodes(self) -> list[tuple[str, ZarrNode | ZarrError]]:
        """The children named by :meth:`keys`, each opened or with the error opening it
        raises (what ``group[name]`` would give), for drawings that show unreadable nodes:
        one listing and one batch of documents instead of a round trip per child."""
        if self.metadata.consolidated_metadata is not None:
            opened: list[tuple[str, ZarrNode | ZarrError]] = []
            for name in self.keys():
                try:
                    opened.append((name, self[name]))
                except ZarrError as e:
                    opened.append((name, e))
            return opened
        names, paths, found = self._child_documents()
        nodes: list[tuple[str, ZarrNode | ZarrError]] = []
        for name, path, documents in zip(names, paths, found, strict=True):
            if not _has_node_document(documents):
                continue
            try:
                metadata = parse_node_documents(path, documents)
            except ZarrError as e:
                nodes.append((name, e))
                continue
            if metadata is None:  # pragma: no cover - a node document is there
                continue
            nodes.append((name, _node(self.store, path, metadata)))
        return nodes

    def values(self) -> list[ZarrNode]:
        """The direct children, in the order of :meth:`keys`.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> g = ZarrGroup.create(MemoryStore())
            >>> _ = g.create_group("b"), g.create_array("a", shape=(2,), dtype="i1")
            >>> [type(v).__name__ for v in g.values()], [k for k, _ in g.items()]
            (['ZarrArray', 'ZarrGroup'], ['a', 'b'])
        """
        return [node for _, node in self.members()]

    def items(self) -> list[tuple[str, ZarrNode]]:
        """The direct children as (name, node) pairs, in the order of :meth:`keys`."""
        return list(self.members())

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
            >>> print(g.tree(), end="")
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

    def _repr_html_(self) -> str:
        """The group in a notebook: attributes and a collapsible tree of its members (at
        most 200; see ``nodes.html``)."""
        return node_html.group_html(self)

    def __repr__(self) -> str:
        """One line naming the store and path, as zarr-python's (no I/O); :meth:`tree`
        draws the hierarchy."""
        return f"<Group {self.store_path}>"

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        # The document just stored may carry consolidated metadata (a consolidated root) or
        # not (a child opened through one); this handle keeps the view it was opened with.
        assert isinstance(metadata, GroupMetadata)
        own = self.metadata.consolidated_metadata
        super()._metadata_changed(
            dataclasses.replace(metadata, consolidated_metadata=own)
            if metadata.consolidated_metadata != own
            else metadata
        )

    def _consolidated_child_changed(
        self, relative: str, metadata: ArrayMetadata | GroupMetadata
    ) -> None:
        """A node opened through this group's consolidated metadata changed its metadata
        (attributes, shape): update this handle's copy, as zarr-python's group sees its
        children's attribute changes. Only in memory: the stored consolidated metadata stays
        a snapshot until ``consolidate_metadata`` runs again, as in zarr-python."""
        consolidated = self.metadata.consolidated_metadata
        if consolidated is None:
            return
        entries = inline_entries(consolidated, self.path)
        if relative not in entries:
            return
        entries[relative] = consolidated_entry(metadata)
        self.metadata = dataclasses.replace(self.metadata, consolidated_metadata=inline(entries))
        if self._consolidated_parent is not None:
            parent, mine = self._consolidated_parent
            parent._consolidated_child_changed(f"{mine}/{relative}", metadata)

    # -- creation ------------------------------------------------------------------

    def create_group(
        self, name: str, *, attributes: Mapping[str, Any] | None = None, overwrite: bool = False
    ) -> ZarrGroup:
        """Create a child group (nested names create the groups between)."""
        self._check_writable()
        return ZarrGroup.create(
            self.store,
            join_path(self.path, name),
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
            raise IncompatibleNodeError(f"an array exists at {node.name!r}, not a group")
        return node

    def require_groups(self, *names: str) -> tuple[ZarrGroup, ...]:
        """The child groups ``names``, each created if it does not exist."""
        return tuple(self.require_group(name) for name in names)

    def create_array(self, name: str, *, compressor: Any = "auto", **kwargs: Any) -> ZarrArray:
        """Create a child array; keywords as zarr-python's ``Group.create_array`` (those of
        :func:`simplezarr.create_array`, ``data`` included, and the older ``compressor``).

        The array's ``zarr_format`` is the group's. Defaults are ``create_array``'s, except
        that a Zarr v2 group compresses with blosc (lz4, level 5, shuffle) when neither
        ``compressors`` nor ``compressor`` is given, as zarr-python's ``Group.create_array``
        does (``simplezarr.create_array(zarr_format=2)`` uses zstd, as zarr-python's).

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> g = ZarrGroup.create(MemoryStore())
            >>> g.create_array("x", data=[1, 2, 3])[:].tolist()
            [1, 2, 3]
        """
        self._check_writable()
        kwargs.setdefault("zarr_format", self.zarr_format)
        compressors = kwargs.get("compressors", "auto")
        if not (isinstance(compressor, str) and compressor == "auto"):
            if not (isinstance(compressors, str) and compressors == "auto"):
                raise InvalidArgument("pass compressors or compressor, not both")
            kwargs["compressors"] = () if compressor is None else (compressor,)
        elif kwargs["zarr_format"] == 2 and isinstance(compressors, str) and compressors == "auto":
            kwargs["compressors"] = (V2_GROUP_COMPRESSOR,)
        return new_array(self.store, join_path(self.path, name), **kwargs)

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
        writable(self.store, f"delete {node.name!r}").erase_prefix(prefix(node.path))
        consolidated = self.metadata.consolidated_metadata
        if consolidated is None:
            return
        relative = _relative(self.path, node.path)
        entries = {
            k: v
            for k, v in inline_entries(consolidated, self.path).items()
            if k != relative and not k.startswith(relative + "/")
        }
        self.metadata = dataclasses.replace(self.metadata, consolidated_metadata=inline(entries))
        rewrite_consolidated(self.store, self.path, self.metadata, only_if_stored=True)

    def __setitem__(self, path: str, value: Any) -> None:
        """Store ``value`` (array-like) as the array ``path``, replacing what is there."""
        self._check_writable()
        check_array_like(value, "value")
        value = np.asarray(value) if np.isscalar(value) else value
        legacy_array(
            self.store,
            join_path(self.path, path),
            shape=value.shape,
            dtype=value.dtype,
            chunks=getattr(value, "chunks", None),
            zarr_format=self.zarr_format,
            overwrite=True,
            data=value,
        )

    def _array_like(
        self, name: str, like: Any = None, like_fill: bool = False, **kwargs: Any
    ) -> ZarrArray:
        self._check_writable()
        if like is not None:
            kwargs = like_args(like, fill_value=like_fill) | kwargs
        kwargs.setdefault("zarr_format", self.zarr_format)
        return legacy_array(self.store, join_path(self.path, name), **kwargs)

    def empty(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array whose content is the fill value (:func:`simplezarr.empty`)."""
        return self._array_like(name, shape=shape, **kwargs)

    def zeros(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array of zeros (:func:`simplezarr.zeros`)."""
        return self._array_like(name, shape=shape, fill_value=0, **kwargs)

    def ones(self, *, name: str, shape: Any, **kwargs: Any) -> ZarrArray:
        """A child array of ones (:func:`simplezarr.ones`)."""
        return self._array_like(name, shape=shape, fill_value=1, **kwargs)

    def full(self, *, name: str, shape: Any, fill_value: Any, **kwargs: Any) -> ZarrArray:
        """A child array filled with ``fill_value`` (:func:`simplezarr.full`)."""
        return self._array_like(name, shape=shape, fill_value=fill_value, **kwargs)

    def empty_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array shaped like ``data`` (:func:`simplezarr.empty_like`)."""
        return self._array_like(name, data, True, **kwargs)

    def zeros_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array of zeros shaped like ``data`` (:func:`simplezarr.zeros_like`)."""
        return self._array_like(name, data, fill_value=0, **kwargs)

    def ones_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array of ones shaped like ``data`` (:func:`simplezarr.ones_like`)."""
        return self._array_like(name, data, fill_value=1, **kwargs)

    def full_like(self, *, name: str, data: Any, **kwargs: Any) -> ZarrArray:
        """A child array filled like ``data`` (:func:`simplezarr.full_like`)."""
        return self._array_like(name, data, True, **kwargs)
