"""zarr-python's ``zarr.api.asynchronous``: awaitable versions of the top-level functions.

Each function runs its synchronous twin (:mod:`simplezarr.api.synchronous`) in a thread of
a dedicated executor, so the event loop is never blocked, and wraps the node it returns in
a thin :class:`AsyncArray` / :class:`AsyncGroup` whose I/O methods are awaitable
(``await a.getitem(...)``, ``await g.getitem("x")``, ``async for k, v in g.members()``).
Arguments, defaults and results are the synchronous function's.

Example:
    >>> import asyncio, numpy as np
    >>> import simplezarr.api.asynchronous as zasync
    >>> async def main():
    ...     a = await zasync.create_array({}, shape=(4,), dtype="i2", chunks=(2,))
    ...     await a.setitem(slice(None), np.arange(4))
    ...     return (await a.getitem(slice(1, 3))).tolist()
    >>> asyncio.run(main())
    [1, 2]
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from simplezarr.api import synchronous as _sync
from simplezarr.concurrency import off_loop
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.storage import StoreLike

__all__ = [
    "AsyncArray",
    "AsyncGroup",
    "array",
    "consolidate_metadata",
    "copy",
    "copy_all",
    "copy_store",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "empty",
    "empty_like",
    "from_array",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "save",
    "save_array",
    "save_group",
    "tree",
    "zeros",
    "zeros_like",
]

T = TypeVar("T")


async def run(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` off the event loop and await its result."""
    return await off_loop(fn, *args, **kwargs)


def _unwrap(value: Any) -> Any:
    return value._node if isinstance(value, AsyncArray | AsyncGroup) else value


def _wrap(value: Any) -> Any:
    if isinstance(value, ZarrArray):
        return AsyncArray(value)
    if isinstance(value, ZarrGroup):
        return AsyncGroup(value)
    return value


async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    args = tuple(_unwrap(a) for a in args)
    kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
    return _wrap(await run(fn, *args, **kwargs))


class _AsyncNode:
    """What AsyncArray and AsyncGroup share: the wrapped synchronous node's description
    (read without I/O) and awaitable attribute updates."""

    def __init__(self, node: Any) -> None:
        self._node = node

    @property
    def sync(self) -> Any:
        """The synchronous node this wraps."""
        return self._node

    path = property(lambda self: self._node.path)
    name = property(lambda self: self._node.name)
    basename = property(lambda self: self._node.basename)
    store = property(lambda self: self._node.store)
    store_path = property(lambda self: self._node.store_path)
    read_only = property(lambda self: self._node.read_only)
    metadata = property(lambda self: self._node.metadata)
    zarr_format = property(lambda self: self._node.zarr_format)
    info = property(lambda self: self._node.info)

    @property
    def attrs(self) -> dict[str, Any]:
        """The attributes as loaded (a dict, as zarr-python's async nodes give)."""
        return dict(self._node.metadata.attributes)

    async def update_attributes(self, new_attributes: dict[str, Any]) -> Any:
        """Merge ``new_attributes`` into the stored attributes; returns this node."""
        await run(self._node.update_attributes, new_attributes)
        return self

    async def refresh(self) -> Any:
        """Read the node's metadata from the store again (see ``ZarrNode.refresh``);
        returns this node."""
        await run(self._node.refresh)
        return self

    async def info_complete(self) -> Any:
        return await run(self._node.info_complete)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._node == other._node

    def __hash__(self) -> int:
        return hash(self._node)


