"""simplezarr arrays on a real dask.distributed cluster: a LocalCluster with 2 worker
processes on 127.0.0.1, started and stopped here. Arrays go to the workers by pickle and
each worker opens its own files and clients. The default run has one test (aligned reads
and writes); the others are slow (``bash scripts/test.sh --slow``): sub-shard writes from
both workers into the same shards (with a control that loses updates) and S3 on moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import simplezarr  # noqa: E402
from simplezarr import dask as sdask  # noqa: E402
from simplezarr.nodes import ZarrArray  # noqa: E402
from simplezarr.stores import (  # noqa: E402
    FsspecStore,
    LocalStore,
    MemoryStore,
    ObjectStore,
    SlowStore,
)
from tests.dask.dask_helpers import (  # noqa: E402
    ProcessUnlockedLocalStore,
    increment,
    pid_of_block,
)
from tests.stores.store_servers import S3Server  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _workers(x: Any) -> set[int]:
    """The worker processes that computed the blocks of ``x``."""
    return set(np.unique(x.map_blocks(pid_of_block, dtype="i8").compute()).tolist())


def test_a_cluster_reads_and_writes_whole_shards(client: Any, tmp_path: Path) -> None:
    a = simplezarr.create_array(
        LocalStore(tmp_path / "a.zarr"), shape=(64, 48), chunks=(4, 4), shards=(16, 12), dtype="i4"
    )
    data = np.arange(64 * 48, dtype="i4").reshape(64, 48)
    sdask.store(da.from_array(data, chunks=(10, 10)), a)  # rechunked to whole shards
    np.testing.assert_array_equal(a[...], data)

    x = da.from_array(a, chunks=a.shards)
    assert len(_workers(x)) == 2  # both processes read
    b = simplezarr.create_array(
        LocalStore(tmp_path / "b.zarr"), shape=(64, 48), chunks=(16, 12), dtype="i8"
    )
    da.store(x.astype("i8") * 2, b, lock=False)
    np.testing.assert_array_equal(b[...], data * 2)
    assert int(sdask.to_dask(b).sum().compute()) == 2 * int(data.sum())
    # A MemoryStore goes to the workers as a copy of its content: fine for reading.
    m = simplezarr.create_array(MemoryStore(), shape=(64, 48), chunks=(16, 12), dtype="i4")
    m[...] = data
    assert int(sdask.to_dask(m, chunks=m.chunks).sum().compute()) == int(data.sum())


def _one_shard_array(store: Any) -> ZarrArray:
    return simplezarr.create_array(
        store, shape=(64,), chunks=(4,), shards=(32,), dtype="i4", fill_value=0
    )


@pytest.mark.slow
def test_dask_store_of_inner_chunks_from_both_workers_loses_nothing(
    client: Any, tmp_path: Path
) -> None:
    # 8 tasks into each of 2 shards, every one a read-modify-write of its shard.
    a = _one_shard_array(SlowStore(LocalStore(tmp_path / "a.zarr"), 0.002))
    for round_ in range(1, 6):
        x = da.from_array(a, chunks=a.chunks, name=False)
        da.store(x + 1, a, lock=False)
        assert int(np.asarray(a[...]).sum()) == round_ * 64  # nothing lost in any round
    assert len(_workers(da.from_array(a, chunks=a.chunks))) == 2


def _lost_increments(client: Any, array: ZarrArray, times: int = 10) -> int:
    """Tasks increment inner chunk i of the shards ``times`` times on worker i % 2, all at
    once: every increment is a partial write of a shard another process writes too."""
    workers = sorted(client.scheduler_info()["workers"])
    futures = [
        client.submit(increment, array, i, i + 4, times, workers=[workers[k % 2]], pure=False)
        for k, i in enumerate(range(0, 64, 4))
    ]
    pids = set(client.gather(futures))
    assert len(pids) == 2
    return 16 * 4 * times - int(np.asarray(array[...]).sum())


@pytest.mark.slow
def test_sub_shard_writes_of_two_worker_processes_lose_nothing(client: Any, tmp_path: Path) -> None:
    a = _one_shard_array(SlowStore(LocalStore(tmp_path / "a.zarr"), 0.002))
    assert _lost_increments(client, a) == 0


@pytest.mark.slow
def test_control_without_locks_the_workers_lose_sub_shard_writes(
    client: Any, tmp_path: Path
) -> None:
    # Threads of one worker still take turns: only the locks between processes are off
    # (measured: 220-310 of 640 increments lost; 0 with the locks).
    a = _one_shard_array(SlowStore(ProcessUnlockedLocalStore(tmp_path / "a.zarr"), 0.002))
    assert _lost_increments(client, a) > 0


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::simplezarr.errors.UnsafePartialWrite")
@pytest.mark.parametrize("client_kind", ["fsspec", "obstore"])
def test_pickled_s3_stores_on_the_cluster(client: Any, s3: S3Server, client_kind: str) -> None:
    url = f"s3://{s3.new_prefix()}/a.zarr"
    if client_kind == "fsspec":
        store: Any = FsspecStore.from_url(url, storage_options=s3.fsspec_options())
    else:
        pytest.importorskip("obstore")
        store = ObjectStore.from_url(url, s3.obstore_options())
    a = simplezarr.create_array(store, shape=(40, 30), chunks=(5, 5), shards=(10, 15), dtype="f8")
    data = np.random.default_rng(0).random((40, 30))
    sdask.store(da.from_array(data, chunks=(20, 30)), a)
    np.testing.assert_array_equal(a[...], data)
    x = sdask.to_dask(a, chunks=a.shards)
    assert len(_workers(x)) == 2
    np.testing.assert_array_equal(x.compute(), data)
