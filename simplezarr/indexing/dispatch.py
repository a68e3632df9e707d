"""How a plain ``a[selection]`` is served: which indexer, dispatched as zarr-python does.

Example:
    >>> getitem_indexer((1, slice(None)), (4, 4), (2, 2)).shape
    (4,)
"""

from __future__ import annotations

from typing import Any

from simplezarr.indexing.axes import Axis
from simplezarr.indexing.basic import BasicIndexer
from simplezarr.indexing.items import classify, lists_to_arrays
from simplezarr.indexing.orthogonal import orthogonal_indexer
from simplezarr.indexing.projection import Indexer
from simplezarr.indexing.vectorized import vectorized_indexer

__all__ = ["getitem_indexer"]


#: Item types that make a selection basic without further checks (``bool`` is not ``int``
#: here: ``type(True) is bool``).
_BASIC_TYPES = frozenset({int, slice, type(Ellipsis)})


def getitem_indexer(
    selection: Any, shape: tuple[int, ...], chunk_shape: tuple[Axis, ...]
) -> Indexer:
    """The indexer serving ``a[selection]``, dispatched as zarr-python 3.1.6 does: a pure
    fancy selection is vectorized, a pure orthogonal one orthogonal, anything else basic.
    Where zarr-python would then fail (arrays mixed with slices in ways it calls neither),
    the selection gets numpy's vectorized meaning.

    Example:
        >>> getitem_indexer((1, slice(None)), (4, 4), (2, 2)).shape
        (4,)
        >>> getitem_indexer(([0, 1], [2, 3]), (4, 4), (2, 2)).shape  # points
        (2,)
        >>> getitem_indexer(([0, 1], slice(None)), (4, 4), (2, 2)).shape  # rows
        (2, 4)
    """
    # The common case first, at the cost of a few type checks.
    if type(selection) is tuple:
        if all(type(s) in _BASIC_TYPES for s in selection):
            return BasicIndexer(selection, shape, chunk_shape)
    elif type(selection) in _BASIC_TYPES:
        return BasicIndexer(selection, shape, chunk_shape)
    selection = lists_to_arrays(selection)  # once, not per classification rule
    kind = classify(selection, len(shape))
    if kind == "vectorized":
        return vectorized_indexer(selection, shape, chunk_shape)
    if kind == "orthogonal":
        return orthogonal_indexer(selection, shape, chunk_shape)
    return BasicIndexer(selection, shape, chunk_shape)
