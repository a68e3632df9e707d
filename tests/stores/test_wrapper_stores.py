"""WrapperStore forwarding and SlowStore delays."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from simplezarr.errors import ReadOnlyError, StoreError
from simplezarr.stores import (
    LocalStore,
    MemoryStore,
    ReadableStore,
    SlowStore,
    WrapperStore,
)
from simplezarr.stores.base import ByteRange


class RecordingStore(WrapperStore):
    """Records the name of every public call that reaches it."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.calls: list[str] = []

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if not name.startswith("_") and callable(attr):
            super().__getattribute__("calls").append(name)
        return attr


def test_every_call_is_forwarded(tmp_path: Path) -> None:
    inner = LocalStore(tmp_path)
    store = WrapperStore(inner)
    store.set("a/b", b"0123")
    store.set_many([("c", b"x")])
    store.set_partial_values([("c", 1, b"y")])
    assert inner.get("c") == b"xy"
    assert store.get("a/b", (1, 2)) == b"12"
    assert store.get_many([("a/b", None), ("nope", None)]) == [b"0123", None]
    assert store.get_partial_values([("a/b", -1, None)]) == [b"3"]
    assert store.exists("a/b") and store.getsize("a/b") == 4
    assert store.list() == ["a/b", "c"]
    assert store.list_prefix("a/") == ["a/b"]
    assert store.list_dir("") == ["a/", "c"]
    assert not store.is_empty("a/")
    store.erase_values(["c"])
    store.delete("nope")
    store.erase_prefix("a/")
    assert inner.list() == []
    store.set("z", b"1")
    store.clear()
    assert inner.is_empty()
    assert store.store is inner
    assert repr(store) == f"WrapperStore({inner!r})"
    assert store == WrapperStore(LocalStore(tmp_path))


def test_subclass_intercepts_calls() -> None:
    class Uppercase(WrapperStore):
        def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
            value = super().get(key, byte_range)
            return None if value is None else value.upper()

    store = Uppercase(MemoryStore({"a": b"abc"}))
    assert store.get("a") == b"ABC"
    assert store.get("a", (1, None)) == b"BC"


def test_wrappers_nest() -> None:
    inner = MemoryStore()
    recording = RecordingStore(inner)
    store = SlowStore(recording, base_delay=0)
    store.set("k", b"v")
    assert store.get("k") == b"v"
    assert store.list() == ["k"]
    assert recording.calls == ["set", "get", "list"]


def test_read_only_follows_the_wrapped_store() -> None:
    inner = MemoryStore({"a": b"1"}, read_only=True)
    store = WrapperStore(inner)
    assert store.read_only
    with pytest.raises(ReadOnlyError, match="'a'"):
        store.set("a", b"2")
    assert not WrapperStore(MemoryStore()).read_only


def test_wrapping_a_read_only_capability() -> None:
    class ReadOnlyDict(ReadableStore):
        def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
            return b"constant"

    store = WrapperStore(ReadOnlyDict())
    assert store.read_only
    assert store.get("anything") == b"constant"
    with pytest.raises(ReadOnlyError, match="cannot write"):
        store.set("a", b"1")
    with pytest.raises(StoreError, match="cannot list"):
        store.list()


def test_wrapping_a_non_store_fails() -> None:
    with pytest.raises(TypeError, match="dict"):
        WrapperStore({"a": b"1"})  # type: ignore[arg-type]


def elapsed(call: Any) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_slow_store_delays_every_call() -> None:
    store = SlowStore(MemoryStore({"a": b"x"}), base_delay=0.02)
    calls = [
        lambda: store.get("a"),
        lambda: store.get_many([("a", None)]),
        lambda: store.get_partial_values([("a", 0, None)]),
        lambda: store.exists("a"),
        lambda: store.getsize("a"),
        lambda: store.set("b", b"y"),
        lambda: store.set_many([("b", b"y")]),
        lambda: store.set_partial_values([("b", 0, b"z")]),
        lambda: store.delete("b"),
        lambda: store.erase_values(["b"]),
        lambda: store.erase_prefix("c/"),
        lambda: store.list(),
        lambda: store.list_prefix(""),
        lambda: store.list_dir(""),
        lambda: store.is_empty(),
        lambda: store.clear(),
    ]
    for call in calls:
        assert elapsed(call) >= 0.02


def test_slow_store_bandwidth() -> None:
    store = SlowStore(MemoryStore(), base_delay=0, bits_per_second=8 * 1000)  # 1000 bytes/s
    assert elapsed(lambda: store.set("k", b"x" * 50)) >= 0.05
    assert elapsed(lambda: store.get("k", (0, 20))) >= 0.02
    assert elapsed(lambda: store.get("missing")) < 0.02


def test_slow_store_batch_is_one_round_trip() -> None:
    store = SlowStore(MemoryStore({f"k{i}": b"x" for i in range(20)}), base_delay=0.02)
    assert elapsed(lambda: store.get_many([(f"k{i}", None) for i in range(20)])) < 0.2


def test_slow_store_arguments() -> None:
    store = SlowStore(MemoryStore(), base_delay=0.5, bits_per_second=100.0)
    assert repr(store) == (
        "SlowStore(MemoryStore(<0 keys, 0 bytes>), base_delay=0.5, bits_per_second=100.0)"
    )
    with pytest.raises(ValueError, match="base_delay"):
        SlowStore(MemoryStore(), base_delay=-1)


def test_wrappers_close_the_wrapped_store(tmp_path: Path) -> None:
    import logging
    import zipfile

    from simplezarr.stores import LoggingStore, ZipStore

    path = tmp_path / "w.zip"
    with LoggingStore(ZipStore(path, mode="w"), log_handler=logging.NullHandler()) as store:
        store.set("a", b"1")
        store.set("a", b"2")  # an overwrite: the archive is compacted when closed
    assert store.store.closed and store.counter["close"] == 1  # type: ignore[attr-defined]
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["a"]
    inner = ZipStore(path)
    with SlowStore(WrapperStore(inner), base_delay=0) as slow:
        assert slow.get("a") == b"2"
    assert inner.closed
    wrapped = WrapperStore(ZipStore(path))
    wrapped.close()
    assert wrapped.store.closed  # type: ignore[attr-defined]
    for store_ in (MemoryStore(), LocalStore(tmp_path / "d")):  # plain stores: a no-op
        with store_ as same:
            assert same is store_
        store_.close()


def test_a_wrapper_that_changes_list_dir_is_asked_for_candidate_listings_too() -> None:
    from simplezarr.stores import MemoryStore, WrapperStore

    class Hiding(WrapperStore):
        def list_dir(self, prefix: str) -> list[str]:
            return [k for k in super().list_dir(prefix) if not k.startswith("hidden")]

    inner = MemoryStore({"hidden/zarr.json": b"{}", "shown/zarr.json": b"{}"})
    assert Hiding(inner).list_dir_candidates("") == ["shown/"]
    assert WrapperStore(inner).list_dir_candidates("") == ["hidden/", "shown/"]
