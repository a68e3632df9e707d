"""zarr-python 3.4.2 hands each chunk of a rectilinear grid to the codec pipeline with that
chunk's own shape: simplezarr's pipeline (one bound chain per distinct shape) stores the same
bytes and reads the same values as zarr-python's default pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.pipeline.pipelines import DEFAULT, OURS, pipeline, stored

zarr = pytest.importorskip("zarr")
if "rectilinear_chunks" not in zarr.config.get("array"):
    pytest.skip("zarr-python has no rectilinear chunk grids (3.4+)", allow_module_level=True)

SHAPE = (30, 25)
LAYOUTS = {
    "explicit": dict(chunks=[[5, 10, 15], [3, 22]]),
    "mixed": dict(chunks=(7, [10, 15])),
    "raw": dict(chunks=[[1, 29], [25]], compressors=None),
    "sharded": dict(chunks=(5, 5), shards=[[10, 20], [5, 20]]),
    "fill-value": dict(chunks=[[12, 18], 4], fill_value=-3),
}


@pytest.fixture(autouse=True)
def _flag_on() -> Iterator[None]:
    with zarr.config.set({"array.rectilinear_chunks": True}):
        yield


def _exercise(path: str, **kwargs: Any) -> tuple[dict[str, bytes], list[np.ndarray]]:
    store = zarr.storage.MemoryStore()
    x = np.arange(np.prod(SHAPE), dtype="int32").reshape(SHAPE)
    with pipeline(path):
        a = zarr.create_array(store, shape=SHAPE, dtype="int32", **kwargs)
        reads = [a[...]]
        a[...] = x
        a[3:17, 2:20:3] = -x[:14, :6]
        a.oindex[[0, 29, 12], 4] = 7
        a.vindex[[1, 13, 29], [0, 24, 11]] = 9
        a[20:30, :] = kwargs.get("fill_value", 0)  # fill-only chunks: deleted
        reads += [a[...], a[5], a[1:29:4, ::3], a.oindex[[29, 0, 11], 3:9]]
        reads += [a.vindex[[28, 1], [7, 2]], a.blocks[1, 0], a.vindex[x % 4 == 0]]
        a.resize((40, 25))
        a[30:] = 5
        reads.append(a[...])
        reads.append(zarr.open_array(store, mode="r")[...])
    return stored(store), reads


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_same_bytes_and_values_as_the_default_pipeline(layout: str) -> None:
    theirs, their_reads = _exercise(DEFAULT, **LAYOUTS[layout])
    ours, our_reads = _exercise(OURS, **LAYOUTS[layout])
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        assert ours[key] == theirs[key], key
    for mine, expected in zip(our_reads, their_reads, strict=True):
        np.testing.assert_array_equal(mine, expected)


def test_the_pipeline_is_simplezarrs() -> None:
    with pipeline(OURS):
        a = zarr.create_array({}, shape=(30,), chunks=[[10, 20]], dtype="int8")
    assert type(a.async_array.codec_pipeline).__name__ == "ZarrCodecPipeline"
