"""xarray and dask through zarr-python with simplezarr's pipeline (skipped where they are
not installed: they are no dependency of simplezarr's test extras)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.pipeline.pipelines import OURS, pipeline

zarr = pytest.importorskip("zarr")


def test_dask_threads_write_sub_shard_blocks(tmp_path: Any) -> None:
    da = pytest.importorskip("dask.array")
    with pipeline(OURS):
        z = zarr.create_array(
            zarr.storage.LocalStore(tmp_path), shape=(256, 256), chunks=(16, 16),
            shards=(256, 256), dtype="i4",
        )  # fmt: skip
        x = da.arange(256 * 256, chunks=16 * 256).reshape(256, 256).rechunk((16, 16))
        da.store(x.astype("i4"), z, lock=False, scheduler="threads")
        np.testing.assert_array_equal(z[...], np.arange(256 * 256).reshape(256, 256))


def test_xarray_round_trip(tmp_path: Any) -> None:
    xr = pytest.importorskip("xarray")
    pytest.importorskip("dask")
    data = np.arange(400 * 300, dtype="f4").reshape(400, 300)
    ds = xr.Dataset({"t": (("x", "y"), data)}, coords={"x": np.arange(400)})
    with pipeline(OURS):
        encoding = {"t": {"chunks": (50, 50), "shards": (200, 300)}}
        ds.chunk({"x": 100, "y": 100}).to_zarr(
            tmp_path, mode="w", safe_chunks=False, encoding=encoding, zarr_format=3
        )
        assert type(zarr.open_array(tmp_path, path="t")._async_array.codec_pipeline) is (
            zarr.registry.get_pipeline_class()
        )
        np.testing.assert_array_equal(xr.open_zarr(tmp_path).t.values, data)
