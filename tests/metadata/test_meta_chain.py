"""The codec chain is resolved and bound once per metadata object, and arrays share it."""

from __future__ import annotations

import numpy as np

from simplezarr.metadata.options import build_array_metadata
from simplezarr.metadata.store_io import load_metadata
from simplezarr.nodes import ZarrArray
from simplezarr.stores import MemoryStore


def test_open_binds_the_parsed_chain() -> None:
    store = MemoryStore()
    a = ZarrArray.create(store, "a", shape=(8, 8), chunks=(2, 2), shards=(4, 4), dtype="f4")
    a[:] = np.arange(64, dtype="f4").reshape(8, 8)
    meta = load_metadata(store, "a")
    # parsing resolved the codecs through the chain it keeps
    assert meta.chain.codecs == meta.codecs
    b = ZarrArray(store, "a", meta)
    assert b._io.chain is meta.chain
    assert b._io.chain.shard is not None
    assert b._io.chain.shard.codec == meta.codecs[0]
    np.testing.assert_array_equal(b[:], a[:])


def test_resolved_codecs_are_what_is_written() -> None:
    meta = build_array_metadata(
        shape=(10,), dtype="uint8", chunks=(5,), compressors=[{"name": "blosc"}]
    ).with_resolved_codecs()
    blosc = meta.to_json()["codecs"][1]
    assert blosc["name"] == "blosc"
    assert blosc["configuration"]["typesize"] == 1
    assert meta.chain.codecs == meta.codecs
