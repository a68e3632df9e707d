"""Round trips against a numpy model: every dtype x codec x format x chunk/shard layout."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import LocalStore, MemoryStore
from tests.store_helpers import NUMERIC_DTYPES

NUMERIC = NUMERIC_DTYPES

V3_COMPRESSORS = [
    None,
    {"name": "gzip", "configuration": {"level": 1}},
    {"name": "zstd", "configuration": {"level": 3, "checksum": True}},
    {
        "name": "blosc",
        "configuration": {
            "cname": "lz4",
            "clevel": 5,
            "shuffle": "shuffle",
            "typesize": 4,
            "blocksize": 0,
        },
    },
    {"name": "crc32c"},
]

V2_COMPRESSORS = [
    None,
    {"id": "zlib", "level": 1},
    {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
    {"id": "zstd", "level": 1},
    {"id": "gzip", "level": 1},
    {"id": "bz2", "level": 1},
    {"id": "lzma"},
]

#: More examples for a deep run (tests/deep): SIMPLEZARR_ROUNDTRIP_EXAMPLES=5000
EXAMPLES = int(os.environ.get("SIMPLEZARR_ROUNDTRIP_EXAMPLES", "200"))


def sample(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
    if dt.kind == "f":
        return rng.standard_normal(shape).astype(dt)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)


@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("compressor", range(len(V3_COMPRESSORS)))
def test_v3_dtypes_and_codecs(dtype: str, compressor: int) -> None:
    data = sample(dtype, (7, 9))
    root = ZarrGroup.create(MemoryStore())
    comp = V3_COMPRESSORS[compressor]
    a = root.create_array(
        "a", shape=data.shape, dtype=dtype, chunks=(3, 4), compressors=[comp] if comp else None
    )
    a[...] = data
    back = open_zarr(root.store)["a"]
    assert back.dtype == data.dtype
    np.testing.assert_array_equal(back[...], data)


@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("compressor", range(len(V2_COMPRESSORS)))
@pytest.mark.parametrize("order", ["C", "F"])
def test_v2_dtypes_and_codecs(dtype: str, compressor: int, order: str) -> None:
    data = sample(dtype, (7, 9))
    root = ZarrGroup.create(MemoryStore(), zarr_format=2)
    a = root.create_array(
        "a",
        shape=data.shape,
        dtype=dtype,
        chunks=(3, 4),
        order=order,
        compressors=V2_COMPRESSORS[compressor],
    )
    a[...] = data
    np.testing.assert_array_equal(open_zarr(root.store)["a"][...], data)


@pytest.mark.parametrize("dtype", [">i2", ">f8", ">c16", ">u4"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_big_endian(dtype: str, zarr_format: int) -> None:
    data = sample(dtype.replace(">", "<"), (5, 6))
    root = ZarrGroup.create(MemoryStore(), zarr_format=zarr_format)
    kwargs = (
        {"serializer": {"name": "bytes", "configuration": {"endian": "big"}}}
        if zarr_format == 3
        else {}
    )
    a = root.create_array("a", shape=data.shape, dtype=dtype, chunks=(2, 4), **kwargs)
    a[...] = data
    np.testing.assert_array_equal(open_zarr(root.store)["a"][...], data)


def test_transpose_and_sharding_nested(tmp_path) -> None:
    data = sample("int32", (16, 12, 8))
    store = LocalStore(tmp_path / "t.zarr")
    inner = {
        "name": "sharding_indexed",
        "configuration": {
            "chunk_shape": [2, 2, 3],
            "codecs": [{"name": "bytes"}, {"name": "gzip"}],
            "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}],
            "index_location": "start",
        },
    }
    a = ZarrArray.create(
        store,
        "a",
        shape=data.shape,
        dtype="int32",
        chunks=(4, 6, 4),
        shards=(8, 12, 8),
        filters=[{"name": "transpose", "configuration": {"order": [2, 0, 1]}}],
        serializer=inner,
        compressors=None,
    )
    a[...] = data
    np.testing.assert_array_equal(open_zarr(store, "a")[...], data)
    np.testing.assert_array_equal(open_zarr(store, "a")[3:11, ::-5, 1], data[3:11, ::-5, 1])


@st.composite
def layouts(draw):
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0, 9)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 5)) for _ in range(ndim))
    sharded = ndim > 0 and draw(st.booleans())
    shards = tuple(c * draw(st.integers(1, 3)) for c in chunks) if sharded else None
    zarr_format = 3 if sharded else draw(st.sampled_from([2, 3]))
    return shape, chunks, shards, zarr_format


def selections(shape):
    items = []
    for n in shape:
        ints = st.integers(-n, n - 1) if n else st.nothing()
        bound = st.none() | st.integers(-n - 2, n + 2)
        step = st.none() | st.integers(-3, 3).filter(bool)
        items.append(ints | st.builds(slice, bound, bound, step))
    return st.tuples(*items)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), data=st.data())
def test_random_writes_then_reads_match_numpy(layout, data) -> None:
    shape, chunks, shards, zarr_format = layout
    store = MemoryStore()
    fill = data.draw(st.sampled_from([0, -1, 7]))
    # default codecs (zstd: partial reads decode a prefix), none (partial reads fetch a byte
    # window), big-endian raw bytes, and a checksum (partial reads decode everything)
    compressors = data.draw(st.sampled_from(["auto", None, "crc32c"]))
    kwargs = {}
    if compressors is None:
        kwargs = {"compressors": None}
        if zarr_format == 3 and data.draw(st.booleans()):
            kwargs["serializer"] = {"name": "bytes", "configuration": {"endian": "big"}}
    elif compressors == "crc32c" and zarr_format == 3:
        kwargs = {
            "compressors": [
                {"name": "zstd", "configuration": {"level": 1, "checksum": True}},
                {"name": "crc32c"},
            ]
        }
    a = ZarrArray.create(
        store,
        "x",
        shape=shape,
        dtype="int16",
        chunks=chunks,
        shards=shards,
        fill_value=fill,
        zarr_format=zarr_format,
        **kwargs,
    )
    model = np.full(shape, fill, dtype="int16")
    for i in range(3):
        sel = data.draw(selections(shape))
        value = np.arange(model[sel].size, dtype="int16").reshape(model[sel].shape) + i
        a[sel] = value
        model[sel] = value
        read_sel = data.draw(selections(shape))
        np.testing.assert_array_equal(np.asarray(a[read_sel]), model[read_sel])
    np.testing.assert_array_equal(open_zarr(store, "x")[...], model)
    # a chunk is stored exactly when it holds something other than the fill value
    keys = set(store.list())
    for coords in a._io.grid.all_chunk_coords():
        region = a._io.grid.chunk_region(coords)
        assert (a._io.key(coords) in keys) == (not (model[region] == fill).all()), coords


TEXT_AND_TIME = {
    "S5": np.array([b"ab", b"", b"hello", b"x\x00y"] * 3, dtype="S5"),
    "U7": np.array(["ab", "", "héllo", "日本語"] * 3, dtype="U7"),
    "M8[ns]": np.array(
        ["2001-01-01", "NaT", "1970-01-01T00:00:01", "2262-01-01"] * 3, dtype="M8[ns]"
    ),
    "M8[s]": np.array(["2001-01-01", "NaT", "1900-01-01", "2500-06-01"] * 3, dtype="M8[s]"),
    "m8[ms]": np.array([0, 1, -5, "NaT"] * 3, dtype="m8[ms]"),
}


@pytest.mark.parametrize("dtype", sorted(TEXT_AND_TIME))
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_fixed_width_text_and_time(dtype: str, zarr_format: int) -> None:
    data = TEXT_AND_TIME[dtype].reshape(3, 4)
    root = ZarrGroup.create(MemoryStore(), zarr_format=zarr_format)
    a = root.create_array("a", shape=data.shape, dtype=dtype, chunks=(2, 3))
    a[...] = data
    back = open_zarr(root.store)["a"]
    assert back.dtype == data.dtype
    np.testing.assert_array_equal(back[...], data)
    np.testing.assert_array_equal(back[1:, ::-2], data[1:, ::-2])


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_variable_length_strings(zarr_format: int) -> None:
    values = ["", "a", "héllo wörld", "日本語", "x" * 1000, "tab\tnew\nline"]
    root = ZarrGroup.create(MemoryStore(), zarr_format=zarr_format)
    a = root.create_array("s", shape=(6,), dtype=str, chunks=(4,))
    a[...] = values
    a[5] = "changed"
    back = open_zarr(root.store)["s"]
    assert back[...].tolist() == values[:5] + ["changed"]
    assert back[::-1].tolist() == (values[:5] + ["changed"])[::-1]


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_variable_length_bytes(zarr_format: int) -> None:
    values = np.array([b"", b"\x00\xff", b"abc" * 50, b"z"], dtype=object)
    root = ZarrGroup.create(MemoryStore(), zarr_format=zarr_format)
    a = root.create_array("b", shape=(4,), dtype=bytes, chunks=(3,))
    a[...] = values
    assert open_zarr(root.store)["b"][...].tolist() == values.tolist()


def test_raw_bits_and_hex_fill() -> None:
    store = MemoryStore()
    a = ZarrArray.create(store, "r", shape=(5,), dtype="r16", chunks=(2,))
    data = np.array([b"\x01\x02", b"\xff\xfe", b"\x00\x00", b"ab", b"cd"], dtype="V2")
    a[...] = data
    assert open_zarr(store, "r")[...].tobytes() == data.tobytes()
    f = ZarrArray.create(store, "f", shape=(3,), dtype="float32", fill_value=float("-inf"))
    assert f[...].tolist() == [float("-inf")] * 3


@pytest.mark.parametrize("kind", ["str", "bytes", "int32", "structured"])
@pytest.mark.parametrize(("zarr_format", "order"), [(3, None), (2, "C"), (2, "F")])
def test_fortran_ordered_values_are_written_in_index_order(
    kind: str, zarr_format: int, order: str | None
) -> None:
    """A value's memory layout never changes what is stored (numcodecs' vlen encoders walk
    memory: an F-ordered string array was stored transposed)."""
    base = np.arange(6).reshape(2, 3)
    if kind == "str":
        values = base.astype(str).astype(object)
        dtype: object = str
    elif kind == "bytes":
        values = np.array([[str(x).encode() for x in row] for row in base], dtype=object)
        dtype = bytes
    elif kind == "structured":
        dtype = np.dtype([("a", "<i2"), ("b", "<f4")])
        values = np.zeros((2, 3), dtype=dtype)
        values["a"], values["b"] = base, base / 2
    else:
        values, dtype = base.astype(kind), kind
    store = MemoryStore()
    whole = ZarrArray.create(
        store, "w", shape=(2, 3), dtype=dtype, chunks=(2, 3), zarr_format=zarr_format, order=order
    )
    whole[...] = np.asfortranarray(values)
    part = ZarrArray.create(
        store, "p", shape=(4, 6), dtype=dtype, chunks=(2, 3), zarr_format=zarr_format, order=order
    )
    part[1:3, 2:5] = np.asfortranarray(values)
    assert whole[...].tolist() == values.tolist()
    assert part[1:3, 2:5].tolist() == values.tolist()
