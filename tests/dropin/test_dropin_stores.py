"""Stores as zarr-python users meet them: a dict as a store, MemoryStore over a dict,
GpuMemoryStore; and simplezarr's stores handed to zarr-python itself."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import simplezarr
from tests.dropin.conftest import ZARR_34, both, raised

zarr = pytest.importorskip("zarr")

# --------------------------------------------------------------------------- store={}


def test_a_dict_store_is_a_memory_store_over_that_dict(lib: ModuleType) -> None:
    d: dict[str, Any] = {}
    a = lib.create_array(store=d, shape=(6,), chunks=(4,), dtype="i2", fill_value=0)
    a[:] = np.arange(6)
    assert isinstance(a.store, lib.storage.MemoryStore)
    assert type(a.store).__name__ == "MemoryStore"
    assert sorted(d) == ["c/0", "c/1", "zarr.json"]
    meta = json.loads(d["zarr.json"].to_bytes())
    assert meta["shape"] == [6] and meta["node_type"] == "array"
    assert len(d["c/0"].to_bytes()) > 0
    assert lib.open_array(store=d)[:].tolist() == list(range(6))


def test_what_a_dict_store_holds_matches() -> None:
    def run(lib: ModuleType) -> tuple[Any, ...]:
        d: dict[str, Any] = {}
        g = lib.open_group(store=d, mode="w", attributes={"t": 1})
        g.create_array("x", shape=(3,), dtype="u1", chunks=(3,))[:] = 7
        return (
            sorted(d),
            {k: json.loads(d[k].to_bytes()) for k in d if k.endswith("zarr.json")},
            d["x/c/0"].as_numpy_array().dtype,
            type(g.store).__name__,
        )

    theirs, ours = both(run)
    assert ours[0] == theirs[0] and ours[2:] == theirs[2:]
    assert (
        ours[1]["zarr.json"] == theirs[1]["zarr.json"]
    )  # the group document as zarr-python writes it
    assert ours[1]["x/zarr.json"]["shape"] == theirs[1]["x/zarr.json"]["shape"]


def test_memory_store_shares_its_store_dict(lib: ModuleType) -> None:
    d: dict[str, Any] = {}
    store = lib.storage.MemoryStore(store_dict=d)
    lib.create_array(store=store, shape=(2,), dtype="f8")
    assert "zarr.json" in d
    ro = store.with_read_only(True)
    assert ro.read_only and not store.read_only
    assert lib.open_array(store=ro).shape == (2,)


@pytest.mark.parametrize("writer", ["zarr", "simplezarr"])
def test_dicts_cross_between_the_libraries(writer: str) -> None:
    w, r = (zarr, simplezarr) if writer == "zarr" else (simplezarr, zarr)
    d: dict[str, Any] = {}
    a = w.create_array(store=d, shape=(10,), chunks=(2,), shards=(4,), dtype="u2")
    a[:] = np.arange(10)
    assert r.open_array(store=d)[3:9].tolist() == [3, 4, 5, 6, 7, 8]


def test_a_dict_of_plain_bytes_still_works() -> None:
    # Written by hand (or by simplezarr before Buffers): plain bytes values.
    src: dict[str, Any] = {}
    simplezarr.create_array(store=src, shape=(4,), chunks=(2,), dtype="i4")[:] = [1, 2, 3, 4]
    plain = {k: bytes(v) for k, v in src.items()}
    assert all(type(v) is bytes for v in plain.values())
    assert simplezarr.open_array(store=plain)[:].tolist() == [1, 2, 3, 4]
    arr = simplezarr.open_array(store=plain, mode="r+")
    arr[0] = 9
    assert arr[:].tolist() == [9, 2, 3, 4]
    assert type(plain["c/1"]) is bytes  # untouched values are left as they were
    assert plain["c/0"].to_bytes() != src["c/0"].to_bytes()  # the rewritten one: a Buffer


def test_memory_store_rejects_text_values() -> None:
    with pytest.raises(TypeError):
        simplezarr.storage.MemoryStore({"a": "text"})


def test_gpu_memory_store_is_a_clear_import_error() -> None:
    def run(lib: ModuleType) -> type[BaseException] | None:
        def use() -> None:
            store = lib.storage.GpuMemoryStore()
            lib.create_array(store=store, shape=(2,), dtype="i1")[:] = 1

        return raised(use)

    theirs, ours = both(run)
    if theirs is None:
        pytest.skip("zarr-python has a GPU here")
    assert issubclass(theirs, ImportError) and issubclass(ours, ImportError)
    assert issubclass(ours, simplezarr.errors.ZarrError)


# --------------------------------------------------------------------------- handed to zarr


def _zarr_stores(tmp: Path) -> dict[str, Any]:
    return {
        "local": lambda: simplezarr.stores.LocalStore(tmp / "local.zarr"),
        "memory": lambda: simplezarr.stores.MemoryStore(),
        "zip": lambda: simplezarr.stores.ZipStore(tmp / "a.zip", mode="w"),
        "logging": lambda: simplezarr.stores.LoggingStore(simplezarr.stores.MemoryStore()),
    }


@pytest.mark.parametrize("kind", ["local", "memory", "zip", "logging"])
def test_zarr_python_writes_and_reads_through_our_stores(kind: str, tmp_path: Path) -> None:
    store = _zarr_stores(tmp_path)[kind]()
    data = np.arange(60, dtype="f4").reshape(6, 10)
    g = zarr.open_group(store=store, mode="w", attributes={"k": "v"})
    plain = g.create_array("plain", shape=data.shape, chunks=(4, 4), dtype="f4")
    plain[:] = data
    sharded = g.create_array("sh", shape=data.shape, chunks=(2, 2), shards=(4, 4), dtype="f4")
    sharded[:] = data
    sharded[1:3, 2:7] = -1
    expected = data.copy()
    expected[1:3, 2:7] = -1
    # zarr-python reads back, and so does simplezarr from the same store object
    again = zarr.open_group(store=store, mode="r")
    assert sorted(again.array_keys()) == ["plain", "sh"]
    assert dict(again.attrs) == {"k": "v"}
    np.testing.assert_array_equal(again["plain"][:], data)
    np.testing.assert_array_equal(again["sh"][1:5, 1:9], expected[1:5, 1:9])
    ours = simplezarr.open_group(store, mode="r")
    np.testing.assert_array_equal(ours["sh"][:], expected)
    np.testing.assert_array_equal(ours["plain"][:], data)
    store.close()


def test_zarr_python_reads_what_simplezarr_wrote_in_a_local_store(tmp_path: Path) -> None:
    path = tmp_path / "d.zarr"
    a = simplezarr.create_array(str(path), shape=(7,), chunks=(3,), dtype="i8", fill_value=-1)
    a[:5] = np.arange(5)
    z = zarr.open_array(store=simplezarr.storage.LocalStore(str(path), read_only=True))
    assert z[:].tolist() == [0, 1, 2, 3, 4, -1, -1]
    with pytest.raises(ValueError):  # zarr-python's read-only error through our store
        z[0] = 5


@pytest.mark.filterwarnings("ignore:Consolidated metadata")
def test_zarr_python_overwrite_consolidate_and_delete(tmp_path: Path) -> None:
    store = simplezarr.stores.LocalStore(tmp_path / "x.zarr")
    g = zarr.open_group(store=store, mode="w")
    g.create_array("a", shape=(2,), dtype="u1")[:] = 3
    g.create_array("b", shape=(2,), dtype="u1")
    zarr.consolidate_metadata(store)
    assert "consolidated_metadata" in json.loads(store.get("zarr.json") or b"{}")
    del g["b"]
    assert store.list_prefix("b/") == []
    zarr.open_group(store=store, mode="w")  # mode "w" clears what is there
    assert store.list() == ["zarr.json"]


def test_zip_archive_written_through_zarr_is_a_zip(tmp_path: Path) -> None:
    store = simplezarr.stores.ZipStore(tmp_path / "z.zip", mode="w")
    zarr.create_array(store=store, shape=(3,), dtype="i1", fill_value=1)
    store.close()
    assert "zarr.json" in zipfile.ZipFile(tmp_path / "z.zip").namelist()


_IMPORT_ORDER = """
import sys
{first}
assert ("zarr" in sys.modules) == {zarr_first}, "importing simplezarr imported zarr"
{second}
from zarr.abc.store import Store
from simplezarr.stores import MemoryStore, LocalStore
class NotAStore:
    pass
