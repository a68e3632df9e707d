"""The decoded-chunk cache: an LRU of decoded chunks within a byte budget
(``config.chunk_cache_bytes``; 0, the default, turns it off).

Repeated and sliding reads (a window moving along one axis re-reads the chunks it touched
before) then decode each chunk once. Entries are keyed by where a chunk lives (its store's
``lock_scope``: one directory, one bucket prefix, one in-memory dict), its key and the
identity of the codec chain it was decoded with (shape, data type, fill value, codecs), so two
array objects opened on one path share entries and a chunk re-created with other metadata
never matches an old entry.

Writes in this process never leave a stale entry: every write, delete or prefix erase of a
store forgets the entries of the keys it touches (:func:`forget`, :func:`forget_prefix`, called
by :class:`simplezarr.stores.WritableStore` after the store changed), and a decoded chunk is
only added if no write of any key happened between the start of its fetch and its insertion
(:func:`writes_seen` before, :meth:`ChunkCache.put` checks). Writes by other processes are not
seen: the cache is for data that this process alone changes.

Only stores whose every write goes through their own methods say they can be cached
(``caches_chunks``): LocalStore, MemoryStore, the remote stores and wrappers of them; not a
caller's dict (DictStore), a ZIP file or a zarr-python store seen through the codec pipeline.
An entry holds a reference to its store, so a location named by an object's ``id`` (a
MemoryStore) cannot be reused by another object while entries of it remain.

Example:
    >>> import numpy as np
    >>> cache = ChunkCache()
    >>> seen = writes_seen()
    >>> cache.put(("memory", 1), "c/0", "chain", None, np.arange(3), seen, budget=1024)
    True
    >>> cache.get(("memory", 1), "c/0", "chain").tolist()
    [0, 1, 2]
    >>> forget(("memory", 1), "c/0", cache)
    >>> cache.get(("memory", 1), "c/0", "chain") is None
    True
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np

__all__ = ["CACHE", "ChunkCache", "forget", "forget_prefix", "writes_seen"]

#: Charged for an entry that records a missing chunk (no array).
MISSING_COST = 64

_writes = 0  # writes of any key in this process; only ever grows (under _writes_lock)
_writes_lock = threading.Lock()


def writes_seen() -> int:
    """How many writes this process has made so far: taken before a fetch and handed to
    :meth:`ChunkCache.put`, which refuses the chunk if any write happened since."""
    return _writes


class ChunkCache:
    """A thread-safe LRU of decoded chunks, ``(scope, key) -> (chain identity, array)``.

    ``get`` returns a read-only array (or ``MISSING`` for a chunk known to be missing);
    ``put`` adds one within ``budget`` bytes, evicting the least recently used entries.

    Example:
        >>> cache = ChunkCache()
        >>> cache.put("s", "k", "t", None, None, writes_seen(), budget=100)  # missing chunk
        True
        >>> cache.get("s", "k", "t") is MISSING, cache.nbytes
        (True, 64)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Hashable, Any], tuple[Any, Any, Any, int]] = OrderedDict()
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, scope: Hashable, key: Any, identity: Any) -> Any:
        """The cached chunk (``MISSING`` if known to be missing), or None."""
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is None or entry[0] != identity:
                self.misses += 1
                return None
            self._entries.move_to_end((scope, key))
            self.hits += 1
            return MISSING if entry[2] is None else entry[2]

    def put(
        self,
        scope: Hashable,
        key: Any,
        identity: Any,
        owner: Any,
        chunk: np.ndarray | None,
        seen: int,
        budget: int,
    ) -> bool:
        """Add ``chunk`` (None: a missing chunk) unless a write happened since ``seen`` was
        taken or it alone exceeds ``budget``; True if added. ``owner`` (the store) is kept
        alive with the entry."""
        cost = MISSING_COST if chunk is None else max(int(chunk.nbytes), 1)
        if cost > budget:
            return False
        if chunk is not None and chunk.flags.writeable:
            chunk = chunk.view()
            chunk.flags.writeable = False  # the cache's copy is shared: nobody may change it
        with self._lock:
            if _writes != seen:  # a write may have changed the value after it was fetched
                return False
            old = self._entries.pop((scope, key), None)
            if old is not None:
                self.nbytes -= old[3]
            self._entries[(scope, key)] = (identity, owner, chunk, cost)
            self.nbytes += cost
            while self.nbytes > budget:
                _, evicted = self._entries.popitem(last=False)
                self.nbytes -= evicted[3]
        return True

    def discard(self, scope: Hashable, key: Any) -> None:
        """Drop the entry of ``key`` at ``scope``, if any."""
        with self._lock:
            old = self._entries.pop((scope, key), None)
            if old is not None:
                self.nbytes -= old[3]

    def discard_prefix(self, scope: Hashable, prefix: str) -> None:
        """Drop the entries of every key at ``scope`` that starts with ``prefix``."""
        with self._lock:
            doomed = [
                k
                for k in self._entries
                if k[0] == scope and isinstance(k[1], str) and k[1].startswith(prefix)
            ]
            for k in doomed:
                self.nbytes -= self._entries.pop(k)[3]

    def clear(self) -> None:
        """Drop every entry (and reset the hit and miss counts)."""
        with self._lock:
            self._entries.clear()
            self.nbytes = self.hits = self.misses = 0


class _Missing:
    """What :meth:`ChunkCache.get` returns for a chunk known to be missing."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

#: The process's cache, used by the engine's reads.
CACHE = ChunkCache()


def _after_fork() -> None:
    # A forked child is another process: what its parent writes from now on is a write the
    # child cannot see, so it starts empty; and a lock another thread held at the fork
    # would never be released in the child.
    global _writes_lock
    _writes_lock = threading.Lock()
    CACHE._lock = threading.Lock()
    CACHE.clear()


os.register_at_fork(after_in_child=_after_fork)


def _count_write() -> None:
    global _writes
    with _writes_lock:
        _writes += 1


def forget(scope: Hashable, key: Any, cache: ChunkCache = CACHE) -> None:
    """A store at ``scope`` has just written or deleted ``key``: forget its entry, and make
    every chunk fetched before now too old to be added."""
    _count_write()
    if len(cache):
        cache.discard(scope, key)


def forget_prefix(scope: Hashable, prefix: str, cache: ChunkCache = CACHE) -> None:
    """A store at ``scope`` has just erased every key under ``prefix`` (``""``: all)."""
    _count_write()
    if len(cache):
        cache.discard_prefix(scope, prefix)
