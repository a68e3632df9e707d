"""What groups and arrays share: node paths, :class:`ZarrNode`, :class:`Attributes`, and the
checks before a node is created (the slot is free, the parents are groups).

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.nodes import ZarrGroup
    >>> g = ZarrGroup.create(MemoryStore(), "a/b", attributes={"x": 1})
    >>> g.name, g.basename, dict(g.attrs)
    ('/a/b', 'b', {'x': 1})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Literal, Self

from simplezarr.errors import (
    ContainsArrayError,
    ContainsGroupError,
    InvalidMetadata,
    NodeNotFound,
    ReadOnlyNodeError,
)
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.store_io import load_metadata, prefix, write_metadata
from simplezarr.metadata.v3 import parse_node_v3
from simplezarr.stores.base import BaseStore, writable
from simplezarr.stores.paths import StorePath, normalize_path


def _relative(parent: str, path: str) -> str:
    """``path`` (a node below ``parent``) relative to ``parent``; the inverse of
    :func:`simplezarr.storage.join_path`."""
    return path[len(parent) + 1 :] if parent else path


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

    store: BaseStore
    path: str

    def __init__(
        self,
        store: BaseStore,
        path: str = "",
        metadata: ArrayMetadata | GroupMetadata | Mapping | None = None,
    ) -> None:
        wrapped: Any = getattr(store, "sync", None)
        if isinstance(wrapped, type(self)):  # zarr.Group(async_group), as zarr-python
            node: ZarrNode = wrapped
            store, path, metadata = node.store, node.path, node.metadata
        self.store = store
        self.path = normalize_path(path)
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

    #: Set on a node opened from a group's consolidated metadata: (that group, this node's
    #: path relative to it), so the group's copy follows changes made through this handle.
    _consolidated_parent: tuple[Any, str] | None = None

    def _metadata_changed(self, metadata: ArrayMetadata | GroupMetadata) -> None:
        self.metadata = metadata
        if self._consolidated_parent is not None:
            parent, relative = self._consolidated_parent
            parent._consolidated_child_changed(relative, metadata)

    def refresh(self) -> Self:
        """Read this node's metadata from the store again (another process may have resized
        the array, changed attributes or re-consolidated the group) and use it from now on;
        returns the node. A handle keeps the metadata it read until then.

        Raises :class:`NodeNotFound` when the node was deleted or replaced by a node of the
        other kind.

        Example:
            >>> from simplezarr.nodes import ZarrGroup
            >>> from simplezarr.stores import MemoryStore
            >>> store = MemoryStore()
            >>> g = ZarrGroup.create(store)
            >>> _ = ZarrGroup(store, "").update_attributes({"v": 2})
            >>> dict(g.attrs), dict(g.refresh().attrs)
            ({}, {'v': 2})
        """
        current = load_metadata(self.store, self.path)
        if type(current) is not type(self.metadata):
            raise NodeNotFound(
                f"the {type(self).__name__} at {self.name!r} was replaced by a node of the "
                "other kind; open the path again"
            )
        self._metadata_changed(current)
        return self

    def _check_writable(self) -> None:
        if self.read_only:
            kind = "array" if isinstance(self.metadata, ArrayMetadata) else "group"
            raise ReadOnlyNodeError(f"{kind} {self.name!r} is read-only")

    @property
    def store_path(self) -> StorePath:
        """The node's store and path as a :class:`simplezarr.storage.StorePath`."""
        return StorePath(self.store, self.path)

    def update_attributes(self, new_attributes: Mapping[str, Any]) -> Self:
        """Merge ``new_attributes`` into the stored attributes (one write); returns the node.

        Example:
            >>> from simplezarr.nodes import ZarrGroup
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
            and self.path == other.path
            and (self.store is other.store or self.store == other.store)
        )

    def __hash__(self) -> int:  # equal nodes have equal paths
        return hash((type(self), self.path))

    # -- pickling: the store, the path and the metadata read; nothing tied to a process --

    def __getstate__(self) -> dict[str, Any]:
        """The store (which pickles as its own class says: see docs/dask.md), the path and
        the metadata this handle read, so the copy reads no document when it is unpickled;
        not the link to the group a consolidated open came from (changes in the copy
        cannot reach that group's copy in another process)."""
        state = dict(vars(self))
        state.pop("_consolidated_parent", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)


def _ensure_parents(store: BaseStore, path: str, zarr_format: Literal[2, 3]) -> None:
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
        if isinstance(meta, ArrayMetadata):  # a ValueError too, as zarr-python raises
            raise ContainsArrayError(
                f"cannot create a node below {parent or '/'!r}: an array is stored there"
            )


def _prepare_slot(store: BaseStore, path: str, overwrite: bool, want: str) -> None:
    """Refuse to replace an existing node unless ``overwrite``; then clear it."""
    if store.read_only:
        raise ReadOnlyNodeError(
            f"cannot create a {want} at {path or '/'!r}: the store is read-only"
        )
    try:
        existing = load_metadata(store, path)
    except NodeNotFound:
        if overwrite:  # as zarr-python: whatever is below the path goes, node or not
            writable(store, f"clear {path or '/'!r}").erase_prefix(prefix(path))
        return
    except InvalidMetadata:
        existing = None
    if not overwrite:
        kind = ContainsArrayError if isinstance(existing, ArrayMetadata) else ContainsGroupError
        what = "an array" if kind is ContainsArrayError else "a group"
        raise kind(f"{what} already exists at {path or '/'!r}; pass overwrite=True to replace it")
    writable(store, f"replace the node at {path or '/'!r}").erase_prefix(prefix(path))
