"""simplezarr: a complete, simple and fast implementation of Zarr v2 and v3.

Example:
    >>> import numpy as np
    >>> from simplezarr import MemoryStore, ZarrGroup, open_zarr
    >>> root = ZarrGroup.create(MemoryStore())
    >>> root.create_array("a", shape=(3,), dtype="int8")[:] = [1, 2, 3]
    >>> open_zarr(root.store)["a"][...].tolist()
    [1, 2, 3]
"""

from simplezarr import errors, stores
from simplezarr.config import config
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode, open_zarr
from simplezarr.stores import LocalStore, MemoryStore

__version__ = "0.1.0"

__all__ = [
    "LocalStore",
    "MemoryStore",
    "ZarrArray",
    "ZarrGroup",
    "ZarrNode",
    "__version__",
    "config",
    "errors",
    "open_zarr",
    "stores",
]
