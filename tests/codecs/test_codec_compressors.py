"""gzip, zstd and blosc: zarr-python compatibility, corrupt data and decompression bombs."""

from __future__ import annotations

import gzip as pygzip
import json
import struct
import time
import tracemalloc
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numcodecs
import numcodecs.blosc
import numpy as np
import pytest

pytest.importorskip("zarr", reason="these tests compare with zarr-python")
import zarr
import zarr.codecs
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st
from zarr.storage import MemoryStore

from simplezarr.codecs import (
    BloscCodec,
    BytesCodec,
    ChunkSpec,
    CodecChain,
    Crc32cCodec,
    GzipCodec,
    ZstdCodec,
    codec_from_json,
)
from simplezarr.codecs.numcodecs_codecs import bounded_decode
from simplezarr.errors import CorruptChunk


@dataclass(frozen=True)
class FakeType:
    """Stand-in for metadata.dtypes.DataType: the four attributes codecs rely on."""

    name: str
    numpy: np.dtype
    item_size: int | None
    is_variable_length: bool


def spec_of(shape: tuple[int, ...], x: Any) -> ChunkSpec:
    d = np.dtype(x).newbyteorder("=")
    return ChunkSpec(tuple(shape), FakeType(str(d), d, d.itemsize, False), 0)


def zarr_write(data: np.ndarray, chunks: tuple[int, ...], **kw: Any) -> tuple[dict, dict]:
    d: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = zarr.create_array(
            store=MemoryStore(d), shape=data.shape, chunks=chunks, dtype=data.dtype, **kw
        )
        a[...] = data
    meta = json.loads(d["zarr.json"].to_bytes())
    return meta, {k: v.to_bytes() for k, v in d.items() if k.startswith("c/")}


def sample(dtype: str = "<f4", n: int = 4096) -> np.ndarray:
    rng = np.random.default_rng(42)
    return np.cumsum(rng.normal(size=n)).astype(dtype).reshape(-1, 64)


# --- zarr-python compatibility --------------------------------------------------------


@pytest.mark.parametrize(
    "compressor",
    [
        zarr.codecs.ZstdCodec(level=0),
        zarr.codecs.ZstdCodec(level=5, checksum=True),
        zarr.codecs.ZstdCodec(level=-2),
        zarr.codecs.BloscCodec(),
        zarr.codecs.BloscCodec(cname="lz4", clevel=9, shuffle="bitshuffle"),
        zarr.codecs.BloscCodec(cname="zlib", clevel=1, shuffle="noshuffle", blocksize=1024),
        zarr.codecs.BloscCodec(cname="lz4hc", typesize=2, shuffle="shuffle"),
        zarr.codecs.BloscCodec(cname="blosclz"),
    ],
    ids=lambda c: json.dumps(c.to_dict()["configuration"]),
)
@pytest.mark.parametrize("dtype", ["<f4", "u1", ">i8"])
def test_bytes_equal_zarr_python(compressor: Any, dtype: str) -> None:
    data = sample(dtype)
    meta, chunks = zarr_write(data, (32, 64), compressors=[compressor])
    codecs = [codec_from_json(c) for c in meta["codecs"]]
    chain = CodecChain(codecs, spec_of((32, 64), dtype))
    assert [c.to_dict() for c in chain.codecs] == meta["codecs"]  # blosc typesize/shuffle filled
    for i in range(2):
        raw = chunks[f"c/{i}/0"]
        block = data[32 * i : 32 * (i + 1)]
        assert chain.encode(block) == raw
        np.testing.assert_array_equal(chain.decode(raw), block)


@pytest.mark.parametrize("level", range(10))
def test_gzip_interoperates_with_zarr_python(level: int) -> None:
    data = sample("<i4")
    meta, chunks = zarr_write(data, (64, 64), compressors=[zarr.codecs.GzipCodec(level=level)])
    assert meta["codecs"][1] == {"name": "gzip", "configuration": {"level": level}}
    chain = CodecChain([codec_from_json(c) for c in meta["codecs"]], spec_of((64, 64), "<i4"))
    np.testing.assert_array_equal(chain.decode(chunks["c/0/0"]), data)
    ours = chain.encode(data)
    # gzip headers differ (zarr-python writes the time); the payload must decode anywhere.
    assert pygzip.decompress(ours) == data.tobytes()
    assert numcodecs.GZip().decode(ours) == data.tobytes()
    assert ours == chain.encode(data)  # deterministic: mtime is zero


def test_blosc_resolve_defaults_like_zarr_python() -> None:
    c = BloscCodec()
    assert c.to_dict()["configuration"] == {
        "typesize": 1,
        "cname": "zstd",
        "clevel": 5,
        "shuffle": "bitshuffle",
        "blocksize": 0,
    }
    r = c.resolve(spec_of((4,), "<f8"))
    assert (r.typesize, r.shuffle) == (8, "shuffle")
    r = c.resolve(spec_of((4,), "u1"))
    assert (r.typesize, r.shuffle) == (1, "bitshuffle")
    fixed = BloscCodec(typesize=2, shuffle="noshuffle")
    assert fixed.resolve(spec_of((4,), "<f8")) is fixed
    partial = codec_from_json({"name": "blosc", "configuration": {"typesize": 2}})
    assert partial.resolve(spec_of((4,), "<f8")).shuffle == "shuffle"


