"""Selections become :class:`ChunkProjection` s: the only thing that crosses to the engine.

- :mod:`.projection`: :class:`ChunkProjection`, :class:`FancyProjection`, :class:`Indexer`;
- :mod:`.basic`: integers, slices (any step) and Ellipsis (:class:`BasicIndexer`);
- :mod:`.items`: selection items as numpy reads them, numpy's errors, grouping by chunk;
- :mod:`.orthogonal`: ``a.oindex``, each axis indexed on its own;
- :mod:`.vectorized`: ``a.vindex``, numpy's advanced indexing (points, masks, mixes);
- :mod:`.blocks`: ``a.blocks``, whole chunks (or shards) by grid position;
- :mod:`.dispatch`: which indexer serves a plain ``a[...]`` (zarr-python's dispatch);
- :mod:`.subproject`: a chunk's selection projected onto the smaller chunks inside it (a
  shard's inner chunks).

Example:
    >>> from simplezarr.indexing import vectorized_indexer
    >>> vectorized_indexer(([3, 0], [1, 1]), shape=(4, 4), chunk_shape=(2, 2)).shape
    (2,)
"""

from simplezarr.indexing.basic import (
    NEWAXIS,
    BasicIndexer,
    DimProjection,
    IntDim,
    SliceDim,
    as_index,
    ellipsis_position,
    expand_selection,
    normalize_basic_selection,
    slice_indices,
    too_many,
    two_ellipses,
)
from simplezarr.indexing.blocks import block_indexer
from simplezarr.indexing.dispatch import getitem_indexer
from simplezarr.indexing.orthogonal import OrthogonalIndexer, orthogonal_indexer
from simplezarr.indexing.projection import ChunkProjection, ChunkSel, FancyProjection, Indexer
from simplezarr.indexing.subproject import project_within
from simplezarr.indexing.vectorized import MaskIndexer, VectorizedIndexer, vectorized_indexer

__all__ = [
    "NEWAXIS",
    "BasicIndexer",
    "ChunkProjection",
    "ChunkSel",
    "DimProjection",
    "FancyProjection",
    "Indexer",
    "IntDim",
    "MaskIndexer",
    "OrthogonalIndexer",
    "SliceDim",
    "VectorizedIndexer",
    "as_index",
    "block_indexer",
    "ellipsis_position",
    "expand_selection",
    "getitem_indexer",
    "normalize_basic_selection",
    "orthogonal_indexer",
    "project_within",
    "slice_indices",
    "too_many",
    "two_ellipses",
    "vectorized_indexer",
]
