"""Safe JSON parsing / zarr-style dumping, and chunk key encodings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simplezarr.chunk_keys import ChunkKeyEncoding
from simplezarr.errors import InvalidMetadata, UnsupportedFeature
from simplezarr.metadata.json import dump_document, parse_document, to_jsonable


def test_parse_accepts_bare_nan_and_bom():
    doc = parse_document(b'\xef\xbb\xbf{"a": NaN, "b": Infinity, "c": -Infinity}', "x")
    assert np.isnan(doc["a"]) and doc["b"] == float("inf") and doc["c"] == float("-inf")
    assert parse_document('{"a": 1}', "x") == {"a": 1}
    assert parse_document(memoryview(b'{"a": 1}'), "x") == {"a": 1}


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe{}",
        b"{",
        b"",
        b"[1, 2]",
        b"3",
        b'"s"',
        b"null",
        b"{" * 100000,
        b"[" * 100000,
        b'{"a": 1,}',
        5,
    ],
)
def test_parse_rejects(data):
    with pytest.raises(InvalidMetadata) as e:
        parse_document(data, "some/key")
    assert type(e.value) is InvalidMetadata
    assert "some/key" in str(e.value)


def test_dump_matches_zarr_layout_and_keeps_non_finite_attribute_floats():
    # zarr-python 3.1.6 writes non-finite floats in attributes as bare NaN / -Infinity tokens
    # and reads them back as floats; fill values are encoded as strings by the data type.
    doc = {"shape": [3], "fill_value": "NaN", "attrs": {"x": float("-inf"), "é": "ü"}}
    out = dump_document(doc)
    assert out == json.dumps(doc, indent=2).encode()
    assert b'"NaN"' in out and b"-Infinity" in out and b"\\u00e9" in out
    back = json.loads(out)
    assert back["attrs"]["x"] == float("-inf") and back["fill_value"] == "NaN"


def test_to_jsonable_numpy_and_errors():
    assert to_jsonable(
        {"a": np.int64(3), "b": np.arange(2), "c": (np.float32(0.5), np.bool_(True))}
    ) == {"a": 3, "b": [0, 1], "c": [0.5, True]}
    with pytest.raises(InvalidMetadata):
        to_jsonable({1: 2})
    with pytest.raises(InvalidMetadata):
        to_jsonable({"a": object()})


@pytest.mark.parametrize(
    "encoding,coords,key",
    [
        (ChunkKeyEncoding("default"), (1, 2), "c/1/2"),
        (ChunkKeyEncoding("default", "."), (1, 2), "c.1.2"),
        (ChunkKeyEncoding("default"), (), "c"),
        (ChunkKeyEncoding("v2"), (1, 2), "1.2"),
        (ChunkKeyEncoding("v2", "/"), (1, 2), "1/2"),
        (ChunkKeyEncoding("v2"), (), "0"),
        (ChunkKeyEncoding("v2"), (0, 10, 300), "0.10.300"),
    ],
)
def test_encode_decode(encoding, coords, key):
    assert encoding.encode(coords) == key
    if coords:
        assert encoding.decode(key) == coords
    assert ChunkKeyEncoding.from_json(encoding.to_json()) == encoding


def test_encoding_matches_zarr():
    zarr_cke = pytest.importorskip("zarr.core.chunk_key_encodings")
    for name, sep in [("default", "/"), ("default", "."), ("v2", "."), ("v2", "/")]:
        theirs = zarr_cke.parse_chunk_key_encoding(
            {"name": name, "configuration": {"separator": sep}}
        )
        ours = ChunkKeyEncoding(name, sep)
        assert ours.to_json() == theirs.to_dict()
        for coords in [(), (0,), (3, 4, 5)]:
            assert ours.encode(coords) == theirs.encode_chunk_key(coords)


def test_from_json_forms_and_errors():
    assert ChunkKeyEncoding.from_json({"name": "default"}) == ChunkKeyEncoding("default", "/")
    assert ChunkKeyEncoding.from_json({"name": "v2"}).separator == "."
    assert ChunkKeyEncoding.from_json({"name": "v2", "separator": "/"}).separator == "/"
    assert ChunkKeyEncoding.from_json("default").separator == "/"
    with pytest.raises(UnsupportedFeature):
        ChunkKeyEncoding.from_json({"name": "foo"})
    for bad in [
        {"name": "default", "configuration": {"separator": "-"}},
        {"configuration": {}},
        {"name": "v2", "configuration": {"separator": ".", "x": 1}},
        5,
        {"name": "v2", "configuration": [1]},
    ]:
        with pytest.raises(InvalidMetadata):
            ChunkKeyEncoding.from_json(bad)
    with pytest.raises(ValueError):
        ChunkKeyEncoding("default").decode("1/2")
    with pytest.raises(ValueError):
        ChunkKeyEncoding("v2").decode("1.-2")