def test_blosc_runs_single_threaded() -> None:
    assert numcodecs.blosc.use_threads is False


# --- round trips ----------------------------------------------------------------------


CODECS: list[Callable[[], Any]] = [
    lambda: GzipCodec(level=1),
    lambda: GzipCodec(level=0),
    lambda: ZstdCodec(level=3, checksum=True),
    lambda: BloscCodec(cname="lz4", shuffle="shuffle", typesize=4),
    lambda: BloscCodec(cname="zstd"),
]


@settings(max_examples=50, deadline=None)
@given(payload=st.binary(max_size=3000), which=st.integers(0, len(CODECS) - 1))
def test_round_trip_property(payload: bytes, which: int) -> None:
    codec = CODECS[which]()
    enc = codec.encode(payload)
    assert bytes(codec.decode(enc, len(payload))) == payload
    assert bytes(codec.decode(enc, None)) == payload
    bound = codec.encoded_bound(len(payload))
    assert bound is None or len(enc) <= bound
    if payload:
        with pytest.raises(CorruptChunk):
            codec.decode(enc, len(payload) - 1)


def test_stacked_compressors_and_bounds() -> None:
    data = sample("<f8")
    chain = CodecChain(
        [BytesCodec(), GzipCodec(level=1), ZstdCodec(), Crc32cCodec()], spec_of(data.shape, "<f8")
    )
    np.testing.assert_array_equal(chain.decode(chain.encode(data)), data)


# --- corrupt data ---------------------------------------------------------------------