assert isinstance(MemoryStore(), Store) and isinstance(LocalStore("/tmp/q.zarr"), Store)
assert not isinstance(NotAStore(), Store)
a = zarr.create_array(store=MemoryStore(), shape=(2,), dtype="i1", fill_value=4)
assert a[:].tolist() == [4, 4]
print("ok")
"""


@pytest.mark.parametrize("zarr_first", [False, True])
def test_registration_in_either_import_order(zarr_first: bool) -> None:
    imports = ["import simplezarr", "import zarr"]
    first, second = reversed(imports) if zarr_first else imports
    code = _IMPORT_ORDER.format(first=first, second=second, zarr_first=zarr_first)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


# --------------------------------------------------------------------------- CacheStore


def _cache_session(lib: ModuleType, **options: Any) -> dict[str, Any]:
    import asyncio
    import importlib

    from zarr.abc.store import RangeByteRequest
    from zarr.core.buffer import default_buffer_prototype

    proto = default_buffer_prototype()
    cache_store = importlib.import_module(lib.__name__ + ".experimental.cache_store")
    source, cache = lib.storage.MemoryStore(), lib.storage.MemoryStore()
    cached = cache_store.CacheStore(source, cache_store=cache, **options)

    async def main() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in [("a", b"1234"), ("b", b"5678"), ("c", b"90")]:
            await source.set(k, proto.buffer.from_bytes(v))
        reads = []
        for key, rng in [("a", None), ("a", None), ("b", RangeByteRequest(1, 3)), ("b", None)]:
            got = await cached.get(key, proto, rng)
            reads.append(got.to_bytes())
        reads.append((await cached.get("b", proto, RangeByteRequest(1, 3))).to_bytes())
        reads.append(await cached.get("missing", proto))
        out["reads"] = reads
        await cached.set("c", proto.buffer.from_bytes(b"new!"))
        out["c"] = (await cached.get("c", proto)).to_bytes()
        out["source_c"] = (await source.get("c", proto)).to_bytes()
        await cached.delete("a")
        out["a_gone"] = (await cached.get("a", proto), await source.exists("a"))
        out["cache_keys"] = sorted([k async for k in cache.list()])
        out["stats"] = cached.cache_stats()
        info = cached.cache_info()
        # current_size left out: zarr-python does not subtract a deleted key's size from
        # it (its _remove_from_tracking), simplezarr does (checked below).
        out["info"] = {k: info[k] for k in info if k not in ("cache_store_type", "current_size")}
        out["size"] = info["current_size"]
        await cached.clear_cache()
        out["after_clear"] = (cached.cache_info()["current_size"], [k async for k in cache.list()])
        return out

    return asyncio.run(main())


_OPTIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "max_size": {"max_size": 6},
    "no_set_data": {"cache_set_data": False},
    "expired": {"max_age_seconds": 0},
}


@pytest.mark.parametrize("options", list(_OPTIONS.values()), ids=list(_OPTIONS))
def test_cache_store_behaves_as_zarr_pythons(options: dict[str, Any]) -> None:
    theirs, ours = both(lambda lib: _cache_session(lib, **options))
    assert theirs["reads"][:2] == [b"1234", b"1234"]
    assert {k: v for k, v in ours.items() if k != "size"} == {
        k: v for k, v in theirs.items() if k != "size"
    }
    # What is cached after the session: "b" (4 bytes) and its range (2), and "c" (4) when
    # read back; "a" was deleted. zarr-python still counts a's 4 bytes.
    cached = {"default": 10, "max_size": 6, "no_set_data": 10, "expired": 10}
    name = next(k for k, v in _OPTIONS.items() if v == options)
    assert ours["size"] == cached[name]
    assert theirs["size"] >= ours["size"]


def test_cache_store_constructor_checks() -> None:
    from simplezarr.experimental.cache_store import CacheStore

    def run(lib: ModuleType) -> list[Any]:
        mod = __import__(lib.__name__ + ".experimental.cache_store", fromlist=["CacheStore"])
        store = lib.storage.MemoryStore()
        bad_age = raised(lambda: mod.CacheStore(store, cache_store=store, max_age_seconds="1h"))
        return [bad_age, raised(lambda: mod.CacheStore(store))]  # cache_store is required

    theirs, ours = both(run)
    assert theirs[0] is ValueError and ours == theirs
    # a cache store that cannot delete is refused (zarr-python checks supports_deletes)
    with pytest.raises(ValueError, match="deletes"):
        CacheStore(simplezarr.stores.MemoryStore(), cache_store=_NoDeletes())


class _NoDeletes(simplezarr.stores.ReadableStore):
    def _get(self, key: str, byte_range: Any) -> None:
        return None


def test_simplezarr_arrays_read_through_the_cache(tmp_path: Path) -> None:
    from simplezarr.experimental.cache_store import CacheStore

    source = simplezarr.stores.LoggingStore(simplezarr.stores.LocalStore(tmp_path / "s.zarr"))
    a = simplezarr.create_array(source, shape=(8,), chunks=(2,), dtype="i2")
    a[:] = np.arange(8)
    cached = CacheStore(source, cache_store=simplezarr.stores.MemoryStore())
    b = simplezarr.open_array(cached, mode="r")
    assert b[:].tolist() == list(range(8))
    before = source.counter["get"] + source.counter.get("get_many", 0)
    assert b[:].tolist() == list(range(8))  # the second read comes from the cache
    after = source.counter["get"] + source.counter.get("get_many", 0)
    assert after == before
    a[0] = 100  # written past the cache: not seen until it expires (as zarr-python's)
    assert b[0] == 0
    cached.clear_cache()
    assert b[0] == 100  # control: the cache was what answered


# --------------------------------------------------------------------------- ManagedMemoryStore


def test_managed_memory_store_as_zarr_34s() -> None:
    if not hasattr(zarr.storage, "ManagedMemoryStore"):
        pytest.skip("zarr-python < 3.4 has no ManagedMemoryStore")

    def run(lib: ModuleType) -> list[Any]:
        cls = lib.storage.ManagedMemoryStore
        name = f"t-{lib.__name__}"
        store = cls(name=name)
        lib.create_array(store=store, name="x", shape=(3,), dtype="i2", fill_value=7)
        again = cls(name=name)  # the same name: the same dict
        sub = cls.from_url(f"memory://{name}/x")
        ro = sub.with_read_only(True)
        return [
            str(store),
            repr(sub),
            store.name,
            sub.path,
            lib.open_array(store=again, path="x")[:].tolist(),
            lib.open_array(store=sub)[:].tolist(),
            again == store,
            sub == store,
            ro.read_only,
            raised(lambda: cls(name="a/b")),
            raised(lambda: cls.from_url("memory://never-made")),
            raised(lambda: cls.from_url("file:///tmp")),
            str(cls(path="p")).startswith("memory://"),
            str(cls()) != str(cls()),
        ]

    theirs, ours = both(run)
    assert theirs[4] == [7, 7, 7]
    assert [str(x).replace("simplezarr", "zarr") for x in ours] == [str(x) for x in theirs]


def test_managed_memory_store_pickles_to_the_same_dict() -> None:
    import pickle

    store = simplezarr.storage.ManagedMemoryStore(name="pickled", path="p")
    store.set("k", b"v")
    back = pickle.loads(pickle.dumps(store))
    assert back == store and back.get("k") == b"v"
    other = simplezarr.storage.MemoryStore({"k": b"v"})
    assert pickle.loads(pickle.dumps(other)).store_dict is not other.store_dict  # control


@pytest.mark.parametrize("pipeline", [False, True])
def test_simplezarr_pipeline_uses_our_store_directly(pipeline: bool, tmp_path: Path) -> None:
    import logging

    store = simplezarr.stores.LoggingStore(
        simplezarr.stores.LocalStore(tmp_path / "p.zarr"), log_handler=logging.NullHandler()
    )
    data = np.arange(400, dtype="i4").reshape(20, 20)
    settings = {"codec_pipeline.path": "simplezarr.ZarrCodecPipeline"} if pipeline else {}
    with zarr.config.set(settings):
        a = zarr.create_array(
            store=store, shape=(20, 20), chunks=(5, 5), shards=(10, 10), dtype="i4"
        )
        a[:] = data
        np.testing.assert_array_equal(a[3:17, 2:9], data[3:17, 2:9])
    # simplezarr's pipeline reads shards through the engine's own calls on the store (one
    # open per shard); zarr-python's goes through the store's zarr-python methods (control)
    assert ("open_values" in store.counter) == pipeline
    np.testing.assert_array_equal(simplezarr.open_array(store)[:], data)


@pytest.mark.parametrize("kind", ["local", "memory", "zip", "logging"])
def test_with_read_only_copies_borrow_the_store(kind: str, tmp_path: Path) -> None:
    store = _zarr_stores(tmp_path)[kind]()
    store.set("k", b"1")
    ro = store.with_read_only(True)
    assert ro.read_only and not store.read_only and ro.get("k") == b"1"
    with pytest.raises(ValueError):  # zarr-python's read-only error type (ReadOnlyError)
        ro.set("k", b"2")
    ro.close()  # the copy borrows: the store stays usable
    store.set("j", b"2")
    assert store.get("j") == b"2" and ro.get("j") == b"2"  # one store, two settings
    assert store.with_read_only(False).read_only is False
    store.close()
    if kind == "zip":  # control: closing the store itself did write the archive
        assert sorted(zipfile.ZipFile(tmp_path / "a.zip").namelist()) == ["j", "k"]


@pytest.mark.parametrize("wrapper", ["LoggingStore", "WrapperStore", "CacheStore"])
def test_zarr_pythons_wrappers_around_our_store(wrapper: str, tmp_path: Path) -> None:
    import logging

    ours = simplezarr.stores.LocalStore(tmp_path / "w.zarr")
    if wrapper == "CacheStore":
        from zarr.experimental.cache_store import CacheStore

        wrapped = CacheStore(ours, cache_store=zarr.storage.MemoryStore())
    elif wrapper == "LoggingStore":
        wrapped = zarr.storage.LoggingStore(ours, log_handler=logging.NullHandler())
    else:
        wrapped = zarr.storage.WrapperStore(ours)
    a = zarr.create_array(store=wrapped, shape=(10,), chunks=(3,), dtype="i2")
    a[:] = np.arange(10)
    assert zarr.open_array(store=wrapped)[:].tolist() == list(range(10))
    assert simplezarr.open_array(ours)[:].tolist() == list(range(10))
    assert ours.list_prefix("c/") == ["c/0", "c/1", "c/2", "c/3"]


def test_a_zip_store_over_an_open_file(tmp_path: Path) -> None:
    import simplezarr

    path = tmp_path / "data.zip"
    with simplezarr.storage.ZipStore(path, mode="w") as store:
        simplezarr.create_array(store, shape=(3,), dtype="i2", fill_value=0)[:] = 5

    def run(lib: ModuleType) -> object:
        with open(path, "rb") as f:
            array = lib.open_array(store=lib.storage.ZipStore(f), mode="r")
            return array[:].tolist()

    if not ZARR_34:  # zarr-python 3.1's ZipStore takes a path only
        assert run(simplezarr) == [5, 5, 5]
        return
    theirs, ours = both(run)
    assert ours == theirs == [5, 5, 5]


def test_a_zip_store_over_a_file_only_reads(tmp_path: Path) -> None:
    import pickle

    import simplezarr

    path = tmp_path / "data.zip"
    with simplezarr.storage.ZipStore(path, mode="w") as store:
        simplezarr.create_array(store, shape=(1,), dtype="i1")
    with open(path, "rb") as f:
        with pytest.raises(simplezarr.errors.InvalidArgument, match="mode 'r'"):
            simplezarr.storage.ZipStore(f, mode="a")
        store = simplezarr.storage.ZipStore(f)
        assert store.read_only
        with pytest.raises(simplezarr.errors.StoreError, match="file object"):
            pickle.dumps(store)
        store.close()
        assert not f.closed  # the caller's file stays the caller's


def test_cache_store_clear_cache_is_awaitable_and_immediate() -> None:
    import asyncio

    import simplezarr
    from simplezarr.experimental.cache_store import CacheStore

    cached = CacheStore(
        simplezarr.storage.MemoryStore(), cache_store=simplezarr.storage.MemoryStore()
    )
    a = simplezarr.create_array(cached, shape=(4,), dtype="i1")
    a[:] = 1
    _ = a[:]
    assert cached.cache_info()["cached_keys"] > 0
    asyncio.run(cached.clear_cache())  # as zarr-python's user guide does
    assert cached.cache_info()["cached_keys"] == 0
    _ = a[:]
    cached.clear_cache()  # and without awaiting it
    assert cached.cache_info()["cached_keys"] == 0