class AsyncArray(_AsyncNode):
    """An array for async code: description as :class:`ZarrArray`, awaitable I/O.

    Example:
        >>> import asyncio, simplezarr.api.asynchronous as zasync
        >>> a = asyncio.run(zasync.full((3,), 5, dtype="i1"))
        >>> asyncio.run(a.getitem(...)).tolist()
        [5, 5, 5]
    """

    _node: ZarrArray

    shape = property(lambda self: self._node.shape)
    dtype = property(lambda self: self._node.dtype)
    chunks = property(lambda self: self._node.chunks)
    shards = property(lambda self: self._node.shards)
    ndim = property(lambda self: self._node.ndim)
    size = property(lambda self: self._node.size)
    nbytes = property(lambda self: self._node.nbytes)
    nchunks = property(lambda self: self._node.nchunks)
    cdata_shape = property(lambda self: self._node.cdata_shape)
    read_chunk_sizes = property(lambda self: self._node.read_chunk_sizes)
    write_chunk_sizes = property(lambda self: self._node.write_chunk_sizes)
    fill_value = property(lambda self: self._node.fill_value)
    order = property(lambda self: self._node.order)
    filters = property(lambda self: self._node.filters)
    serializer = property(lambda self: self._node.serializer)
    compressors = property(lambda self: self._node.compressors)
    compressor = property(lambda self: self._node.compressor)

    async def getitem(self, selection: Any) -> Any:
        """Read ``selection`` (as ``array[selection]``)."""
        return await run(self._node.__getitem__, selection)

    async def setitem(self, selection: Any, value: Any) -> None:
        """Write ``value`` into ``selection`` (as ``array[selection] = value``)."""
        await run(self._node.__setitem__, selection, value)

    async def get_orthogonal_selection(self, selection: Any, **kwargs: Any) -> Any:
        return await run(self._node.get_orthogonal_selection, selection, **kwargs)

    async def get_mask_selection(self, mask: Any, **kwargs: Any) -> Any:
        return await run(self._node.get_mask_selection, mask, **kwargs)

    async def get_coordinate_selection(self, selection: Any, **kwargs: Any) -> Any:
        return await run(self._node.get_coordinate_selection, selection, **kwargs)

    async def resize(self, new_shape: Any) -> None:
        await run(self._node.resize, new_shape)

    async def append(self, data: Any, axis: int = 0) -> tuple[int, ...]:
        return await run(self._node.append, data, axis)

    async def nbytes_stored(self) -> int:
        return await run(self._node.nbytes_stored)

    async def nchunks_initialized(self) -> int:
        return await run(lambda: self._node.nchunks_initialized)

    def __repr__(self) -> str:
        return f"<AsyncArray {self.name} shape={self.shape} dtype={self.dtype}>"

    @classmethod
    async def open(cls, store: StoreLike, zarr_format: int | None = 3) -> AsyncArray:
        """The existing array at the root of a store-like (zarr-python's
        ``AsyncArray.open``)."""
        mode = "r" if getattr(store, "read_only", False) else "r+"
        return cls(await run(_sync.open_array, store, mode=mode, zarr_format=zarr_format))


