"""One element of the engine's batch interface: :class:`ChunkRequest` (see
:mod:`simplezarr.engine.batch` for the contract).

Example:
    >>> ChunkRequest._fields
    ('source', 'key', 'chain', 'projection')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from simplezarr.errors import ZarrError

if TYPE_CHECKING:
    from simplezarr.codecs.chain import CodecChain
    from simplezarr.indexing import ChunkProjection

__all__ = ["ChunkRequest", "located"]


class ChunkRequest(NamedTuple):
    """One stored object of a batch: where its bytes come from (``source``, ``key``), its
    bound codec chain, and the part of it the caller's buffer takes (``projection``)."""

    source: Any
    key: Any
    chain: CodecChain
    projection: ChunkProjection


def located(error: ZarrError, r: ChunkRequest) -> ZarrError:
    """``error`` again, its message prefixed with the stored object it concerns: the key,
    and for an inner chunk its shard and byte range (the source's ``describe``)."""
    describe = getattr(r.source, "describe", None)
    where = describe(r.key) if describe is not None else f"key {r.key!r}"
    return type(error)(f"{where}: {error}")
