"""V2Codec: Zarr v2 chunks (filters, compressor, C/F order, byte order) as zarr-python writes."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import numcodecs
import numpy as np
import pytest

pytest.importorskip("zarr", reason="these tests compare with zarr-python")
import zarr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from zarr.storage import MemoryStore

from simplezarr.codecs import ChunkSpec, CodecChain, V2Codec
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata, UnknownCodec


@dataclass(frozen=True)
class FakeType:
    """Stand-in for metadata.dtypes.DataType: the four attributes codecs rely on."""

    name: str
    numpy: np.dtype
    item_size: int | None
    is_variable_length: bool


def dtype_of(x: Any) -> FakeType:
    if x == "string":
        return FakeType("string", np.dtypes.StringDType(), None, True)
    if x in ("bytes", "object"):
        return FakeType(x, np.dtype(object), None, True)
    d = np.dtype(x).newbyteorder("=")
    return FakeType(str(d), d, d.itemsize, False)


def endian_of(typestr: str) -> str:
    return "big" if typestr.startswith(">") else "little"


def zarr_write_v2(data: np.ndarray, chunks: tuple[int, ...], **kw: Any) -> tuple[dict, dict]:
    d: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = zarr.create_array(
            store=MemoryStore(d),
            shape=data.shape,
            chunks=chunks,
            dtype=kw.pop("dtype", data.dtype),
            zarr_format=2,
            **kw,
        )
        a[...] = data
    meta = json.loads(d[".zarray"].to_bytes())
    return meta, {k: v.to_bytes() for k, v in d.items() if not k.startswith(".")}


def chain_from(meta: dict, kind: Any) -> CodecChain:
    endian = endian_of(str(meta["dtype"]))
    codec = V2Codec(meta["filters"], meta["compressor"], meta["order"], endian)
    spec = ChunkSpec(tuple(meta["chunks"]), dtype_of(kind), None, meta["order"])
    return CodecChain([codec], spec)


def blocks(data: np.ndarray, chunks: tuple[int, int]) -> dict[str, np.ndarray]:
    out = {}
    for i in range(data.shape[0] // chunks[0]):
        for j in range(data.shape[1] // chunks[1]):
            rows = slice(i * chunks[0], (i + 1) * chunks[0])
            out[f"{i}.{j}"] = data[rows, j * chunks[1] : (j + 1) * chunks[1]]
    return out


COMPRESSORS = [
    None,
    numcodecs.Zlib(level=1),
    numcodecs.GZip(level=1),
    numcodecs.BZ2(),
    numcodecs.LZMA(),
    numcodecs.LZ4(),
    numcodecs.Zstd(level=1),
    numcodecs.Blosc(cname="lz4", shuffle=1),
    numcodecs.Blosc(cname="zstd", shuffle=2),
]


@pytest.mark.parametrize("compressor", COMPRESSORS, ids=lambda c: str(c))
@pytest.mark.parametrize("dtype", ["<i4", ">i4", ">f8", "u1", "bool", "<c8", ">M8[s]", "S3", ">U2"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_matches_zarr_python(compressor: Any, dtype: str, order: str) -> None:
    rng = np.random.default_rng(1)
    raw = rng.integers(1, 100, size=(4, 6, np.dtype(dtype).itemsize), dtype="u1")
    data = raw.view(np.dtype(dtype).newbyteorder("=")).reshape(4, 6)
    if np.dtype(dtype).kind == "b":
        data = raw[..., 0] % 2 == 0
    meta, chunks = zarr_write_v2(
        data, (2, 3), compressors=compressor, order=order, dtype=np.dtype(dtype), fill_value=None
    )
    chain = chain_from(meta, dtype)
    deterministic = not isinstance(compressor, numcodecs.GZip)
    for key, block in blocks(data, (2, 3)).items():
        if key not in chunks:
            continue
        out = chain.decode(chunks[key])
        assert out.dtype == np.dtype(dtype).newbyteorder("=")
        np.testing.assert_array_equal(out, block)
        assert out.flags.f_contiguous if order == "F" else out.flags.c_contiguous
        ours = chain.encode(block)
        if deterministic:
            assert ours == chunks[key]
        np.testing.assert_array_equal(chain.decode(ours), block)


@pytest.mark.parametrize(
    "filters,dtype",
    [
        ([numcodecs.Delta(dtype=">i4")], ">i4"),
        ([numcodecs.Delta(dtype="<i4", astype="<i2")], "<i4"),
        ([numcodecs.FixedScaleOffset(offset=0, scale=10, dtype="<f8", astype="<i2")], "<f8"),
        ([numcodecs.Quantize(digits=2, dtype="<f8")], "<f8"),
        ([numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8")], "<f8"),
        ([numcodecs.Shuffle(elementsize=8), numcodecs.Delta(dtype="<f8")], "<f8"),
        ([numcodecs.BitRound(keepbits=8)], "<f4"),
    ],
    ids=lambda x: str(x),
)
def test_filters_match_zarr_python(filters: list[Any], dtype: str) -> None:
    data = np.arange(24, dtype=dtype).reshape(4, 6) * 3
    meta, chunks = zarr_write_v2(
        data, (2, 3), filters=filters, compressors=numcodecs.Zstd(), order="C"
    )
    chain = chain_from(meta, dtype)
    for key, block in blocks(data, (2, 3)).items():
        if key not in chunks:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = zarr.open_array(_v2_store(meta, chunks), zarr_format=2)[...]
        np.testing.assert_array_equal(chain.decode(chunks[key]), _block(expected, key))
        assert chain.encode(block) == chunks[key]


def _block(arr: np.ndarray, key: str) -> np.ndarray:
    i, j = map(int, key.split("."))
    return arr[2 * i : 2 * i + 2, 3 * j : 3 * j + 3]


def _v2_store(meta: dict, chunks: dict) -> Any:
    from zarr.core.buffer import default_buffer_prototype

    proto = default_buffer_prototype().buffer
    d = {".zarray": proto.from_bytes(json.dumps(meta).encode())}
    d.update({k: proto.from_bytes(v) for k, v in chunks.items()})
    return MemoryStore(d)


def test_strings_match_zarr_python() -> None:
    data = np.array(["a", "", "héllo", "日本"], dtype=np.dtypes.StringDType()).reshape(2, 2)
    meta, chunks = zarr_write_v2(data, (2, 2), dtype=str)
    assert meta["filters"] == [{"id": "vlen-utf8"}] and meta["dtype"] == "|O"
    chain = chain_from(meta, "string")
    out = chain.decode(chunks["0.0"])
    assert out.dtype == np.dtypes.StringDType()
    np.testing.assert_array_equal(out, data)
    assert chain.encode(data) == chunks["0.0"]


def test_object_codecs() -> None:
    arrays = np.empty(3, dtype=object)
    arrays[:] = [np.arange(i, dtype="<i4") for i in range(3)]
    codec = V2Codec(({"id": "vlen-array", "dtype": "<i4"},), {"id": "zlib", "level": 1})
    chain = CodecChain([codec], ChunkSpec((3,), dtype_of("object"), None))
    enc = chain.encode(arrays)
    assert enc == numcodecs.Zlib(1).encode(numcodecs.VLenArray("<i4").encode(arrays))
    out = chain.decode(enc)
    assert [list(x) for x in out] == [[], [0], [0, 1]]
    vbytes = CodecChain(
        [V2Codec(({"id": "vlen-bytes"},), None)], ChunkSpec((2,), dtype_of("bytes"), None)
    )
    data = np.array([b"ab", b""], dtype=object)
    assert vbytes.decode(vbytes.encode(data)).tolist() == [b"ab", b""]
    js = CodecChain([V2Codec(({"id": "json2"},), None)], ChunkSpec((2,), dtype_of("object"), None))
    assert js.decode(js.encode(np.array([{"a": 1}, [2]], dtype=object))).tolist() == [{"a": 1}, [2]]


def test_object_arrays_need_an_object_codec() -> None:
    with pytest.raises(InvalidMetadata, match="object codec"):
        CodecChain([V2Codec(None, {"id": "zlib"})], ChunkSpec((2,), dtype_of("string"), None))
    chain = CodecChain(
        [V2Codec(({"id": "delta", "dtype": "<i4"},), None)],
        ChunkSpec((2,), dtype_of("object"), None),
    )
    with pytest.raises(CodecError):
        chain.encode(np.array([1, 2], dtype=object))
    with pytest.raises(CorruptChunk):
        chain.decode(np.arange(2, dtype="<i4").tobytes())


def test_bad_configurations() -> None:
    with pytest.raises(UnknownCodec, match="nope"):
        V2Codec(None, {"id": "nope"})
    with pytest.raises(UnknownCodec):
        V2Codec(({"id": "nope"},), None)
    with pytest.raises(InvalidMetadata):
        V2Codec(None, {"level": 1})
    with pytest.raises(InvalidMetadata):
        V2Codec(None, {"id": "zlib", "level": "x", "bogus": 1})
    with pytest.raises(InvalidMetadata):
        V2Codec(None, None, "X")  # type: ignore[arg-type]
    with pytest.raises(InvalidMetadata):
        V2Codec(None, None, "C", "middle")  # type: ignore[arg-type]
    c = V2Codec([{"id": "delta", "dtype": "<i4"}], {"id": "zlib", "level": 1}, "F", "big")
    assert c.filters == ({"id": "delta", "dtype": "<i4"},)
    assert (c.compressor, c.order, c.endian) == ({"id": "zlib", "level": 1}, "F", "big")
    assert c == V2Codec(({"id": "delta", "dtype": "<i4"},), {"id": "zlib", "level": 1}, "F", "big")
    same = V2Codec([{"id": "delta", "dtype": "<i4"}], {"id": "zlib", "level": 1}, "F", "big")
    assert hash(c) == hash(same)


@pytest.mark.parametrize("compressor", [c for c in COMPRESSORS if c is not None], ids=str)
def test_corrupt_and_bombs(compressor: Any) -> None:
    spec = ChunkSpec((16, 16), dtype_of("<f8"), 0)
    chain = CodecChain([V2Codec(None, compressor.get_config())], spec)
    enc = chain.encode(np.arange(256.0).reshape(16, 16))
    for bad in (enc[: len(enc) // 2], enc[:2], b"\x00" * 64):
        with pytest.raises(CorruptChunk):
            chain.decode(bad)
    bomb = compressor.encode(bytes(64 * spec.nbytes))
    with pytest.raises(CorruptChunk):
        chain.decode(bomb)
    short = compressor.encode(bytes(spec.nbytes - 8))
    with pytest.raises(CorruptChunk):
        chain.decode(short)


def test_uncompressed_wrong_size() -> None:
    chain = CodecChain([V2Codec(None, None)], ChunkSpec((4,), dtype_of("<i4"), 0))
    for n in (0, 15, 17):
        with pytest.raises(CorruptChunk):
            chain.decode(b"\0" * n)


@settings(max_examples=50, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from(["<i2", ">i4", "<f8", ">f4", "u1"]).map(np.dtype),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    ),
    order=st.sampled_from(["C", "F"]),
    compressor=st.sampled_from(
        [
            None,
            {"id": "zlib", "level": 1},
            {"id": "blosc", "cname": "lz4"},
            {"id": "zstd", "level": 1},
        ]
    ),
)
def test_round_trip_property(arr: np.ndarray, order: str, compressor: Any) -> None:
    endian = "big" if arr.dtype.byteorder == ">" else "little"
    native = arr.astype(arr.dtype.newbyteorder("="))
    spec = ChunkSpec(arr.shape, dtype_of(arr.dtype), 0, order)  # type: ignore[arg-type]
    chain = CodecChain([V2Codec(None, compressor, order, endian)], spec)  # type: ignore[arg-type]
    enc = chain.encode(native)
    if compressor is None:
        assert enc == arr.tobytes(order=order)
    out = chain.decode(enc)
    assert out.dtype == native.dtype
    assert out.tobytes() == native.tobytes()
