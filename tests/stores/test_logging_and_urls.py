"""LoggingStore (log lines, counter, log()), from_url's choice of store, optional imports."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simplezarr.errors import InvalidArgument, MissingDependency
from simplezarr.nodes import ZarrArray, open_zarr
from simplezarr.stores import (
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    SlowStore,
    ZipStore,
    from_url,
)


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_logging_store_logs_and_counts_every_call() -> None:
    handler = ListHandler()
    store = LoggingStore(MemoryStore(), log_handler=handler)
    store.set("a/b", b"123")
    assert store.get("a/b", (1, 1)) == b"2"
    store.get_many([("a/b", None), ("x", None)])
    store.list_dir("a/")
    store.erase_prefix("a/")
    assert dict(store.counter) == {
        "set": 1,
        "get": 1,
        "get_many": 1,
        "list_dir": 1,
        "erase_prefix": 1,
    }
    assert handler.messages[0] == "Calling MemoryStore.set(a/b)"
    assert handler.messages[1].startswith("Finished MemoryStore.set(a/b) [")
    assert "Calling MemoryStore.get(a/b, (1, 1))" in handler.messages
    assert "Calling MemoryStore.get_many(2 requests)" in handler.messages
    assert len(handler.messages) == 10


def test_logging_store_log_level_and_user_blocks(caplog: pytest.LogCaptureFixture) -> None:
    quiet = LoggingStore(MemoryStore(), log_level="WARNING")
    with caplog.at_level(logging.DEBUG):
        quiet.set("a", b"1")
        assert caplog.records == []  # the store's level filters its INFO lines
        loud = LoggingStore(MemoryStore())
        loud.exists("a")
        assert caplog.records[0].getMessage() == "Calling MemoryStore.exists(a)"
        assert caplog.records[0].name.startswith("simplezarr.LoggingStore(MemoryStore")

    def my_operation() -> None:
        with loud.log("hint"):
            pass

    my_operation()
    assert loud.counter["my_operation"] == 1 and loud.counter["exists"] == 1


def test_logging_store_counts_the_engine_calls() -> None:
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    arr = ZarrArray.create(store, "a", shape=(100,), dtype="i4", chunks=(10,))
    arr[...] = np.arange(100)
    store.counter.clear()
    np.testing.assert_array_equal(open_zarr(store, "a")[...], np.arange(100))
    assert store.counter["get_many"] >= 1 and store.counter["get"] <= 2  # batched reads
    assert store.read_only is False
    assert LoggingStore(MemoryStore(read_only=True)).read_only


def test_wrappers_nest_over_any_store(tmp_path: Path) -> None:
    with ZipStore(tmp_path / "x.zip", mode="w") as zip_store:
        store = LoggingStore(SlowStore(zip_store, base_delay=0), log_handler=logging.NullHandler())
        ZarrArray.create(store, "a", shape=(9,), dtype="u1", chunks=(4,))[...] = 3
        np.testing.assert_array_equal(open_zarr(store, "a")[...], np.full(9, 3, "u1"))
        assert repr(store) == f"LoggingStore(SlowStore({zip_store!r}, base_delay=0.0))"


# -- from_url -------------------------------------------------------------------------------


def test_from_url_local_paths(tmp_path: Path) -> None:
    assert from_url(str(tmp_path / "a")) == LocalStore(tmp_path / "a")
    assert from_url(tmp_path / "b") == LocalStore(tmp_path / "b")
    assert from_url((tmp_path / "c").as_uri()) == LocalStore(tmp_path / "c")
    assert from_url((tmp_path / "d d").as_uri()) == LocalStore(tmp_path / "d d")
    assert from_url(str(tmp_path), read_only=True).read_only
    with pytest.raises(InvalidArgument, match="storage_options"):
        from_url(str(tmp_path), storage_options={"key": "x"})
    with pytest.raises(InvalidArgument, match="host"):
        from_url("file://otherhost/data")
    assert from_url(str(tmp_path), storage_options={}) == LocalStore(tmp_path)


@pytest.mark.parametrize("bad", ["", None, 5, b"s3://x"])
def test_from_url_rejects_non_urls(bad: object) -> None:
    with pytest.raises(InvalidArgument):
        from_url(bad)  # type: ignore[arg-type]


def test_from_url_remote_schemes() -> None:
    pytest.importorskip("fsspec")
    store = from_url("memory://from-url-test/a.zarr", read_only=True)
    assert isinstance(store, FsspecStore) and store.read_only
    assert repr(store) == "FsspecStore('memory:///from-url-test/a.zarr', read_only=True)"
    with pytest.raises(InvalidArgument, match="nosuchproto"):
        from_url("nosuchproto://x/y")
    with pytest.raises(InvalidArgument, match="bucket"):
        from_url("s3://", storage_options={"anon": True})


def test_store_package_imports_without_optional_dependencies() -> None:
    code = """
import sys
for name in ("fsspec", "obstore", "obstore.store", "s3fs", "aiohttp"):
    sys.modules[name] = None
import simplezarr.stores as s
assert s.LocalStore and s.ZipStore and s.LoggingStore
for make, extra in ((lambda: s.from_url("s3://b/x"), "remote"),
                    (lambda: s.FsspecStore.from_url("memory://x"), "remote"),
                    (lambda: s.ObjectStore.from_url("memory:///"), "obstore")):
    try:
        make()
    except ImportError as e:
        assert f"simplezarr[{extra}]" in str(e), e
        assert type(e).__name__ == "MissingDependency"
    else:
        raise AssertionError("no error")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
    assert issubclass(MissingDependency, ImportError)


def test_logging_store_pickles(tmp_path: Path) -> None:
    store = LoggingStore(
        MemoryStore({"a": b"1"}), log_level="INFO", log_handler=logging.NullHandler()
    )
    store.get("a")
    copy = pickle.loads(pickle.dumps(store))
    assert copy.get("a") == b"1"
    assert dict(copy.counter) == {"get": 2} and dict(store.counter) == {"get": 1}
    assert copy.logger is not store.logger and copy.logger.level == logging.INFO
    # A handler that cannot be pickled (a stream handler holds a lock) stays behind.
    stream = LoggingStore(MemoryStore(), log_handler=logging.StreamHandler())
    assert pickle.loads(pickle.dumps(stream)).log_handler is None
    path = tmp_path / "l.zip"
    with ZipStore(path, mode="w") as zs:
        zs.set("k", b"v")
    logged = LoggingStore(ZipStore(path), log_handler=logging.NullHandler())
    with pickle.loads(pickle.dumps(logged)) as copy_zip:
        assert copy_zip.get("k") == b"v"
    logged.close()
