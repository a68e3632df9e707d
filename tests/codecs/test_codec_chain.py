"""CodecChain: order validation, resolution, size bounds, error wrapping, layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simplezarr.codecs import (
    BloscCodec,
    BytesCodec,
    ChunkSpec,
    CodecChain,
    Crc32cCodec,
    GzipCodec,
    TransposeCodec,
    VLenUTF8Codec,
    ZstdCodec,
)
from simplezarr.codecs.base import BytesBytesCodec
from simplezarr.codecs.gzip import deflate_bound
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata


@dataclass(frozen=True)
class FakeType:
    """Stand-in for metadata.dtypes.DataType: the four attributes codecs rely on."""

    name: str
    numpy: np.dtype
    item_size: int | None
    is_variable_length: bool


def spec_of(shape: tuple[int, ...], x: Any, order: str = "C") -> ChunkSpec:
    if x == "string":
        return ChunkSpec(tuple(shape), FakeType("string", np.dtypes.StringDType(), None, True), "")
    d = np.dtype(x).newbyteorder("=")
    fake = FakeType(str(d), d, d.itemsize, False)
    return ChunkSpec(tuple(shape), fake, 0, order)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Recorder(BytesBytesCodec):
    """Identity codec that records the max_size it is given."""

    name: ClassVar[str] = "test.recorder"
    seen: list = None  # type: ignore[assignment]

    def encode(self, data: Any) -> Any:
        return bytes(data)

    def decode(self, data: Any, max_size: int | None) -> Any:
        self.seen.append(max_size)
        return data

    def encoded_size(self, n: int | None) -> int | None:
        return n


@dataclass(frozen=True)
class Exploding(BytesBytesCodec):
    name: ClassVar[str] = "test.exploding"

    def encode(self, data: Any) -> Any:
        raise KeyError("boom on encode")

    def decode(self, data: Any, max_size: int | None) -> Any:
        raise IndexError("boom on decode")


@pytest.mark.parametrize(
    "codecs",
    [
        [],
        [GzipCodec()],
        [TransposeCodec(order=(0,))],
        [BytesCodec(), BytesCodec()],
        [GzipCodec(), BytesCodec()],
        [BytesCodec(), TransposeCodec(order=(0,))],
        [BytesCodec(), GzipCodec(), TransposeCodec(order=(0,))],
        [BytesCodec(), "gzip"],
    ],
)
def test_order_errors(codecs: list[Any]) -> None:
    with pytest.raises(InvalidMetadata) as e:
        CodecChain(codecs, spec_of((4,), "<i4"))
    assert "codec" in str(e.value)


def test_resolved_codecs_and_sizes() -> None:
    spec = spec_of((4, 5), "<f8")
    chain = CodecChain([TransposeCodec(order=(1, 0)), BytesCodec(), BloscCodec()], spec)
    assert chain.codecs[2] == BloscCodec(typesize=8, shuffle="shuffle")
    assert chain.encoded_size is None
    assert CodecChain([BytesCodec(), Crc32cCodec()], spec).encoded_size == 4 * 5 * 8 + 4
    assert CodecChain([BytesCodec(), Crc32cCodec(), Crc32cCodec()], spec).encoded_size == 168
    assert CodecChain([BytesCodec(), GzipCodec(), Crc32cCodec()], spec).encoded_size is None
    assert CodecChain([VLenUTF8Codec()], spec_of((3,), "string")).encoded_size is None


def test_max_sizes_flow_through_the_chain() -> None:
    spec = spec_of((10,), "<i4")
    first, last = Recorder(seen=[]), Recorder(seen=[])
    chain = CodecChain([BytesCodec(), first, GzipCodec(), Crc32cCodec(), last], spec)
    chain.decode(chain.encode(np.arange(10, dtype="i4")))
    assert first.seen == [40]
    assert last.seen == [deflate_bound(40) + 4]
    vlen = Recorder(seen=[])
    chain = CodecChain([VLenUTF8Codec(), vlen], spec_of((1,), "string"))
    chain.decode(chain.encode(np.array(["x"], dtype=object)))
    # variable-length chunks have no natural bound: the configured cap applies
    from simplezarr.config import config

    assert vlen.seen == [config.max_variable_chunk_bytes]


def test_unexpected_exceptions_are_wrapped() -> None:
    chain = CodecChain([BytesCodec(), Exploding()], spec_of((2,), "u1"))
    with pytest.raises(CorruptChunk) as e:
        chain.decode(b"ab")
    assert isinstance(e.value.__cause__, IndexError)
    with pytest.raises(CodecError) as e2:
        chain.encode(np.zeros(2, "u1"))
    assert isinstance(e2.value.__cause__, KeyError)
    assert not isinstance(e2.value, CorruptChunk)


def test_encode_checks_shape_and_casts_dtype() -> None:
    chain = CodecChain([BytesCodec()], spec_of((3,), "<i4"))
    with pytest.raises(CodecError, match="shape"):
        chain.encode(np.zeros(4, "i4"))
    assert chain.encode(np.array([1, 2, 3], ">i8")) == np.array([1, 2, 3], "<i4").tobytes()
    assert chain.encode([1, 2, 3]) == np.array([1, 2, 3], "<i4").tobytes()


def test_uncompressed_encode_is_a_view_and_stores_copy_what_they_keep() -> None:
    # No copy on the way out of the chain: a store that keeps the value copies it; one that
    # writes it out at once (LocalStore) does not need to.
    from simplezarr.stores import MemoryStore

    arr = np.arange(8, dtype="u1")
    enc = CodecChain([BytesCodec()], spec_of((8,), "u1")).encode(arr)
    assert bytes(enc) == bytes(range(8))
    store = MemoryStore()
    store.set("k", enc)
    arr[:] = 0
    assert store.get("k") == bytes(range(8))


def test_zero_dimensional_and_empty_chunks() -> None:
    chain = CodecChain([BytesCodec(), ZstdCodec()], spec_of((), "<f8"))
    out = chain.decode(chain.encode(np.array(2.5)))
    assert out.shape == () and out[()] == 2.5
    chain = CodecChain([BytesCodec(), GzipCodec(), Crc32cCodec()], spec_of((0, 3), "<i2"))
    assert chain.decode(chain.encode(np.zeros((0, 3), "i2"))).shape == (0, 3)


def test_f_order_spec_gives_f_contiguous_result() -> None:
    from simplezarr.codecs import V2Codec

    spec = spec_of((3, 4), "<i4", order="F")
    chain = CodecChain([V2Codec(None, None, "F")], spec)
    data = np.arange(12, dtype="i4").reshape(3, 4)
    enc = chain.encode(data)
    assert enc == np.asfortranarray(data).tobytes(order="F")
    out = chain.decode(enc)
    assert out.flags.f_contiguous
    np.testing.assert_array_equal(out, data)


COMPRESSORS = [
    [],
    [GzipCodec(level=1)],
    [ZstdCodec()],
    [BloscCodec(cname="lz4")],
    [Crc32cCodec()],
    [ZstdCodec(), Crc32cCodec()],
]


@settings(max_examples=80, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from(["<i2", "<u4", "<f8", ">f4", "u1", "bool", "<c8"]).map(np.dtype),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
    ),
    endian=st.sampled_from(["little", "big"]),
    transpose=st.booleans(),
    bb=st.sampled_from(range(len(COMPRESSORS))),
)
def test_chain_round_trip_property(arr: np.ndarray, endian: str, transpose: bool, bb: int) -> None:
    arr = arr.astype(arr.dtype.newbyteorder("="))
    codecs: list[Any] = []
    if transpose and arr.ndim:
        codecs.append(TransposeCodec(order=tuple(reversed(range(arr.ndim)))))
    codecs += [BytesCodec(endian=endian), *COMPRESSORS[bb]]
    chain = CodecChain(codecs, spec_of(arr.shape, arr.dtype))
    enc = chain.encode(arr)
    if chain.encoded_size is not None:
        assert len(enc) == chain.encoded_size
    out = chain.decode(enc)
    assert out.shape == arr.shape and out.dtype == arr.dtype and out.flags.c_contiguous
    assert out.tobytes() == arr.tobytes()
