"""bytes, transpose, crc32c, vlen-utf8, vlen-bytes: round trips, zarr-python bytes, corruption."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

pytest.importorskip("zarr", reason="these tests compare with zarr-python")
import zarr
import zarr.codecs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from zarr.storage import MemoryStore

from simplezarr.codecs import (
    BytesCodec,
    ChunkSpec,
    CodecChain,
    Crc32cCodec,
    ShardingCodec,
    TransposeCodec,
    VLenBytesCodec,
    VLenUTF8Codec,
    codec_from_json,
)
from simplezarr.dtypes import parse_v3_dtype
from simplezarr.errors import CorruptChunk, InvalidMetadata


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
    if x == "bytes":
        return FakeType("variable_length_bytes", np.dtype(object), None, True)
    d = np.dtype(x).newbyteorder("=")
    return FakeType(str(d), d, d.itemsize, False)


def spec_of(shape: tuple[int, ...], x: Any, fill: Any = 0) -> ChunkSpec:
    return ChunkSpec(tuple(shape), dtype_of(x), fill)


def zarr_write(data: np.ndarray, chunks: tuple[int, ...], **kw: Any) -> tuple[dict, dict]:
    """Write ``data`` with zarr-python; return (metadata, {chunk key: bytes})."""
    d: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw.setdefault("dtype", data.dtype)
        kw.setdefault("fill_value", None)
        a = zarr.create_array(store=MemoryStore(d), shape=data.shape, chunks=chunks, **kw)
        a[...] = data
    meta = json.loads(d["zarr.json"].to_bytes())
    return meta, {k: v.to_bytes() for k, v in d.items() if k.startswith("c/")}


def chain_for(meta: dict, shape: tuple[int, ...], dtype: Any) -> CodecChain:
    return CodecChain([codec_from_json(c) for c in meta["codecs"]], spec_of(shape, dtype))


DTYPES = [
    "bool",
    "i1",
    "u1",
    "<i2",
    ">i2",
    "<u4",
    ">i8",
    "<f2",
    ">f4",
    "<f8",
    ">c8",
    "<c16",
    "<M8[s]",
    ">m8[ms]",
    "<U3",
    ">U2",
    "S4",
    "V3",
]


# --- bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("endian", ["little", "big"])
def test_bytes_matches_zarr_python(dtype: str, endian: str) -> None:
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(4, 8) + (np.dtype(dtype).itemsize,), dtype="u1")
    if np.dtype(dtype).kind == "b":
        raw = raw % 2
    data = raw.view(np.dtype(dtype).newbyteorder("=")).reshape(4, 8)
    if np.dtype(dtype).kind in "mM":
        data[data == np.array("NaT", data.dtype)] = np.array(1, data.dtype)
    data[0, 0] = np.ones((), data.dtype)  # never all fill
    meta, chunks = zarr_write(
        data, (2, 4), serializer=zarr.codecs.BytesCodec(endian=endian), compressors=None
    )
    chain = chain_for(meta, (2, 4), dtype)
    assert [c.to_dict() for c in chain.codecs] == meta["codecs"]
    for key, raw_chunk in chunks.items():
        i, j = map(int, key.split("/")[1:])
        block = data[2 * i : 2 * i + 2, 4 * j : 4 * j + 4]
        assert chain.encode(block) == raw_chunk
        decoded = chain.decode(raw_chunk)
        assert decoded.dtype == np.dtype(dtype).newbyteorder("=")
        assert decoded.tobytes() == block.tobytes()


def test_bytes_json_and_resolve() -> None:
    assert BytesCodec().to_dict() == {"name": "bytes", "configuration": {"endian": "little"}}
    assert codec_from_json("bytes").endian == "little"  # zarr-python's default
    one_byte = BytesCodec(endian="big").resolve(spec_of((2,), "u1"))
    assert one_byte.to_dict() == {"name": "bytes"}
    assert BytesCodec(endian="little").resolve(spec_of((2,), "<i2")).endian == "little"
    with pytest.raises(InvalidMetadata, match="endian"):
        BytesCodec(endian=None).resolve(spec_of((2,), "<i2"))
    with pytest.raises(InvalidMetadata, match="vlen-utf8"):
        BytesCodec().resolve(spec_of((2,), "string"))
    assert BytesCodec().encoded_size(spec_of((3, 4), "<f8")) == 96


@pytest.mark.parametrize("n", [0, 7, 9, 100])
def test_bytes_wrong_length_is_corrupt(n: int) -> None:
    chain = CodecChain([BytesCodec()], spec_of((2, 2), "<i2"))
    with pytest.raises(CorruptChunk, match="8 bytes"):
        chain.decode(b"\0" * n)


def test_bytes_accepts_any_buffer() -> None:
    chain = CodecChain([BytesCodec(endian="big")], spec_of((3,), "<u2"))
    for buf in (
        b"\0\1\0\2\0\3",
        bytearray(b"\0\1\0\2\0\3"),
        memoryview(b"\0\1\0\2\0\3"),
        np.frombuffer(b"\0\1\0\2\0\3", "u1"),
    ):
        assert chain.decode(buf).tolist() == [1, 2, 3]


@pytest.mark.parametrize("name", ["structured", "struct"])
@pytest.mark.parametrize("endian", ["big", "little", None])
def test_bytes_structured_fields_in_the_codecs_byte_order(name: str, endian: str | None) -> None:
    # Every multi-byte field in the codec's byte order (the struct spec, zarr-python 3.4);
    # a "structured" type writes the little-endian default without it, as zarr-python 3.1.
    dtype = parse_v3_dtype(
        {"name": name, "configuration": {"fields": [["a", "int32"], ["b", "uint8"]]}}
    )
    data = np.array([(1, 2), (3, 4)], dtype.numpy)
    config = {} if endian is None else {"configuration": {"endian": endian}}
    chain = CodecChain(
        [codec_from_json({"name": "bytes", **config})],
        ChunkSpec((2,), dtype, dtype.default_fill_value()),
    )
    read_as = endian or "little"  # a missing endian reads as little, zarr-python 3.1's default
    kept = not (name == "structured" and read_as == "little")
    written = {"configuration": {"endian": read_as}} if kept else {}
    assert chain.codecs[0].to_dict() == {"name": "bytes", **written}
    stored = data.astype(data.dtype.newbyteorder(">" if endian == "big" else "<")).tobytes()
    assert chain.encode(data) == stored
    assert stored != data.tobytes() or endian != "big"  # the control: big differs
    assert chain.decode(stored).tolist() == data.tolist()


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from(["<i2", ">i4", "<u8", "<f4", ">f8", "<c8", "bool", "u1"]).map(
            np.dtype
        ),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5),
    ),
    endian=st.sampled_from(["little", "big"]),
    crc=st.booleans(),
)
def test_bytes_round_trip_property(arr: np.ndarray, endian: str, crc: bool) -> None:
    arr = arr.astype(arr.dtype.newbyteorder("="))
    codecs: list[Any] = [BytesCodec(endian=endian)] + ([Crc32cCodec()] if crc else [])
    chain = CodecChain(codecs, spec_of(arr.shape, arr.dtype))
    enc = chain.encode(arr)
    assert len(enc) == chain.encoded_size == arr.nbytes + 4 * crc
    out = chain.decode(enc)
    assert out.shape == arr.shape and out.dtype == arr.dtype
    assert out.tobytes() == arr.tobytes()


# --- transpose ------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
def test_transpose_matches_zarr_python(order: tuple[int, ...]) -> None:
    data = np.arange(4 * 5 * 6, dtype="<i2").reshape(4, 5, 6) + 1
    meta, chunks = zarr_write(
        data, (4, 5, 6), filters=[zarr.codecs.TransposeCodec(order=order)], compressors=None
    )
    chain = chain_for(meta, (4, 5, 6), "<i2")
    assert chain.codecs[0].to_dict() == {
        "name": "transpose",
        "configuration": {"order": list(order)},
    }
    assert chain.encode(data) == chunks["c/0/0/0"]
    out = chain.decode(chunks["c/0/0/0"])
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, data)


def test_transpose_validation() -> None:
    with pytest.raises(InvalidMetadata, match="permutation"):
        CodecChain([TransposeCodec(order=(0, 0)), BytesCodec()], spec_of((2, 2), "u1"))
    with pytest.raises(InvalidMetadata, match="permutation"):
        CodecChain([TransposeCodec(order=(0, 1, 2)), BytesCodec()], spec_of((2, 2), "u1"))
    with pytest.raises(InvalidMetadata, match="permutation"):
        CodecChain([TransposeCodec(order=(1, 2)), BytesCodec()], spec_of((2, 2), "u1"))
    assert TransposeCodec(order=[1, 0]).order == (1, 0)
    spec = TransposeCodec(order=(2, 0, 1)).encoded_spec(spec_of((2, 3, 4), "u1"))
    assert spec.shape == (4, 2, 3)


@settings(max_examples=40, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=np.dtype("<i4"), shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4)
    ),
    data=st.data(),
)
def test_transpose_round_trip_property(arr: np.ndarray, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(arr.ndim)))
    chain = CodecChain([TransposeCodec(order=order), BytesCodec()], spec_of(arr.shape, "<i4"))
    enc = chain.encode(arr)
    assert enc == np.ascontiguousarray(np.transpose(arr, order)).tobytes()
    np.testing.assert_array_equal(chain.decode(enc), arr)


# --- crc32c ---------------------------------------------------------------------------


def test_crc32c_matches_zarr_python() -> None:
    data = np.arange(24, dtype="<f4").reshape(4, 6)
    meta, chunks = zarr_write(data, (4, 6), compressors=[zarr.codecs.Crc32cCodec()])
    chain = chain_for(meta, (4, 6), "<f4")
    assert chain.encode(data) == chunks["c/0/0"]
    np.testing.assert_array_equal(chain.decode(chunks["c/0/0"]), data)
    assert chain.encoded_size == 24 * 4 + 4


def test_crc32c_detects_corruption() -> None:
    chain = CodecChain([BytesCodec(), Crc32cCodec()], spec_of((16,), "<i4"))
    good = chain.encode(np.arange(16, dtype="<i4"))
    for bit in range(0, len(good) * 8, 13):
        bad = bytearray(good)
        bad[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(CorruptChunk):
            chain.decode(bytes(bad))
    for n in (0, 3, 4, len(good) - 1):
        with pytest.raises(CorruptChunk):
            chain.decode(good[:n])
    with pytest.raises(CorruptChunk, match="too short"):
        Crc32cCodec().decode(b"abc", None)
    assert Crc32cCodec().encoded_size(10) == 14


def test_shard_index_chain_size() -> None:
    # the sharding index: (chunks..., 2) uint64 through bytes + crc32c
    chain = CodecChain([BytesCodec(), Crc32cCodec()], spec_of((3, 4, 2), "<u8"))
    assert chain.encoded_size == 12 * 16 + 4


# --- vlen -----------------------------------------------------------------------------


STRINGS = ["", "a", "héllo", "日本語", "x" * 300, "\x00nul", "emoji 🎉"]


def test_vlen_utf8_matches_zarr_python_and_dtype() -> None:
    data = np.array(STRINGS + ["z"], dtype=np.dtypes.StringDType()).reshape(2, 4)
    meta, chunks = zarr_write(data, (2, 4), dtype=str, compressors=None)
    assert meta["codecs"] == [{"name": "vlen-utf8", "configuration": {}}]
    chain = chain_for(meta, (2, 4), "string")
    assert chain.encode(data) == chunks["c/0/0"]
    assert chain.encode(data.astype(object)) == chunks["c/0/0"]
    out = chain.decode(chunks["c/0/0"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store = MemoryStore({"zarr.json": _buf(meta), "c/0/0": _buf(chunks["c/0/0"], raw=True)})
        zarr_out = zarr.open_array(store)[...]
    assert out.dtype == zarr_out.dtype == np.dtypes.StringDType()
    np.testing.assert_array_equal(out, data)


def _buf(x: Any, raw: bool = False) -> Any:
    from zarr.core.buffer import default_buffer_prototype

    data = x if raw else json.dumps(x).encode()
    return default_buffer_prototype().buffer.from_bytes(data)


def test_vlen_bytes_matches_zarr_python_and_dtype() -> None:
    from zarr.core.dtype import VariableLengthBytes

    data = np.array([b"", b"a", b"\x00\xff", b"x" * 100], dtype=object)
    meta, chunks = zarr_write(data, (4,), dtype=VariableLengthBytes(), compressors=None)
    assert meta["codecs"] == [{"name": "vlen-bytes", "configuration": {}}]
    chain = chain_for(meta, (4,), "bytes")
    assert chain.encode(data) == chunks["c/0"]
    out = chain.decode(chunks["c/0"])
    assert out.dtype == object and out.tolist() == data.tolist()


@pytest.mark.parametrize("codec_cls,kind", [(VLenUTF8Codec, "string"), (VLenBytesCodec, "bytes")])
def test_vlen_corrupt(codec_cls: Any, kind: str) -> None:
    values = ["ab", "c", "def"] if kind == "string" else [b"ab", b"c", b"def"]
    items = np.array(values, dtype=object)
    chain = CodecChain([codec_cls()], spec_of((3,), kind))
    good = chain.encode(items)
    assert chain.decode(good).tolist() == items.tolist()
    cases = [
        b"",
        b"\x03\x00",
        good[:-1],
        good[:8],
        (2).to_bytes(4, "little") + good[4:],  # count does not match the chunk
        (2**31).to_bytes(4, "little") + good[4:],
        good[:4] + (2**31).to_bytes(4, "little") + good[8:],  # item length past the end
    ]
    for bad in cases:
        with pytest.raises(CorruptChunk):
            chain.decode(bad)
    with pytest.raises(InvalidMetadata):
        CodecChain([codec_cls()], spec_of((3,), "<i4"))


def test_vlen_bad_utf8_is_corrupt() -> None:
    chain = CodecChain([VLenUTF8Codec()], spec_of((1,), "string"))
    with pytest.raises(CorruptChunk):
        chain.decode(b"\x01\x00\x00\x00\x02\x00\x00\x00\xff\xfe")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=12))
def test_vlen_utf8_round_trip_property(items: list[str]) -> None:
    arr = np.array(items, dtype=np.dtypes.StringDType())
    chain = CodecChain(
        [VLenUTF8Codec(), codec_from_json({"name": "zstd"})], spec_of(arr.shape, "string")
    )
    out = chain.decode(chain.encode(arr))
    assert out.dtype == np.dtypes.StringDType()
    assert out.tolist() == items


@pytest.mark.parametrize(
    "order, expected",
    [
        ("morton", [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (2, 1)]),
        ("lexicographic", [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]),
        ("colexicographic", [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]),
        ("unordered", None),
    ],
)
def test_subchunk_write_order_lays_out_inner_chunks(order: str, expected: Any) -> None:
    # zarr-python 3.4's option: the physical order of inner chunks, not part of the metadata.
    import simplezarr

    codec = ShardingCodec(chunk_shape=(4, 4), codecs=[BytesCodec()], subchunk_write_order=order)
    assert codec.to_dict() == ShardingCodec(chunk_shape=(4, 4), codecs=[BytesCodec()]).to_dict()
    store: dict[str, Any] = {}
    a = simplezarr.create_array(
        store, shape=(12, 8), chunks=(12, 8), dtype="u2", serializer=codec, compressors=None
    )
    data = np.arange(96, dtype="u2").reshape(12, 8)
    a[:] = data
    shard = bytes(store["c/0/0"])
    index = np.frombuffer(shard[-(6 * 16 + 4) : -4], "<u8").reshape(3, 2, 2)
    by_offset = sorted(np.ndindex(3, 2), key=lambda c: int(index[c][0]))
    if expected is not None:
        assert by_offset == expected
    assert a[:].tolist() == data.tolist()
    with pytest.raises(InvalidMetadata, match="subchunk_write_order"):
        ShardingCodec(chunk_shape=(4, 4), subchunk_write_order="hilbert")
