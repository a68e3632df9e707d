"""Arrays and groups on a real S3 server (moto, in a subprocess) through FsspecStore and
ObjectStore: write and read through simplezarr.nodes, sharded partial reads, listing,
errors naming the URL, and zarr-python 3.1.6 reading what simplezarr wrote there."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from store_servers import S3Server

from simplezarr.errors import NodeNotFound, ReadOnlyError, StoreAccessDenied, StoreError
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import (
    FsspecStore,
    LoggingStore,
    ObjectStore,
    RemoteStore,
    from_url,
)
from tests.store_helpers import RequestLog

pytest.importorskip("s3fs")
pytest.importorskip("obstore")

Opener = Callable[..., Any]


def _fsspec(s3: S3Server, url: str, read_only: bool = False, **creds: str) -> FsspecStore:
    options = s3.fsspec_options(**creds)
    return FsspecStore.from_url(url, storage_options=options, read_only=read_only)


def _obstore(s3: S3Server, url: str, read_only: bool = False, **creds: str) -> ObjectStore:
    return ObjectStore.from_url(url, s3.obstore_options(**creds), read_only=read_only)


@pytest.fixture(params=["fsspec", "obstore"])
def opener(request: pytest.FixtureRequest, s3: S3Server) -> Opener:
    make = _fsspec if request.param == "fsspec" else _obstore
    return lambda url, read_only=False, **creds: make(s3, url, read_only, **creds)


def test_group_and_arrays_round_trip(s3: S3Server, opener: Opener) -> None:
    url = f"s3://{s3.new_prefix()}/data.zarr"
    store = opener(url)
    root = ZarrGroup.create(store, attributes={"title": "on s3"})
    data = np.arange(40 * 30, dtype="<f8").reshape(40, 30)
    arr = ZarrArray.create(store, "g/temperature", shape=data.shape, dtype="f8", chunks=(16, 16))
    arr[...] = data
    ZarrArray.create(store, "g/v2", shape=(7,), dtype="i2", chunks=(3,), zarr_format=2)[:] = 7

    again = open_zarr(opener(url, read_only=True))
    assert isinstance(again, ZarrGroup) and again.attrs["title"] == "on s3"
    assert sorted(again.keys()) == ["g"]
    np.testing.assert_array_equal(again["g/temperature"][...], data)
    np.testing.assert_array_equal(again["g/temperature"][5:33, 7], data[5:33, 7])
    np.testing.assert_array_equal(again["g/v2"][...], np.full(7, 7, "i2"))
    assert store.list_dir("g/temperature/") == ["g/temperature/c/", "g/temperature/zarr.json"]
    assert len(store.list_prefix("g/temperature/c/")) == 3 * 2
    assert root.read_only is False


def test_sharded_partial_reads_fetch_only_needed_bytes(s3: S3Server, opener: Opener) -> None:
    url = f"s3://{s3.new_prefix()}"
    data = np.arange(64 * 64, dtype="<u2").reshape(64, 64)
    arr = ZarrArray.create(
        opener(url), "sharded", shape=data.shape, dtype="u2", chunks=(8, 8), shards=(32, 32)
    )
    arr[...] = data

    recording = RequestLog(opener(url, read_only=True))
    logged = LoggingStore(recording, log_level="WARNING")
    reader = open_zarr(logged, "sharded")
    np.testing.assert_array_equal(reader[3:12, 40:45], data[3:12, 40:45])
    shard_reads = [r for k, r in recording.requests if k.startswith("sharded/c/")]
    # the shard index (a suffix range), then the 2 x 1 inner chunks (bounded ranges)
    assert shard_reads and all(r is not None for r in shard_reads)
    assert any(r[0] < 0 for r in shard_reads) and sum(r[0] >= 0 for r in shard_reads) <= 2
    # metadata by get_many; the shard opened once (its index), its inner chunks read once
    assert logged.counter["open_values"] == 1 and logged.counter["read"] == 1
    np.testing.assert_array_equal(reader[...], data)


def test_missing_key_prefix_is_a_clear_node_error(s3: S3Server, opener: Opener) -> None:
    url = f"s3://{s3.new_prefix()}/nothing/here.zarr"
    store = opener(url, read_only=True)
    with pytest.raises(NodeNotFound):
        open_zarr(store)
    assert store.list() == [] and store.is_empty()
    assert store.get("zarr.json") is None


def test_missing_bucket_names_the_url(s3: S3Server, opener: Opener) -> None:
    store = opener("s3://no-such-bucket-here/data.zarr")
    for call in (
        lambda: store.get("zarr.json"),
        lambda: store.get_many([("a", None), ("b", None)]),
        lambda: store.set("zarr.json", b"{}"),
        lambda: store.list(),
        lambda: open_zarr(store),
    ):
        with pytest.raises(StoreError, match="no-such-bucket-here") as info:
            call()
        assert "bucket" in str(info.value)


def test_network_failure_names_the_url(s3: S3Server) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    fs_store = FsspecStore.from_url(
        "s3://bucket/x.zarr",
        storage_options={
            **s3.fsspec_options(),
            "endpoint_url": dead,
            "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2},
        },
    )
    ob_store = ObjectStore.from_url(
        "s3://bucket/x.zarr",
        {
            **s3.obstore_options(),
            "config": {**s3.obstore_options()["config"], "endpoint": dead},
            "retry_config": {"max_retries": 1},
        },
    )
    for store in (fs_store, ob_store):
        start = time.monotonic()
        with pytest.raises(StoreError, match="s3://bucket/x.zarr/zarr.json") as info:
            store.get("zarr.json")
        assert "network failure" in str(info.value)
        assert time.monotonic() - start < 20  # retries are bounded


def _closed_port() -> int:
    from store_servers import closed_port

    return closed_port()  # nothing listens there once the probing socket is closed


def test_zarr_python_reads_what_simplezarr_wrote(s3: S3Server, opener: Opener) -> None:
    zarr = pytest.importorskip("zarr")
    prefix = s3.new_prefix()
    store = opener(f"s3://{prefix}")
    data = np.arange(20 * 24, dtype="<i4").reshape(20, 24)
    ZarrGroup.create(store, attributes={"by": "simplezarr"})
    ZarrArray.create(store, "plain", shape=data.shape, dtype="i4", chunks=(6, 10))[...] = data
    ZarrArray.create(store, "sharded", shape=data.shape, dtype="i4", chunks=(5, 4), shards=(10, 8))[
        ...
    ] = data

    zstore = zarr.storage.FsspecStore.from_url(
        f"s3://{prefix}",
        storage_options={**s3.fsspec_options(), "asynchronous": True},
        read_only=True,
    )
    group = zarr.open_group(zstore, mode="r")
    assert group.attrs["by"] == "simplezarr"
    for name in ("plain", "sharded"):
        arr = zarr.open_array(zstore, path=name, mode="r")
        np.testing.assert_array_equal(arr[...], data)
    assert zarr.open_array(zstore, path="sharded", mode="r").shards == (10, 8)


def test_simplezarr_reads_what_zarr_python_wrote(s3: S3Server, opener: Opener) -> None:
    zarr = pytest.importorskip("zarr")
    prefix = s3.new_prefix()
    zstore = zarr.storage.FsspecStore.from_url(
        f"s3://{prefix}", storage_options={**s3.fsspec_options(), "asynchronous": True}
    )
    data = np.linspace(0, 1, 300, dtype="<f4").reshape(15, 20)
    zarr.create_array(zstore, name="z", data=data, chunks=(4, 4), shards=(8, 8))
    np.testing.assert_array_equal(open_zarr(opener(f"s3://{prefix}"), "z")[...], data)


def test_read_only_store_refuses_writes_before_any_request(s3: S3Server, opener: Opener) -> None:
    store = opener(f"s3://{s3.new_prefix()}", read_only=True)
    with pytest.raises(ReadOnlyError, match="read-only"):
        ZarrGroup.create(store)
    with pytest.raises(ReadOnlyError):
        store.erase_prefix("")


def test_from_url_and_aliases(s3: S3Server) -> None:
    url = f"s3://{s3.new_prefix()}/x.zarr"
    store = from_url(url, storage_options=s3.fsspec_options(), client="fsspec")
    assert type(store) is FsspecStore and RemoteStore is FsspecStore
    assert repr(store).startswith("FsspecStore('s3://simplezarr-test/")
    store.set("a", b"1")
    assert store.get("a") == b"1"


# -- credentials and permissions (a second moto server that checks them) -------------------


def test_bad_credentials_are_access_denied(s3_auth: S3Server) -> None:
    stores = [
        _fsspec(s3_auth, "s3://secure/data", key="AKIAWRONGWRONGWRONG", secret="nope"),
        _obstore(s3_auth, "s3://secure/data", key="AKIAWRONGWRONGWRONG", secret="nope"),
    ]
    for store in stores:
        calls = (
            lambda store=store: store.get("zarr.json"),
            lambda store=store: store.list(),
            lambda store=store: open_zarr(store),
        )
        for call in calls:
            with pytest.raises(StoreAccessDenied, match="s3://secure/data") as info:
                call()
            assert isinstance(info.value, PermissionError) and "credentials" in str(info.value)


def test_grouped_ranges_are_not_retried_one_by_one_after_access_denied(
    s3_auth: S3Server,
) -> None:
    class Counting(ObjectStore):
        singles = 0

        def _get(self, key: str, byte_range: Any) -> bytes | None:
            type(self).singles += 1
            return super()._get(key, byte_range)

    options = s3_auth.obstore_options(key="AKIAWRONGWRONGWRONG", secret="nope")
    backend = ObjectStore.from_url("s3://secure/data", options).store
    store = Counting(backend, url="s3://secure/data")
    requests = [("zarr.json", (0, 2)), ("zarr.json", (4, 3)), ("zarr.json", (9, 1))]
    with pytest.raises(StoreAccessDenied, match="s3://secure/data/zarr.json"):
        store.get_many(requests)
    assert Counting.singles == 0  # one get_ranges request, refused: no range-by-range retry
    good = ObjectStore.from_url("s3://secure/data", s3_auth.obstore_options())
    assert good.get_many(requests + [("zarr.json", (100, 2))]) == [b'{"', b"rr_", b"r", b""]


def test_permission_denied_for_writes(s3_auth: S3Server) -> None:
    key, secret = s3_auth.extra["reader"]
    for store in (
        _fsspec(s3_auth, "s3://secure/data", key=key, secret=secret),
        _obstore(s3_auth, "s3://secure/data", key=key, secret=secret),
    ):
        assert store.get("zarr.json") == b'{"zarr_format": 3}'  # reading is allowed
        with pytest.raises(StoreAccessDenied, match="s3://secure/data/new"):
            store.set("new", b"x")
        with pytest.raises(StoreAccessDenied, match="s3://secure/data/zarr.json"):
            store.delete("zarr.json")
    assert _fsspec(s3_auth, "s3://secure/data").get("zarr.json") is not None


def test_remote_stores_pickle(s3: S3Server, opener: Opener) -> None:
    import pickle

    store = opener(f"s3://{s3.new_prefix()}")
    store.set("a", b"1")
    store.get_many([("a", None), ("b", None)])
    copy = pickle.loads(pickle.dumps(store))
    assert copy.get_many([("a", None), ("b", None)]) == [b"1", None]
    assert copy == store and repr(copy) == repr(store)
