"""The store conformance suite, run for every store.

Memory, local, zip (stored and deflated), fsspec over memory://, file:// and a real S3
server (moto, see conftest.py), obstore over S3 and memory, and the wrappers (WrapperStore,
SlowStore, LoggingStore) all pass the same tests.

To test a new store, subclass :class:`StoreConformance` and provide a ``make`` fixture
returning ``make(initial=None, read_only=False) -> store`` (a new store holding ``initial``).
"""

from __future__ import annotations

import itertools
import logging
import uuid
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from store_servers import S3Server

from simplezarr.errors import InvalidKey, ReadOnlyError, SelectionError, ZarrError
from simplezarr.stores import (
    FsspecStore,
    ListableStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ObjectStore,
    ReadableStore,
    SlowStore,
    WrapperStore,
    WritableStore,
    ZipStore,
)

Make = Callable[..., Any]

DATA = b"0123456789"

BAD_KEYS = [
    "",
    "/a",
    "a/",
    "a//b",
    "./a",
    "a/./b",
    "..",
    "../x",
    "a/../../x",
    "a\\b",
    "a\x00b",
    "a\nb",
    "a\x1fb",
    "a\x7fb",
    "C:/x",
    "c:x",
    "/etc/passwd",
    None,
    5,
    b"a",
    ("a",),
]

UNUSUAL_KEYS = [
    "with space",
    "ünïcödé/日本語/🙂",
    "a%20b",
    "#hash",
    "~tilde",
    "x=y+z",
    "a.b",
    ".zarray",
    ".zattrs",
    "g/.zgroup",
    "...",
    "a..b",
    "semi;colon,comma",
    "it's",
    "dollar$[brackets]{braces}",
    "ab:cd",
    "x/C:",
]

# (byte_range, the equivalent Python slice of DATA)
RANGES = [
    (None, slice(None)),
    ((0, 3), slice(0, 3)),
    ((2, 3), slice(2, 5)),
    ((2, None), slice(2, None)),
    ((0, 0), slice(0, 0)),
    ((-3, None), slice(-3, None)),
    ((-100, None), slice(-100, None)),
    ((8, 10), slice(8, 18)),
    ((10, None), slice(10, None)),
    ((20, 5), slice(20, 25)),
    ((np.int64(1), np.uint8(2)), slice(1, 3)),
    ([4, 2], slice(4, 6)),
]

BAD_RANGES = [(-1, 2), (0, -1), (1.5, None), (0, 2.0), "0-3", (0,), (0, 1, 2), (True, None), 3]


