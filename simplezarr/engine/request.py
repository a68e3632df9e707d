"""One element of the engine's batch interface: :class:`ChunkRequest` (see
:mod:`simplezarr.engine.batch` for the contract).

Example:
    >>> ChunkRequest._fields
    ('source', 'key', 'chain', 'projection')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from simplezarr.errors import ZarrError

if TYPE_CHECKING:
    from simplezarr.codecs.chain import CodecChain
    from simplezarr.indexing import ChunkProjection

__all__ = ["ChunkRequest", "in_array", "located", "located_keys"]


class ChunkRequest(NamedTuple):
    """One stored object of a batch: where its bytes come from (``source``, ``key``), its
    bound codec chain, and the part of it the caller's buffer takes (``projection``)."""

    source: Any
    key: Any
    chain: CodecChain
    projection: ChunkProjection


def _again(error: ZarrError, message: str) -> ZarrError:
    """``error``'s type with a new message (a ZarrError whose type takes other arguments
    comes back as it was)."""
    try:
        again = type(error)(message)
    except TypeError:
        return error
    again.__dict__.update(error.__dict__)
    return again


def describe(source: Any, key: Any) -> str:
    """How messages name the object ``key`` of ``source``: the store key, and for an inner
    chunk its shard and byte range (the source's ``describe``)."""
    named = getattr(source, "describe", None)
    return named(key) if named is not None else f"key {key!r}"


def located(error: ZarrError, r: ChunkRequest) -> ZarrError:
    """``error`` again, its message prefixed with the stored object it concerns: the key,
    and for an inner chunk its shard and byte range (the source's ``describe``).

    Example:
        >>> from simplezarr.errors import CorruptChunk
        >>> str(located(CorruptChunk("bad"), ChunkRequest(None, "c/0", None, None)))  # type: ignore[arg-type]
        "key 'c/0': bad"
    """
    where = describe(r.source, r.key)
    if str(error).startswith(where):
        return error
    return _again(error, f"{where}: {error}")


def located_keys(error: ZarrError, requests: Sequence[ChunkRequest]) -> ZarrError:
    """``error`` of a request for several objects, prefixed with the one object (or the
    first and last of the objects) it concerns, unless its message names one already."""
    if not requests:
        return error
    names = [describe(r.source, r.key) for r in (requests[0], requests[-1])]
    message = str(error)
    if any(repr(r.key) in message for r in requests[:64]) or names[0] in message:
        return error
    where = (
        names[0] if len(requests) == 1 else f"{len(requests)} objects ({names[0]} to {names[1]})"
    )
    return _again(error, f"{where}: {message}")


def in_array(error: ZarrError, path: str, store: object) -> ZarrError:
    """``error`` prefixed with the array it concerns (its path and store), once.

    Example:
        >>> from simplezarr.errors import CorruptChunk
        >>> str(in_array(CorruptChunk("key 'c/0': bad"), "a/b", "MemoryStore()"))
        "array 'a/b' in MemoryStore(): key 'c/0': bad"
    """
    where = f"array {path or '/'!r} in {store}"
    if str(error).startswith("array "):
        return error
    return _again(error, f"{where}: {error}")
