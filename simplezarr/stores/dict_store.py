"""DictStore: the name simplezarr first gave a store in a caller's dict, now a MemoryStore."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from simplezarr.stores.memory import MemoryStore

__all__ = ["DictStore"]


class DictStore(MemoryStore):
    """A :class:`MemoryStore` over the caller's ``mapping`` (kept for code that names it;
    ``store={}`` and ``MemoryStore(d)`` are the same store).

    Example:
        >>> d = {}
        >>> DictStore(d).set("zarr.json", b"{}")
        >>> d
        {'zarr.json': b'{}'}
    """

    def __init__(self, mapping: MutableMapping[str, Any], read_only: bool = False) -> None:
        super().__init__(mapping, read_only=read_only)

    @property
    def mapping(self) -> MutableMapping[str, Any]:
        """The dict this store reads and writes."""
        return self._data
