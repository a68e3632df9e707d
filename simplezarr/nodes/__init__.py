"""Nodes of a Zarr hierarchy: groups and arrays, on top of a store and the engine.

``base`` holds what every node shares (:class:`ZarrNode`, :class:`Attributes`, node paths),
``array`` the :class:`ZarrArray`, ``group`` the :class:`ZarrGroup` and :func:`open_zarr`;
each imports only the ones before it. Everything is importable from here.

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

from simplezarr.nodes.array import ARRAY_CONFIG_KEYS, ArrayConfig, ZarrArray
from simplezarr.nodes.base import Attributes, ZarrNode
from simplezarr.nodes.group import NODE_DOCUMENTS, ZarrGroup, open_zarr

__all__ = [
    "ARRAY_CONFIG_KEYS",
    "NODE_DOCUMENTS",
    "ArrayConfig",
    "Attributes",
    "ZarrArray",
    "ZarrGroup",
    "ZarrNode",
    "open_zarr",
]
