"""Arrays, groups, every store kind and zarr-python's pipeline through pickle into another
process (``spawn`` and ``fork``), reading and writing there: the copy opens its own files,
clients and locks. A memory store's copy is a copy of its content (docs/dask.md)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simplezarr.errors import StoreError, UnsupportedStoreError
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.stores import (
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ObjectStore,
    SlowStore,
    ZipStore,
)
from simplezarr.stores.base import BaseStore
from simplezarr.stores.dict_store import DictStore
from simplezarr.stores.wrappers import ReadOnlyView
from tests.dask.dask_helpers import use_in_child
from tests.stores.store_servers import S3Server

DATA = np.arange(16, dtype="i4")
#: What the child's writes make of DATA (use_in_child).
WRITTEN = np.concatenate([[-1], DATA[1:4], [-2] * 4, DATA[8:]]).astype("i4")


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[ProcessPoolExecutor]:
    # One spawned process for the module: every task still goes through pickle.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.fixture(params=["spawn", "fork"])
def child(request: pytest.FixtureRequest) -> Iterator[ProcessPoolExecutor]:
    """A process that gets its tasks pickled; a fork is made now, after the parent made
    its stores (and lock files, pools, clients)."""
    if request.param == "spawn":
        yield request.getfixturevalue("spawn_pool")
        return
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def _s3(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue("s3")  # type: ignore[no-any-return]


#: name -> (make a store at a fresh location, does the copy share the parent's data?)
STORES: dict[str, tuple[Callable[[Path, pytest.FixtureRequest], BaseStore], bool]] = {
    "local": (lambda p, r: LocalStore(p / "a.zarr"), True),
    "memory": (lambda p, r: MemoryStore(), False),
    "dict": (lambda p, r: DictStore({}), False),
    "logging": (lambda p, r: LoggingStore(LocalStore(p / "a.zarr")), True),
    "slow": (lambda p, r: SlowStore(LocalStore(p / "a.zarr"), 0.001), True),
    "fsspec-file": (lambda p, r: FsspecStore.from_url(f"file://{p}/a.zarr"), True),
    "fsspec-s3": (
        lambda p, r: FsspecStore.from_url(
            f"s3://{_s3(r).new_prefix()}/a.zarr", storage_options=_s3(r).fsspec_options()
        ),
        True,
    ),
    "obstore-file": (lambda p, r: ObjectStore.from_url(f"file://{p}/"), True),
    "obstore-s3": (
        lambda p, r: ObjectStore.from_url(
            f"s3://{_s3(r).new_prefix()}/a.zarr", _s3(r).obstore_options()
        ),
        True,
    ),
}


@pytest.mark.filterwarnings("ignore::simplezarr.errors.UnsafePartialWrite")  # remote stores
@pytest.mark.parametrize("kind", sorted(STORES))
def test_an_array_reads_and_writes_in_another_process(
    kind: str, child: ProcessPoolExecutor, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind.startswith("obstore"):
        pytest.importorskip("obstore")
    if kind.startswith("fsspec"):
        pytest.importorskip("fsspec")
    make, shared = STORES[kind]
    store = make(tmp_path, request)
    a = ZarrArray.create(store, "x", shape=(16,), chunks=(4,), dtype="i4", fill_value=0)
    a[...] = DATA
    a[0] = 0  # the parent has written part of a chunk (LocalStore: its lock file is open)

    if kind.startswith("obstore") and child._mp_context.get_start_method() == "fork":
        # obstore's runtime does not survive a fork: a clear error instead of a hang.
        with pytest.raises(StoreError, match="spawn"):
            child.submit(use_in_child, a, True).result(timeout=120)
        return
    out = child.submit(use_in_child, a, True).result(timeout=120)

    assert out["pid"] != os.getpid()
    np.testing.assert_array_equal(out["read"], DATA)
    np.testing.assert_array_equal(out["after"], WRITTEN)
    seen = np.asarray(a.refresh()[...])
    # A store with a location shows the child's writes; a memory store's copy was a copy.
    np.testing.assert_array_equal(seen, WRITTEN if shared else DATA)


def test_a_sharded_array_and_a_zip_store_in_another_process(
    child: ProcessPoolExecutor, tmp_path: Path
) -> None:
    path = tmp_path / "a.zip"
    with ZipStore(path, mode="w") as store:
        a = ZarrArray.create(store, "x", shape=(16,), chunks=(2,), shards=(8,), dtype="i4")
        a[...] = DATA
    store = ZipStore(path, mode="a")
    a = ZarrArray(store, "x")
    copy = pickle.dumps(a)
    store.close()  # the copies open the archive themselves

    out = child.submit(use_in_child, pickle.loads(copy), True).result(timeout=120)

    np.testing.assert_array_equal(out["read"], DATA)
    np.testing.assert_array_equal(out["after"], WRITTEN)
    with ZipStore(path) as reread:  # the child closed its copy: its writes are in the file
        np.testing.assert_array_equal(ZarrArray(reread, "x")[...], WRITTEN)
        assert zipfile.ZipFile(path).testzip() is None


def test_a_dirty_zip_store_refuses_to_pickle(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "a.zip", mode="w")
    ZarrArray.create(store, "x", shape=(4,), chunks=(2,), dtype="i1")
    with pytest.raises(Exception, match="close the store first"):
        pickle.dumps(store)
    store.close()
    assert pickle.loads(pickle.dumps(store)).list() == ["x/zarr.json", "zarr.json"]


def test_a_read_only_view_stays_read_only_in_another_process(
    child: ProcessPoolExecutor, tmp_path: Path
) -> None:
    a = ZarrArray.create(LocalStore(tmp_path / "a.zarr"), shape=(16,), chunks=(4,), dtype="i4")
    a[...] = DATA
    view = ZarrArray(ReadOnlyView(LocalStore(tmp_path / "a.zarr")))

    out = child.submit(use_in_child, view, True).result(timeout=120)

    np.testing.assert_array_equal(out["read"], DATA)
    assert "ReadOnly" in out["error"]  # ReadOnlyError or its ReadOnlyNodeError
    np.testing.assert_array_equal(a[...], DATA)


def _group_in_child(group: ZarrGroup) -> dict[str, Any]:
    return {"attrs": dict(group.attrs), "x": np.asarray(group["sub/x"][...]), "keys": list(group)}


@pytest.mark.parametrize("consolidated", [False, True])
def test_a_group_opens_its_members_in_another_process(
    child: ProcessPoolExecutor, tmp_path: Path, consolidated: bool
) -> None:
    import simplezarr

    root = ZarrGroup.create(LocalStore(tmp_path / "g.zarr"), attributes={"title": "t"})
    root.create_group("sub").create_array("x", shape=(16,), chunks=(4,), dtype="i4")[...] = DATA
    if consolidated:
        simplezarr.consolidate_metadata(LocalStore(tmp_path / "g.zarr"))
    group = simplezarr.open_group(LocalStore(tmp_path / "g.zarr"), mode="r")

    out = child.submit(_group_in_child, group).result(timeout=120)

    assert out["attrs"] == {"title": "t"} and out["keys"] == ["sub"]
    np.testing.assert_array_equal(out["x"], DATA)


def _zarr_in_child(array: Any) -> dict[str, Any]:
    read = np.asarray(array[...])
    array[4:8] = -2
    return {
        "pipeline": type(array._async_array.codec_pipeline).__qualname__,
        "read": read,
        "after": np.asarray(array[...]),
    }


def test_zarr_python_arrays_keep_the_pipeline_in_another_process(
    child: ProcessPoolExecutor, tmp_path: Path
) -> None:
    zarr = pytest.importorskip("zarr")
    import simplezarr

    with zarr.config.set({"codec_pipeline.path": "simplezarr.ZarrCodecPipeline"}):
        a = zarr.create_array(str(tmp_path / "z.zarr"), shape=(16,), chunks=(4,), dtype="i4")
        a[...] = DATA
    pipeline = a._async_array.codec_pipeline
    assert isinstance(pickle.loads(pickle.dumps(pipeline)), simplezarr.ZarrCodecPipeline)

    # The child's zarr config is the default one: the pipeline comes with the array.
    out = child.submit(_zarr_in_child, a).result(timeout=120)

    assert out["pipeline"] == "ZarrCodecPipeline"
    np.testing.assert_array_equal(out["read"], DATA)
    expected = DATA.copy()
    expected[4:8] = -2
    np.testing.assert_array_equal(out["after"], expected)
    np.testing.assert_array_equal(a[...], expected)


def test_copies_open_their_own_handles(tmp_path: Path) -> None:
    # The original closed (its zip file and lock gone), the copies made before still work.
    with ZipStore(tmp_path / "a.zip", mode="w") as store:
        ZarrArray.create(store, "x", shape=(4,), chunks=(2,), dtype="i1")[...] = 7
    store = ZipStore(tmp_path / "a.zip")
    copies = [pickle.loads(pickle.dumps(ZarrArray(store, "x"))) for _ in range(2)]
    store.close()
    assert [c[...].tolist() for c in copies] == [[7] * 4] * 2
    logged = LoggingStore(MemoryStore())
    logged.set("k", b"v")
    again = pickle.loads(pickle.dumps(logged))
    again.get("k")
    assert again.counter["get"] == logged.counter["get"] + 1  # counts go along, then apart


def test_an_obstore_memory_store_refuses_to_pickle_with_a_reason() -> None:
    pytest.importorskip("obstore")
    with pytest.raises(UnsupportedStoreError, match="lives in one process"):
        pickle.dumps(ObjectStore.from_url("memory:///"))


def test_async_nodes_pickle_with_their_array(tmp_path: Path) -> None:
    import asyncio

    import simplezarr

    a = ZarrArray.create(LocalStore(tmp_path / "a.zarr"), "x", shape=(16,), chunks=(4,), dtype="i4")
    a[...] = DATA
    copy = pickle.loads(pickle.dumps(a.async_array))
    np.testing.assert_array_equal(asyncio.run(copy.getitem(slice(None))), DATA)
    group = pickle.loads(pickle.dumps(simplezarr.open_group(LocalStore(tmp_path / "a.zarr"))))
    np.testing.assert_array_equal(group["x"][...], DATA)


def _token(array: ZarrArray) -> str:
    from dask.base import tokenize

    return tokenize(array)


def test_a_token_is_the_same_in_another_process(
    spawn_pool: ProcessPoolExecutor, tmp_path: Path
) -> None:
    pytest.importorskip("dask")
    a = ZarrArray.create(LocalStore(tmp_path / "a.zarr"), shape=(16,), chunks=(4,), dtype="i4")
    other = ZarrArray.create(LocalStore(tmp_path / "b.zarr"), shape=(16,), chunks=(4,), dtype="i4")
    tokens = [spawn_pool.submit(_token, x).result(timeout=120) for x in (a, other)]
    assert tokens == [_token(a), _token(other)] and tokens[0] != tokens[1]
