"""The decoded-chunk cache (config.chunk_cache_bytes): off by default, within its budget,
never stale after a write of this process, whichever array or store object writes."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.chunk_cache import CACHE
from simplezarr.config import Config, config
from simplezarr.stores import LocalStore, LoggingStore, MemoryStore
from simplezarr.stores.dict_store import DictStore

BUDGET = 1 << 20


@pytest.fixture
def cache_on() -> Iterator[None]:
    CACHE.clear()
    with config.set(chunk_cache_bytes=BUDGET):
        yield
    CACHE.clear()


def _logged(store: object) -> LoggingStore:
    return LoggingStore(store, log_handler=logging.NullHandler())  # type: ignore[arg-type]


def _array(store: object, **kw: object) -> sz.ZarrArray:
    options = {"shape": (16, 16), "chunks": (4, 4), "dtype": "i4"} | kw
    a = sz.create_array(store, **options)  # type: ignore[arg-type]
    a[...] = np.arange(a.size).reshape(a.shape)
    return a


def test_off_by_default_and_reads_always_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIMPLEZARR_CHUNK_CACHE_BYTES", raising=False)
    assert Config().chunk_cache_bytes == 0
    CACHE.clear()
    store = _logged(MemoryStore())
    a = _array(store)
    store.counter.clear()
    a[...]
    a[...]
    assert store.counter["get_many"] == 2 and len(CACHE) == 0


def test_environment_variable_sets_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPLEZARR_CHUNK_CACHE_BYTES", "4096")
    assert Config().chunk_cache_bytes == 4096


def test_a_repeated_read_is_served_from_the_cache(cache_on: None) -> None:
    store = _logged(MemoryStore())
    a = _array(store)
    store.counter.clear()
    first = a[2:10, 3:9]
    assert store.counter["get_many"] >= 1
    store.counter.clear()
    again = a[2:10, 3:9]
    assert store.counter["get_many"] == 0  # nothing fetched: every chunk came from the cache
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(again, np.arange(256).reshape(16, 16)[2:10, 3:9])


def test_control_with_the_cache_off_the_same_read_fetches(cache_on: None) -> None:
    store = _logged(MemoryStore())
    a = _array(store)
    a[...]
    store.counter.clear()
    with config.set(chunk_cache_bytes=0):
        a[...]
    assert store.counter["get_many"] == 1
    assert len(CACHE) == 0  # turning it off empties it


def test_a_sliding_window_decodes_each_chunk_once(cache_on: None) -> None:
    store = _logged(MemoryStore())
    a = _array(store)
    store.counter.clear()
    want = np.arange(256).reshape(16, 16)
    for start in range(12):
        np.testing.assert_array_equal(a[start : start + 4], want[start : start + 4])
    fetched = sum(n for m, n in store.counter.items() if m == "get_many")
    assert fetched == 4  # one fetch per new row of chunks, never one twice


def test_a_write_through_a_second_array_object_is_seen(cache_on: None, tmp_path: Path) -> None:
    path = tmp_path / "a.zarr"
    a = _array(str(path))
    b = sz.open_array(LocalStore(path), mode="r+")  # another store object, same directory
    a[...]
    b[0:4, 0:4] = -1
    assert a[0, 0] == -1 and (a[0:4, 0:4] == -1).all()
    b.resize((8, 8))  # deletes chunks outside the new shape
    c = sz.open_array(str(path), mode="r+")
    c.resize((16, 16))
    assert (c[8:, 8:] == 0).all()  # missing chunks read as the fill value, not cached data


def test_control_a_write_by_another_process_is_not_seen(cache_on: None, tmp_path: Path) -> None:
    # The cache really serves decoded chunks: a change it cannot know of stays unseen, which
    # is why the test above would fail if writes did not forget their entries.
    path = tmp_path / "a.zarr"
    a = _array(str(path))
    a[...]
    code = f"import simplezarr as sz; sz.open_array({str(path)!r}, mode='r+')[0, 0] = -7"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert a[0, 0] == 0
    with config.set(chunk_cache_bytes=0):
        assert a[0, 0] == -7


def test_deletes_and_prefix_erases_are_seen(cache_on: None) -> None:
    store = MemoryStore()
    a = _array(store, fill_value=5)
    a[...]
    store.delete("c/0/0")
    assert (a[0:4, 0:4] == 5).all()
    a[...]
    store.erase_prefix("c/")
    assert (a[...] == 5).all()


def test_an_array_recreated_with_other_metadata_never_matches(cache_on: None) -> None:
    store = MemoryStore()
    _array(store)[...]
    b = _array(store, dtype="i2", overwrite=True)
    assert b.dtype == np.dtype("i2")
    np.testing.assert_array_equal(b[...], np.arange(256, dtype="i2").reshape(16, 16))


def test_the_budget_is_respected() -> None:
    CACHE.clear()
    store = MemoryStore()
    a = _array(store, shape=(64, 64), chunks=(8, 8))  # 64 chunks of 256 bytes
    try:
        with config.set(chunk_cache_bytes=2560):
            a[...]
            assert CACHE.nbytes <= 2560 and len(CACHE) == 10
            a[0:8, 0:8]
        with config.set(chunk_cache_bytes=100):  # smaller than a chunk: nothing kept
            CACHE.clear()
            a[...]
            assert len(CACHE) == 0
    finally:
        CACHE.clear()


def test_a_callers_dict_is_never_cached(cache_on: None) -> None:
    data: dict[str, bytes] = {}
    a = _array(DictStore(data), compressors=None)
    a[...]
    assert len(CACHE) == 0
    key = "c/0/0"
    data[key] = np.full(16, -3, dtype="<i4").tobytes()  # changed behind the store's back
    assert a[0, 0] == -3


def test_concurrent_writes_never_leave_a_stale_chunk(cache_on: None) -> None:
    store = MemoryStore()
    a = sz.create_array(store, shape=(4,), chunks=(4,), dtype="i8", fill_value=0)
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            a[...]

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for value in range(1, 200):
            a[...] = value
            assert (a[...] == value).all()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert (a[...] == 199).all()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_starts_with_an_empty_cache(cache_on: None) -> None:
    import os

    a = _array(MemoryStore())
    a[...]
    assert len(CACHE) > 0  # control: the parent's cache holds the chunks
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report how many entries it inherited
        os.write(write, str(len(CACHE)).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 16) == b"0"
