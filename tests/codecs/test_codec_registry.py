"""The codec registry: names, JSON parsing and validation, entry points, numcodecs names."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

pytest.importorskip("zarr", reason="these tests compare with zarr-python")
import zarr
import zarr.codecs
import zarr.codecs.numcodecs as zn

from simplezarr.codecs import registry
from simplezarr.codecs.base import BytesBytesCodec
from simplezarr.codecs.registry import codec_from_json, get_codec_class, register_codec
from simplezarr.errors import InvalidMetadata, UnknownCodec

BUILTIN_KINDS = {
    "bytes": "array_bytes",
    "endian": "array_bytes",
    "transpose": "array_array",
    "gzip": "bytes_bytes",
    "zstd": "bytes_bytes",
    "blosc": "bytes_bytes",
    "crc32c": "bytes_bytes",
    "vlen-utf8": "array_bytes",
    "vlen-bytes": "array_bytes",
    "sharding_indexed": "array_bytes",
}


@pytest.mark.parametrize("name", sorted(BUILTIN_KINDS))
def test_builtin_names(name: str) -> None:
    cls = get_codec_class(name)
    assert cls.kind == BUILTIN_KINDS[name]
    assert name in registry.known_codec_names()


def test_unknown_codec_names_it_and_lists_known() -> None:
    with pytest.raises(UnknownCodec) as e:
        get_codec_class("no-such-codec")
    msg = str(e.value)
    assert "'no-such-codec'" in msg and "gzip" in msg and "bytes" in msg
    assert isinstance(e.value, InvalidMetadata)  # UnknownCodec is an InvalidMetadata


class _FakeEntryPoint:
    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self.target = target
        self.loads = 0

    def load(self) -> Any:
        self.loads += 1
        return self.target


@dataclass(frozen=True)
class PluginCodec(BytesBytesCodec):
    name: ClassVar[str] = "test.plugin"

    def encode(self, data: Any) -> Any:
        return data

    def decode(self, data: Any, max_size: int | None) -> Any:
        return data


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registry", dict(registry._BUILTIN))
    monkeypatch.setattr(registry, "_entry_points_loaded", False)


def test_entry_points_loaded_on_first_unknown_name(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ep = _FakeEntryPoint("test.plugin", PluginCodec)
    calls: list[str] = []

    def fake_entry_points(group: str) -> list[Any]:
        calls.append(group)
        return [ep, _FakeEntryPoint("gzip", PluginCodec)]  # cannot shadow a built-in

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    assert get_codec_class("gzip").__name__ == "GzipCodec"
    assert calls == []  # known names never touch entry points
    assert codec_from_json({"name": "test.plugin"}) == PluginCodec()
    assert calls == ["simplezarr.codecs"]
    with pytest.raises(UnknownCodec):
        get_codec_class("still-unknown")
    assert calls == ["simplezarr.codecs"]  # loaded once only
    assert get_codec_class("gzip").__name__ == "GzipCodec"
    assert ep.loads == 1


def test_broken_entry_point_is_unknown_codec(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(_FakeEntryPoint):
        def load(self) -> Any:
            raise ImportError("no module named plugin")

    plugins = [Broken("test.broken", None), _FakeEntryPoint("test.notcodec", object)]
    monkeypatch.setattr(registry, "entry_points", lambda group: plugins)
    with pytest.raises(UnknownCodec, match="could not be loaded"):
        get_codec_class("test.broken")
    with pytest.raises(UnknownCodec, match="not a Codec class"):
        get_codec_class("test.notcodec")


def test_register_codec(fresh_registry: None) -> None:
    assert register_codec(PluginCodec) is PluginCodec
    assert get_codec_class("test.plugin") is PluginCodec
    register_codec(PluginCodec, name="test.alias")
    assert codec_from_json("test.alias") == PluginCodec()
    with pytest.raises(TypeError):
        register_codec(int)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        register_codec(object)  # type: ignore[arg-type]


def test_codec_from_json_forms() -> None:
    assert codec_from_json("crc32c").to_dict() == {"name": "crc32c"}
    assert codec_from_json({"name": "crc32c"}).to_dict() == {"name": "crc32c"}
    assert codec_from_json({"name": "crc32c", "configuration": {}}).to_dict() == {"name": "crc32c"}
    assert codec_from_json({"name": "gzip", "configuration": {"level": 1}}).level == 1
    assert codec_from_json({"name": "gzip", "must_understand": False}).level == 5
    assert codec_from_json({"name": "endian", "configuration": {"endian": "big"}}).to_dict() == {
        "name": "bytes",
        "configuration": {"endian": "big"},
    }


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"name": "gzip", "configuration": {"level": 1}, "extra": 1}, ["extra"]),
        ({"configuration": {}}, ["name"]),
        ({"name": 3}, ["name"]),
        ({"name": "gzip", "configuration": [1]}, ["configuration"]),
        ({"name": "gzip", "must_understand": "yes"}, ["must_understand"]),
        (17, ["codec"]),
        (None, ["codec"]),
        ({"name": "gzip", "configuration": {"level": "5"}}, ["level"]),
        ({"name": "gzip", "configuration": {"level": True}}, ["level"]),
        ({"name": "gzip", "configuration": {"level": 10}}, ["level"]),
        ({"name": "gzip", "configuration": {"level": 1, "lvl": 2}}, ["lvl"]),
        ({"name": "zstd", "configuration": {"level": 1, "checksum": 1}}, ["checksum"]),
        ({"name": "zstd", "configuration": {"level": 23}}, ["level"]),
        ({"name": "blosc", "configuration": {"cname": "lzo"}}, ["cname"]),
        ({"name": "blosc", "configuration": {"shuffle": 1}}, ["shuffle"]),
        ({"name": "blosc", "configuration": {"clevel": -1}}, ["clevel"]),
        ({"name": "blosc", "configuration": {"typesize": 0}}, ["typesize"]),
        ({"name": "blosc", "configuration": {"blocksize": -1}}, ["blocksize"]),
        ({"name": "bytes", "configuration": {"endian": "middle"}}, ["endian"]),
        ({"name": "transpose", "configuration": {"order": "C"}}, ["order"]),
        ({"name": "transpose", "configuration": {"order": [0, 1.5]}}, ["order"]),
        ({"name": "transpose", "configuration": {}}, ["order"]),
        ({"name": "crc32c", "configuration": {"x": 1}}, ["crc32c"]),
        ({"name": "vlen-utf8", "configuration": {"x": 1}}, ["vlen-utf8"]),
        ({"name": "numcodecs.zlib", "configuration": {"lvl": 1}}, ["numcodecs.zlib"]),
        ({"name": "numcodecs.zlib", "configuration": {"id": "gzip"}}, ["id"]),
    ],
)
def test_codec_from_json_rejects(doc: Any, words: list[str]) -> None:
    with pytest.raises(InvalidMetadata) as e:
        codec_from_json(doc)
    for w in words:
        assert w in str(e.value)


def test_unknown_numcodecs_id() -> None:
    with pytest.raises(UnknownCodec, match="numcodecs.nope"):
        codec_from_json({"name": "numcodecs.nope", "configuration": {}})


def _zarr_json(codec: Any) -> Any:
    import json

    return json.loads(json.dumps(codec.to_dict()))


@pytest.mark.parametrize(
    "zcodec",
    [
        zarr.codecs.BytesCodec(endian="little"),
        zarr.codecs.BytesCodec(endian="big"),
        zarr.codecs.TransposeCodec(order=(2, 0, 1)),
        zarr.codecs.GzipCodec(level=3),
        zarr.codecs.ZstdCodec(level=-3, checksum=True),
        zarr.codecs.BloscCodec(
            typesize=4, cname="lz4", clevel=9, shuffle="noshuffle", blocksize=256
        ),
        zarr.codecs.BloscCodec(),
        zarr.codecs.Crc32cCodec(),
        zarr.codecs.VLenUTF8Codec(),
        zarr.codecs.VLenBytesCodec(),
    ],
    ids=lambda c: type(c).__name__,
)
def test_json_round_trip_matches_zarr_python(zcodec: Any) -> None:
    doc = _zarr_json(zcodec)
    ours = codec_from_json(doc)
    assert ours.to_dict() == doc
    assert codec_from_json(ours.to_dict()) == ours


def _numcodecs_cases() -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            zn.Zlib(level=3),
            zn.GZip(level=2),
            zn.BZ2(level=1),
            zn.LZMA(),
            zn.LZ4(),
            zn.Zstd(level=1),
            zn.Blosc(cname="lz4"),
            zn.Shuffle(elementsize=4),
            zn.Adler32(),
            zn.CRC32(),
            zn.CRC32C(),
            zn.Fletcher32(),
            zn.JenkinsLookup3(),
            zn.Delta(dtype="<i4", astype="<i2"),
            zn.BitRound(keepbits=3),
            zn.FixedScaleOffset(offset=1, scale=10, dtype="<f8", astype="<i4"),
            zn.Quantize(digits=2, dtype="<f8"),
            zn.PackBits(),
            zn.AsType(encode_dtype="<f4", decode_dtype="<f8"),
        ]


@pytest.mark.parametrize("zcodec", _numcodecs_cases(), ids=lambda c: c.codec_name)
def test_numcodecs_names_match_zarr_python(zcodec: Any) -> None:
    doc = _zarr_json(zcodec)
    ours = codec_from_json(doc)
    assert ours.to_dict() == doc
    assert (
        ours.kind
        == {
            zarr.abc.codec.ArrayArrayCodec: "array_array",
            zarr.abc.codec.ArrayBytesCodec: "array_bytes",
            zarr.abc.codec.BytesBytesCodec: "bytes_bytes",
        }[
            next(
                b
                for b in type(zcodec).__mro__
                if b
                in (
                    zarr.abc.codec.ArrayArrayCodec,
                    zarr.abc.codec.ArrayBytesCodec,
                    zarr.abc.codec.BytesBytesCodec,
                )
            )
        ]
    )
    assert codec_from_json(doc) == ours and hash(codec_from_json(doc)) == hash(ours)


def test_numcodecs_classes_are_cached_per_name() -> None:
    a = get_codec_class("numcodecs.zlib")
    assert a is get_codec_class("numcodecs.zlib")
    assert a.name == "numcodecs.zlib" and a.kind == "bytes_bytes"
    assert get_codec_class("numcodecs.pickle").kind == "array_bytes"
    assert get_codec_class("numcodecs.categorize").kind == "array_array"
    assert get_codec_class("numcodecs.base64").kind == "bytes_bytes"
