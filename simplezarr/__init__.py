"""simplezarr: a complete, simple and fast implementation of Zarr v2 and v3.

Example:
    >>> import numpy as np
    >>> from simplezarr import MemoryStore, ZarrGroup, open_zarr
    >>> root = ZarrGroup.create(MemoryStore())
    >>> root.create_array("a", shape=(3,), dtype="int8")[:] = [1, 2, 3]
    >>> open_zarr(root.store)["a"][...].tolist()
    [1, 2, 3]
"""

from simplezarr import codecs, dtype, errors, storage, stores
from simplezarr.api.asynchronous import AsyncArray, AsyncGroup
from simplezarr.api.convert import CopyReport, convert
from simplezarr.api.debug import print_debug_info
from simplezarr.api.synchronous import (
    array,
    consolidate_metadata,
    copy,
    copy_all,
    copy_store,
    create,
    create_array,
    create_group,
    create_hierarchy,
    empty,
    empty_like,
    from_array,
    full,
    full_like,
    group,
    load,
    ones,
    ones_like,
    open,
    open_array,
    open_consolidated,
    open_group,
    open_like,
    save,
    save_array,
    save_group,
    tree,
    zeros,
    zeros_like,
)
from simplezarr.api.verify import VerifyReport, verify
from simplezarr.config import config
from simplezarr.nodes import ZarrArray, ZarrGroup, ZarrNode, open_zarr
from simplezarr.stores import LocalStore, MemoryStore

#: zarr-python's class names, for ``isinstance(x, zarr.Array)`` written against zarr-python.
Array = ZarrArray
Group = ZarrGroup

__version__ = "0.1.0"

__all__ = [
    "Array",
    "AsyncArray",
    "AsyncGroup",
    "CopyReport",
    "Group",
    "LocalStore",
    "MemoryStore",
    "VerifyReport",
    "ZarrArray",
    "ZarrGroup",
    "ZarrNode",
    "__version__",
    "array",
    "codecs",
    "config",
    "consolidate_metadata",
    "convert",
    "copy",
    "copy_all",
    "copy_store",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "dtype",
    "empty",
    "empty_like",
    "errors",
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
    "open_zarr",
    "print_debug_info",
    "save",
    "save_array",
    "save_group",
    "storage",
    "stores",
    "tree",
    "verify",
    "zeros",
    "zeros_like",
]


def __getattr__(name: str) -> object:
    # zarr-python's codec pipeline, loaded on first use so that importing simplezarr never
    # imports zarr-python (an optional dependency: pip install simplezarr[zarr]).
    if name == "ZarrCodecPipeline":
        from simplezarr.pipeline import ZarrCodecPipeline

        return ZarrCodecPipeline
    raise AttributeError(f"module 'simplezarr' has no attribute {name!r}")
