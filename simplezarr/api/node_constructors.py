"""zarr-python's classmethods that open or create a node from a store-like:
``Array.open``, ``Group.open``, ``Group.from_store`` (and the awaitable ones of
``AsyncArray`` / ``AsyncGroup``), plus ``array.async_array``. The node classes sit below the
API, so this module registers these functions in :data:`simplezarr.nodes.api_hooks.HOOKS`.

Example:
    >>> import simplezarr as zarr
    >>> store = {}
    >>> g = zarr.Group.from_store(store, zarr_format=2)
    >>> zarr.Group.open(store, zarr_format=None).zarr_format
    2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simplezarr.api import asynchronous
from simplezarr.api.synchronous import create_group, open_array, open_group
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.nodes.api_hooks import HOOKS

__all__ = ["array_open", "group_from_store", "group_open"]


def _existing(store: Any) -> str:
    """The mode that opens an existing node, writable unless the store is read-only."""
    return "r" if getattr(store, "read_only", False) else "r+"


def array_open(store: Any) -> ZarrArray:
    """``Array.open(store)``: the existing array at the root of a store-like."""
    return open_array(store, mode=_existing(store))


def group_open(store: Any, zarr_format: int | None = 3) -> ZarrGroup:
    """``Group.open(store, zarr_format=3)``: the existing root group of a store-like."""
    return open_group(store, mode=_existing(store), zarr_format=zarr_format)


def group_from_store(
    store: Any,
    *,
    attributes: Mapping[str, Any] | None = None,
    zarr_format: int = 3,
    overwrite: bool = False,
) -> ZarrGroup:
    """``Group.from_store(store, ...)``: a new root group in a store-like."""
    return create_group(
        store, attributes=dict(attributes or {}), zarr_format=zarr_format, overwrite=overwrite
    )


HOOKS.update(
    array_open=array_open,
    group_open=group_open,
    group_from_store=group_from_store,
    async_array=asynchronous.AsyncArray,
)
