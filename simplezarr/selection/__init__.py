"""Selections beyond basic indexing, each projected onto chunks for the engine.

- :mod:`.items`: parsing selection items numpy's way, numpy's errors, grouping by chunk,
  and how a plain ``a[...]`` is classified (zarr-python 3.1.6's dispatch);
- :mod:`.orthogonal`: ``a.oindex``, each axis indexed on its own;
- :mod:`.vectorized`: ``a.vindex``, numpy's advanced indexing (points, masks, mixes);
- :mod:`.blocks`: ``a.blocks``, whole chunks (or shards) by grid position;
- :mod:`.methods`: the :class:`SelectionMethods` mixin of ``ZarrArray`` and the
  ``a[...]`` dispatch.

Example:
    >>> from simplezarr.selection import vectorized_indexer
    >>> vectorized_indexer(([3, 0], [1, 1]), shape=(4, 4), chunk_shape=(2, 2)).shape
    (2,)
"""

from simplezarr.indexing import Indexer
from simplezarr.selection.blocks import block_indexer
from simplezarr.selection.methods import (
    BlockIndex,
    OIndex,
    SelectionMethods,
    VIndex,
    getitem_indexer,
)
from simplezarr.selection.orthogonal import OrthogonalIndexer, orthogonal_indexer
from simplezarr.selection.vectorized import VectorizedIndexer, vectorized_indexer

__all__ = [
    "BlockIndex",
    "Indexer",
    "OIndex",
    "OrthogonalIndexer",
    "SelectionMethods",
    "VIndex",
    "VectorizedIndexer",
    "block_indexer",
    "getitem_indexer",
    "orthogonal_indexer",
    "vectorized_indexer",
]
