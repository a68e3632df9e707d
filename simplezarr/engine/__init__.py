"""The engine: batches of chunk requests read into, or written from, a caller's buffer.

- :mod:`.batch`: the contract every caller speaks (:class:`ChunkRequest`,
  :func:`read_batch`, :func:`write_batch`), simplezarr's arrays and zarr-python's codec
  pipeline alike;
- :mod:`.array_io`: an array bound to its store (:class:`ArrayIO`), and its reads and
  writes of an indexer's projections as batches;
- :mod:`.read` and :mod:`.write`: the decode/scatter and merge/encode/store stages, running
  in the one shared pool (:mod:`simplezarr.concurrency`);
- :mod:`.shards`: the shard source, the only place that knows a shard from a chunk;
- :mod:`.work`: how work is cut into batches and parts; :mod:`.allocator`: the allocator
  tuning applied at the first read or write.

Fast paths, each named once where it happens: *missing chunk* and *byte window*, *decode
into the output*, *batched decode* and *pipelined* reads (:mod:`.read`); *fully overwritten
chunk* and *all-fill chunk* (:mod:`.write`); *neighbouring inner chunks in one read* and
*untouched inner chunks kept as bytes* (:mod:`.shards`); *small work in the calling thread*
(:mod:`.work`).

Example:
    >>> import numpy as np
    >>> from simplezarr.stores import MemoryStore
    >>> from simplezarr.metadata.options import build_array_metadata
    >>> from simplezarr.indexing import BasicIndexer
    >>> meta = build_array_metadata(shape=(6,), dtype="int32", chunks=(4,))
    >>> io = ArrayIO(MemoryStore(), "", meta)
    >>> write(io, BasicIndexer(slice(None), meta.shape, io.grid.axes), np.arange(6))
    >>> read(io, BasicIndexer(slice(1, 5), meta.shape, io.grid.axes)).tolist()
    [1, 2, 3, 4]
"""

from simplezarr.engine.array_io import (
    ArrayIO,
    clear_outside,
    inner_chunks_stored,
    nchunks_stored,
    read,
    stored_chunks,
    write,
)
from simplezarr.engine.batch import ChunkRequest, read_batch, write_batch
from simplezarr.fill import is_all_fill

__all__ = [
    "ArrayIO",
    "ChunkRequest",
    "clear_outside",
    "inner_chunks_stored",
    "is_all_fill",
    "nchunks_stored",
    "read",
    "read_batch",
    "stored_chunks",
    "write",
    "write_batch",
]
