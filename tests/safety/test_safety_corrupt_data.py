"""Corrupt stored data, end to end: open_zarr + ``a[...]`` must raise exactly ``CorruptChunk``.

- corrupt chunks (truncated, garbage, bit flips under a checksum, zero-length, wrong decoded
  size) for every kind of codec chain, v3 and v2;
- corrupt shards (short, bad index checksum, index entries out of range / overflowing /
  inside the index, truncated inner reads of a partial read, nested sharding), with the
  index at the start and at the end;
- decompression bombs (1 GiB of zeros, or headers claiming huge sizes) that must fail fast
  without allocating much more than the chunk's size: measured with tracemalloc in process
  and with the peak RSS of a subprocess;
- hypothesis fuzzing of valid chunks and shards: any result is a ZarrError or an array of the
  right shape and dtype (the right data when a checksum guards it), never another exception.
"""

from __future__ import annotations

import bz2
import functools
import json
import lzma
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import crc32c
import numcodecs
import numcodecs.blosc
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simplezarr.errors import CorruptChunk, ZarrError
from simplezarr.nodes import ZarrGroup, open_zarr
from simplezarr.stores import LocalStore, MemoryStore

MISSING = 2**64 - 1
METADATA_NAMES = ("zarr.json", ".zarray", ".zattrs", ".zgroup")

# -- arrays and stores ---------------------------------------------------------------------

#: Codec chains under test: create_array keywords. Arrays are (8, 8) int32 in (4, 4) chunks.
CHAINS: dict[str, dict[str, Any]] = {
    "bytes": dict(compressors=None),
    "bytes-big": dict(
        compressors=None, serializer={"name": "bytes", "configuration": {"endian": "big"}}
    ),
    "transpose": dict(
        compressors=None, filters=[{"name": "transpose", "configuration": {"order": [1, 0]}}]
    ),
    "gzip": dict(compressors=[{"name": "gzip", "configuration": {"level": 1}}]),
    "zstd": dict(compressors=[{"name": "zstd", "configuration": {"level": 1}}]),
    "zstd-checksum": dict(
        compressors=[{"name": "zstd", "configuration": {"level": 1, "checksum": True}}]
    ),
    "blosc": dict(compressors=[{"name": "blosc", "configuration": {"cname": "lz4"}}]),
    "crc32c": dict(compressors=[{"name": "crc32c"}]),
    "gzip-crc32c": dict(compressors=[{"name": "gzip"}, {"name": "crc32c"}]),
    "numcodecs.zlib": dict(compressors=[{"name": "numcodecs.zlib"}]),
    "v2-none": dict(zarr_format=2, compressors=None),
    "v2-zlib": dict(zarr_format=2, compressors={"id": "zlib", "level": 1}),
    "v2-gzip": dict(zarr_format=2, compressors={"id": "gzip", "level": 1}),
    "v2-bz2": dict(zarr_format=2, compressors={"id": "bz2", "level": 1}),
    "v2-lzma": dict(zarr_format=2, compressors={"id": "lzma"}),
    "v2-zstd": dict(zarr_format=2, compressors={"id": "zstd", "level": 1}),
    "v2-blosc": dict(zarr_format=2, compressors={"id": "blosc", "cname": "lz4"}),
    "v2-lz4": dict(zarr_format=2, compressors={"id": "lz4"}),
    "v2-delta-zlib": dict(
        zarr_format=2, compressors={"id": "zlib"}, filters=[{"id": "delta", "dtype": "<i4"}]
    ),
    "v2-F-zlib": dict(zarr_format=2, compressors={"id": "zlib"}, order="F"),
}
#: Chains whose bytes are checksummed end to end: any change must be detected.
CHECKSUMMED = {"crc32c", "gzip-crc32c", "zstd-checksum", "v2-bz2", "v2-lzma"}
#: Chains that store the raw items: same-size garbage is just other data.
UNCHECKED = {"bytes", "bytes-big", "transpose", "v2-none"}

DATA = np.arange(64, dtype="int32").reshape(8, 8) * 1000 - 7


