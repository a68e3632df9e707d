"""A store without a capability an operation needs fails with an error that names both."""

from __future__ import annotations

import pytest

from simplezarr.errors import ReadOnlyError, UnsupportedStoreError
from simplezarr.nodes import ZarrGroup, open_zarr
from simplezarr.stores import MemoryStore, ReadableStore
from simplezarr.stores.base import ByteRange, listable, readable, writable


class ReadOnlyKeys(ReadableStore):
    """Reads keys of a dict; can neither list nor write (like a plain HTTP server)."""

    def __init__(self, data: dict[str, bytes]) -> None:
        super().__init__()
        self.data = data

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        value = self.data.get(key)
        if value is None or byte_range is None:
            return value
        start, length = byte_range
        return value[start:] if length is None else value[start : start + length]

    def _exists(self, key: str) -> bool:
        return key in self.data


@pytest.fixture
def store() -> ReadOnlyKeys:
    source = MemoryStore()
    g = ZarrGroup.create(source)
    g.create_array("a", shape=(4,), dtype="u1", chunks=(2,))
    return ReadOnlyKeys({k: source.get(k) or b"" for k in source.list()})


def test_reading_works_without_listing(store: ReadOnlyKeys) -> None:
    assert open_zarr(store, "a")[:].tolist() == [0, 0, 0, 0]


def test_listing_a_group_names_the_missing_capability(store: ReadOnlyKeys) -> None:
    g = open_zarr(store)
    with pytest.raises(UnsupportedStoreError, match=r"cannot list keys, which list the members"):
        g.keys()


def test_measuring_stored_bytes_names_the_missing_capability(store: ReadOnlyKeys) -> None:
    with pytest.raises(UnsupportedStoreError, match="cannot list keys, which measure the bytes"):
        open_zarr(store, "a").nbytes_stored()


def test_capability_helpers() -> None:
    m = MemoryStore()
    assert readable(m, "x") is m and writable(m, "x") is m and listable(m, "x") is m
    with pytest.raises(ReadOnlyError, match="cannot write keys, which save it needs"):
        writable(ReadOnlyKeys({}), "save it")
