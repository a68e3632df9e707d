"""zarr-python's top-level API: :mod:`simplezarr.api.synchronous` (also exported from
``simplezarr``) and :mod:`simplezarr.api.asynchronous` (the awaitable twins).

Example:
    >>> import simplezarr.api.asynchronous as zasync
    >>> import asyncio
    >>> asyncio.run(zasync.zeros((2,), dtype="i1")).shape
    (2,)
"""

from simplezarr.api import asynchronous, node_constructors, synchronous

__all__ = ["asynchronous", "node_constructors", "synchronous"]
