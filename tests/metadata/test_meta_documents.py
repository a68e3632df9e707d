"""zarr.json / .zarray / .zgroup parsing, validation errors, and writing back."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from simplezarr.errors import (
    InvalidMetadata,
    NodeTypeValidationError,
    UnknownCodec,
    UnknownDataType,
    UnsupportedFeature,
)
from simplezarr.metadata.json import dump_document
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata

pytest.importorskip("simplezarr.codecs.registry")
pytest.importorskip("simplezarr.codecs.v2")

from simplezarr.metadata.v2 import documents, parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import document_bytes, parse_node_v3

V3 = {
    "zarr_format": 3,
    "node_type": "array",
    "shape": [10, 7],
    "data_type": "float32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": "NaN",
    "codecs": [
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "gzip", "configuration": {"level": 1}},
    ],
    "attributes": {"a": [1, 2]},
    "dimension_names": ["y", None],
    "storage_transformers": [],
}
V2 = {
    "zarr_format": 2,
    "shape": [10, 7],
    "chunks": [4, 4],
    "dtype": "<f4",
    "compressor": {"id": "zlib", "level": 1},
    "fill_value": "NaN",
    "order": "C",
    "filters": None,
    "dimension_separator": ".",
}


def test_v3_array_round_trip():
    m = parse_node_v3(json.dumps(V3).encode(), "a/b")
    assert isinstance(m, ArrayMetadata)
    assert m.shape == (10, 7) and m.chunk_shape == (4, 4) and m.ndim == 2
    assert m.chunk_grid_shape == (3, 2) and m.nchunks == 6
    assert np.isnan(m.fill_value) and m.fill_value.dtype == np.float32
    assert m.dimension_names == ("y", None) and m.attributes == {"a": [1, 2]}
    assert m.chunk_key_encoding.encode((2, 1)) == "c/2/1"
    assert m.to_json() == V3
    assert parse_node_v3(document_bytes(m), "a/b") == m
    with pytest.raises(TypeError):
        m.attributes["x"] = 1  # read-only


def test_v3_group_round_trip():
    doc = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": {"x": 1},
        "consolidated_metadata": {"kind": "inline", "must_understand": False, "metadata": {}},
    }
    g = parse_node_v3(doc, "")
    assert isinstance(g, GroupMetadata) and g.attributes == {"x": 1}
    assert g.to_json() == {
        "attributes": {"x": 1},
        "zarr_format": 3,
        "consolidated_metadata": doc["consolidated_metadata"],
        "node_type": "group",
    }
    assert parse_node_v3({"zarr_format": 3, "node_type": "group"}, "").attributes == {}
    assert (
        parse_node_v3(
            {"zarr_format": 3, "node_type": "group", "consolidated_metadata": None}, ""
        ).consolidated_metadata
        is None
    )


def test_extension_fields_kept():
    doc = {**V3, "my_ext": {"must_understand": False, "value": [1]}}
    m = parse_node_v3(doc, "a")
    assert m.extra == {"my_ext": {"must_understand": False, "value": [1]}}
    assert m.to_json() == doc
    g = parse_node_v3({"zarr_format": 3, "node_type": "group", "e": {"must_understand": False}}, "")
    assert g.to_json()["e"] == {"must_understand": False}


def test_v3_defaults_and_variants():
    doc = copy.deepcopy(V3)
    del doc["attributes"], doc["dimension_names"], doc["storage_transformers"]
    doc["chunk_key_encoding"] = {"name": "v2"}
    doc["codecs"] = [{"name": "bytes", "configuration": {"endian": "big"}}]
    m = parse_node_v3(doc, "x")
    assert m.attributes == {} and m.dimension_names is None
    assert m.chunk_key_encoding.encode((1, 2)) == "1.2"
    assert "dimension_names" not in m.to_json()
    zero_d = {
        **V3,
        "shape": [],
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": []}},
        "dimension_names": [],
    }
    m0 = parse_node_v3(zero_d, "z")
    assert m0.nchunks == 1 and m0.chunk_key_encoding.encode(()) == "c"
    empty = {**V3, "shape": [0, 7]}
    assert parse_node_v3(empty, "e").nchunks == 0


def _mutate(base, path, value):
    doc = copy.deepcopy(base)
    target = doc
    for k in path[:-1]:
        target = target[k]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


class _Delete:
    """Marks a key to remove from a document (a stable repr keeps test ids deterministic)."""

    def __repr__(self) -> str:
        return "<delete>"


_DELETE = _Delete()

BAD_V3 = [
    (("zarr_format",), 2, InvalidMetadata, "zarr_format"),
    (("zarr_format",), _DELETE, InvalidMetadata, "zarr_format"),
    (("node_type",), "arr", NodeTypeValidationError, "node_type"),
    (("shape",), _DELETE, InvalidMetadata, "shape"),
    (("shape",), "10", InvalidMetadata, "shape"),
    (("shape",), [10, -1], InvalidMetadata, "shape"),
    (("shape",), [10, 1.5], InvalidMetadata, "shape"),
    (("shape",), [10, True], InvalidMetadata, "shape"),
    (("shape",), [2**63, 1], InvalidMetadata, "shape"),
    (("shape",), [2**40, 2**40], InvalidMetadata, "2**63"),
    (("shape",), [1] * 65, InvalidMetadata, "dimensions"),
    (("data_type",), "float31", UnknownDataType, "data_type"),
    (("data_type",), _DELETE, InvalidMetadata, "data_type"),
    (
        ("chunk_grid",),
        {"name": "irregular", "configuration": {}},
        UnsupportedFeature,
        "chunk_grid",
    ),
    (("chunk_grid",), {"name": "regular"}, InvalidMetadata, "chunk_grid"),
    (("chunk_grid", "configuration", "chunk_shape"), [4, 0], InvalidMetadata, "chunk_shape"),
    (("chunk_grid", "configuration", "chunk_shape"), [4], InvalidMetadata, "rank"),
    (("chunk_grid", "configuration", "chunk_shape"), [2**16, 2**16], InvalidMetadata, "2**31"),
    (("chunk_grid", "configuration", "chunk_shape"), "4", InvalidMetadata, "chunk_shape"),
    (("chunk_key_encoding",), {"name": "foo"}, UnsupportedFeature, "chunk_key_encoding"),
    (("chunk_key_encoding",), "default", InvalidMetadata, "chunk_key_encoding"),
    (("chunk_key_encoding", "configuration", "separator"), "-", InvalidMetadata, "separator"),
    (("fill_value",), "abc", InvalidMetadata, "fill_value"),
    (("fill_value",), None, InvalidMetadata, "fill_value"),
    (("fill_value",), [1, 2], InvalidMetadata, "fill_value"),
    (("fill_value",), _DELETE, InvalidMetadata, "fill_value"),
    (("codecs",), _DELETE, InvalidMetadata, "codecs"),
    (("codecs",), [], InvalidMetadata, "codecs"),
    (("codecs",), {"name": "bytes"}, InvalidMetadata, "codecs"),
    (("codecs",), [{"name": "bytes"}, {"name": "no-such-codec"}], UnknownCodec, "codecs[1]"),
    (("codecs",), [{"name": "gzip"}, {"name": "bytes"}], InvalidMetadata, "codecs"),
    (("codecs",), [{"name": "bytes"}, {"name": "bytes"}], InvalidMetadata, "codecs"),
    (("codecs",), [{"name": "gzip"}], InvalidMetadata, "codecs"),
    (("dimension_names",), ["y"], InvalidMetadata, "dimension_names"),
    (("dimension_names",), ["y", 3], InvalidMetadata, "dimension_names"),
    (("dimension_names",), "yx", InvalidMetadata, "dimension_names"),
    (("attributes",), [1], InvalidMetadata, "attributes"),
    (("storage_transformers",), [{"name": "x"}], UnsupportedFeature, "storage_transformers"),
    (("storage_transformers",), {"name": "x"}, InvalidMetadata, "storage_transformers"),
    (("unknown_field",), 1, UnsupportedFeature, "unknown_field"),
    (("unknown_field",), {"must_understand": True}, UnsupportedFeature, "unknown_field"),
    (("unknown_field",), {"x": 1}, UnsupportedFeature, "unknown_field"),
]


@pytest.mark.parametrize("path,value,error,field", BAD_V3, ids=lambda x: repr(x)[:40])
def test_bad_v3(path, value, error, field):
    doc = _mutate(V3, path, value)
    with pytest.raises(error) as e:
        parse_node_v3(doc, "grp/arr")
    assert type(e.value) is error
    msg = str(e.value)
    assert msg.startswith("/grp/arr"), msg
    assert field in msg, msg


def test_big_chunks_allowed_for_shards():
    doc = copy.deepcopy(V3)
    doc["shape"] = [2**20, 2**20]
    doc["chunk_grid"]["configuration"]["chunk_shape"] = [2**16, 2**16]
    doc["codecs"] = [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [2**8, 2**8],
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "crc32c"},
                ],
                "index_location": "end",
            },
        }
    ]
    m = parse_node_v3(doc, "s")
    assert m.is_sharded and m.chunk_shape == (2**16, 2**16)
    assert m.to_json()["codecs"] == doc["codecs"]


def test_bad_v3_group():
    for doc, error in [
        ({"zarr_format": 3, "node_type": "group", "attributes": 5}, InvalidMetadata),
        ({"zarr_format": 3, "node_type": "group", "consolidated_metadata": 5}, InvalidMetadata),
        ({"zarr_format": 3, "node_type": "group", "other": 5}, UnsupportedFeature),
        ({"zarr_format": "3", "node_type": "group"}, InvalidMetadata),
    ]:
        with pytest.raises(error) as e:
            parse_node_v3(doc, "g")
        assert type(e.value) is error and str(e.value).startswith("/g")


@pytest.mark.parametrize(
    "raw",
    [b"\xff", b"{", b"[]", b'{"zarr_format": 3, "node_type": "group"' + b"]" * 3, b"[" * 100000],
)
def test_bad_v3_bytes(raw):
    with pytest.raises(InvalidMetadata) as e:
        parse_node_v3(raw, "x/y")
    assert type(e.value) is InvalidMetadata and "/x/y" in str(e.value)


def test_bare_nan_fill_accepted():
    raw = json.dumps({**V3, "fill_value": 0.0}).replace("0.0", "NaN").encode()
    assert np.isnan(parse_node_v3(raw, "a").fill_value)


def test_with_shape_and_attributes():
    m = parse_node_v3(V3, "a")
    m2 = m.with_shape((20, 3))
    assert m2.shape == (20, 3) and m2.chunk_grid_shape == (5, 1) and m.shape == (10, 7)
    with pytest.raises(InvalidMetadata):
        m.with_shape((5,))
    with pytest.raises(InvalidMetadata):
        m.with_shape((5, -1))
    m3 = m.with_attributes({"b": 1})
    assert m3.attributes == {"b": 1} and m3.to_json()["attributes"] == {"b": 1}
    assert m3 != m and m.with_attributes({"a": [1, 2]}) == m


# ---------------------------------------------------------------- v2


def test_v2_array_round_trip():
    m = parse_array_v2(json.dumps(V2).encode(), b'{"u": 1}', "a")
    assert m.zarr_format == 2 and m.shape == (10, 7) and m.chunk_shape == (4, 4)
    assert np.isnan(m.fill_value) and m.attributes == {"u": 1} and m.order == "C"
    assert m.chunk_key_encoding.encode((1, 2)) == "1.2" and m.endian == "little"
    codec = m.codecs[0]
    assert codec.filters is None and codec.compressor == {"id": "zlib", "level": 1}
    assert codec.order == "C"
    assert m.to_json() == V2
    docs = documents(m)
    assert json.loads(docs[".zarray"]) == V2 and json.loads(docs[".zattrs"]) == {"u": 1}
    assert parse_array_v2(docs[".zarray"], docs[".zattrs"], "a") == m


def test_v2_variants():
    m = parse_array_v2(
        {
            **V2,
            "dtype": ">i8",
            "fill_value": None,
            "order": "F",
            "dimension_separator": "/",
            "filters": [],
        },
        None,
        "b",
    )
    assert m.endian == "big" and m.fill_value is None and m.order == "F"
    assert m.effective_fill_value == 0 and m.effective_fill_value.dtype == np.int64
    assert m.chunk_key_encoding.encode((1, 2)) == "1/2" and m.codecs[0].filters is None
    out = m.to_json()
    assert out["dtype"] == ">i8" and out["fill_value"] is None and out["filters"] is None
    minimal = {"zarr_format": 2, "shape": [3], "chunks": [2], "dtype": "|u1"}
    m2 = parse_array_v2(minimal, None, "")
    assert m2.fill_value is None and m2.order == "C" and m2.codecs[0].compressor is None
    assert m2.endian is None and m2.to_json()["dtype"] == "|u1"
    # unknown keys are ignored, as zarr-python does
    assert parse_array_v2({**V2, "node_type": "array"}, None, "x") == parse_array_v2(V2, None, "x")
    s = parse_array_v2(
        {**V2, "dtype": "|O", "filters": [{"id": "vlen-utf8"}], "fill_value": 0}, None, "s"
    )
    assert s.dtype.name == "string" and s.fill_value == "0"


BAD_V2 = [
    ("zarr_format", 3, InvalidMetadata),
    ("zarr_format", _DELETE, InvalidMetadata),
    ("shape", _DELETE, InvalidMetadata),
    ("shape", 10, InvalidMetadata),
    ("shape", [10, -7], InvalidMetadata),
    ("chunks", [4], InvalidMetadata),
    ("chunks", [4, 0], InvalidMetadata),
    ("dtype", "<f5", UnknownDataType),
    ("dtype", _DELETE, InvalidMetadata),
    ("dtype", "|O", InvalidMetadata),
    ("compressor", "zlib", InvalidMetadata),
    ("compressor", {"level": 1}, InvalidMetadata),
    ("filters", {"id": "delta"}, InvalidMetadata),
    ("filters", [{"level": 1}], InvalidMetadata),
    ("fill_value", "abc", InvalidMetadata),
    ("fill_value", [1], InvalidMetadata),
    ("order", "X", InvalidMetadata),
    ("dimension_separator", "-", InvalidMetadata),
]


@pytest.mark.parametrize("key,value,error", BAD_V2, ids=repr)
def test_bad_v2(key, value, error):
    doc = _mutate(V2, (key,), value)
    with pytest.raises(error) as e:
        parse_array_v2(doc, None, "p/q")
    assert type(e.value) is error
    assert str(e.value).startswith("/p/q") and key.rstrip("s") in str(e.value)


def test_v2_group():
    g = parse_group_v2(b'{"zarr_format": 2}', b'{"a": 1}', "g")
    assert g.zarr_format == 2 and g.attributes == {"a": 1} and g.to_json() == {"zarr_format": 2}
    assert json.loads(documents(g)[".zgroup"]) == {"zarr_format": 2}
    assert parse_group_v2({"zarr_format": 2}, None, "").attributes == {}
    for zgroup, zattrs in [
        (b'{"zarr_format": 3}', None),
        (b"{", None),
        (b'{"zarr_format": 2}', b"[1]"),
    ]:
        with pytest.raises(InvalidMetadata) as e:
            parse_group_v2(zgroup, zattrs, "g")
        assert type(e.value) is InvalidMetadata and "/g" in str(e.value)


def test_dump_is_zarr_formatted():
    m = parse_node_v3(V3, "a")
    raw = document_bytes(m)
    assert raw == json.dumps(m.to_json(), indent=2).encode()
    assert dump_document(m.to_json()) == raw
