"""Every store behaves like a dict under any sequence of operations.

Memory, local, zip (closed and reopened along the way, so compaction is exercised), fsspec
over memory:// and a real S3 server (moto), obstore over S3, and LoggingStore. Remote stores
run fewer examples: each step is a network round trip.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
import zipfile
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from store_servers import moto_server

from simplezarr.stores import (
    FsspecStore,
    LocalStore,
    LoggingStore,
    MemoryStore,
    ObjectStore,
    ZipStore,
)

# Directory names and leaf names are disjoint, so no key is also a prefix of another key
# (a file cannot also be a directory on disk).
DIRS = st.lists(st.sampled_from(["d0", "d1", "ü n"]), max_size=2)
LEAVES = st.sampled_from(["k0", "k1", ".zarray", "a.b"])
KEYS = st.builds(lambda dirs, leaf: "/".join([*dirs, leaf]), DIRS, LEAVES)
PREFIXES = st.builds(lambda dirs: "".join(d + "/" for d in dirs), DIRS)
VALUES = st.binary(max_size=20)
RANGES = (
    st.none()
    | st.tuples(st.integers(0, 25), st.integers(0, 25) | st.none())
    | st.tuples(st.integers(-25, -1), st.none())
)


def expected_slice(value: bytes, byte_range: tuple[int, int | None] | None) -> bytes:
    if byte_range is None:
        return value
    start, length = byte_range
    return value[start:] if length is None else value[start : start + length]


class StoreMachine(RuleBasedStateMachine):
    """Runs the same operations on a store and on a dict model."""

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, bytes] = {}
        self.store: Any = self.make_store()

    def make_store(self) -> Any:
        raise NotImplementedError

    @rule(key=KEYS, value=VALUES)
    def set(self, key: str, value: bytes) -> None:
        self.store.set(key, value)
        self.model[key] = value

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        self.store.delete(key)
        self.model.pop(key, None)

    @rule(key=KEYS, start=st.integers(0, 25), value=VALUES)
    def set_partial(self, key: str, start: int, value: bytes) -> None:
        self.store.set_partial_values([(key, start, value)])
        old = self.model.get(key, b"").ljust(start, b"\x00")
        self.model[key] = old[:start] + value + old[start + len(value) :]

    @precondition(lambda self: len(self.model) > 6)
    @rule(prefix=PREFIXES)
    def erase_prefix(self, prefix: str) -> None:
        self.store.erase_prefix(prefix)
        self.model = {k: v for k, v in self.model.items() if not k.startswith(prefix)}

    @rule(key=KEYS, byte_range=RANGES)
    def get(self, key: str, byte_range: tuple[int, int | None] | None) -> None:
        value = self.model.get(key)
        expected = None if value is None else expected_slice(value, byte_range)
        assert self.store.get(key, byte_range) == expected
        assert self.store.exists(key) == (value is not None)

    @rule(prefix=PREFIXES)
    def list_prefix(self, prefix: str) -> None:
        expected = sorted(k for k in self.model if k.startswith(prefix))
        assert self.store.list_prefix(prefix) == expected
        assert self.store.is_empty(prefix) == (not expected)

    @rule(prefix=PREFIXES)
    def list_dir(self, prefix: str) -> None:
        children = set()
        for key in self.model:
            if key.startswith(prefix):
                name, slash, _ = key[len(prefix) :].partition("/")
                children.add(prefix + name + slash)
        assert self.store.list_dir(prefix) == sorted(children)

    @invariant()
    def same_keys(self) -> None:
        assert self.store.list() == sorted(self.model)


class MemoryStoreMachine(StoreMachine):
    def make_store(self) -> Any:
        return MemoryStore()


class LocalStoreMachine(StoreMachine):
    def make_store(self) -> Any:
        self.directory = tempfile.mkdtemp(prefix="simplezarr-stateful-")
        return LocalStore(self.directory + "/store")

    def teardown(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


SETTINGS = settings(max_examples=75, stateful_step_count=30, deadline=None)
TestMemoryStoreStateful = MemoryStoreMachine.TestCase
TestMemoryStoreStateful.settings = SETTINGS
TestLocalStoreStateful = LocalStoreMachine.TestCase
TestLocalStoreStateful.settings = SETTINGS


class ZipStoreMachine(StoreMachine):
    def make_store(self) -> Any:
        self.directory = tempfile.mkdtemp(prefix="simplezarr-stateful-")
        self.path = self.directory + "/store.zip"
        return ZipStore(self.path, mode="w", compression=zipfile.ZIP_DEFLATED)

    @rule()
    def reopen(self) -> None:
        """Close (compacting replaced and deleted members) and open again for appending."""
        self.store.close()
        with zipfile.ZipFile(self.path) as archive:
            names = [info.filename for info in archive.infolist()]
        assert sorted(names) == sorted(self.model)  # no duplicate or deleted members left
        self.store = ZipStore(self.path, mode="a", compression=zipfile.ZIP_DEFLATED)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class LoggingStoreMachine(StoreMachine):
    def make_store(self) -> Any:
        return LoggingStore(MemoryStore(), log_handler=logging.NullHandler())


class FsspecMemoryMachine(StoreMachine):
    def make_store(self) -> Any:
        pytest.importorskip("fsspec")
        self.url = f"memory://stateful/{uuid.uuid4().hex}"
        return FsspecStore.from_url(self.url)

    def teardown(self) -> None:
        self.store.clear()


class FsspecS3Machine(StoreMachine):
    def make_store(self) -> Any:
        pytest.importorskip("s3fs")
        s3 = moto_server()
        return FsspecStore.from_url(f"s3://{s3.new_prefix()}", s3.fsspec_options())


class ObjectStoreS3Machine(StoreMachine):
    def make_store(self) -> Any:
        pytest.importorskip("obstore")
        s3 = moto_server()
        return ObjectStore.from_url(f"s3://{s3.new_prefix()}", s3.obstore_options())


LOCAL = settings(max_examples=40, stateful_step_count=25, deadline=None)
REMOTE = settings(max_examples=5, stateful_step_count=12, deadline=None)
TestZipStoreStateful = ZipStoreMachine.TestCase
TestZipStoreStateful.settings = LOCAL
TestLoggingStoreStateful = LoggingStoreMachine.TestCase
TestLoggingStoreStateful.settings = LOCAL
TestFsspecMemoryStateful = FsspecMemoryMachine.TestCase
TestFsspecMemoryStateful.settings = LOCAL
TestFsspecS3Stateful = FsspecS3Machine.TestCase
TestFsspecS3Stateful.settings = REMOTE
TestObjectStoreS3Stateful = ObjectStoreS3Machine.TestCase
TestObjectStoreS3Stateful.settings = REMOTE