class AsyncGroup(_AsyncNode):
    """A group for async code: description as :class:`ZarrGroup`, awaitable navigation and
    creation, async iteration over members.

    Example:
        >>> import asyncio, simplezarr.api.asynchronous as zasync
        >>> async def main():
        ...     g = await zasync.group()
        ...     await g.create_array("x", shape=(2,), dtype="i1")
        ...     return [k async for k in g.keys()], await g.contains("x")
        >>> asyncio.run(main())
        (['x'], True)
    """

    _node: ZarrGroup

    @classmethod
    async def open(
        cls, store: StoreLike, zarr_format: int | None = 3, use_consolidated: Any = None
    ) -> AsyncGroup:
        """The existing root group of a store-like (zarr-python's ``AsyncGroup.open``)."""
        mode = "r" if getattr(store, "read_only", False) else "r+"
        group = await run(
            _sync.open_group,
            store,
            mode=mode,
            zarr_format=zarr_format,
            use_consolidated=use_consolidated,
        )
        return cls(group)

    @classmethod
    async def from_store(
        cls,
        store: StoreLike,
        *,
        attributes: dict[str, Any] | None = None,
        overwrite: bool = False,
        zarr_format: int = 3,
    ) -> AsyncGroup:
        """A new root group in a store-like (zarr-python's ``AsyncGroup.from_store``)."""
        group = await run(
            _sync.create_group,
            store,
            attributes=attributes or {},
            overwrite=overwrite,
            zarr_format=zarr_format,
        )
        return cls(group)

    async def getitem(self, key: str) -> AsyncArray | AsyncGroup:
        return _wrap(await run(self._node.__getitem__, key))

    async def get_array(self, path: str) -> AsyncArray:
        return _wrap(await run(self._node.get_array, path))

    async def get_group(self, path: str) -> AsyncGroup:
        return _wrap(await run(self._node.get_group, path))

    async def get(self, key: str, default: Any = None) -> Any:
        found = await run(self._node.get, key)
        return default if found is None else _wrap(found)

    async def contains(self, key: str) -> bool:
        return await run(self._node.__contains__, key)

    async def delitem(self, key: str) -> None:
        await run(self._node.__delitem__, key)

    async def setitem(self, key: str, value: Any) -> None:
        await run(self._node.__setitem__, key, value)

    async def nmembers(self, max_depth: int | None = 0) -> int:
        return await run(self._node.nmembers, max_depth)

    async def _pairs(self, method: str, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        for key, node in await run(getattr(self._node, method), *args, **kwargs):
            yield key, _wrap(node)

    def members(
        self, max_depth: int | None = 0, *, use_consolidated_for_children: bool = True
    ) -> AsyncIterator[tuple[str, Any]]:
        return self._pairs(
            "members", max_depth, use_consolidated_for_children=use_consolidated_for_children
        )

    def groups(self) -> AsyncIterator[tuple[str, AsyncGroup]]:
        return self._pairs("groups")

    def arrays(self) -> AsyncIterator[tuple[str, AsyncArray]]:
        return self._pairs("arrays")

    async def keys(self) -> AsyncIterator[str]:
        for key in await run(self._node.keys):
            yield key

    async def group_keys(self) -> AsyncIterator[str]:
        async for key, _ in self.groups():
            yield key

    async def group_values(self) -> AsyncIterator[AsyncGroup]:
        async for _, node in self.groups():
            yield node

    async def array_keys(self) -> AsyncIterator[str]:
        async for key, _ in self.arrays():
            yield key

    async def array_values(self) -> AsyncIterator[AsyncArray]:
        async for _, node in self.arrays():
            yield node

    async def tree(
        self, expand: bool | None = None, level: int | None = None, **kwargs: Any
    ) -> Any:
        return await run(self._node.tree, expand, level, **kwargs)

    async def create_group(self, name: str, **kwargs: Any) -> AsyncGroup:
        return await _call(self._node.create_group, name, **kwargs)

    async def require_group(self, name: str, **kwargs: Any) -> AsyncGroup:
        return await _call(self._node.require_group, name, **kwargs)

    async def require_groups(self, *names: str) -> tuple[AsyncGroup, ...]:
        return tuple(map(_wrap, await run(self._node.require_groups, *names)))

    async def create_array(self, name: str, **kwargs: Any) -> AsyncArray:
        return await _call(self._node.create_array, name, **kwargs)

    async def require_array(self, name: str, **kwargs: Any) -> AsyncArray:
        return await _call(self._node.require_array, name, **kwargs)

    async def create_hierarchy(
        self, nodes: dict[str, Any], *, overwrite: bool = False
    ) -> AsyncIterator[tuple[str, Any]]:
        """As :func:`create_hierarchy`, below this group."""
        found = await run(
            lambda: list(
                _sync.create_hierarchy(
                    store=self._node.store_path, nodes=nodes, overwrite=overwrite
                )
            )
        )
        for key, node in found:
            yield key, _wrap(node)

    def __getattr__(self, name: str) -> Any:
        # empty / zeros / ones / full and their *_like: awaitable twins of the group's
        if name in (
            "empty",
            "zeros",
            "ones",
            "full",
            "empty_like",
            "zeros_like",
            "ones_like",
            "full_like",
        ):
            method = getattr(self._node, name)
            return functools.partial(_call, method)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"<AsyncGroup {self.name}>"


def _twin(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The awaitable twin of a synchronous API function (same signature and docs)."""

    @functools.wraps(fn)
    async def twin(*args: Any, **kwargs: Any) -> Any:
        return await _call(fn, *args, **kwargs)

    return twin


array = _twin(_sync.array)
consolidate_metadata = _twin(_sync.consolidate_metadata)
copy = _twin(_sync.copy)
copy_all = _twin(_sync.copy_all)
copy_store = _twin(_sync.copy_store)
create = _twin(_sync.create)
create_array = _twin(_sync.create_array)
create_group = _twin(_sync.create_group)
empty = _twin(_sync.empty)
empty_like = _twin(_sync.empty_like)
from_array = _twin(_sync.from_array)
full = _twin(_sync.full)
full_like = _twin(_sync.full_like)
group = _twin(_sync.group)
load = _twin(_sync.load)
ones = _twin(_sync.ones)
ones_like = _twin(_sync.ones_like)
open = _twin(_sync.open)
open_array = _twin(_sync.open_array)
open_consolidated = _twin(_sync.open_consolidated)
open_group = _twin(_sync.open_group)
open_like = _twin(_sync.open_like)
save = _twin(_sync.save)
save_array = _twin(_sync.save_array)
save_group = _twin(_sync.save_group)
tree = _twin(_sync.tree)
zeros = _twin(_sync.zeros)
zeros_like = _twin(_sync.zeros_like)


async def create_hierarchy(
    *, store: StoreLike, nodes: dict[str, Any], overwrite: bool = False
) -> AsyncIterator[tuple[str, Any]]:
    """Awaitable :func:`simplezarr.create_hierarchy`: an async iterator of (path, node)."""
    found = await run(
        lambda: list(_sync.create_hierarchy(store=_unwrap(store), nodes=nodes, overwrite=overwrite))
    )
    for key, node in found:
        yield key, _wrap(node)
