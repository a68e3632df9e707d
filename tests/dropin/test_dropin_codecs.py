"""zarr.codecs as zarr-python users write it: enums, keyword constructors, defaults, and the
zarr.codecs.numcodecs classes, run against both libraries."""

from __future__ import annotations

import json
from types import ModuleType

import numpy as np
import pytest

from tests.dropin.conftest import both, raised


def _roundtrip(lib: ModuleType, **codecs: object) -> tuple[list[int], list[dict[str, object]]]:
    codecs.setdefault("chunks", (16, 16))
    a = lib.create_array({}, shape=(64, 64), dtype="int32", **codecs)
    data = np.arange(64 * 64, dtype="int32").reshape(64, 64) % 97
    a[:] = data
    assert np.array_equal(a[:], data)
    return a[3, :5].tolist(), json.loads(json.dumps(a.metadata.to_dict()["codecs"]))


def test_quick_start_blosc_with_enum_shuffle() -> None:
    def run(lib: ModuleType) -> object:
        codec = lib.codecs.BloscCodec(
            cname="zstd", clevel=3, shuffle=lib.codecs.BloscShuffle.shuffle
        )
        return _roundtrip(lib, compressors=codec)

    theirs, ours = both(run)
    assert ours == theirs


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.BloscCodec(cname=c.BloscCname.lz4, shuffle=c.BloscShuffle.bitshuffle),
        lambda c: c.BloscCodec(cname="zlib", clevel=1, shuffle="noshuffle", typesize=4),
        lambda c: c.ZstdCodec(level=3, checksum=True),
        lambda c: c.GzipCodec(level=1),
    ],
)
def test_compressor_constructors(make: object) -> None:
    theirs, ours = both(lambda lib: _roundtrip(lib, compressors=make(lib.codecs)))  # type: ignore[operator]
    assert ours == theirs


def test_bytes_codec_endian_enum() -> None:
    theirs, ours = both(
        lambda lib: _roundtrip(lib, serializer=lib.codecs.BytesCodec(endian=lib.codecs.Endian.big))
    )
    assert ours == theirs


def test_sharding_codec_defaults() -> None:
    def run(lib: ModuleType) -> object:
        c = lib.codecs.ShardingCodec(chunk_shape=(32, 32))
        return json.loads(json.dumps(c.to_dict())), _roundtrip(
            lib, serializer=c, compressors=None, chunks=(64, 64)
        )

    theirs, ours = both(run)
    assert ours == theirs


def test_sharding_codec_index_location_enum() -> None:
    def run(lib: ModuleType) -> object:
        c = lib.codecs
        sharding = c.ShardingCodec(
            chunk_shape=[8, 8],
            codecs=[c.BytesCodec(), c.ZstdCodec()],
            index_location=c.ShardingCodecIndexLocation.start,
        )
        return json.loads(json.dumps(sharding.to_dict()))

    theirs, ours = both(run)
    assert ours == theirs


def test_codec_constructors_are_keyword_only() -> None:
    def run(lib: ModuleType) -> object:
        c = lib.codecs
        return [
            raised(lambda: c.GzipCodec(3)),
            raised(lambda: c.ZstdCodec(3)),
            raised(lambda: c.BytesCodec("big")),
            raised(lambda: c.ShardingCodec((2, 2))),
        ]

    theirs, ours = both(run)
    assert theirs == [TypeError] * 4
    assert ours == theirs


@pytest.mark.parametrize(
    ("name", "config", "where"),
    [
        ("Delta", {"dtype": "i4"}, "filters"),
        ("LZMA", {"preset": 1}, "compressors"),
        ("BZ2", {"level": 2}, "compressors"),
        ("Zlib", {"level": 1}, "compressors"),
        ("CRC32", {}, "compressors"),
        ("FixedScaleOffset", {"offset": 0, "scale": 1, "dtype": "i4"}, "filters"),
    ],
)
def test_numcodecs_namespace(name: str, config: dict[str, object], where: str) -> None:
    def run(lib: ModuleType) -> object:
        codec = getattr(lib.codecs.numcodecs, name)(**config)
        return json.loads(json.dumps(codec.to_dict())), _roundtrip(lib, **{where: [codec]})

    theirs, ours = both(run)
    assert ours == theirs


def test_numcodecs_namespace_names() -> None:
    import zarr.codecs.numcodecs as theirs

    import simplezarr.codecs.numcodecs as ours

    public = {n for n in theirs.__all__ if not n.startswith("_")}
    assert public <= set(dir(ours))


def test_numcodecs_codecs_read_back_as_the_classes_given() -> None:
    def run(lib: ModuleType) -> object:
        n = lib.codecs.numcodecs
        a = lib.create_array({}, shape=(8,), dtype="i4", filters=[n.Delta(dtype="i4")])
        b = lib.open_array(a.store, mode="r")
        return type(b.filters[0]).__name__, b.filters[0] == n.Delta(dtype="i4")

    theirs, ours = both(run)
    assert ours == theirs == ("Delta", True)
