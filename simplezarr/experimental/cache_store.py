"""zarr-python's ``zarr.experimental.cache_store``: :class:`CacheStore`, a store wrapper that
keeps what it reads in a second store (:mod:`simplezarr.stores.cache`).

Example:
    >>> import simplezarr
    >>> from simplezarr.experimental.cache_store import CacheStore
    >>> source, cache = simplezarr.storage.MemoryStore(), simplezarr.storage.MemoryStore()
    >>> a = simplezarr.create_array(CacheStore(source, cache_store=cache), shape=(4,), dtype="i1")
    >>> a[:] = [1, 2, 3, 4]  # written to the source, and kept in the cache
    >>> a[:].tolist(), a.store.cache_stats()["hits"] > 0, sorted(cache.list()) == sorted(source.list())
    ([1, 2, 3, 4], True, True)
"""

from simplezarr.stores.cache import CacheStore

__all__ = ["CacheStore"]