@pytest.mark.parametrize("make", CODECS)
def test_corrupt_inputs(make: Callable[[], Any]) -> None:
    codec = make()
    payload = sample("<f4").tobytes()
    good = bytes(codec.encode(payload))
    bads = [
        b"",
        good[:1],
        good[:10],
        good[: len(good) // 2],
        good[:-1],
        b"garbage" * 20,
        bytes(len(good)),
    ]
    for bad in bads:
        with pytest.raises(CorruptChunk):
            codec.decode(bad, len(payload))


def test_gzip_members_and_trailing_data() -> None:
    codec = GzipCodec()
    two = zlib.compress(b"ab", wbits=31) + zlib.compress(b"cd", wbits=31)
    assert codec.decode(two, 4) == b"abcd"
    with pytest.raises(CorruptChunk):
        codec.decode(two, 3)
    with pytest.raises(CorruptChunk):
        codec.decode(zlib.compress(b"ab", wbits=31) + b"junk", 10)
    with pytest.raises(CorruptChunk):
        codec.decode(zlib.compress(b"ab"), 10)  # zlib wrapper, not gzip
    bad_crc = bytearray(zlib.compress(b"hello", wbits=31))
    bad_crc[-6] ^= 0xFF
    with pytest.raises(CorruptChunk):
        codec.decode(bytes(bad_crc), 10)


def test_zstd_frames() -> None:
    codec = ZstdCodec()
    frame = codec.encode(b"x" * 1000)
    with pytest.raises(CorruptChunk, match="unused data"):
        codec.decode(frame + b"junk", 2000)
    with pytest.raises(CorruptChunk):
        codec.decode(frame + frame, 2000)  # a second frame is trailing data too
    no_size = zstandard.ZstdCompressor(write_content_size=False).compress(b"y" * 5000)
    assert codec.decode(no_size, 5000) == b"y" * 5000
    assert codec.decode(no_size, None) == b"y" * 5000
    with pytest.raises(CorruptChunk):
        codec.decode(no_size, 4999)
    with pytest.raises(CorruptChunk):
        codec.decode(no_size[:-3], None)
    checked = bytearray(ZstdCodec(checksum=True).encode(b"z" * 1000))
    checked[-1] ^= 1
    with pytest.raises(CorruptChunk):
        codec.decode(bytes(checked), 1000)


def test_blosc_header_checks() -> None:
    codec = BloscCodec(cname="lz4", typesize=4, shuffle="shuffle")
    payload = sample("<f4").tobytes()
    good = bytearray(codec.encode(payload))
    _nbytes, _blocksize, cbytes = struct.unpack_from("<III", good, 4)

    def patched(offset: int, value: int) -> bytes:
        b = bytearray(good)
        struct.pack_into("<I", b, offset, value)
        return bytes(b)

    cases = {
        "cbytes": patched(12, cbytes + 100),
        "nbytes": patched(4, 2**31),
        "blocksize": patched(8, 0),
        "tiny blocks": patched(8, 1),
        "block offset": patched(16, cbytes + 5),
        "block offset low": patched(16, 3),
        "short": bytes(good[:15]),
        "trailing": bytes(good) + b"\0",
    }
    for what, bad in cases.items():
        with pytest.raises(CorruptChunk):
            codec.decode(bad, len(payload))
            pytest.fail(what)
    memcpy = bytearray(BloscCodec(clevel=0).encode(b"abc"))
    assert codec.decode(bytes(memcpy), 3) == b"abc"
    struct.pack_into("<I", memcpy, 4, 2)  # nbytes disagrees with the stored size
    with pytest.raises(CorruptChunk):
        codec.decode(bytes(memcpy), 3)


def test_chain_wraps_corruption_from_any_layer() -> None:
    chain = CodecChain([BytesCodec(), BloscCodec(), Crc32cCodec()], spec_of((64,), "<f8"))
    enc = chain.encode(np.arange(64.0))
    body = bytearray(enc[:-4])
    body[len(body) // 2] ^= 0x55
    import crc32c

    forged = bytes(body) + crc32c.crc32c(bytes(body)).to_bytes(4, "little")
    try:
        out = chain.decode(forged)
    except CorruptChunk:
        return
    # blosc has no checksum of its own: a flipped byte may decode; the shape must hold.
    assert out.shape == (64,)


# --- decompression bombs --------------------------------------------------------------

BOMB = 100 * 1024 * 1024
LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def zeros() -> bytes:
    return bytes(BOMB)


def _bomb_payloads(zeros: bytes) -> dict[str, tuple[Any, bytes]]:
    return {
        "gzip": (GzipCodec(level=1), GzipCodec(level=1).encode(zeros)),
        "zstd": (ZstdCodec(level=1), ZstdCodec(level=1).encode(zeros)),
        "zstd-no-size": (
            ZstdCodec(),
            zstandard.ZstdCompressor(level=1, write_content_size=False).compress(zeros),
        ),
        "blosc": (BloscCodec(cname="lz4"), BloscCodec(cname="lz4", typesize=1).encode(zeros)),
    }


def test_bombs_fail_fast_without_big_allocations(zeros: bytes) -> None:
    for name, (codec, bomb) in _bomb_payloads(zeros).items():
        tracemalloc.start()
        try:
            t0 = time.perf_counter()
            with pytest.raises(CorruptChunk, match="more than"):
                codec.decode(bomb, LIMIT)
            elapsed = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert elapsed < 0.5, name
        assert peak < 4 * LIMIT + len(bomb), (name, peak)


def test_bombs_through_a_chain(zeros: bytes) -> None:
    spec = spec_of((LIMIT // 8,), "<f8")  # a 1 MiB chunk
    for compressor in (GzipCodec(level=1), ZstdCodec(level=1), BloscCodec(cname="lz4")):
        chain = CodecChain([BytesCodec(), compressor], spec)
        bomb = compressor.resolve(spec).encode(zeros[: 8 * LIMIT])
        with pytest.raises(CorruptChunk):
            chain.decode(bomb)


@pytest.mark.parametrize("codec_id", ["zlib", "gzip", "bz2", "lzma", "lz4", "zstd", "blosc"])
def test_numcodecs_compressor_bombs(codec_id: str) -> None:
    codec = numcodecs.get_codec({"id": codec_id})
    bomb = codec.encode(bytes(20 * LIMIT))
    tracemalloc.start()
    try:
        with pytest.raises(CorruptChunk):
            bounded_decode(codec, bomb, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    decoder_state = 16 * LIMIT if codec_id == "lzma" else 0  # lzma's 8 MiB dictionary
    assert peak < 4 * LIMIT + len(bomb) + decoder_state, (codec_id, peak)
    assert bytes(bounded_decode(codec, codec.encode(b"abc" * 100), 300)) == b"abc" * 100
    with pytest.raises(CorruptChunk):
        bounded_decode(codec, b"\x00\x01garbage" * 3, 300)


@pytest.mark.parametrize("same_libzstd", [True, False], ids=["zstandard", "numcodecs"])
@pytest.mark.parametrize("level", [-5, 0, 1, 3, 19])
@pytest.mark.parametrize("checksum", [False, True])
def test_zstd_encodes_the_bytes_numcodecs_encodes(
    monkeypatch: pytest.MonkeyPatch, same_libzstd: bool, level: int, checksum: bool
) -> None:
    # A zstandard compressor kept per thread when both packages carry one libzstd, else
    # numcodecs: either way the frames are zarr-python's, byte for byte.
    import simplezarr.codecs.zstd as zstd_module

    if same_libzstd and not zstd_module._same_libzstd():
        pytest.skip("numcodecs and zstandard carry different libzstd versions here")
    monkeypatch.setattr(zstd_module, "_same_libzstd", lambda: same_libzstd)
    codec = ZstdCodec(level=level, checksum=checksum)
    reference = numcodecs.Zstd(level=level, checksum=checksum)
    rng = np.random.default_rng(level + 10)
    for data in [b"", b"x", rng.integers(0, 40, 200_000, dtype=np.uint8).tobytes()]:
        assert bytes(codec.encode(data)) == bytes(reference.encode(data))
    arr = np.arange(3000, dtype="<f8").reshape(30, 100)
    assert bytes(codec.encode(arr)) == bytes(reference.encode(arr))