class StoreConformance:
    """Tests every read-write-list store must pass; subclasses provide ``make``."""

    @pytest.fixture
    def make(self) -> Make:
        raise NotImplementedError

    @pytest.fixture
    def store(self, make: Make) -> Any:
        return make()

    @pytest.fixture
    def tree(self, make: Make) -> Any:
        return make({k: k.encode() for k in ["a/b", "a/c", "a/d/e", "a/f/g", "ab/x", "abc", "z"]})

    # -- get / set / delete -----------------------------------------------------------------

    def test_capabilities(self, store: Any) -> None:
        assert isinstance(store, ReadableStore | WritableStore | ListableStore)
        assert store.read_only is False
        assert type(store).__name__ in repr(store)

    def test_set_get_overwrite(self, store: Any) -> None:
        assert store.get("a/b") is None
        store.set("a/b", b"one")
        assert store.get("a/b") == b"one"
        store.set("a/b", b"two!")
        assert store.get("a/b") == b"two!"
        # bytes (a memory store's are its Buffer, a bytes subclass), never a view or bytearray
        assert isinstance(store.get("a/b"), bytes)
        assert not isinstance(store.get("a/b"), bytearray | memoryview)

    def test_empty_value_is_not_missing(self, store: Any) -> None:
        store.set("e", b"")
        assert store.get("e") == b""
        assert store.exists("e")
        assert store.getsize("e") == 0
        assert store.list() == ["e"]

    @pytest.mark.parametrize(
        "value",
        [
            bytearray(b"\x01\x02\x03\x04"),
            memoryview(b"\x01\x02\x03\x04"),
            np.array([1, 2, 3, 4], dtype="u1"),
            np.array([[1, 2], [3, 4]], dtype="<i4"),
            np.float64(2.5),
        ],
    )
    def test_set_accepts_bytes_like(self, store: Any, value: Any) -> None:
        store.set("k", value)
        assert store.get("k") == memoryview(value).tobytes()

    def test_set_copies_mutable_values(self, store: Any) -> None:
        value = bytearray(b"abc")
        store.set("k", value)
        value[0] = ord("X")
        assert store.get("k") == b"abc"

    @pytest.mark.parametrize("value", ["text", 5, [1, 2], None, np.arange(12).reshape(3, 4)[:, 1]])
    def test_set_rejects_non_bytes(self, store: Any, value: Any) -> None:
        with pytest.raises(TypeError, match="'k'"):
            store.set("k", value)
        assert store.get("k") is None

    def test_set_rejects_fortran_order(self, store: Any) -> None:
        with pytest.raises(TypeError, match="contiguous"):
            store.set("k", np.asfortranarray(np.arange(6).reshape(2, 3)))

    def test_delete(self, store: Any) -> None:
        store.set("a/b", DATA)
        store.set("a/c", DATA)
        store.delete("a/b")
        assert store.get("a/b") is None
        assert not store.exists("a/b")
        assert store.list() == ["a/c"]
        store.delete("a/b")  # missing: no error
        store.delete("never/there")

    def test_exists_and_getsize(self, store: Any) -> None:
        store.set("a/b", DATA)
        assert store.exists("a/b")
        assert not store.exists("a")  # a prefix is not a key
        assert not store.exists("missing")
        assert store.getsize("a/b") == len(DATA)
        with pytest.raises(FileNotFoundError, match="'missing'"):
            store.getsize("missing")
        with pytest.raises(FileNotFoundError):
            store.getsize("a")

    def test_prefix_is_not_a_key(self, store: Any) -> None:
        store.set("a/b/c", DATA)
        assert store.get("a") is None
        assert store.get("a/b") is None
        store.delete("a/b")  # deleting a "directory" key is a no-op
        assert store.get("a/b/c") == DATA

    def test_key_below_a_value_is_missing(self, store: Any) -> None:
        store.set("a", DATA)
        assert store.get("a/b") is None
        assert not store.exists("a/b")

    #: Keys written by test_concurrent_set_get (fewer for stores behind a slow test server).
    concurrent_keys = 200

    def test_concurrent_set_get(self, store: Any) -> None:
        keys = [f"c/{i % 7}/{i}" for i in range(self.concurrent_keys)]

        def roundtrip(key: str) -> bytes | None:
            store.set(key, key.encode())
            store.list_prefix("c/")
            return store.get(key)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(roundtrip, keys))
        assert results == [k.encode() for k in keys]
        assert store.list() == sorted(keys)

    # -- byte ranges ----------------------------------------------------------------------

    @pytest.mark.parametrize(("byte_range", "expected"), RANGES)
    def test_byte_ranges(self, store: Any, byte_range: Any, expected: slice) -> None:
        store.set("k", DATA)
        assert store.get("k", byte_range) == DATA[expected]

    @pytest.mark.parametrize("byte_range", BAD_RANGES)
    def test_bad_byte_range(self, store: Any, byte_range: Any) -> None:
        store.set("k", DATA)
        with pytest.raises(SelectionError):
            store.get("k", byte_range)
        with pytest.raises(SelectionError):
            store.get_many([("k", byte_range)])

    def test_byte_range_of_missing_key(self, store: Any) -> None:
        assert store.get("missing", (0, 2)) is None
        assert store.get("missing", (-2, None)) is None

    def test_byte_range_of_empty_value(self, store: Any) -> None:
        store.set("e", b"")
        assert store.get("e", (0, 5)) == b""
        assert store.get("e", (-5, None)) == b""
        assert store.get("e", (3, None)) == b""

    def test_get_many(self, store: Any) -> None:
        store.set("x", DATA)
        store.set("y/z", b"yz")
        requests = [("x", None), ("missing", None), ("x", (1, 2)), ("y/z", (-1, None)), ("x", None)]
        assert store.get_many(requests) == [DATA, None, b"12", b"z", DATA]
        assert store.get_many([]) == []

    def test_get_many_checks_every_key(self, store: Any) -> None:
        with pytest.raises(InvalidKey):
            store.get_many([("fine", None), ("../bad", None)])

    def test_get_partial_values(self, store: Any) -> None:
        store.set("x", DATA)
        key_ranges = [("x", 0, 3), ("x", 7, None), ("x", -2, None), ("missing", 0, 1), ("x", 9, 5)]
        assert store.get_partial_values(key_ranges) == [b"012", b"789", b"89", None, b"9"]
        with pytest.raises(SelectionError):
            store.get_partial_values([("x", -2, 1)])

    # -- partial and batched writes -----------------------------------------------------

    def test_set_partial_values(self, store: Any) -> None:
        store.set("x", DATA)
        store.set_partial_values([("x", 2, b"ab")])
        assert store.get("x") == b"01ab456789"
        store.set_partial_values([("x", 8, b"XYZ")])  # runs over the end: grows
        assert store.get("x") == b"01ab4567XYZ"
        store.set_partial_values([("x", 13, bytearray(b"!"))])  # past the end: zero filled
        assert store.get("x") == b"01ab4567XYZ\x00\x00!"

    def test_set_partial_values_many(self, store: Any) -> None:
        store.set("x", b"aaaa")
        store.set_partial_values(
            [("x", 0, b"b"), ("new", 2, b"n"), ("x", 0, b"cc"), ("x", 4, np.array([7], "u1"))]
        )
        assert store.get("x") == b"ccaa\x07"
        assert store.get("new") == b"\x00\x00n"

    @pytest.mark.parametrize("start", [-1, 1.0, None, "0"])
    def test_set_partial_values_bad_start(self, store: Any, start: Any) -> None:
        store.set("x", DATA)
        with pytest.raises(SelectionError):
            store.set_partial_values([("x", start, b"z")])
        assert store.get("x") == DATA

    def test_set_many(self, store: Any) -> None:
        store.set_many([("a", b"1"), ("b/c", bytearray(b"2"))])
        store.set_many(iter([("d", b"3")]))
        assert store.get_many([("a", None), ("b/c", None), ("d", None)]) == [b"1", b"2", b"3"]

    def test_erase_values(self, tree: Any) -> None:
        tree.erase_values(["a/b", "missing", "z"])
        tree.erase_values(iter(["abc"]))
        assert tree.list() == ["a/c", "a/d/e", "a/f/g", "ab/x"]

    def test_erase_prefix(self, tree: Any) -> None:
        tree.erase_prefix("a/")
        assert tree.list() == ["ab/x", "abc", "z"]
        tree.erase_prefix("missing/")
        tree.erase_prefix("z/")  # "z" is a key, not a prefix: kept
        assert tree.list() == ["ab/x", "abc", "z"]
        tree.erase_prefix("")
        assert tree.list() == []

    def test_erase_nested_prefix(self, tree: Any) -> None:
        tree.erase_prefix("a/d/")
        assert tree.list_prefix("a/") == ["a/b", "a/c", "a/f/g"]
        assert tree.list_dir("a/") == ["a/b", "a/c", "a/f/"]

    def test_clear(self, tree: Any) -> None:
        tree.clear()
        assert tree.list() == []
        assert tree.is_empty()
        tree.set("again", b"1")  # still usable
        assert tree.list() == ["again"]

    # -- listing --------------------------------------------------------------------------

    def test_list(self, tree: Any, store: Any) -> None:
        assert tree.list() == ["a/b", "a/c", "a/d/e", "a/f/g", "ab/x", "abc", "z"]
        assert store.list() == []

    def test_list_prefix(self, tree: Any) -> None:
        assert tree.list_prefix("a/") == ["a/b", "a/c", "a/d/e", "a/f/g"]
        assert tree.list_prefix("a/d/") == ["a/d/e"]
        assert tree.list_prefix("") == tree.list()
        assert tree.list_prefix("b/") == []
        assert tree.list_prefix("z/") == []  # z is a key, not a prefix

    def test_list_dir(self, tree: Any) -> None:
        assert tree.list_dir("a/") == ["a/b", "a/c", "a/d/", "a/f/"]
        assert tree.list_dir("") == ["a/", "ab/", "abc", "z"]
        assert tree.list_dir("a/d/") == ["a/d/e"]
        assert tree.list_dir("b/") == []
        assert tree.list_dir("z/") == []

    def test_list_dir_after_delete(self, tree: Any) -> None:
        tree.delete("a/d/e")
        assert tree.list_dir("a/") == ["a/b", "a/c", "a/f/"]
        assert tree.list_dir("a/d/") == []
        assert tree.is_empty("a/d/")

    def test_is_empty(self, tree: Any, store: Any) -> None:
        assert store.is_empty()
        assert store.is_empty("a/")
        assert not tree.is_empty()
        assert not tree.is_empty("a/")
        assert not tree.is_empty("a/d/")
        assert tree.is_empty("b/")
        assert tree.is_empty("z/")

    @pytest.mark.parametrize("prefix", ["a", "/", "a//", "/a/", "../", "a/../", "a\\b/", 5, None])
    def test_bad_prefix(self, tree: Any, prefix: Any) -> None:
        for method in (tree.list_prefix, tree.list_dir, tree.is_empty, tree.erase_prefix):
            with pytest.raises(InvalidKey):
                method(prefix)
        assert len(tree.list()) == 7

    # -- keys -----------------------------------------------------------------------------

    @pytest.mark.parametrize("key", UNUSUAL_KEYS)
    def test_unusual_legal_keys(self, store: Any, key: str) -> None:
        store.set(key, key.encode())
        assert store.get(key) == key.encode()
        assert store.exists(key)
        assert store.list() == [key]
        parent = key.rpartition("/")[0]
        if parent:
            assert store.list_dir(parent + "/") == [key]
            assert store.list_dir("") == [key.partition("/")[0] + "/"]
        store.delete(key)
        assert store.list() == []

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys(self, store: Any, key: Any) -> None:
        calls: list[Callable[[], object]] = [
            lambda: store.get(key),
            lambda: store.get(key, (0, 1)),
            lambda: store.exists(key),
            lambda: store.getsize(key),
            lambda: store.get_many([(key, None)]),
            lambda: store.get_partial_values([(key, 0, None)]),
            lambda: store.set(key, b"x"),
            lambda: store.set_many([(key, b"x")]),
            lambda: store.set_partial_values([(key, 0, b"x")]),
            lambda: store.delete(key),
            lambda: store.erase_values([key]),
        ]
        for call in calls:
            with pytest.raises(InvalidKey) as info:
                call()
            assert isinstance(info.value, ValueError | ZarrError)
            assert "key" in str(info.value)
        assert store.list() == []

    # -- read-only ------------------------------------------------------------------------

    def test_read_only(self, make: Make) -> None:
        store = make({"a/b": b"1", "c": b"2"}, read_only=True)
        assert store.read_only
        assert store.get("a/b") == b"1"
        assert store.list() == ["a/b", "c"]
        writes: list[tuple[str, Callable[[], object]]] = [
            ("'a/b'", lambda: store.set("a/b", b"x")),
            ("'new'", lambda: store.set_many([("new", b"x")])),
            ("'c'", lambda: store.delete("c")),
            ("'a/b'", lambda: store.set_partial_values([("a/b", 0, b"x")])),
            ("'c'", lambda: store.erase_values(["c"])),
            ("'a/'", lambda: store.erase_prefix("a/")),
            ("''", lambda: store.clear()),
        ]
        for needle, write in writes:
            with pytest.raises(ReadOnlyError) as info:
                write()
            assert isinstance(info.value, PermissionError)
            assert "read-only" in str(info.value)
            assert needle in str(info.value)
            names = {type(store).__name__, type(getattr(store, "store", store)).__name__}
            assert any(name in str(info.value) for name in names)  # wrappers: the inner store
        assert store.list() == ["a/b", "c"]
        assert store.get("a/b") == b"1"


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        return lambda initial=None, read_only=False: MemoryStore(initial, read_only=read_only)

    def test_store_dict_is_shared(self) -> None:
        # As zarr-python's MemoryStore(store_dict=...): the caller's dict is the store.
        fields = {"a": b"1"}
        store = MemoryStore(fields)
        store.set("b", b"2")
        fields["c"] = b"3"
        assert fields == {"a": b"1", "b": b"2", "c": b"3"}
        assert fields["b"].to_bytes() == b"2"
        assert store.list() == ["a", "b", "c"]
        assert MemoryStore().list() == []  # a store of its own without one

    def test_fields_are_validated(self) -> None:
        with pytest.raises(InvalidKey):
            MemoryStore({"../a": b"1"})
        with pytest.raises(TypeError):
            MemoryStore({"a": "text"})

    def test_eq_and_repr(self) -> None:
        assert MemoryStore({"a": b"1"}) == MemoryStore({"a": bytearray(b"1")})
        assert MemoryStore({"a": b"1"}) != MemoryStore({"a": b"2"})
        assert MemoryStore() != LocalStore("/nonexistent")
        assert repr(MemoryStore({"a": b"12"})) == "MemoryStore(<1 keys, 2 bytes>)"
        assert "read_only=True" in repr(MemoryStore(read_only=True))

    def test_pickle(self) -> None:
        import pickle

        store = MemoryStore({"a": b"1"}, read_only=True)
        copy = pickle.loads(pickle.dumps(store))
        assert copy == store
        assert copy.read_only


