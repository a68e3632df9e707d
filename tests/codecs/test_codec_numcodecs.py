"""numcodecs.<id> codecs against zarr-python 3.1.6's zarr.codecs.numcodecs."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

pytest.importorskip("zarr", reason="these tests compare with zarr-python")
import zarr
import zarr.codecs.numcodecs as zn
from zarr.storage import MemoryStore

from simplezarr.codecs import ChunkSpec, CodecChain, codec_from_json
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata


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


def _w(make: Callable[[], Any]) -> Callable[[], Any]:
    def build() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make()

    return build


rng = np.random.default_rng(7)
FLOATS = np.cumsum(rng.normal(size=(16, 32)), axis=1)
INTS = np.cumsum(rng.integers(-3, 4, size=(16, 32)), axis=1).astype("<i4")

# (id, zarr-python codec, where it goes, data, deterministic bytes)
CASES: list[tuple[str, Callable[[], Any], str, np.ndarray, bool]] = [
    ("zlib", _w(lambda: zn.Zlib(level=3)), "compressors", FLOATS, True),
    ("gzip", _w(lambda: zn.GZip(level=1)), "compressors", FLOATS, False),  # mtime in header
    ("bz2", _w(lambda: zn.BZ2(level=2)), "compressors", INTS, True),
    ("lzma", _w(lambda: zn.LZMA()), "compressors", INTS, True),
    ("lz4", _w(lambda: zn.LZ4()), "compressors", FLOATS, True),
    ("zstd", _w(lambda: zn.Zstd(level=2)), "compressors", FLOATS, True),
    ("blosc", _w(lambda: zn.Blosc(cname="lz4", shuffle=2)), "compressors", INTS, True),
    ("shuffle", _w(lambda: zn.Shuffle()), "compressors", FLOATS, True),
    ("adler32", _w(lambda: zn.Adler32()), "compressors", INTS, True),
    ("crc32", _w(lambda: zn.CRC32()), "compressors", INTS, True),
    ("crc32c", _w(lambda: zn.CRC32C()), "compressors", INTS, True),
    ("fletcher32", _w(lambda: zn.Fletcher32()), "compressors", INTS, True),
    ("jenkins_lookup3", _w(lambda: zn.JenkinsLookup3()), "compressors", INTS, True),
    ("delta", _w(lambda: zn.Delta(dtype="<i4", astype="<i2")), "filters", INTS, True),
    ("delta-plain", _w(lambda: zn.Delta(dtype="<i4")), "filters", INTS, True),
    ("bitround", _w(lambda: zn.BitRound(keepbits=6)), "filters", FLOATS.astype("<f4"), True),
    (
        "fixedscaleoffset",
        _w(lambda: zn.FixedScaleOffset(offset=0, scale=100, dtype="<f8", astype="<i4")),
        "filters",
        FLOATS,
        True,
    ),
    (
        "fixedscaleoffset-nodtype",
        _w(lambda: zn.FixedScaleOffset(offset=0, scale=100)),
        "filters",
        FLOATS,
        True,
    ),
    ("quantize", _w(lambda: zn.Quantize(digits=3, dtype="<f8")), "filters", FLOATS, True),
    (
        "astype",
        _w(lambda: zn.AsType(encode_dtype="<f4", decode_dtype="<f8")),
        "filters",
        FLOATS,
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_zarr_python(case: tuple[str, Callable[[], Any], str, np.ndarray, bool]) -> None:
    _, make, where, data, deterministic = case
    kw: dict[str, Any] = {"filters": None, "compressors": None, where: [make()]}
    meta, chunks = zarr_write(data, (8, 32), **kw)
    chain = CodecChain([codec_from_json(c) for c in meta["codecs"]], spec_of((8, 32), data.dtype))
    assert [c.to_dict() for c in chain.codecs] == meta["codecs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = zarr.open_array(_store(meta, chunks))[...]
    for i in range(2):
        raw = chunks[f"c/{i}/0"]
        out = chain.decode(raw)
        np.testing.assert_array_equal(out, expected[8 * i : 8 * i + 8])
        assert out.dtype == data.dtype
        ours = chain.encode(data[8 * i : 8 * i + 8])
        if deterministic:
            assert ours == raw
        np.testing.assert_array_equal(chain.decode(ours), out)


def _store(meta: dict, chunks: dict) -> Any:
    from zarr.core.buffer import default_buffer_prototype

    proto = default_buffer_prototype().buffer
    d = {"zarr.json": proto.from_bytes(json.dumps(meta).encode())}
    d.update({k: proto.from_bytes(v) for k, v in chunks.items()})
    return MemoryStore(d)


def test_resolve_fills_defaults_like_zarr_python() -> None:
    spec = spec_of((4,), "<f8")
    shuffle = codec_from_json({"name": "numcodecs.shuffle", "configuration": {}}).resolve(spec)
    assert shuffle.to_dict()["configuration"] == {"elementsize": 8}
    fso = codec_from_json(
        {"name": "numcodecs.fixedscaleoffset", "configuration": {"offset": 0, "scale": 1}}
    ).resolve(spec)
    assert fso.to_dict()["configuration"]["dtype"] == "float64"
    q = codec_from_json({"name": "numcodecs.quantize", "configuration": {"digits": 2}})
    q = q.resolve(spec)
    assert q.to_dict()["configuration"]["dtype"] == "float64"


def test_dtype_changing_filters_change_the_spec() -> None:
    delta = codec_from_json(
        {"name": "numcodecs.delta", "configuration": {"dtype": "<i4", "astype": "<i2"}}
    )
    chain = CodecChain([delta, codec_from_json("bytes")], spec_of((5,), "<i4"))
    enc = chain.encode(np.arange(5, dtype="<i4"))
    assert len(enc) == 10 and chain.encoded_size == 10
    assert chain.decode(enc).tolist() == [0, 1, 2, 3, 4]


def test_packbits() -> None:
    pack = codec_from_json({"name": "numcodecs.packbits", "configuration": {}})
    data = np.array([True, False, True] * 7)
    chain = CodecChain([pack, codec_from_json("bytes")], spec_of((21,), "bool"))
    enc = chain.encode(data)
    assert len(enc) == 1 + 3
    np.testing.assert_array_equal(chain.decode(enc), data)
    with pytest.raises(InvalidMetadata, match="boolean"):
        CodecChain([pack, codec_from_json("bytes")], spec_of((21,), "<i4"))


def test_checksum_sizes_and_corruption() -> None:
    for cid in ("crc32", "crc32c", "adler32", "fletcher32", "jenkins_lookup3"):
        codec = codec_from_json({"name": f"numcodecs.{cid}", "configuration": {}})
        chain = CodecChain([codec_from_json("bytes"), codec], spec_of((8,), "<i4"))
        assert chain.encoded_size == 36
        enc = bytearray(chain.encode(np.arange(8, dtype="i4")))
        assert len(enc) == 36
        enc[5] ^= 0x10
        with pytest.raises(CorruptChunk):
            chain.decode(bytes(enc))


def test_numcodecs_array_bytes_codec_and_bad_config() -> None:
    with pytest.raises(InvalidMetadata, match="numcodecs.zlib"):
        codec_from_json({"name": "numcodecs.zlib", "configuration": {"level": "high", "x": 1}})
    obj = FakeType("object", np.dtype(object), None, True)
    data = np.array([1, "two", [3]], dtype=object)
    json2 = codec_from_json({"name": "numcodecs.json2", "configuration": {}})
    assert json2.kind == "array_bytes"
    chain = CodecChain([json2], ChunkSpec((3,), obj, None))
    assert chain.decode(chain.encode(data)).tolist() == [1, "two", [3]]
    with pytest.raises(CorruptChunk):
        chain.decode(b"not json")
    # numcodecs refuses to unpickle by default: a clear CodecError, not "corrupt"
    pickle = codec_from_json({"name": "numcodecs.pickle", "configuration": {}})
    chain = CodecChain([pickle], ChunkSpec((3,), obj, None))
    with pytest.raises(CodecError, match="ALLOW_UNSAFE_PICKLE_DECODE") as e:
        chain.decode(chain.encode(data))
    assert not isinstance(e.value, CorruptChunk)


def test_corrupt_compressed_numcodecs_data() -> None:
    for cid in ("zlib", "bz2", "lzma", "lz4", "zstd", "blosc", "gzip"):
        codec = codec_from_json({"name": f"numcodecs.{cid}", "configuration": {}})
        chain = CodecChain([codec_from_json("bytes"), codec], spec_of((64,), "<f8"))
        enc = chain.encode(np.arange(64.0))
        for bad in (enc[: len(enc) // 2], b"\x00" * 40, enc[:3]):
            with pytest.raises(CorruptChunk):
                chain.decode(bad)
