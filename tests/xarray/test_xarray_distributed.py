"""engine="simplezarr" under a real dask.distributed cluster of worker processes: the
lazy variables are pickled to the workers, which read their blocks with simplezarr."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")
distributed = pytest.importorskip("distributed")

from tests.xarray.datasets import write  # noqa: E402


@pytest.mark.slow  # starts a cluster of 2 worker processes (several seconds)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_process_cluster_reads_through_the_engine(tmp_path: Path, zarr_format: int) -> None:
    path = tmp_path / "d.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(path, zarr_format, consolidated=True)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        ) as cluster,  # fmt: skip
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        ds = xr.open_dataset(path, engine="simplezarr", chunks={"time": 2, "x": 2})
        with distributed.get_task_stream(client) as stream:
            got = client.compute(ds).result()
    # the blocks were read in the worker processes (both of them), not here
    reads = [t for t in stream.data if "open_dataset" in str(t["key"])]
    assert reads and len({t["worker"] for t in reads}) == 2
    xr.testing.assert_identical(got, xr.open_zarr(path, chunks=None).load())