class TestLocalStore(StoreConformance):
    @pytest.fixture
    def make(self, tmp_path: Path) -> Make:
        counter = itertools.count()

        def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> LocalStore:
            root = tmp_path / f"store{next(counter)}"
            LocalStore(root).set_many((initial or {}).items())
            return LocalStore(root, read_only=read_only)

        return make


class TestWrapperStore(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        return lambda initial=None, read_only=False: WrapperStore(
            MemoryStore(initial, read_only=read_only)
        )


class TestSlowStore(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        return lambda initial=None, read_only=False: SlowStore(
            MemoryStore(initial, read_only=read_only), base_delay=0
        )


# -- the stores of the stores issue: zip, fsspec, obstore, logging ---------------------------


class TestZipStore(StoreConformance):
    @pytest.fixture
    def make(self, tmp_path: Path, request: pytest.FixtureRequest) -> Make:
        counter = itertools.count()

        def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> ZipStore:
            path = tmp_path / f"store{next(counter)}.zip"
            with ZipStore(path, mode="w") as writer:
                writer.set_many((initial or {}).items())
            store = ZipStore(path, mode="r" if read_only else "a")
            request.addfinalizer(store.close)
            return store

        return make


class TestZipStoreDeflated(TestZipStore):
    @pytest.fixture
    def make(self, tmp_path: Path, request: pytest.FixtureRequest) -> Make:
        def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> ZipStore:
            path = tmp_path / f"{uuid.uuid4().hex}.zip"
            store = ZipStore(path, mode="w", compression=zipfile.ZIP_DEFLATED)
            store.set_many((initial or {}).items())
            if read_only:
                store.close()
                store = ZipStore(path, mode="r")
            request.addfinalizer(store.close)
            return store

        return make


class TestLoggingStore(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        return lambda initial=None, read_only=False: LoggingStore(
            MemoryStore(initial, read_only=read_only), log_handler=logging.NullHandler()
        )


def _fsspec_make(url_of: Callable[[], str], options: dict[str, Any] | None = None) -> Make:
    def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> FsspecStore:
        url = url_of()
        FsspecStore.from_url(url, storage_options=options).set_many((initial or {}).items())
        return FsspecStore.from_url(url, storage_options=options, read_only=read_only)

    return make


class TestFsspecMemoryStore(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        pytest.importorskip("fsspec")
        return _fsspec_make(lambda: f"memory://conformance/{uuid.uuid4().hex}/data.zarr")


class TestFsspecLocalStore(StoreConformance):
    """fsspec's local file system: the write-to-a-temporary-name-and-rename path."""

    @pytest.fixture
    def make(self, tmp_path: Path) -> Make:
        pytest.importorskip("fsspec")
        return _fsspec_make(lambda: (tmp_path / uuid.uuid4().hex).as_uri())


class TestFsspecS3Store(StoreConformance):
    concurrent_keys = 40

    @pytest.fixture
    def make(self, s3: S3Server) -> Make:
        return _fsspec_make(lambda: f"s3://{s3.new_prefix()}", s3.fsspec_options())


class TestObjectStoreS3(StoreConformance):
    concurrent_keys = 40

    @pytest.fixture
    def make(self, s3: S3Server) -> Make:
        pytest.importorskip("obstore")

        def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> ObjectStore:
            url = f"s3://{s3.new_prefix()}"
            options = s3.obstore_options()
            ObjectStore.from_url(url, options).set_many((initial or {}).items())
            return ObjectStore.from_url(url, options, read_only=read_only)

        return make


class TestObjectStoreMemory(StoreConformance):
    @pytest.fixture
    def make(self) -> Make:
        obstore_store = pytest.importorskip("obstore.store")

        def make(initial: dict[str, bytes] | None = None, read_only: bool = False) -> ObjectStore:
            backend = obstore_store.MemoryStore()
            ObjectStore(backend).set_many((initial or {}).items())
            return ObjectStore(backend, read_only=read_only)

        return make
