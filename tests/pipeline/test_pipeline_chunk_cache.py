"""zarr-python's arrays through simplezarr's pipeline with the decoded-chunk cache on: zarr-
python changes files through its own store too, so nothing it reads is served stale."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simplezarr.chunk_cache import CACHE
from simplezarr.config import config
from tests.pipeline.pipelines import OURS, pipeline, zarr


def test_a_resize_through_zarr_python_is_seen_with_the_cache_on(tmp_path: Path) -> None:
    CACHE.clear()
    try:
        with pipeline(OURS), config.set(chunk_cache_bytes=1 << 20):
            store = zarr.storage.LocalStore(str(tmp_path / "a.zarr"))
            a = zarr.create_array(store, shape=(8,), chunks=(2,), dtype="i4", fill_value=-1)
            a[:] = np.arange(8)
            assert a[:].tolist() == list(range(8))
            a.resize((2,))  # zarr-python deletes the chunks past the new end itself
            a.resize((8,))
            assert a[:].tolist() == [0, 1] + [-1] * 6
            # Control: the same reads through simplezarr's own LocalStore are cached.
            import simplezarr

            b = simplezarr.open_array(str(tmp_path / "a.zarr"), mode="r")
            b[...]
            assert len(CACHE) > 0
    finally:
        CACHE.clear()
