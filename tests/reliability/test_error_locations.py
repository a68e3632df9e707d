"""Every error raised while reading or writing a chunk names the array path, the store key
(and the byte range of an inner chunk): corrupt bytes (crc32c, decoders), a corrupt shard
index, and store failures, for plain and sharded arrays."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.errors import CorruptChunk, StoreError, ZarrError
from simplezarr.stores import MemoryStore
from simplezarr.stores.wrappers import WrapperStore

PATH = "grp/arr"
KEY = "grp/arr/c/0"


def names_chunk(message: str) -> bool:
    return f"array {PATH!r}" in message and repr(KEY) in message


def _array(store: object, sharded: bool, compressors: list[dict[str, object]]) -> sz.Array:
    layout = {"chunks": (2,), "shards": (4,)} if sharded else {"chunks": (4,)}
    a = sz.create_array(
        store, name=PATH, shape=(8,), dtype="i4", compressors=compressors, fill_value=0, **layout
    )
    a[:] = np.arange(1, 9)
    return a


def _flip(store: MemoryStore, offset: int) -> None:
    data = bytearray(store.get(KEY) or b"")
    data[offset] ^= 0xFF
    store.set(KEY, bytes(data))


READS: dict[str, Callable[[sz.Array], object]] = {
    "whole": lambda a: a[:],
    "one": lambda a: a[1],
    "partial write": lambda a: a.__setitem__(1, 5),
}


@pytest.mark.parametrize("op", list(READS))
@pytest.mark.parametrize("sharded", [False, True], ids=["plain", "sharded"])
@pytest.mark.parametrize("codec", ["crc32c", "zstd"])
def test_corrupt_bytes_name_the_chunk(op: str, sharded: bool, codec: str) -> None:
    store = MemoryStore()
    a = _array(store, sharded, [{"name": codec}])
    _flip(store, 1)  # inside the first chunk (first inner chunk of a shard)
    with pytest.raises(CorruptChunk) as info:
        READS[op](a)
    message = str(info.value)
    assert names_chunk(message), message
    if sharded:
        assert "inner chunk (0,)" in message
        if op != "partial write":
            assert "bytes 0.." in message


@pytest.mark.parametrize("op", list(READS))
def test_corrupt_shard_index_names_the_shard(op: str) -> None:
    store = MemoryStore()
    a = _array(store, True, [])
    size = len(store.get(KEY) or b"")
    _flip(store, size - 6)  # the index (at the end, checked by its crc32c)
    with pytest.raises(CorruptChunk) as info:
        READS[op](a)
    assert names_chunk(str(info.value)), str(info.value)


class FailingStore(WrapperStore):
    """Fails every read of a chunk key with a message that names nothing."""

    def get(self, key: str, byte_range: object = None) -> bytes | None:  # type: ignore[override]
        if "/c/" in key:
            raise StoreError("the disk is on fire")
        return super().get(key, byte_range)  # type: ignore[arg-type]

    def get_many(self, requests):  # type: ignore[no-untyped-def, override]
        return [self.get(k, r) for k, r in requests]

    def open_values(self, requests):  # type: ignore[no-untyped-def, override]
        for k, _ in requests:
            self.get(k)
        return super().open_values(requests)


@pytest.mark.parametrize("op", list(READS))
@pytest.mark.parametrize("sharded", [False, True], ids=["plain", "sharded"])
def test_store_failures_name_the_chunk(op: str, sharded: bool) -> None:
    inner = MemoryStore()
    _array(inner, sharded, [])
    a = sz.open_array(FailingStore(inner), path=PATH, mode="r+")
    with pytest.raises(StoreError) as info:
        READS[op](a)
    message = str(info.value)
    assert names_chunk(message) and "the disk is on fire" in message, message


def test_errors_keep_their_type_and_cause() -> None:
    store = MemoryStore()
    a = _array(store, False, [{"name": "crc32c"}])
    _flip(store, 1)
    with pytest.raises(CorruptChunk) as info:
        a[:]
    assert isinstance(info.value.__cause__, ZarrError)
    assert str(info.value).count(f"array {PATH!r}") == 1


def test_control_the_old_message_does_not_name_the_chunk() -> None:
    # The message before: the check above fails on it.
    old = "crc32c checksum mismatch: stored 0x1234abcd, computed 0x0badf00d; the chunk is corrupt"
    assert not names_chunk(old)
    assert not names_chunk(f"key {KEY!r}: {old}")  # the key alone is not enough
