"""The same reads and writes through zarr-python's default pipeline and simplezarr's give
identical values and identical stored bytes, over data types x codecs x layouts."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pipeline.pipelines import DEFAULT, OURS, pipeline, stored

zarr = pytest.importorskip("zarr")

DTYPES = ["int8", "uint16", "int32", "int64", "float32", "float64", "complex64", "bool", "M8[ns]"]
SHAPE, CHUNKS = (11, 9), (4, 3)


def _data(dtype: str, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    n = int(np.prod(shape))
    if dtype == "bool":
        return (np.arange(n) % 3 == 0).reshape(shape)
    if dtype.startswith("M8"):
        return np.arange(n).astype("M8[ns]").reshape(shape)
    if dtype == "str":
        return np.array([f"s{i}" * (i % 4) for i in range(n)], dtype=object).reshape(shape)
    return (np.arange(n) % 120).astype(dtype).reshape(shape)


def _exercise(path: str, **kwargs: object) -> tuple[dict[str, bytes], list[np.ndarray]]:
    """Create an array with pipeline ``path``, write whole / partial / orthogonal / points
    selections and read them back; the stored bytes and every read."""
    store = zarr.storage.MemoryStore()
    dtype = str(kwargs.pop("dtype"))
    with pipeline(path):
        a = zarr.create_array(store, shape=SHAPE, chunks=CHUNKS, dtype=dtype, **kwargs)  # type: ignore[arg-type]
        data = _data(dtype)
        reads = [a[...]]
        a[...] = data
        reads.append(a[...])
        a[2:7, 1:8:2] = data[:5, :4]
        a.oindex[[0, 5, 10], 4] = data[0, :3]
        a.vindex[[1, 3, 9], [0, 8, 2]] = data[1, :3]
        a[5:9, 0:3] = data[0, 0]  # a scalar over a whole chunk
        reads += [a[...], a[3], a[1:10:3, ::2], a.oindex[[9, 0, 4], 3:5], a.vindex[[8, 1], [7, 2]]]
        reads += [a.blocks[0, 0], a[4:8, 3:6], a.oindex[[9, 0, 4], 3], a.oindex[2, [8, 1, 1]]]
        a.oindex[[7, 2], 5] = data[3, :2]  # unsorted, an integer axis dropped
        reads.append(a[...])
        # Reopen: the reads go through a pipeline built from stored metadata.
        b = zarr.open_array(store, mode="r")
        reads.append(b[...])
    return stored(store), reads


def _comparable(value: bytes) -> bytes:
    # numcodecs' gzip stamps the time into the header (bytes 4-8); simplezarr writes 0, so
    # its bytes are reproducible. Everything else must match byte for byte.
    if value[:2] == b"\x1f\x8b":
        return value[:4] + b"\0\0\0\0" + value[8:]
    return value


def _same(dtype: str, **kwargs: object) -> None:
    ours_bytes, ours_reads = _exercise(OURS, dtype=dtype, **kwargs)
    ref_bytes, ref_reads = _exercise(DEFAULT, dtype=dtype, **kwargs)
    assert ours_bytes.keys() == ref_bytes.keys()
    for key, value in ref_bytes.items():
        assert _comparable(ours_bytes[key]) == _comparable(value), key
    for ours, ref in zip(ours_reads, ref_reads, strict=True):
        assert np.asarray(ours).dtype == np.asarray(ref).dtype
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_dtypes_default_codecs(dtype: str, zarr_format: int) -> None:
    _same(dtype, zarr_format=zarr_format)


@pytest.mark.parametrize("dtype", ["int16", "float64"])
@pytest.mark.parametrize(
    "compressors",
    [
        None,
        {"name": "gzip", "configuration": {"level": 3}},
        {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5, "shuffle": "shuffle"}},
        {"name": "zstd", "configuration": {"level": 3, "checksum": True}},
        {"name": "crc32c"},
    ],
    ids=["none", "gzip", "blosc", "zstd", "crc32c"],
)
def test_v3_codecs(dtype: str, compressors: object) -> None:
    _same(dtype, zarr_format=3, compressors=compressors)


@pytest.mark.parametrize("compressor", [None, "gzip", "blosc", "zlib"])
def test_v2_compressors(compressor: str | None) -> None:
    import numcodecs

    codec = {
        None: None,
        "gzip": numcodecs.GZip(level=1),
        "blosc": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
        "zlib": numcodecs.Zlib(level=2),
    }[compressor]
    _same("int32", zarr_format=2, compressors=codec)


def test_v2_filters_and_big_endian() -> None:
    import numcodecs

    _same(">i4", zarr_format=2, filters=[numcodecs.Delta(dtype=">i4")])


def test_v3_transpose_filter() -> None:
    _same(
        "uint16", zarr_format=3, filters=[{"name": "transpose", "configuration": {"order": [1, 0]}}]
    )


@pytest.mark.parametrize("dtype", ["int32", "float32", "str"])
@pytest.mark.parametrize("shards", [(8, 6), (12, 9)])
def test_sharded(dtype: str, shards: tuple[int, int]) -> None:
    _same(dtype, zarr_format=3, shards=shards)


def test_sharded_crc32c_index_and_compression() -> None:
    _same(
        "int64",
        zarr_format=3,
        shards=(8, 6),
        compressors={"name": "zstd", "configuration": {"level": 1, "checksum": False}},
    )


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_strings(zarr_format: int) -> None:
    _same("str", zarr_format=zarr_format)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("write_empty_chunks", [True, False])
def test_fill_value_and_write_empty_chunks(zarr_format: int, write_empty_chunks: bool) -> None:
    _same(
        "float32",
        zarr_format=zarr_format,
        fill_value=-1.5,
        config={"write_empty_chunks": write_empty_chunks},
    )


def test_nan_fill_value() -> None:
    _same("float64", zarr_format=3, fill_value=np.nan)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_f_order(zarr_format: int) -> None:
    if zarr_format == 2:
        _same("int32", zarr_format=2, order="F")
    else:
        _same("int32", zarr_format=3, config={"order": "F"})


def test_zero_dimensional() -> None:
    for path in (OURS, DEFAULT):
        with pipeline(path):
            a = zarr.create_array({}, shape=(), dtype="int16", fill_value=3)
            assert a[()] == 3
            a[()] = 7
            assert a[()] == 7


def test_structured_dtype() -> None:
    dt = np.dtype([("x", "i4"), ("y", "f8")])
    results = []
    for path in (OURS, DEFAULT):
        with pipeline(path):
            store = zarr.storage.MemoryStore()
            a = zarr.create_array(store, shape=(5,), chunks=(2,), dtype=dt, zarr_format=2)
            a[1:4] = np.array([(1, 1.5), (2, 2.5), (3, 3.5)], dtype=dt)
            results.append((stored(store), a[...]))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_reads_what_the_default_pipeline_wrote() -> None:
    store = zarr.storage.MemoryStore()
    data = _data("float32")
    with pipeline(DEFAULT):
        zarr.create_array(store, name="p", shape=SHAPE, chunks=CHUNKS, dtype="f4")[...] = data
        zarr.create_array(store, name="s", shape=SHAPE, chunks=(2, 3), shards=(4, 9), dtype="f4")[
            ...
        ] = data
    with pipeline(OURS):
        for name in ("p", "s"):
            a = zarr.open_array(store, path=name)
            assert type(a._async_array.codec_pipeline).__name__ == "ZarrCodecPipeline"
            np.testing.assert_array_equal(a[...], data)


def test_out_buffer() -> None:
    with pipeline(OURS):
        a = zarr.create_array({}, shape=(6,), chunks=(4,), dtype="i4")
        a[...] = np.arange(6)
        out = zarr.core.buffer.default_buffer_prototype().nd_buffer.from_numpy_array(
            np.zeros(3, dtype="i4")
        )
        a.get_basic_selection(slice(2, 5), out=out)
        assert out.as_numpy_array().tolist() == [2, 3, 4]
