"""zarr-python's node constructors that take a store-like (``Group.open("data.zarr")``,
``Array.open({})``, ``Group.from_store(...)``), ``array.async_array`` and the data type line of
``array.info`` are served by the API layer (and ``simplezarr.dtype``), which sit above the nodes: it fills :data:`HOOKS` when it is imported (always,
by ``import simplezarr``), so the nodes never import upward.

Example:
    >>> import simplezarr
    >>> sorted(HOOKS)
    ['array_open', 'async_array', 'dtype_repr', 'group_from_store', 'group_open']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HOOKS", "api_hook"]

#: name -> the API function serving it.
HOOKS: dict[str, Callable[..., Any]] = {}


def api_hook(name: str) -> Callable[..., Any]:
    """The API function registered under ``name``."""
    try:
        return HOOKS[name]
    except KeyError:  # pragma: no cover - simplezarr/__init__ always loads the API
        raise RuntimeError(f"{name} needs simplezarr.api; import simplezarr first") from None
