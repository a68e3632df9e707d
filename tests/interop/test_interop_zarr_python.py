"""Interoperability with the real peer, zarr-python 3.1.6, in both directions.

Every case below is one ``create_array`` call, given with the same keyword arguments to
``zarr.create_array`` and to simplezarr's ``ZarrArray.create``, each writing into its own
LocalStore directory (fixtures are generated at test time in a temporary directory). The same
deterministic data is then written by both libraries into part of the array, so some chunks
(and some inner chunks of shards) stay unwritten. Four checks per case:

- ``test_zarr_writes_simplezarr_reads``: simplezarr reads zarr's directory and every selection
  (whole, ints, negative ints, slices with positive and negative steps, out-of-range slices)
  equals zarr's full read indexed with numpy: same values (bit for bit for fixed-size types)
  and the same dtype.
- ``test_simplezarr_writes_zarr_reads``: zarr reads simplezarr's directory and gets the values,
  dtype, shape, chunks, shards, fill value, attributes and dimension names it gets from its own.
- ``test_same_metadata_documents``: the metadata documents (zarr.json, or .zarray/.zattrs) are
  the same JSON.
- ``test_same_chunk_bytes``: the same chunk keys, with byte-identical values. gzip output is
  compared with the header MTIME zeroed (zarr-python stamps the current time); shards are
  compared inner chunk by inner chunk first, then as whole values.

Cases are grouped by what they cover: data types, v3 codecs, v3 numcodecs codecs, sharding,
v2 compressors and filters in C and F order, fill values, and layouts (ragged edges, 0-d,
zero-length dimensions, chunk key encodings, attributes, dimension names). Nested groups are
tested separately at the end.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")
crc32c = pytest.importorskip("crc32c")

import zarr.codecs.numcodecs as znc  # noqa: E402
from zarr.codecs import (  # noqa: E402
    BloscCodec,
    BytesCodec,
    Crc32cCodec,
    GzipCodec,
    ShardingCodec,
    TransposeCodec,
    ZstdCodec,
)
from zarr.core.dtype import VariableLengthBytes  # noqa: E402

import simplezarr  # noqa: E402
from simplezarr.metadata.defaults import NULL_FILL  # noqa: E402
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr  # noqa: E402
from simplezarr.stores import LocalStore  # noqa: E402
from tests.store_helpers import NUMERIC_DTYPES  # noqa: E402

ZARR_VERSION = tuple(int(p) for p in zarr.__version__.split(".")[:2])

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),  # numcodecs.* in v3, v2 vlen warnings
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

METADATA_NAMES = {"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"}

# --------------------------------------------------------------------------- data


def _strings(rng: np.random.Generator, n: int, max_len: int, alphabet: str) -> list[str]:
    return [
        "".join(rng.choice(list(alphabet), size=int(rng.integers(0, max_len + 1))))
        for _ in range(n)
    ]


def sample(dtype: np.dtype, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Deterministic data of any dtype the matrix uses (values chosen to be exact)."""
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    kind = dtype.kind
    if kind == "b":
        out = rng.integers(0, 2, n).astype(bool)
    elif kind in "iu":
        info = np.iinfo(dtype)
        out = rng.integers(info.min, info.max, n, dtype=dtype.newbyteorder("="), endpoint=True)
    elif kind == "f":
        out = (rng.standard_normal(n) * 100).astype(dtype)
    elif kind == "c":
        out = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
    elif kind in "mM":
        unit = np.datetime_data(dtype)[0]
        ints = rng.integers(-(10**12), 10**12, n)
        if n > 1:
            ints[1] = np.iinfo(np.int64).min  # a NaT in the data (not alone in a chunk)
        out = ints.astype("i8").view(f"{kind}8[{unit}]")
    elif kind == "S":
        words = _strings(rng, n, dtype.itemsize, "abcXYZ09")
        out = np.array([w.encode() for w in words], dtype=dtype)
    elif kind == "U":
        words = _strings(rng, n, dtype.itemsize // 4, "aéz€ü b")
        out = np.array(words, dtype=dtype)
    elif kind == "T":  # StringDType: variable-length UTF-8
        out = np.array(_strings(rng, n, 12, "abcé€ \U0001f600"), dtype=dtype)
    elif kind == "O":  # variable-length bytes
        out = np.empty(n, dtype=object)
        sizes = rng.integers(0, 9, n)
        out[:] = [rng.integers(0, 256, int(k)).astype("u1").tobytes() for k in sizes]
    else:  # pragma: no cover - the matrix has no other kinds
        raise AssertionError(f"no sample data for {dtype}")
    return out.astype(dtype).reshape(shape)


def small_floats(dtype: np.dtype, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Floats in [0, 100) for codecs with a limited range (fixedscaleoffset)."""
    rng = np.random.default_rng(seed)
    return (rng.random(shape) * 100).astype(dtype)


def labels(dtype: np.dtype, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array(CATEGORIES, dtype=dtype)[rng.integers(0, len(CATEGORIES), shape)]


CATEGORIES = ["red", "green", "blue"]


def nat_last(dtype: np.dtype, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Sample data, but the second write (the last element) is NaT, the fill value: that
    chunk then holds only fill and neither library may store it."""
    if seed == 1:
        return np.full(shape, np.datetime64("NaT"), dtype=dtype)
    return sample(dtype, shape, seed)


def nan_last(dtype: np.dtype, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """As :func:`nat_last` for a NaN fill value."""
    if seed == 1:
        return np.full(shape, np.nan, dtype=dtype)
    return sample(dtype, shape, seed)


# --------------------------------------------------------------------------- chunk bytes


def gzip_mtime_zeroed(data: bytes) -> bytes:
    """A gzip stream with the MTIME header field zeroed.

    zarr-python's gzip (numcodecs.GZip) writes the current time into the gzip header, so its
    chunks differ from run to run; simplezarr writes 0 (reproducible output). Everything else,
    header flags and OS byte included, must still be identical.
    """
    assert data[:3] == b"\x1f\x8b\x08", "not a gzip stream"
    return data[:4] + bytes(4) + data[8:]


def gzip_crc32c_mtime_zeroed(data: bytes) -> bytes:
    """gzip followed by crc32c: check the checksum, then drop it and zero the gzip MTIME."""
    body, checksum = data[:-4], data[-4:]
    assert crc32c.crc32c(body).to_bytes(4, "little") == checksum, "bad crc32c"
    return gzip_mtime_zeroed(body)


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    id: str
    kwargs: dict[str, Any]
    sz_kwargs: dict[str, Any] = field(default_factory=dict)  # overrides for simplezarr
    zarr_kwargs: dict[str, Any] = field(default_factory=dict)  # overrides for zarr
    data: Callable[[np.dtype, tuple[int, ...], int], np.ndarray] = sample
    normalize: Callable[[bytes], bytes] | None = None  # before comparing chunk bytes
    write: bool = True
    zarr_cannot_write: str = ""  # why zarr-python cannot write the data (it then only creates)
    old_zarr_bug: str = ""  # a zarr-python < 3.4 bug that makes it read our data differently

    def for_zarr(self) -> dict[str, Any]:
        return {**self.kwargs, **self.zarr_kwargs}

    def for_simplezarr(self) -> dict[str, Any]:
        return {**self.kwargs, **self.sz_kwargs}


def case(
    id: str,
    *,
    dtype: Any = "int16",
    shape: tuple[int, ...] = (7, 9),
    chunks: Any = (3, 4),
    fmt: int = 3,
    sz: dict[str, Any] | None = None,
    zk: dict[str, Any] | None = None,
    data: Callable[..., np.ndarray] = sample,
    normalize: Callable[[bytes], bytes] | None = None,
    write: bool = True,
    zarr_cannot_write: str = "",
    old_zarr_bug: str = "",
    **kwargs: Any,
) -> Any:
    c = Case(
        id=f"v{fmt}-{id}",
        kwargs=dict(shape=shape, dtype=dtype, chunks=chunks, zarr_format=fmt, **kwargs),
        sz_kwargs=sz or {},
        zarr_kwargs=zk or {},
        data=data,
        normalize=normalize,
        write=write,
        zarr_cannot_write=zarr_cannot_write,
        old_zarr_bug=old_zarr_bug,
    )
    return pytest.param(c, id=c.id)


DTYPES = [
    *NUMERIC_DTYPES,
    "datetime64[ns]",
    "datetime64[s]",
    "timedelta64[s]",
    "timedelta64[ns]",
    "S5",
    "U7",
]

DTYPE_CASES = [case(dt, dtype=dt, fmt=fmt) for fmt in (3, 2) for dt in DTYPES]
DTYPE_CASES += [
    case("str", dtype=str, fmt=3),
    case("str", dtype=str, fmt=2),
    case("vlen-bytes", dtype="variable_length_bytes", fmt=3),
    # zarr names variable-length bytes by its own data type object in v2
    case("vlen-bytes", dtype="variable_length_bytes", fmt=2, zk={"dtype": VariableLengthBytes()}),
    # big-endian: the v2 type string carries the byte order ...
    case(">i4", dtype=">i4", fmt=2),
    case(">f8", dtype=">f8", fmt=2),
    case(">c16", dtype=">c16", fmt=2),
    case(">U7", dtype=">U7", fmt=2),
    case(">M8[s]", dtype=">M8[s]", fmt=2),
    # ... v3 keeps it in the bytes codec
    case("i4-bytes-big", dtype="int32", serializer=BytesCodec(endian="big")),
    case("f8-bytes-big", dtype="float64", serializer=BytesCodec(endian="big")),
    case("U7-bytes-big", dtype="U7", serializer=BytesCodec(endian="big")),
    case(
        "c8-bytes-big-gzip",
        dtype="complex64",
        serializer=BytesCodec(endian="big"),
        compressors=GzipCodec(level=1),
        normalize=gzip_mtime_zeroed,
    ),
]

BLOSC_CASES = [
    case(
        f"blosc-{cname}-{shuffle}",
        dtype=dt,
        compressors=BloscCodec(cname=cname, clevel=5, shuffle=shuffle),
    )
    for cname, dt in (("lz4", "float32"), ("zstd", "int64"), ("zlib", "uint16"))
    for shuffle in ("noshuffle", "shuffle", "bitshuffle")
]

V3_CODEC_CASES = [
    case("none", dtype="float32", compressors=None),
    case("none-bytes-only", dtype="uint8", compressors=None, filters=None),
    case("gzip", dtype="float64", compressors=GzipCodec(level=5), normalize=gzip_mtime_zeroed),
    case("zstd-checksum", dtype="int32", compressors=ZstdCodec(level=3, checksum=True)),
    case("zstd-level-9", dtype="float32", compressors=ZstdCodec(level=9)),
    case("blosc-default", dtype="float64", compressors=BloscCodec()),
    case("blosc-bool", dtype="bool", compressors=BloscCodec(cname="lz4", shuffle="shuffle")),
    case("crc32c", dtype="int16", compressors=Crc32cCodec()),
    case("zstd-crc32c", dtype="float32", compressors=[ZstdCodec(level=1), Crc32cCodec()]),
    case(
        "gzip-crc32c",
        dtype="uint32",
        compressors=[GzipCodec(level=1), Crc32cCodec()],
        normalize=gzip_crc32c_mtime_zeroed,
    ),
    case("transpose", dtype="int32", filters=[TransposeCodec(order=(1, 0))]),
    case(
        "transpose-3d",
        dtype="float32",
        shape=(5, 6, 7),
        chunks=(2, 3, 4),
        filters=[TransposeCodec(order=(2, 0, 1))],
        compressors=[BloscCodec(cname="lz4")],
    ),
    case(
        "transpose-str",
        dtype=str,
        filters=[TransposeCodec(order=(1, 0))],
        old_zarr_bug=(
            "zarr-python < 3.4 stores the strings of a transposed chunk column-major "
            "(zarr-python issue 3558); simplezarr stores them as the spec says, as 3.4 does"
        ),
    ),
    case("str-zstd", dtype=str, compressors=ZstdCodec(level=1)),
    case("str-gzip", dtype=str, compressors=GzipCodec(level=1), normalize=gzip_mtime_zeroed),
    case("vlen-bytes-none", dtype="variable_length_bytes", compressors=None),
    *BLOSC_CASES,
]

V3_NUMCODECS_CASES = [
    case("numcodecs.zlib", dtype="float32", compressors=znc.Zlib(level=1)),
    case("numcodecs.bz2", dtype="int32", compressors=znc.BZ2(level=1)),
    case("numcodecs.lzma", dtype="uint16", compressors=znc.LZMA()),
    case("numcodecs.lz4", dtype="float64", compressors=znc.LZ4()),
    case(
        "numcodecs.gzip", dtype="int16", compressors=znc.GZip(level=1), normalize=gzip_mtime_zeroed
    ),
    case("numcodecs.zstd", dtype="int64", compressors=znc.Zstd(level=1)),
    case("numcodecs.blosc", dtype="float32", compressors=znc.Blosc(cname="zstd", clevel=3)),
    case("numcodecs.shuffle", dtype="int32", compressors=[znc.Shuffle(elementsize=4)]),
    case("numcodecs.adler32", dtype="uint16", compressors=znc.Adler32()),
    case("numcodecs.fletcher32", dtype="uint16", compressors=znc.Fletcher32()),
    case("numcodecs.crc32", dtype="float32", compressors=znc.CRC32()),
    case("numcodecs.crc32c", dtype="float32", compressors=znc.CRC32C()),
    case("numcodecs.jenkins_lookup3", dtype="int8", compressors=znc.JenkinsLookup3()),
    case("numcodecs.delta", dtype="int32", filters=[znc.Delta(dtype="<i4")]),
    case("numcodecs.quantize", dtype="float64", filters=[znc.Quantize(digits=3, dtype="<f8")]),
    case(
        "numcodecs.fixedscaleoffset",
        dtype="float64",
        data=small_floats,
        filters=[znc.FixedScaleOffset(offset=50, scale=10, dtype="<f8", astype="<i4")],
    ),
    case("numcodecs.bitround", dtype="float32", filters=[znc.BitRound(keepbits=6)]),
    case(
        "numcodecs.astype",
        dtype="float64",
        filters=[znc.AsType(encode_dtype="<f4", decode_dtype="<f8")],
    ),
    case("numcodecs.packbits", dtype="bool", filters=[znc.PackBits()]),
]

SHARD = dict(dtype="uint16", shape=(16, 12), chunks=(4, 3), shards=(8, 6))
SHARDING_CASES = [
    case("shard-end", **SHARD),
    case("shard-start", **{**SHARD, "shards": {"shape": (8, 6), "index_location": "start"}}),
    case("shard-ragged", dtype="float32", shape=(15, 11), chunks=(4, 3), shards=(8, 6)),
    case("shard-none", **SHARD, compressors=None),
    case("shard-crc32c", **SHARD, compressors=[Crc32cCodec()]),
    case("shard-blosc", **SHARD, compressors=BloscCodec(cname="zstd", shuffle="bitshuffle")),
    case("shard-transpose", **SHARD, filters=[TransposeCodec(order=(1, 0))]),
    case("shard-gzip", **SHARD, compressors=GzipCodec(level=1), normalize=gzip_mtime_zeroed),
    case("shard-str", **{**SHARD, "dtype": str}),
    case("shard-1d", dtype="int32", shape=(50,), chunks=(5,), shards=(20,)),
    case("shard-3d", dtype="int8", shape=(6, 8, 10), chunks=(2, 2, 5), shards=(6, 4, 10)),
    case("shard-whole-array", dtype="int16", shape=(7, 9), chunks=(3, 4), shards=(9, 12)),
    case(
        "shard-nested",
        dtype="int32",
        shape=(16, 12),
        chunks=(8, 6),
        compressors=None,
        serializer=ShardingCodec(
            chunk_shape=(4, 6),
            codecs=[ShardingCodec(chunk_shape=(2, 3), codecs=[BytesCodec(), ZstdCodec(level=1)])],
        ),
    ),
    case(
        "shard-nested-start",
        dtype="float32",
        shape=(16, 12),
        chunks=(8, 6),
        compressors=None,
        serializer=ShardingCodec(
            chunk_shape=(4, 6),
            index_location="start",
            codecs=[
                ShardingCodec(
                    chunk_shape=(2, 3), index_location="start", codecs=[BytesCodec(), Crc32cCodec()]
                )
            ],
        ),
    ),
    case(
        "shard-serializer-blosc",
        dtype="float32",
        shape=(16, 12),
        chunks=(8, 6),
        compressors=None,
        serializer=ShardingCodec(chunk_shape=(4, 3), codecs=[BytesCodec(), BloscCodec()]),
    ),
    case(
        "shard-serializer-outer-codecs",
        dtype="int32",
        shape=(16, 12),
        chunks=(8, 6),
        compressors=[Crc32cCodec()],
        serializer=ShardingCodec(chunk_shape=(4, 3), codecs=[BytesCodec()]),
    ),
]

V2_COMPRESSORS = {
    "blosc-lz4-shuffle": lambda: numcodecs.Blosc(
        cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE
    ),
    "blosc-zstd-bitshuffle": lambda: numcodecs.Blosc(
        cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE
    ),
    "blosc-zlib-noshuffle": lambda: numcodecs.Blosc(
        cname="zlib", clevel=1, shuffle=numcodecs.Blosc.NOSHUFFLE
    ),
    "zstd": lambda: numcodecs.Zstd(level=3),
    "zstd-checksum": lambda: numcodecs.Zstd(level=1, checksum=True),
    "zlib": lambda: numcodecs.Zlib(level=1),
    "gzip": lambda: numcodecs.GZip(level=1),
    "bz2": lambda: numcodecs.BZ2(level=1),
    "lzma": lambda: numcodecs.LZMA(),
    "lz4": lambda: numcodecs.LZ4(),
    "none": lambda: None,
}

V2_FILTERS = {
    "delta": ("int32", [numcodecs.Delta(dtype="<i4")], sample),
    "fixedscaleoffset": (
        "float64",
        [numcodecs.FixedScaleOffset(offset=50, scale=10, dtype="<f8", astype="<i4")],
        small_floats,
    ),
    "quantize": ("float32", [numcodecs.Quantize(digits=2, dtype="<f4")], sample),
    "shuffle": ("int64", [numcodecs.Shuffle(elementsize=8)], sample),
    "astype": ("float64", [numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8")], sample),
    "bitround": ("float32", [numcodecs.BitRound(keepbits=8)], sample),
    "packbits": ("bool", [numcodecs.PackBits()], sample),
    "delta-shuffle": (
        "uint16",
        [numcodecs.Delta(dtype="<u2"), numcodecs.Shuffle(elementsize=2)],
        sample,
    ),
    "categorize": (
        "U5",
        [numcodecs.Categorize(labels=CATEGORIES, dtype="<U5", astype="u1")],
        labels,
    ),
}

V2_CASES = [
    case(
        f"{name}-{order}",
        dtype="float32" if i % 2 else "int32",
        fmt=2,
        order=order,
        compressors=make(),
        normalize=gzip_mtime_zeroed if name == "gzip" else None,
    )
    for i, (name, make) in enumerate(V2_COMPRESSORS.items())
    for order in ("C", "F")
]
V2_CASES += [
    case(
        f"filter-{name}-{order}",
        dtype=dt,
        fmt=2,
        order=order,
        filters=filters,
        compressors=numcodecs.Zlib(level=1),
        data=data,
    )
    for name, (dt, filters, data) in V2_FILTERS.items()
    for order in ("C", "F")
]
V2_CASES += [
    case("F-3d", dtype="float64", shape=(5, 6, 7), chunks=(2, 3, 4), fmt=2, order="F"),
    case("F-str", dtype=str, fmt=2, order="F"),
    case("F-U7", dtype="U7", fmt=2, order="F"),
    case("F-bigendian", dtype=">i4", fmt=2, order="F", compressors=None),
    case("compressors-list", dtype="int16", fmt=2, compressors=[numcodecs.Zstd(level=2)]),
]

FILL_CASES = [
    case(f"fill-{name}", dtype=dt, fill_value=fv, fmt=fmt)
    for fmt in (3, 2)
    for name, dt, fv in (
        ("nan-f4", "float32", float("nan")),
        ("nan-f8", "float64", np.nan),
        ("inf", "float64", np.inf),
        ("-inf", "float32", -np.inf),
        ("nan-f2", "float16", np.nan),
        ("int-7", "int16", 7),
        ("int-min", "int64", np.iinfo(np.int64).min),
        ("uint64-max", "uint64", 2**64 - 1),
        ("bool-true", "bool", True),
        ("complex", "complex128", 1.5 - 2j),
        ("complex-nan", "complex64", complex(np.nan, np.inf)),
        ("float-frac", "float32", 0.1),
        ("datetime", "datetime64[s]", np.datetime64("2001-02-03T04:05:06", "s")),
        ("timedelta", "timedelta64[ns]", np.timedelta64(12345, "ns")),
        ("S5", "S5", b"ab"),
        ("U7", "U7", "héllo"),
        ("str", str, "xyz"),
    )
]
FILL_CASES += [
    # a chunk holding only the fill value is not stored, also when that is NaT or NaN
    case("nat-only-chunk", dtype="datetime64[ns]", data=nat_last),
    case("nat-only-chunk", dtype="timedelta64[s]", data=nat_last, fmt=2),
    case("nan-only-chunk", dtype="float32", fill_value=np.nan, data=nan_last),
    case("nan-only-chunk", dtype="complex128", fill_value=np.nan, data=nan_last, fmt=2),
    case(
        "nan-only-chunk-shard",
        dtype="float64",
        fill_value=np.nan,
        data=nan_last,
        shape=(16, 12),
        chunks=(4, 3),
        shards=(8, 6),
    ),
    case(
        "nat-only-chunk-shard",
        dtype="datetime64[s]",
        data=nat_last,
        shape=(16, 12),
        chunks=(4, 3),
        shards=(8, 6),
    ),
]
FILL_CASES += [
    # v2 "fill_value": null: zarr writes it when fill_value=None is passed explicitly
    case(f"fill-null-{name}", dtype=dt, fmt=2, fill_value=None, sz={"fill_value": NULL_FILL})
    for name, dt in (
        ("int32", "int32"),
        ("float64", "float64"),
        ("bool", "bool"),
        ("str", str),
        ("U7", "U7"),
    )
]

LAYOUT_CASES = [
    case("1d-ragged", dtype="int32", shape=(30,), chunks=(7,)),
    case("1d-ragged", dtype="int32", shape=(30,), chunks=(7,), fmt=2),
    case("3d-ragged", dtype="float64", shape=(5, 6, 7), chunks=(2, 3, 4)),
    case("3d-ragged", dtype="float64", shape=(5, 6, 7), chunks=(2, 3, 4), fmt=2),
    case("chunks-1", dtype="uint8", shape=(3, 4), chunks=(1, 1)),
    case("chunk-larger-than-array", dtype="int64", chunks=(10, 20)),
    case("chunk-larger-than-array", dtype="int64", chunks=(10, 20), fmt=2),
    case("0d", dtype="float64", shape=(), chunks=()),
    case("0d", dtype="float64", shape=(), chunks=(), fmt=2),
    case("0d-str", dtype=str, shape=(), chunks=()),
    case(
        "0d-sharded",
        dtype="int32",
        shape=(),
        chunks=(),
        shards=(),
        zarr_cannot_write="zarr-python 3.1.6 raises IndexError writing a 0-d sharded array",
    ),
    case("zero-length", dtype="float32", shape=(0, 5), chunks=(2, 2)),
    case("zero-length", dtype="float32", shape=(0, 5), chunks=(2, 2), fmt=2),
    case("zero-length-1d", dtype="int8", shape=(0,), chunks=(3,)),
    case("zero-length-last", dtype="int8", shape=(4, 0), chunks=(3, 1), fmt=2),
    case(
        "key-default-slash", dtype="int16", chunk_key_encoding={"name": "default", "separator": "/"}
    ),
    case(
        "key-default-dot", dtype="int16", chunk_key_encoding={"name": "default", "separator": "."}
    ),
    case("key-v2-dot", dtype="int16", chunk_key_encoding={"name": "v2", "separator": "."}),
    case("key-v2-slash", dtype="int16", chunk_key_encoding={"name": "v2", "separator": "/"}),
    case("key-v2-dot", dtype="int16", fmt=2, chunk_key_encoding={"name": "v2", "separator": "."}),
    case("key-v2-slash", dtype="int16", fmt=2, chunk_key_encoding={"name": "v2", "separator": "/"}),
    case(
        "key-default-dot-0d",
        dtype="int16",
        shape=(),
        chunks=(),
        chunk_key_encoding={"name": "default", "separator": "."},
    ),
    case(
        "key-v2-slash-0d",
        dtype="int16",
        shape=(),
        chunks=(),
        fmt=2,
        chunk_key_encoding={"name": "v2", "separator": "/"},
    ),
    case(
        "attributes-dimnames",
        dtype="float32",
        attributes={"title": "é €", "n": 3, "nested": {"list": [1, 2.5, None, True]}},
        dimension_names=("y", "x"),
    ),
    case("dimnames-with-null", dtype="float32", dimension_names=("y", None)),
    case(
        "attributes",
        dtype="float32",
        fmt=2,
        attributes={"title": "é €", "n": 3, "nested": {"list": [1, 2.5, None, True]}},
    ),
    case("order-F", dtype="int32", order="F"),
    case("auto-chunks", dtype="float32", shape=(300, 200), chunks="auto"),
    case("auto-chunks", dtype="int16", shape=(300, 200), chunks="auto", fmt=2),
    case("auto-shards", dtype="uint8", shape=(90, 40), chunks=(5, 5), shards="auto"),
]

ALL_CASES = (
    DTYPE_CASES
    + V3_CODEC_CASES
    + V3_NUMCODECS_CASES
    + SHARDING_CASES
    + V2_CASES
    + FILL_CASES
    + LAYOUT_CASES
)

# --------------------------------------------------------------------------- writing


def write_regions(shape: tuple[int, ...]) -> list[tuple[slice, ...]]:
    """Two writes: about the first two thirds of every axis, and the very last element.

    On the grids used here this leaves whole chunks (and inner chunks of shards) unwritten
    and writes edge chunks partially.
    """
    if any(s == 0 for s in shape):
        return []
    if not shape:
        return [()]
    first = tuple(slice(0, max(1, math.ceil(2 * s / 3))) for s in shape)
    last = tuple(slice(s - 1, s) for s in shape)
    return [first, last]


def fill(array: Any, c: Case, dtype: np.dtype) -> None:
    for i, region in enumerate(write_regions(tuple(c.kwargs["shape"]))):
        shape = tuple(r.stop - r.start for r in region)
        array[region] = c.data(dtype, shape, seed=i)


@dataclass
class Written:
    zarr_dir: Path
    sz_dir: Path
    zarr_dtype: np.dtype
    sz_error: Exception | None = None  # simplezarr failed writing the data

    def check_sz_written(self) -> None:
        if self.sz_error is not None:
            raise self.sz_error


_CACHE: dict[str, Written] = {}


@pytest.fixture(scope="module")
def written_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interop")


def written(c: Case, root: Path) -> Written:
    """Both libraries' directories for a case, written once per test process."""
    if c.id in _CACHE and _CACHE[c.id].zarr_dir.is_relative_to(root):
        return _CACHE[c.id]
    base = root / c.id.replace("/", "_")
    zdir, sdir = base / "zarr", base / "simplezarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(store=str(zdir), **c.for_zarr())
        if c.write and not c.zarr_cannot_write:
            fill(z, c, z.dtype)
    s = ZarrArray.create(LocalStore(str(sdir)), "", **c.for_simplezarr())
    error = None
    if c.write:
        try:
            fill(s, c, z.dtype)  # the same data, in zarr's in-memory type
        except Exception as e:  # reported by the tests that need the data
            error = e
    _CACHE[c.id] = Written(zdir, sdir, z.dtype, error)
    return _CACHE[c.id]


# --------------------------------------------------------------------------- comparing


def selections(shape: tuple[int, ...]) -> list[Any]:
    """Basic selections: whole, ints (negative too), slices with steps of both signs."""
    out: list[Any] = [Ellipsis]
    if not shape:
        return [*out, ()]
    out.append(tuple(slice(None) for _ in shape))
    per_axis = [
        lambda n: slice(1, n - 1, 2),
        lambda n: slice(None, None, -1),
        lambda n: slice(n - 2, 0, -3),
        lambda n: slice(-1, None, -2),
        lambda n: slice(0, n + 100),  # clipped
        lambda n: slice(2, 2),  # empty
        lambda n: n // 2,
        lambda n: -1,
    ]
    for i in range(len(per_axis)):  # every axis gets every kind, in rotation
        out.append(tuple(per_axis[(i + k) % len(per_axis)](n) for k, n in enumerate(shape)))
    out.append(0)  # an int on the first axis only
    out.append((Ellipsis, -1))
    out.append(tuple(-1 for _ in shape))  # one element: a scalar
    out.append(tuple(n for n in shape))  # out of bounds
    return out


def _scalar_ok(value: Any, dtype: np.dtype) -> bool:
    if dtype.kind == "T":
        return type(value) is str
    if dtype.kind == "O":
        return type(value) is bytes
    if type(value) is not dtype.type:
        return False
    return dtype.kind not in "mM" or np.datetime_data(value.dtype) == np.datetime_data(dtype)


def assert_same(actual: Any, expected: Any, dtype: np.dtype, what: str = "") -> None:
    """Same dtype, shape and values: bit for bit for fixed-size types.

    Where one side is a scalar (a selection of one element) the other may be a scalar or a
    0-d array: simplezarr follows numpy and returns scalars, zarr-python returns 0-d arrays
    (and numpy itself a 0-d array for ``x[..., i]``). A scalar must still be of the array's
    type: a numpy scalar of the same dtype, ``str`` for strings, ``bytes`` for vlen bytes.
    """
    for value in (actual, expected):
        if isinstance(value, np.ndarray):
            assert value.dtype == dtype, f"{what}: dtype {value.dtype} != {dtype}"
        else:
            assert _scalar_ok(value, dtype), f"{what}: {type(value)} {value!r} for a {dtype}"
    if not isinstance(actual, np.ndarray) or not isinstance(expected, np.ndarray):
        assert np.ndim(actual) == np.ndim(expected) == 0, what
    actual, expected = np.asarray(actual, dtype=dtype), np.asarray(expected, dtype=dtype)
    assert actual.shape == expected.shape, what
    if expected.dtype.kind in "OT":
        assert actual.tolist() == expected.tolist(), what
    else:
        assert np.ascontiguousarray(actual).tobytes() == np.ascontiguousarray(expected).tobytes(), (
            f"{what}: {actual!r} != {expected!r}"
        )


def open_zarr_array(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return zarr.open_array(str(path), mode="r")


def zarr_read_all(path: Path) -> np.ndarray:
    """zarr's whole-array read as an array (zarr gives a scalar for 0-d arrays)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = open_zarr_array(path)
        return np.asarray(z[...], dtype=z.dtype)


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".simplezarr-lock"  # LocalStore's lock file: no key
    }


def chunk_files(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in files(root).items() if k.rsplit("/", 1)[-1] not in METADATA_NAMES}


def metadata_files(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in files(root).items() if k.rsplit("/", 1)[-1] in METADATA_NAMES}


def _json(data: bytes) -> Any:
    # NaN as a marker so documents with NaN compare equal
    return json.loads(data, parse_constant=lambda name: f"<{name}>")


# --------------------------------------------------------------------------- tests


def skip_old_zarr_bug(c: Case) -> None:
    if c.old_zarr_bug and ZARR_VERSION < (3, 4):
        pytest.skip(c.old_zarr_bug)


@pytest.mark.parametrize("c", ALL_CASES)
def test_zarr_writes_simplezarr_reads(c: Case, written_root: Path) -> None:
    w = written(c, written_root)
    z = open_zarr_array(w.zarr_dir)
    expected = zarr_read_all(w.zarr_dir)
    a = open_zarr(LocalStore(str(w.zarr_dir), read_only=True))
    assert isinstance(a, ZarrArray)
    assert a.shape == z.shape == expected.shape
    assert a.dtype == z.dtype
    assert a.chunks == z.chunks
    assert a.shards == z.shards
    assert a.attrs.asdict() == z.attrs.asdict()
    if z.fill_value is None:  # v2 "fill_value": null
        assert a.fill_value is None
    else:
        assert_same(a.fill_value, z.fill_value, z.dtype, "fill_value")
    for sel in selections(a.shape):
        try:
            want = expected[sel]
        except IndexError:
            with pytest.raises(IndexError):
                a[sel]
            continue
        assert_same(a[sel], want, expected.dtype, f"selection {sel!r}")


@pytest.mark.parametrize("c", ALL_CASES)
def test_simplezarr_writes_zarr_reads(c: Case, written_root: Path) -> None:
    skip_old_zarr_bug(c)
    w = written(c, written_root)
    w.check_sz_written()
    ours, theirs = open_zarr_array(w.sz_dir), open_zarr_array(w.zarr_dir)
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    assert ours.chunks == theirs.chunks
    assert ours.shards == theirs.shards
    assert ours.order == theirs.order
    assert ours.attrs.asdict() == theirs.attrs.asdict()
    assert ours.metadata.zarr_format == theirs.metadata.zarr_format
    if c.kwargs["zarr_format"] == 3:
        assert ours.metadata.dimension_names == theirs.metadata.dimension_names
    if theirs.fill_value is None:  # v2 "fill_value": null
        assert ours.fill_value is None
    else:
        assert_same(ours.fill_value, theirs.fill_value, theirs.dtype, "fill_value")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = theirs[...]
        if c.zarr_cannot_write:  # zarr's array holds only fill: add the data in numpy
            expected = np.array(expected, dtype=theirs.dtype)
            for i, region in enumerate(write_regions(theirs.shape)):
                shape = tuple(r.stop - r.start for r in region)
                expected[region] = c.data(theirs.dtype, shape, seed=i)
        assert_same(ours[...], expected, theirs.dtype, "whole array")


@pytest.mark.parametrize("c", ALL_CASES)
def test_same_metadata_documents(c: Case, written_root: Path) -> None:
    w = written(c, written_root)
    ours, theirs = metadata_files(w.sz_dir), metadata_files(w.zarr_dir)
    # both libraries write a v2 .zattrs, "{}" when there are no attributes
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        assert _json(ours[key]) == _json(theirs[key]), key


def shard_levels(document: dict[str, Any]) -> list[tuple[int, str]]:
    """(inner chunks per shard, index location) for each sharding level of a v3 array whose
    only codec is sharding_indexed (nested through the inner codecs); [] otherwise."""
    if document.get("zarr_format") != 3:
        return []
    levels = []
    shape = document["chunk_grid"]["configuration"]["chunk_shape"]
    codecs = document["codecs"]
    while len(codecs) == 1 and codecs[0]["name"] == "sharding_indexed":
        cfg = codecs[0]["configuration"]
        assert cfg["index_codecs"] == [
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "crc32c"},
        ]
        inner = cfg["chunk_shape"]
        levels.append((math.prod(s // i for s, i in zip(shape, inner)), cfg["index_location"]))
        shape, codecs = inner, cfg["codecs"]
    return levels


def shard_parts(data: bytes, levels: list[tuple[int, str]], normalize: Any) -> Any:
    """A shard as its inner chunks in C order (None for a missing one), recursively."""
    if not levels:
        return normalize(data) if normalize else data
    n, location = levels[0]
    size = 16 * n + 4
    index = data[:size] if location == "start" else data[len(data) - size :]
    assert crc32c.crc32c(index[:-4]).to_bytes(4, "little") == index[-4:], "bad index checksum"
    entries = np.frombuffer(index[:-4], dtype="<u8").reshape(n, 2).tolist()
    return [
        None
        if offset == 2**64 - 1
        else shard_parts(data[offset : offset + nbytes], levels[1:], normalize)
        for offset, nbytes in entries
    ]


@pytest.mark.parametrize("c", ALL_CASES)
def test_same_chunk_bytes(c: Case, written_root: Path) -> None:
    """The same chunk keys with the same bytes (after ``c.normalize`` where a difference is
    legitimate). Shards are first compared inner chunk by inner chunk, then as a whole:
    the order of inner chunks in a shard is part of the bytes."""
    if c.zarr_cannot_write:
        pytest.skip(c.zarr_cannot_write)
    skip_old_zarr_bug(c)
    w = written(c, written_root)
    w.check_sz_written()
    ours, theirs = chunk_files(w.sz_dir), chunk_files(w.zarr_dir)
    assert sorted(ours) == sorted(theirs)
    levels = (
        shard_levels(_json(metadata_files(w.zarr_dir)["zarr.json"]))
        if (c.kwargs["zarr_format"] == 3)
        else []
    )
    for key in theirs:
        if levels:
            assert shard_parts(ours[key], levels, c.normalize) == shard_parts(
                theirs[key], levels, c.normalize
            ), f"{key}: the inner chunks differ"
        elif c.normalize is not None:
            assert c.normalize(ours[key]) == c.normalize(theirs[key]), key
    if c.normalize is None:
        for key in theirs:
            assert ours[key] == theirs[key], f"{key}: bytes differ" + (
                " (same inner chunks, in another order or place: "
                "zarr-python writes them in Morton order)"
                if levels
                else ""
            )


# --------------------------------------------------------------------------- groups

GROUP_ATTRS = {"title": "root é", "version": 2, "nested": {"a": [1, None, 2.5]}}


def build_tree_zarr(path: Path, fmt: int) -> None:
    """A nested hierarchy written by zarr-python (the same as :func:`build_tree_simplezarr`).

    For v2, ``Group.create_array`` defaults to blosc and ``zarr.create_array`` to zstd, in
    both libraries; each entry point is used the same way on both sides.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = zarr.open_group(str(path), mode="w", zarr_format=fmt, attributes=GROUP_ATTRS)
        a = root.create_group("a", attributes={"level": 1})
        b = a.create_group("b")
        b.create_group("empty")
        x = b.create_array(
            "x",
            shape=(5, 4),
            dtype="int16",
            chunks=(2, 3),
            fill_value=-1,
            attributes={"units": "m"},
            compressors=None,
        )
        x[1:4, :] = np.arange(12, dtype="int16").reshape(3, 4)
        y = root.create_array("y", shape=(3,), dtype="float32", chunks=(2,), compressors=None)
        y[:] = [1.5, 2.5, 3.5]
        # a new array deep below: its missing parent groups are created
        z = zarr.create_array(
            str(path), name="deep/er/z", shape=(2,), dtype="uint8", chunks=(2,), zarr_format=fmt
        )
        z[:] = [7, 8]


def build_tree_simplezarr(path: Path, fmt: int) -> None:
    root = ZarrGroup.create(LocalStore(str(path)), attributes=GROUP_ATTRS, zarr_format=fmt)
    a = root.create_group("a", attributes={"level": 1})
    b = a.create_group("b")
    b.create_group("empty")
    x = b.create_array(
        "x",
        shape=(5, 4),
        dtype="int16",
        chunks=(2, 3),
        fill_value=-1,
        attributes={"units": "m"},
        compressors=None,
    )
    x[1:4, :] = np.arange(12, dtype="int16").reshape(3, 4)
    y = root.create_array("y", shape=(3,), dtype="float32", chunks=(2,), compressors=None)
    y[:] = [1.5, 2.5, 3.5]
    z = simplezarr.create_array(
        root.store, name="deep/er/z", shape=(2,), dtype="uint8", chunks=(2,), zarr_format=fmt
    )
    z[:] = [7, 8]


EXPECTED_TREE = {
    "": ("group", GROUP_ATTRS),
    "a": ("group", {"level": 1}),
    "a/b": ("group", {}),
    "a/b/empty": ("group", {}),
    "a/b/x": ("array", {"units": "m"}),
    "y": ("array", {}),
    "deep": ("group", {}),
    "deep/er": ("group", {}),
    "deep/er/z": ("array", {}),
}


def walk_simplezarr(group: ZarrGroup, out: dict[str, Any]) -> None:
    for name, node in group.members():
        assert node.basename == name
        out[node.path] = node
        if isinstance(node, ZarrGroup):
            walk_simplezarr(node, out)


@pytest.mark.parametrize("fmt", [3, 2], ids=["v3", "v2"])
def test_groups_zarr_writes_simplezarr_reads(fmt: int, tmp_path: Path) -> None:
    build_tree_zarr(tmp_path, fmt)
    root = open_zarr(LocalStore(str(tmp_path), read_only=True))
    assert isinstance(root, ZarrGroup)
    assert root.zarr_format == fmt
    nodes: dict[str, Any] = {"": root}
    walk_simplezarr(root, nodes)
    assert sorted(nodes) == sorted(EXPECTED_TREE)
    for path, (kind, attrs) in EXPECTED_TREE.items():
        node = nodes[path]
        assert isinstance(node, ZarrGroup if kind == "group" else ZarrArray), path
        assert node.attrs.asdict() == attrs, path
        assert root[path] == node if path else True
    assert root.keys() == ["a", "deep", "y"]
    assert root["a"].keys() == ["b"]
    assert sorted(root["a/b"].keys()) == ["empty", "x"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zroot = zarr.open_group(str(tmp_path), mode="r")
        for path in ("a/b/x", "y", "deep/er/z"):
            assert_same(root[path][...], zroot[path][...], zroot[path].dtype, path)


@pytest.mark.parametrize("fmt", [3, 2], ids=["v3", "v2"])
def test_groups_simplezarr_writes_zarr_reads(fmt: int, tmp_path: Path) -> None:
    build_tree_simplezarr(tmp_path / "ours", fmt)
    build_tree_zarr(tmp_path / "theirs", fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = zarr.open_group(str(tmp_path / "ours"), mode="r")
        theirs = zarr.open_group(str(tmp_path / "theirs"), mode="r")
        assert ours.metadata.zarr_format == fmt
        ours_members = dict(ours.members(max_depth=None))
        theirs_members = dict(theirs.members(max_depth=None))
        assert sorted(ours_members) == sorted(theirs_members) == sorted(EXPECTED_TREE)[1:]
        assert ours.attrs.asdict() == GROUP_ATTRS
        for path, node in theirs_members.items():
            mine = ours_members[path]
            assert type(mine) is type(node), path
            assert mine.attrs.asdict() == node.attrs.asdict(), path
            if isinstance(node, zarr.Array):
                assert_same(mine[...], node[...], node.dtype, path)
    # and the same metadata documents, group documents included
    ours_docs = metadata_files(tmp_path / "ours")
    theirs_docs = metadata_files(tmp_path / "theirs")
    assert sorted(ours_docs) == sorted(theirs_docs)
    for key in theirs_docs:
        assert _json(ours_docs[key]) == _json(theirs_docs[key]), key
    assert chunk_files(tmp_path / "ours") == chunk_files(tmp_path / "theirs")