@pytest.fixture(params=["memory", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    return MemoryStore() if request.param == "memory" else LocalStore(tmp_path / "data.zarr")


def make_array(store: Any, name: str, **kwargs: Any) -> list[str]:
    """Create and fill an (8, 8) int32 array; return its chunk (or shard) keys."""
    group = (
        ZarrGroup.create(store, overwrite=False)
        if not store.exists("zarr.json")
        else open_zarr(store)
    )
    kwargs.setdefault("chunks", (4, 4))
    a = group.create_array(name, shape=(8, 8), dtype="int32", **kwargs)
    a[:] = DATA
    return data_keys(store, name)


def data_keys(store: Any, name: str) -> list[str]:
    return [k for k in store.list_prefix(name + "/") if k.rsplit("/", 1)[-1] not in METADATA_NAMES]


def read(store: Any, name: str, selection: Any = ...) -> Any:
    return open_zarr(store, name)[selection]


def assert_corrupt(store: Any, name: str, selection: Any = ...) -> CorruptChunk:
    with pytest.raises(ZarrError) as info:
        read(store, name, selection)
    assert type(info.value) is CorruptChunk, f"{type(info.value).__name__}: {info.value}"
    return info.value


def flip(data: bytes, pos: int, bit: int = 0) -> bytes:
    return data[:pos] + bytes([data[pos] ^ (1 << bit)]) + data[pos + 1 :]


# -- corrupt chunks --------------------------------------------------------------------------


#: Chains the engine reads partially (a byte window): uncompressed, zstd without checksum.
PARTIAL_READ_CHAINS = {"bytes", "bytes-big", "zstd"}


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_truncated_chunk(store: Any, chain: str) -> None:
    key = make_array(store, "a", **CHAINS[chain])[0]
    good = store.get(key)
    for cut in (len(good) // 2, len(good) - 1, 1):
        store.set(key, good[:cut])
        assert_corrupt(store, "a")
        # A selection inside the broken chunk: an error, or -- where the engine reads only
        # the bytes the selection needs (uncompressed chunks; zstd without checksum decoded
        # as a stream) and those are intact -- the right value; never a wrong one.
        try:
            value = read(store, "a", (0, 0))
        except ZarrError as e:
            assert type(e) is CorruptChunk, f"{type(e).__name__}: {e}"
        else:
            assert chain in PARTIAL_READ_CHAINS and value == DATA[0, 0], (chain, value)
    store.set(key, good)
    np.testing.assert_array_equal(read(store, "a"), DATA)


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_zero_length_chunk(store: Any, chain: str) -> None:
    key = make_array(store, "a", **CHAINS[chain])[-1]
    store.set(key, b"")
    if isinstance(store, LocalStore):
        assert (store.root / key).stat().st_size == 0
    assert_corrupt(store, "a")
    # The other chunks still read.
    np.testing.assert_array_equal(read(store, "a", (slice(0, 4), slice(0, 4))), DATA[:4, :4])


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_extra_trailing_bytes(store: Any, chain: str) -> None:
    key = make_array(store, "a", **CHAINS[chain])[0]
    good = store.get(key)
    for extra in (b"\x00", b"garbage!", good):
        store.set(key, good + extra)
        assert_corrupt(store, "a")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_random_garbage_chunk(chain: str, seed: int) -> None:
    store = MemoryStore()
    key = make_array(store, "a", **CHAINS[chain])[0]
    rng = np.random.default_rng(seed)
    good = store.get(key)
    for size in (len(good), 64, 1, 4096):
        garbage = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        store.set(key, garbage)
        if chain in UNCHECKED and size == 64:
            # The raw items: garbage of the right size is other data, read back as such.
            out = read(store, "a", (slice(0, 4), slice(0, 4)))
            assert out.shape == (4, 4) and out.dtype == np.int32
            continue
        assert_corrupt(store, "a")


@pytest.mark.parametrize("chain", ["crc32c", "gzip-crc32c"])
def test_crc32c_detects_every_single_bit_flip(chain: str) -> None:
    store = MemoryStore()
    key = make_array(store, "a", **CHAINS[chain])[0]
    good = store.get(key)
    for pos in range(len(good)):  # the data and the checksum itself
        for bit in (0, 7):
            store.set(key, flip(good, pos, bit))
            err = assert_corrupt(store, "a")
            if chain == "crc32c":
                assert "crc32c" in str(err)


@pytest.mark.parametrize("chain", sorted(CHECKSUMMED))
def test_checksummed_chains_detect_flips(chain: str) -> None:
    store = MemoryStore()
    key = make_array(store, "a", **CHAINS[chain])[0]
    good = store.get(key)
    positions = [len(good) // 2, len(good) - 5]
    if chain != "v2-bz2":  # the last byte of a bz2 stream ends in padding bits
        positions.append(len(good) - 1)
    for pos in positions:
        store.set(key, flip(good, pos, 3))
        assert_corrupt(store, "a")


def _wrong_size_payloads(chain: str, n: int) -> bytes:
    """A well-formed encoding of ``n`` zero bytes under ``chain``'s compressor."""
    raw = bytes(n)
    return {
        "bytes": raw,
        "bytes-big": raw,
        "transpose": raw,
        "v2-none": raw,
        "gzip": zlib.compress(raw, 1, wbits=31),
        "zstd": numcodecs.Zstd(level=1).encode(raw),
        "zstd-checksum": numcodecs.Zstd(level=1, checksum=True).encode(raw),
        "blosc": numcodecs.blosc.compress(raw, b"lz4", 5, 1, 0, 4),
        "crc32c": raw + crc32c.crc32c(raw).to_bytes(4, "little"),
        "gzip-crc32c": (lambda g: g + crc32c.crc32c(g).to_bytes(4, "little"))(
            zlib.compress(raw, 1, wbits=31)
        ),
        "numcodecs.zlib": zlib.compress(raw),
        "v2-zlib": zlib.compress(raw),
        "v2-delta-zlib": zlib.compress(raw),
        "v2-F-zlib": zlib.compress(raw),
        "v2-gzip": zlib.compress(raw, 1, wbits=31),
        "v2-bz2": bz2.compress(raw),
        "v2-lzma": lzma.compress(raw),
        "v2-zstd": numcodecs.Zstd(level=1).encode(raw),
        "v2-blosc": numcodecs.blosc.compress(raw, b"lz4", 5, 1, 0, 4),
        "v2-lz4": numcodecs.LZ4().encode(raw),
    }[chain]


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_chunk_decoding_to_the_wrong_size(store: Any, chain: str) -> None:
    """Valid encodings of too few or too many bytes (the chunk holds 4 * 4 * 4 = 64)."""
    key = make_array(store, "a", **CHAINS[chain])[0]
    for n in (0, 4, 32, 60, 63, 65, 68, 128, 4096):
        store.set(key, _wrong_size_payloads(chain, n))
        assert_corrupt(store, "a")
    store.set(key, _wrong_size_payloads(chain, 64))  # the right size: zeros
    np.testing.assert_array_equal(read(store, "a", (slice(0, 4), slice(0, 4))), 0)


def test_corrupt_vlen_strings(store: Any) -> None:
    group = ZarrGroup.create(store)
    for name, kw in [("v3", {}), ("v2", {"zarr_format": 2})]:
        a = group.create_array(name, shape=(4,), chunks=(4,), dtype=str, compressors=None, **kw)
        a[:] = ["a", "bb", "ccc", "dddd"]
        key = data_keys(store, name)[0]
        good = store.get(key)
        cases = [
            good[:3],  # shorter than the count
            good[:-1],  # last item truncated
            struct.pack("<I", 5) + good[4:],  # one item too many
            struct.pack("<I", 3) + good[4:],  # one item too few
            good[:4] + struct.pack("<I", 2**31) + good[8:],  # an item's length is huge
            good.replace(b"bb", b"\xff\xfe"),  # invalid UTF-8
            b"",
        ]
        for bad in cases:
            store.set(key, bad)
            assert_corrupt(store, name)


# -- corrupt shards --------------------------------------------------------------------------


class Shard:
    """A stored shard of a (4, 4) shard of (2, 2) inner chunks: 4 entries, 68-byte index."""

    n_inner = 4
    index_size = 4 * 16 + 4

    def __init__(self, data: bytes, location: str) -> None:
        self.data, self.location = data, location

    def index_region(self) -> tuple[int, int]:
        if self.location == "start":
            return 0, self.index_size
        return len(self.data) - self.index_size, len(self.data)

    def entries(self) -> list[list[int]]:
        lo, hi = self.index_region()
        return np.frombuffer(self.data[lo : hi - 4], dtype="<u8").reshape(-1, 2).tolist()

    def with_entries(self, entries: list[list[int]], data: bytes | None = None) -> bytes:
        """The shard with a new index (a valid checksum), over ``data`` (default: the same)."""
        index = np.array(entries, dtype="<u8").tobytes()
        index += crc32c.crc32c(index).to_bytes(4, "little")
        lo, hi = self.index_region()
        body = self.data[:lo] + self.data[hi:] if data is None else data
        return index + body if self.location == "start" else body + index

    def data_region(self) -> tuple[int, int]:
        if self.location == "start":
            return self.index_size, len(self.data)
        return 0, len(self.data) - self.index_size


def make_sharded(store: Any, location: str, compressors: Any = None) -> tuple[str, Shard]:
    make_array(
        store,
        "s",
        chunks=(2, 2),
        compressors=compressors,
        shards={"shape": (4, 4), "index_location": location},
    )
    doc = json.loads(store.get("s/zarr.json"))
    assert doc["codecs"][0]["configuration"]["index_location"] == location
    return "s/c/0/0", Shard(store.get("s/c/0/0"), location)


FIRST_INNER = (slice(0, 2), slice(0, 2))  # inner chunk 0 of shard (0, 0): a partial read


def inner_region(flat: int) -> tuple[slice, slice]:
    """The array region of inner chunk ``flat`` (C order) of shard (0, 0)."""
    i, j = divmod(flat, 2)
    return slice(2 * i, 2 * i + 2), slice(2 * j, 2 * j + 2)


def last_stored(shard: Shard) -> int:
    """The inner chunk whose bytes come last in the shard (the layout need not be C order)."""
    entries = shard.entries()
    return max(range(len(entries)), key=lambda flat: entries[flat][0])


@pytest.mark.parametrize("location", ["start", "end"])
def test_shard_shorter_than_its_index(store: Any, location: str) -> None:
    key, shard = make_sharded(store, location)
    for cut in (0, 1, shard.index_size - 1):
        store.set(key, shard.data[:cut])
        assert_corrupt(store, "s")
        assert_corrupt(store, "s", FIRST_INNER)


@pytest.mark.parametrize("location", ["start", "end"])
def test_shard_index_checksum_mismatch(store: Any, location: str) -> None:
    key, shard = make_sharded(store, location)
    lo, hi = shard.index_region()
    for pos in (lo, lo + 8, hi - 5, hi - 1):  # an offset, a size, the checksum
        store.set(key, flip(shard.data, pos))
        assert "crc32c" in str(assert_corrupt(store, "s"))
        assert_corrupt(store, "s", FIRST_INNER)


@pytest.mark.parametrize("location", ["start", "end"])
def test_shard_truncated_body(store: Any, location: str) -> None:
    key, shard = make_sharded(store, location)
    lo, hi = shard.data_region()
    # Drop the last inner chunk's bytes, keep the index: the index now points past the data.
    body = shard.data[lo : hi - 16]
    store.set(key, shard.with_entries(shard.entries(), data=body))
    assert_corrupt(store, "s")
    if location == "start":
        # The last inner chunk read alone: its range is cut short. (With the index at the end,
        # the range now ends inside the index: see test_partial_read_entry_overlapping_index.)
        assert_corrupt(store, "s", inner_region(last_stored(shard)))


def _bad_entries(shard: Shard) -> dict[str, list[list[int]]]:
    entries = shard.entries()
    hi = shard.data_region()[1]
    ilo, ihi = shard.index_region()
    into_index = ilo - 8 if shard.location == "end" else ihi - 8  # half data, half index
    return {
        "past-the-end": [[entries[0][0], len(shard.data) * 10]] + entries[1:],
        "starts-past-the-end": [[len(shard.data) + 100, 16]] + entries[1:],
        "ends-one-past": [[hi - 15, 16]] + entries[1:],
        "overflowing": [[2**64 - 2, 10]] + entries[1:],
        "overflowing-size": [[16, 2**64 - 2]] + entries[1:],
        "huge": [[2**63, 2**62]] + entries[1:],
        "half-missing-offset": [[MISSING, 16]] + entries[1:],
        "half-missing-size": [[entries[0][0], MISSING]] + entries[1:],
        "into-the-index": [[into_index, 16]] + entries[1:],
        "the-index-itself": [[ilo, 16]] + entries[1:],
        "empty-inner-chunk": [[entries[0][0], 0]] + entries[1:],
        "short-inner-chunk": [[entries[0][0], 8]] + entries[1:],
        "long-inner-chunk": [[entries[0][0], 24]] + entries[1:],
    }


@pytest.mark.parametrize("location", ["start", "end"])
@pytest.mark.parametrize("case", sorted(_bad_entries(Shard(bytes(132), "end"))))
def test_shard_index_entries_out_of_range(store: Any, location: str, case: str) -> None:
    key, shard = make_sharded(store, location)
    store.set(key, shard.with_entries(_bad_entries(shard)[case]))
    assert_corrupt(store, "s")  # whole shard: read in one request, the index checked against it
    if case in OVERLAPPING_THE_END_INDEX and location == "end":
        return  # the partial read: test_partial_read_entry_overlapping_index
    # Partial read: the index alone (a suffix or prefix range), then the inner range.
    assert_corrupt(store, "s", FIRST_INNER)


OVERLAPPING_THE_END_INDEX = ("into-the-index", "the-index-itself", "ends-one-past")


@pytest.mark.parametrize("case", OVERLAPPING_THE_END_INDEX + ("truncated-body",))
def test_partial_read_entry_overlapping_index(store: Any, case: str) -> None:
    """An index at the end, read alone by a suffix range, with an entry whose range reaches
    into the index region: the bytes read back are index bytes, not chunk data.

    The whole-shard read rejects such an index (it knows the shard's length); a partial read
    must too, rather than decode index bytes as data.
    """
    key, shard = make_sharded(store, "end")
    if case == "truncated-body":
        # The last inner chunk's bytes are gone; the old index now points at itself.
        lo, hi = shard.data_region()
        store.set(key, shard.with_entries(shard.entries(), data=shard.data[lo : hi - 16]))
        selection: Any = inner_region(last_stored(shard))
    else:
        store.set(key, shard.with_entries(_bad_entries(shard)[case]))
        selection = FIRST_INNER
    assert_corrupt(store, "s")
    assert_corrupt(store, "s", selection)


@pytest.mark.parametrize("location", ["start", "end"])
def test_partial_read_of_entry_pointing_past_the_end(store: Any, location: str) -> None:
    """The engine opens the shard (its index and its size together), then reads the inner
    range: the entry is refused with the index, wherever the index lies."""
    key, shard = make_sharded(store, location)
    entries = shard.entries()
    hi = shard.data_region()[1]
    last = last_stored(shard)
    entries[last] = [hi - 16, 10_000]  # the last stored chunk claims far more than is there
    store.set(key, shard.with_entries(entries))
    region = inner_region(last)
    err = assert_corrupt(store, "s", region)
    assert "outside the shard" in str(err)
    assert_corrupt(store, "s", (region[0].start, region[1].start))
    # The shard's size comes with its index, so the bad entry makes the whole index (and
    # shard) corrupt, exactly as a whole-shard read finds it.
    assert_corrupt(store, "s", inner_region((last + 1) % 4))


@pytest.mark.parametrize("location", ["start", "end"])
def test_shard_with_corrupt_compressed_inner_chunk(store: Any, location: str) -> None:
    key, shard = make_sharded(store, location, compressors=[{"name": "gzip"}])
    entries = shard.entries()
    off, n = entries[1]
    bad = shard.data[:off] + bytes(n) + shard.data[off + n :]  # inner chunk 1 zeroed
    store.set(key, bad)
    assert_corrupt(store, "s")
    assert_corrupt(store, "s", (slice(0, 2), slice(2, 4)))
    np.testing.assert_array_equal(read(store, "s", FIRST_INNER), DATA[:2, :2])


NESTED = {
    "zarr_format": 3,
    "node_type": "array",
    "shape": [8, 8],
    "data_type": "int32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [8, 8]}},
    "chunk_key_encoding": {"name": "default"},
    "fill_value": 0,
    "codecs": [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [4, 4],
                "codecs": [
                    {
                        "name": "sharding_indexed",
                        "configuration": {
                            "chunk_shape": [2, 2],
                            "codecs": [
                                {"name": "bytes", "configuration": {"endian": "little"}},
                                {"name": "gzip", "configuration": {"level": 1}},
                            ],
                        },
                    }
                ],
            },
        }
    ],
}


def test_nested_shard_corrupt(store: Any) -> None:
    store.set("n/zarr.json", json.dumps(NESTED).encode())
    open_zarr(store, "n")[:] = DATA
    key = "n/c/0/0"
    outer = Shard(store.get(key), "end")
    entries = outer.entries()
    off, n = entries[0]  # the first inner shard, itself 4 gzip chunks + a 68-byte index
    inner = Shard(outer.data[off : off + n], "end")
    assert len(inner.data) > inner.index_size

    def with_inner(new_inner: bytes) -> bytes:
        parts = [outer.data[o : o + k] for o, k in entries]
        parts[0] = new_inner
        body, new_entries, pos = b"", [], 0
        for p in parts:
            new_entries.append([pos, len(p)])
            body += p
            pos += len(p)
        return outer.with_entries(new_entries, data=body)

    ilo, _ihi = inner.index_region()
    bad_inner_entries = inner.entries()
    bad_inner_entries[2] = [bad_inner_entries[2][0], 10_000]
    cases = {
        "inner-index-crc": with_inner(flip(inner.data, ilo + 3)),
        "inner-shorter-than-index": with_inner(inner.data[:40]),
        "inner-empty": with_inner(b""),
        "inner-entry-past-end": with_inner(inner.with_entries(bad_inner_entries)),
        "inner-chunk-garbage": with_inner(bytes(64) + inner.data[64:]),
        "outer-truncates-inner": outer.with_entries([[off, n - 5]] + entries[1:]),
        "outer-index-crc": flip(outer.data, len(outer.data) - 2),
    }
    for data in cases.values():
        store.set(key, data)
        assert_corrupt(store, "n")
        assert_corrupt(store, "n", FIRST_INNER)
    store.set(key, outer.data)
    np.testing.assert_array_equal(read(store, "n"), DATA)


def test_local_shard_file_truncated_on_disk(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "d.zarr")
    key, shard = make_sharded(store, "end")
    path = store.root / key
    with open(path, "r+b") as f:
        f.truncate(len(shard.data) - 30)  # cuts into the index
    assert_corrupt(store, "s")
    assert_corrupt(store, "s", FIRST_INNER)
    with open(path, "r+b") as f:
        f.truncate(0)
    assert_corrupt(store, "s")
    assert_corrupt(store, "s", FIRST_INNER)


# -- decompression bombs ---------------------------------------------------------------------

GIB = 1 << 30
SEGMENT = 16 << 20


@functools.cache
def _deflate_segment() -> tuple[bytes, bytes]:
    """Raw deflate of SEGMENT zeros ending in a full flush (so it can be repeated), and the
    final empty block."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    seg = c.compress(bytes(SEGMENT)) + c.flush(zlib.Z_FULL_FLUSH)
    return seg, c.flush()


@functools.cache
def _crc32_of_zeros(n: int) -> int:
    block, crc = bytes(1 << 20), 0
    for _ in range(n >> 20):
        crc = zlib.crc32(block, crc)
    return crc


def zlib_bomb(n: int = GIB) -> bytes:
    """A valid zlib stream inflating to ``n`` zeros (``n`` a multiple of SEGMENT)."""
    seg, tail = _deflate_segment()
    adler = ((n % 65521) << 16) | 1  # adler32 of n zero bytes
    return b"\x78\xda" + seg * (n // SEGMENT) + tail + struct.pack(">I", adler)


def gzip_bomb(n: int = GIB) -> bytes:
    """A valid single-member gzip file inflating to ``n`` zeros."""
    seg, tail = _deflate_segment()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", _crc32_of_zeros(n), n & 0xFFFFFFFF)
    return header + seg * (n // SEGMENT) + tail + trailer


def gzip_members_bomb(n: int = GIB) -> bytes:
    """Many concatenated gzip members, each of SEGMENT zeros."""
    return gzip_bomb(SEGMENT) * (n // SEGMENT)


def zstd_bomb(n: int = GIB, content_size: int | None = None) -> bytes:
    """A zstd frame of RLE blocks inflating to ``n`` zeros; its header records
    ``content_size`` (may lie) or no size at all."""
    block = 128 * 1024
    if content_size is None:
        out = bytearray(struct.pack("<I", 0xFD2FB528) + bytes([0x00, 0x38]))
    else:
        out = bytearray(struct.pack("<IBBQ", 0xFD2FB528, 0xC0, 0x38, content_size))
    blocks = n // block
    for i in range(blocks):
        last = 1 if i == blocks - 1 else 0
        out += struct.pack("<I", last | (1 << 1) | (block << 3))[:3] + b"\x00"
    return bytes(out)


@functools.cache
def _bz2_segment() -> bytes:
    return bz2.compress(bytes(SEGMENT), 9)


@functools.cache
def _xz_segment() -> bytes:
    return lzma.compress(bytes(1 << 20))


def bz2_bomb(n: int = GIB) -> bytes:
    return _bz2_segment() * (n // SEGMENT)  # concatenated bz2 streams


def xz_bomb(n: int = GIB) -> bytes:
    return _xz_segment() * (n >> 20)  # concatenated xz streams


def blosc_claiming(nbytes: int) -> bytes:
    """A valid small blosc frame whose header then claims ``nbytes`` decompressed bytes."""
    data = bytearray(numcodecs.blosc.compress(bytes(16), b"lz4", 5, 1, 0, 1))
    struct.pack_into("<I", data, 4, nbytes)
    return bytes(data)


def lz4_claiming(nbytes: int) -> bytes:
    data = bytearray(numcodecs.LZ4().encode(bytes(16)))
    struct.pack_into("<i", data, 0, nbytes)
    return bytes(data)


def vlen_claiming(count: int) -> bytes:
    """vlen data whose header claims ``count`` items (numcodecs would allocate ``count``
    object pointers before noticing; 2**24 keeps a regression at 128 MiB)."""
    return struct.pack("<I", count) + struct.pack("<I", 1) + b"a"


#: name -> (create_array keywords, payload builder). Arrays are (16,) uint8 in one chunk.
BOMBS: dict[str, tuple[dict[str, Any], Any]] = {
    "gzip": (dict(compressors=[{"name": "gzip"}]), gzip_bomb),
    "gzip-members": (dict(compressors=[{"name": "gzip"}]), gzip_members_bomb),
    "gzip-crc32c": (
        dict(compressors=[{"name": "gzip"}, {"name": "crc32c"}]),
        lambda: (lambda b: b + crc32c.crc32c(b).to_bytes(4, "little"))(gzip_bomb()),
    ),
    "zstd-no-size": (dict(compressors=[{"name": "zstd"}]), zstd_bomb),
    "zstd-claims-huge": (
        dict(compressors=[{"name": "zstd"}]),
        lambda: zstd_bomb(128 * 1024, content_size=2**50),
    ),
    "zstd-claims-small": (
        dict(compressors=[{"name": "zstd"}]),
        lambda: zstd_bomb(GIB, content_size=16),
    ),
    "blosc-claims": (dict(compressors=[{"name": "blosc"}]), lambda: blosc_claiming(2**31 - 1)),
    "numcodecs.zlib": (dict(compressors=[{"name": "numcodecs.zlib"}]), zlib_bomb),
    "numcodecs.gzip": (dict(compressors=[{"name": "numcodecs.gzip"}]), gzip_bomb),
    "numcodecs.bz2": (dict(compressors=[{"name": "numcodecs.bz2"}]), bz2_bomb),
    "numcodecs.lzma": (dict(compressors=[{"name": "numcodecs.lzma"}]), xz_bomb),
    "numcodecs.zstd": (dict(compressors=[{"name": "numcodecs.zstd"}]), zstd_bomb),
    "numcodecs.lz4": (
        dict(compressors=[{"name": "numcodecs.lz4"}]),
        lambda: lz4_claiming(2**31 - 1),
    ),
    "v2-zlib": (dict(zarr_format=2, compressors={"id": "zlib"}), zlib_bomb),
    "v2-gzip": (dict(zarr_format=2, compressors={"id": "gzip"}), gzip_bomb),
    "v2-bz2": (dict(zarr_format=2, compressors={"id": "bz2"}), bz2_bomb),
    "v2-lzma": (dict(zarr_format=2, compressors={"id": "lzma"}), xz_bomb),
    "v2-zstd": (dict(zarr_format=2, compressors={"id": "zstd"}), zstd_bomb),
    "v2-blosc": (
        dict(zarr_format=2, compressors={"id": "blosc"}),
        lambda: blosc_claiming(2**31 - 1),
    ),
    "v2-lz4": (dict(zarr_format=2, compressors={"id": "lz4"}), lambda: lz4_claiming(2**31 - 1)),
    "v2-delta-zlib": (
        dict(zarr_format=2, compressors={"id": "zlib"}, filters=[{"id": "delta", "dtype": "u1"}]),
        zlib_bomb,
    ),
    "vlen-utf8-count": (dict(dtype=str, compressors=None), lambda: vlen_claiming(2**24)),
    # Variable-length chunks have no size bound; a size a header claims must still not be
    # allocated before the data backs it.
    "vlen-utf8-zstd-claims": (
        dict(dtype=str, compressors=[{"name": "zstd"}]),
        lambda: zstd_bomb(128 * 1024, content_size=2**40),
    ),
    "v2-vlen-utf8-zstd-claims": (
        dict(dtype=str, zarr_format=2, compressors={"id": "zstd"}),
        lambda: zstd_bomb(128 * 1024, content_size=2**40),
    ),
    "v2-vlen-utf8-count": (
        dict(dtype=str, zarr_format=2, compressors=None),
        lambda: vlen_claiming(2**24),
    ),
    "v2-vlen-bytes-count": (
        dict(dtype=bytes, zarr_format=2, compressors=None),
        lambda: vlen_claiming(2**24),
    ),
}
BOMB_LIMIT = 50 * 1024 * 1024  # bytes: far above a 16-element chunk, far below 1 GiB


def make_bomb_array(store: Any, name: str, kwargs: dict[str, Any]) -> str:
    group = open_zarr(store) if store.exists("zarr.json") else ZarrGroup.create(store)
    kwargs = {"dtype": "uint8", **kwargs}
    a = group.create_array(name, shape=(16,), chunks=(16,), **kwargs)
    if kwargs["dtype"] is str:
        a[:] = np.array([str(i) for i in range(16)], dtype=object)
    elif kwargs["dtype"] is bytes:
        a[:] = np.array([str(i).encode() for i in range(16)], dtype=object)
    else:
        a[:] = np.arange(16).astype(a.dtype)
    key = data_keys(store, name)[0]
    return key


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_decompression_bomb_fails_fast_and_small(name: str) -> None:
    kwargs, payload = BOMBS[name]
    store = MemoryStore()
    key = make_bomb_array(store, "b", kwargs)
    store.set(key, payload())
    a = open_zarr(store, "b")
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(ZarrError) as info:
            a[...]
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert type(info.value) is CorruptChunk, f"{type(info.value).__name__}: {info.value}"
    assert peak < BOMB_LIMIT, f"{name}: peak {peak / 2**20:.1f} MiB"
    assert elapsed < 5, f"{name}: took {elapsed:.2f} s"


def test_bomb_inside_a_shard(store: Any) -> None:
    """An inner chunk of a shard is bounded by the inner chunk's size."""
    group = ZarrGroup.create(store)
    for location in ("start", "end"):
        name = f"s{location}"
        a = group.create_array(
            name,
            shape=(16,),
            chunks=(4,),
            dtype="uint8",
            shards={"shape": (16,), "index_location": location},
            compressors=[{"name": "gzip"}],
        )
        a[:] = np.arange(16, dtype="uint8")
        shard = Shard(store.get(f"{name}/c/0"), location)  # 4 inner chunks, like Shard's
        inner = [shard.data[o : o + n] for o, n in shard.entries()]
        inner[1] = gzip_bomb(256 << 20)
        start = shard.index_size if location == "start" else 0
        new_entries, pos = [], start
        for part in inner:
            new_entries.append([pos, len(part)])
            pos += len(part)
        store.set(f"{name}/c/0", shard.with_entries(new_entries, data=b"".join(inner)))
        for selection in (..., slice(4, 8), 5):
            tracemalloc.start()
            try:
                assert_corrupt(store, name, selection)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            # The shard itself (~260 KB) is read whole for a full read; the bomb never inflates.
            assert peak < BOMB_LIMIT
        np.testing.assert_array_equal(read(store, name, slice(0, 4)), np.arange(4))


_RSS_SCRIPT = r"""
import resource, sys
sys.path.insert(0, {testdir!r})
import test_safety_corrupt_data as t
from simplezarr.stores import MemoryStore
from simplezarr.nodes import open_zarr
from simplezarr.errors import CorruptChunk
store = MemoryStore()
arrays = []
for name, (kwargs, payload) in sorted(t.BOMBS.items()):
    key = t.make_bomb_array(store, name, kwargs)
    store.set(key, payload())
    arrays.append(open_zarr(store, name))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for a in arrays:
    try:
        a[...]
    except CorruptChunk:
        pass
    else:
        raise SystemExit("no error for " + a.path)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB on Linux")
def test_decompression_bombs_peak_rss_in_a_subprocess() -> None:
    """Peak RSS also sees memory C code allocates outside Python's allocator."""
    script = _RSS_SCRIPT.format(testdir=str(Path(__file__).parent))
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SIMPLEZARR_THREADS": "2"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    before, after = map(int, proc.stdout.split())
    assert (after - before) * 1024 < BOMB_LIMIT, f"peak RSS grew by {(after - before) / 1024} MiB"


# -- fuzzing ---------------------------------------------------------------------------------

FUZZ_CHAINS: dict[str, dict[str, Any]] = {
    "bytes": CHAINS["bytes"],
    "gzip": CHAINS["gzip"],
    "zstd": CHAINS["zstd"],
    "blosc": CHAINS["blosc"],
    "crc32c": CHAINS["crc32c"],
    "v2-zlib": CHAINS["v2-zlib"],
    "v2-blosc": CHAINS["v2-blosc"],
    "v2-lz4": CHAINS["v2-lz4"],
    "vlen-utf8": dict(dtype=str, compressors=None),
    "v2-vlen-utf8-zstd": dict(dtype=str, zarr_format=2, compressors={"id": "zstd"}),
    "shard-end-gzip": dict(chunks=(2, 2), shards=(4, 4), compressors=[{"name": "gzip"}]),
    "shard-start-bytes": dict(
        chunks=(2, 2), shards={"shape": (4, 4), "index_location": "start"}, compressors=None
    ),
    "shard-zstd-crc32c": dict(
        chunks=(2, 2), shards=(4, 4), compressors=[{"name": "zstd"}, {"name": "crc32c"}]
    ),
}
#: Chains where every change of the stored bytes must be detected when the whole chunk (or
#: shard) is read: the chunk, or the index and every inner chunk, is checksummed.
FUZZ_STRICT = {"crc32c", "shard-zstd-crc32c"}

mutation = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 7)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 16)),
    st.tuples(st.just("overwrite"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
)


def mutate(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    for op in ops:
        pos = min(int(op[1] * len(data)), max(len(data) - 1, 0))
        if op[0] == "truncate":
            data = data[:pos]
        elif op[0] == "flip" and data:
            data = flip(data, pos, op[2])
        elif op[0] == "insert":
            data = data[:pos] + op[2] + data[pos:]
        elif op[0] == "delete":
            data = data[:pos] + data[pos + op[2] :]
        elif op[0] == "overwrite":
            data = data[:pos] + op[2] + data[pos + len(op[2]) :]
    return data


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang("reading a mutated chunk took more than 20 s")


@pytest.fixture(scope="module")
def fuzz_arrays() -> Iterator[dict[str, tuple[Any, str, bytes, np.ndarray]]]:
    store = MemoryStore()
    out = {}
    for name, kwargs in FUZZ_CHAINS.items():
        kwargs = dict(kwargs)
        if kwargs.get("dtype") is str:
            group = open_zarr(store) if store.exists("zarr.json") else ZarrGroup.create(store)
            a = group.create_array(name, shape=(8, 8), chunks=(4, 4), **kwargs)
            a[:] = np.array([str(i) * (i % 5) for i in range(64)], dtype=object).reshape(8, 8)
            keys = data_keys(store, name)
        else:
            keys = make_array(store, name, **kwargs)
        key = keys[0]
        out[name] = (store, key, store.get(key), open_zarr(store, name)[...])
    return out


@pytest.mark.parametrize("chain", sorted(FUZZ_CHAINS))
def test_fuzz_mutated_chunks(fuzz_arrays: dict[str, Any], chain: str) -> None:
    store, key, good, expected = fuzz_arrays[chain]
    selections = [..., (slice(0, 2), slice(0, 2)), (3, 1)]
    use_alarm = hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread()
    )

    @settings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(mutation, min_size=1, max_size=3), sel=st.sampled_from(selections))
    def check(ops: list[tuple[Any, ...]], sel: Any) -> None:
        bad = mutate(good, ops)
        store.set(key, bad)
        old = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 20)
        try:
            try:
                out = open_zarr(store, chain)[sel]
            except ZarrError:
                return
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, old)
        finally:
            store.set(key, good)
        want = expected[sel]
        assert np.shape(out) == np.shape(want)
        assert np.asarray(out).dtype == np.asarray(want).dtype
        if chain in FUZZ_STRICT and bad != good and sel is ...:
            pytest.fail(f"{chain}: a changed chunk read without error")
        if bad == good:
            np.testing.assert_array_equal(out, want)

    check()


def test_variable_length_bomb_is_capped() -> None:
    """A string chunk has no natural size bound; the configured cap stops a bomb."""
    import zlib

    from simplezarr.config import config
    from simplezarr.errors import CorruptChunk
    from simplezarr.nodes import ZarrGroup, open_zarr
    from simplezarr.stores import MemoryStore

    store = MemoryStore()
    g = ZarrGroup.create(store, zarr_format=2)
    g.create_array("s", shape=(2,), dtype=str, chunks=(2,), compressors={"id": "zlib", "level": 1})
    store.set("s/0", zlib.compress(b"\x00" * (64 * 2**20)))
    with config.set(max_variable_chunk_bytes=2**20), pytest.raises(CorruptChunk):
        open_zarr(store, "s")[...]
