"""Hostile metadata written by hand: zarr.json, .zarray, .zattrs and .zgroup documents.

Opening (and reading) a node with malformed, inconsistent or unsupported metadata raises
exactly the InvalidMetadata subclass that says why -- ``InvalidMetadata`` for malformed
documents, ``UnknownCodec`` / ``UnknownDataType`` for names no registry knows, and
``UnsupportedFeature`` for valid requests simplezarr does not implement -- and never
RecursionError, TypeError, KeyError, MemoryError or a crash. Extension fields that declare
``"must_understand": false`` are tolerated (and kept).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simplezarr.config import config
from simplezarr.errors import (
    ContainsNode,
    InvalidMetadata,
    NodeTypeValidationError,
    RectilinearChunksDisabledError,
    UnknownCodec,
    UnknownDataType,
    UnsupportedFeature,
    ZarrError,
)
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import LocalStore, MemoryStore

DEL = object()  # marks a field to remove

V3_ARRAY: dict[str, Any] = {
    "zarr_format": 3,
    "node_type": "array",
    "shape": [8, 8],
    "data_type": "int32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": 0,
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    "attributes": {},
}
V2_ARRAY: dict[str, Any] = {
    "zarr_format": 2,
    "shape": [8, 8],
    "chunks": [4, 4],
    "dtype": "<i4",
    "compressor": None,
    "fill_value": 0,
    "order": "C",
    "filters": None,
}
BYTES = {"name": "bytes", "configuration": {"endian": "little"}}


def changed(base: dict[str, Any], **changes: Any) -> bytes:
    doc = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DEL:
            doc.pop(key, None)
        else:
            doc[key] = value
    return json.dumps(doc).encode()


def v3(**changes: Any) -> bytes:
    return changed(V3_ARRAY, **changes)


def v2(**changes: Any) -> bytes:
    return changed(V2_ARRAY, **changes)


def grid(chunk_shape: Any) -> dict[str, Any]:
    return {"name": "regular", "configuration": {"chunk_shape": chunk_shape}}


def shard(chunk_shape: Any, codecs: Any = None, **extra: Any) -> list[dict[str, Any]]:
    config = {"chunk_shape": chunk_shape, "codecs": [BYTES] if codecs is None else codecs}
    return [{"name": "sharding_indexed", "configuration": {**config, **extra}}]


def nested(depth: int, kind: str = "list") -> bytes:
    """JSON text of ``depth`` nested lists (or objects)."""
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def group_doc_with_attrs(attrs: bytes) -> bytes:
    return b'{"zarr_format": 3, "node_type": "group", "attributes": ' + attrs + b"}"


def array_doc_with_attrs(attrs: bytes) -> bytes:
    doc = v3(attributes=DEL)
    return doc[:-1] + b', "attributes": ' + attrs + b"}"


@pytest.fixture(params=["memory", "local"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    def make(files: dict[str, bytes]) -> Any:
        store = MemoryStore() if request.param == "memory" else LocalStore(tmp_path / "d.zarr")
        store.set("zarr.json", b'{"zarr_format": 3, "node_type": "group"}')
        for key, value in files.items():
            store.set(key, value)
        return store

    return make


def open_and_read(store: Any, path: str = "a") -> Any:
    node = open_zarr(store, path)
    if isinstance(node, ZarrArray):
        if node.size <= 4096:
            node[...]
        elif all(node.shape):
            node[(0,) * node.ndim]  # never allocate a whole huge array
    return node


def assert_rejected(store: Any, expected: type[InvalidMetadata], path: str = "a") -> None:
    for action in (
        lambda: open_and_read(store, path),
        lambda: open_zarr(store)[path],
        lambda: ZarrArray(store, path),
    ):
        with pytest.raises(ZarrError) as info:
            action()
        assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"
        assert isinstance(info.value, ValueError)
    # The parent group still opens; the hostile child is not "in" it.
    assert path not in open_zarr(store)


# -- v3 zarr.json ------------------------------------------------------------------------------

V3_CASES: dict[str, tuple[bytes, type[InvalidMetadata]]] = {
    # shape
    "shape-negative": (v3(shape=[-1, 8]), InvalidMetadata),
    "shape-huge": (v3(shape=[2**70, 8]), InvalidMetadata),
    "shape-2**63": (v3(shape=[2**63, 1]), InvalidMetadata),
    "shape-product-overflow": (v3(shape=[2**40, 2**40]), InvalidMetadata),
    "shape-times-itemsize-overflow": (
        v3(shape=[2**62, 1], chunk_grid=grid([1, 1])),
        InvalidMetadata,
    ),
    "shape-times-itemsize-overflow-c128": (
        v3(shape=[2**60], chunk_grid=grid([1]), data_type="complex128", fill_value=[0, 0]),
        InvalidMetadata,
    ),
    "shape-rank-65": (v3(shape=[1] * 65, chunk_grid=grid([1] * 65)), InvalidMetadata),
    "shape-string": (v3(shape="8,8"), InvalidMetadata),
    "shape-int": (v3(shape=8), InvalidMetadata),
    "shape-dict": (v3(shape={"0": 8}), InvalidMetadata),
    "shape-null": (v3(shape=None), InvalidMetadata),
    "shape-float": (v3(shape=[8.0, 8]), InvalidMetadata),
    "shape-bool": (v3(shape=[True, 8]), InvalidMetadata),
    "shape-nested": (v3(shape=[[8], 8]), InvalidMetadata),
    "shape-missing": (v3(shape=DEL), InvalidMetadata),
    # chunk grid
    "chunk-zero": (v3(chunk_grid=grid([0, 4])), InvalidMetadata),
    "chunk-negative": (v3(chunk_grid=grid([-4, 4])), InvalidMetadata),
    "chunk-rank-short": (v3(chunk_grid=grid([4])), InvalidMetadata),
    "chunk-rank-long": (v3(chunk_grid=grid([4, 4, 4])), InvalidMetadata),
    "chunk-too-many-elements": (v3(shape=[2**40], chunk_grid=grid([2**40])), InvalidMetadata),
    "chunk-too-many-bytes": (  # 2**31 elements (allowed) of 16 bytes: 2**35 > 2**34 bytes
        v3(shape=[2**31], chunk_grid=grid([2**31]), data_type="complex128", fill_value=[0, 0]),
        InvalidMetadata,
    ),
    "chunk-shape-dict": (v3(chunk_grid=grid({"a": 4})), InvalidMetadata),
    "chunk-shape-string": (v3(chunk_grid=grid("4,4")), InvalidMetadata),
    "chunk-shape-floats": (v3(chunk_grid=grid([4.5, 4])), InvalidMetadata),
    "chunk-grid-string": (v3(chunk_grid="regular"), InvalidMetadata),
    "chunk-grid-list": (v3(chunk_grid=[4, 4]), InvalidMetadata),
    "chunk-grid-no-configuration": (v3(chunk_grid={"name": "regular"}), InvalidMetadata),
    "chunk-grid-configuration-list": (
        v3(chunk_grid={"name": "regular", "configuration": [4]}),
        InvalidMetadata,
    ),
    "chunk-grid-name-int": (
        v3(chunk_grid={"name": 1, "configuration": {"chunk_shape": [4, 4]}}),
        InvalidMetadata,
    ),
    "chunk-grid-unknown-key": (
        v3(chunk_grid={"name": "regular", "configuration": {"chunk_shape": [4, 4], "x": 1}}),
        InvalidMetadata,
    ),
    "chunk-grid-unknown": (
        v3(chunk_grid={"name": "irregular", "configuration": {"chunk_shape": [4, 4]}}),
        UnsupportedFeature,
    ),
    # rectilinear grids are refused while config.rectilinear_chunks is off (the default)
    "chunk-grid-rectilinear-flag-off": (
        v3(chunk_grid={"name": "rectilinear", "configuration": {"chunk_shape": [4, 4]}}),
        RectilinearChunksDisabledError,
    ),
    # data type
    "dtype-unknown": (v3(data_type="int128"), UnknownDataType),
    "dtype-unknown-object": (
        v3(data_type={"name": "quaternion", "configuration": {}}),
        UnknownDataType,
    ),
    "dtype-int": (v3(data_type=4), InvalidMetadata),
    "dtype-list": (v3(data_type=["int32"]), InvalidMetadata),
    "dtype-null": (v3(data_type=None), InvalidMetadata),
    "dtype-name-int": (v3(data_type={"name": 5}), InvalidMetadata),
    "dtype-unexpected-configuration": (
        v3(data_type={"name": "int32", "configuration": {"x": 1}}),
        InvalidMetadata,
    ),
    "dtype-raw-bits-odd": (v3(data_type="r7"), InvalidMetadata),
    "dtype-raw-bits-huge": (v3(data_type="r999999999999"), InvalidMetadata),
    "dtype-utf32-negative": (
        v3(
            data_type={"name": "fixed_length_utf32", "configuration": {"length_bytes": -4}},
            fill_value="",
        ),
        InvalidMetadata,
    ),
    "dtype-utf32-huge": (
        v3(
            data_type={"name": "fixed_length_utf32", "configuration": {"length_bytes": 2**40}},
            fill_value="",
        ),
        InvalidMetadata,
    ),
    "dtype-datetime-bad-unit": (
        v3(
            data_type={
                "name": "numpy.datetime64",
                "configuration": {"unit": "xx", "scale_factor": 1},
            }
        ),
        InvalidMetadata,
    ),
    "dtype-datetime-no-configuration": (v3(data_type="numpy.datetime64"), InvalidMetadata),
    "dtype-structured-duplicate": (
        v3(
            data_type={
                "name": "structured",
                "configuration": {"fields": [["a", "int32"], ["a", "int32"]]},
            },
            fill_value="AAAAAAAAAAA=",
        ),
        InvalidMetadata,
    ),
    "dtype-missing": (v3(data_type=DEL), InvalidMetadata),
    # fill value
    "fill-string-for-int": (v3(fill_value="abc"), InvalidMetadata),
    "fill-list-for-int": (v3(fill_value=[1, 2]), InvalidMetadata),
    "fill-object-for-int": (v3(fill_value={"a": 1}), InvalidMetadata),
    "fill-float-for-int": (v3(fill_value=1.5), InvalidMetadata),
    "fill-bool-for-int": (v3(fill_value=True), InvalidMetadata),
    "fill-out-of-range": (v3(fill_value=2**70), InvalidMetadata),
    "fill-nan-for-int": (v3(fill_value="NaN"), InvalidMetadata),
    "fill-null": (v3(fill_value=None), InvalidMetadata),
    "fill-missing": (v3(fill_value=DEL), InvalidMetadata),
    "fill-bad-float-string": (v3(data_type="float32", fill_value="abc"), InvalidMetadata),
    "fill-bad-hex-float": (v3(data_type="float32", fill_value="0x7fc0000"), InvalidMetadata),
    "fill-bad-complex": (v3(data_type="complex64", fill_value=[1, 2, 3]), InvalidMetadata),
    "fill-bool-string": (v3(data_type="bool", fill_value="true"), InvalidMetadata),
    "fill-raw-wrong-length": (v3(data_type="r16", fill_value=[1]), InvalidMetadata),
    "fill-bytes-not-base64": (
        v3(data_type="variable_length_bytes", fill_value="!!", codecs=[{"name": "vlen-bytes"}]),
        InvalidMetadata,
    ),
    # codecs
    "codecs-object": (v3(codecs={"name": "bytes"}), InvalidMetadata),
    "codecs-string": (v3(codecs="bytes"), InvalidMetadata),
    "codecs-empty": (v3(codecs=[]), InvalidMetadata),
    "codecs-null": (v3(codecs=None), InvalidMetadata),
    "codecs-missing": (v3(codecs=DEL), InvalidMetadata),
    "codec-int": (v3(codecs=[1]), InvalidMetadata),
    "codec-no-name": (v3(codecs=[{"configuration": {}}]), InvalidMetadata),
    "codec-name-list": (v3(codecs=[{"name": ["bytes"]}]), InvalidMetadata),
    "codec-unexpected-key": (v3(codecs=[{"name": "bytes", "foo": 1}]), InvalidMetadata),
    "codec-configuration-list": (
        v3(codecs=[{"name": "bytes", "configuration": ["little"]}]),
        InvalidMetadata,
    ),
    "codec-unknown": (v3(codecs=[BYTES, {"name": "nosuch"}]), UnknownCodec),
    "codec-unknown-numcodecs": (v3(codecs=[BYTES, {"name": "numcodecs.nosuch"}]), UnknownCodec),
    "codec-unknown-serializer": (v3(codecs=[{"name": "nosuch"}]), UnknownCodec),
    "bytes-unknown-key": (
        v3(codecs=[{"name": "bytes", "configuration": {"endian": "little", "foo": 1}}]),
        InvalidMetadata,
    ),
    "bytes-bad-endian": (
        v3(codecs=[{"name": "bytes", "configuration": {"endian": "middle"}}]),
        InvalidMetadata,
    ),
    "bytes-no-endian-for-int32": (
        v3(codecs=[{"name": "bytes", "configuration": {"endian": None}}]),
        InvalidMetadata,
    ),
    "gzip-unknown-key": (
        v3(codecs=[BYTES, {"name": "gzip", "configuration": {"level": 1, "foo": 1}}]),
        InvalidMetadata,
    ),
    "gzip-level-string": (
        v3(codecs=[BYTES, {"name": "gzip", "configuration": {"level": "1"}}]),
        InvalidMetadata,
    ),
    "gzip-level-range": (
        v3(codecs=[BYTES, {"name": "gzip", "configuration": {"level": 99}}]),
        InvalidMetadata,
    ),
    "zstd-unknown-key": (
        v3(codecs=[BYTES, {"name": "zstd", "configuration": {"bar": 1}}]),
        InvalidMetadata,
    ),
    "zstd-checksum-int": (
        v3(codecs=[BYTES, {"name": "zstd", "configuration": {"checksum": 1}}]),
        InvalidMetadata,
    ),
    "blosc-unknown-key": (
        v3(codecs=[BYTES, {"name": "blosc", "configuration": {"bar": 1}}]),
        InvalidMetadata,
    ),
    "blosc-bad-cname": (
        v3(codecs=[BYTES, {"name": "blosc", "configuration": {"cname": "x"}}]),
        InvalidMetadata,
    ),
    "blosc-bad-typesize": (
        v3(codecs=[BYTES, {"name": "blosc", "configuration": {"typesize": 0}}]),
        InvalidMetadata,
    ),
    "crc32c-configuration": (
        v3(codecs=[BYTES, {"name": "crc32c", "configuration": {"x": 1}}]),
        InvalidMetadata,
    ),
    "numcodecs-unknown-key": (
        v3(codecs=[BYTES, {"name": "numcodecs.zlib", "configuration": {"level": 1, "zz": 2}}]),
        InvalidMetadata,
    ),
    "transpose-not-permutation": (
        v3(codecs=[{"name": "transpose", "configuration": {"order": [0, 0]}}, BYTES]),
        InvalidMetadata,
    ),
    "transpose-wrong-rank": (
        v3(codecs=[{"name": "transpose", "configuration": {"order": [0]}}, BYTES]),
        InvalidMetadata,
    ),
    "transpose-string": (
        v3(codecs=[{"name": "transpose", "configuration": {"order": "C"}}, BYTES]),
        InvalidMetadata,
    ),
    "two-serializers": (v3(codecs=[BYTES, BYTES]), InvalidMetadata),
    "no-serializer": (v3(codecs=[{"name": "gzip"}]), InvalidMetadata),
    "codecs-out-of-order": (v3(codecs=[{"name": "gzip"}, BYTES]), InvalidMetadata),
    "vlen-for-int32": (v3(codecs=[{"name": "vlen-utf8"}]), InvalidMetadata),
    "bytes-for-string": (v3(data_type="string", fill_value="", codecs=[BYTES]), InvalidMetadata),
    # sharding
    "shard-not-dividing": (v3(codecs=shard([3, 3])), InvalidMetadata),
    "shard-not-dividing-one-axis": (v3(codecs=shard([4, 3])), InvalidMetadata),
    "shard-rank": (v3(codecs=shard([2])), InvalidMetadata),
    "shard-zero": (v3(codecs=shard([0, 2])), InvalidMetadata),
    "shard-chunk-shape-string": (v3(codecs=shard("2,2")), InvalidMetadata),
    "shard-chunk-shape-dict": (v3(codecs=shard({"a": 2})), InvalidMetadata),
    "shard-chunk-shape-missing": (
        v3(codecs=[{"name": "sharding_indexed", "configuration": {"codecs": [BYTES]}}]),
        InvalidMetadata,
    ),
    "shard-unknown-key": (v3(codecs=shard([2, 2], zz=1)), InvalidMetadata),
    "shard-codecs-object": (v3(codecs=shard([2, 2], codecs={"name": "bytes"})), InvalidMetadata),
    "shard-codecs-empty": (v3(codecs=shard([2, 2], codecs=[])), InvalidMetadata),
    "shard-codecs-missing": (
        v3(codecs=[{"name": "sharding_indexed", "configuration": {"chunk_shape": [2, 2]}}]),
        InvalidMetadata,
    ),
    "shard-index-compressed": (
        v3(codecs=shard([2, 2], index_codecs=[BYTES, {"name": "gzip"}])),
        InvalidMetadata,
    ),
    "shard-index-location": (v3(codecs=shard([2, 2], index_location="middle")), InvalidMetadata),
    "shard-inner-unknown-codec": (
        v3(codecs=shard([2, 2], [BYTES, {"name": "nope"}])),
        UnknownCodec,
    ),
    "shard-nested-not-dividing": (v3(codecs=shard([2, 2], shard([3, 3]))), InvalidMetadata),
    "shard-inner-chunk-too-big": (
        v3(shape=[2**40], chunk_grid=grid([2**40]), codecs=shard([2**40])),
        InvalidMetadata,
    ),
    "shard-nested-inner-chunk-too-big": (
        v3(shape=[2**40], chunk_grid=grid([2**40]), codecs=shard([2**40], shard([2**36]))),
        InvalidMetadata,
    ),
    "shard-too-big": (
        v3(shape=[2**50], chunk_grid=grid([2**50]), codecs=shard([2**10])),
        InvalidMetadata,
    ),
    # chunk key encoding
    "key-encoding-unknown": (v3(chunk_key_encoding={"name": "nope"}), UnsupportedFeature),
    "key-encoding-string": (v3(chunk_key_encoding="default"), InvalidMetadata),
    "key-encoding-separator": (
        v3(chunk_key_encoding={"name": "default", "configuration": {"separator": "/.."}}),
        InvalidMetadata,
    ),
    "key-encoding-separator-backslash": (
        v3(chunk_key_encoding={"name": "v2", "configuration": {"separator": "\\"}}),
        InvalidMetadata,
    ),
    "key-encoding-configuration-list": (
        v3(chunk_key_encoding={"name": "default", "configuration": []}),
        InvalidMetadata,
    ),
    "key-encoding-unknown-key": (
        v3(chunk_key_encoding={"name": "default", "configuration": {"separator": "/", "x": 1}}),
        InvalidMetadata,
    ),
    "key-encoding-missing": (v3(chunk_key_encoding=DEL), InvalidMetadata),
    # attributes, dimension names
    "attributes-list": (v3(attributes=[1, 2]), InvalidMetadata),
    "attributes-string": (v3(attributes="x"), InvalidMetadata),
    "attributes-number": (v3(attributes=1), InvalidMetadata),
    "dimension-names-string": (v3(dimension_names="ab"), InvalidMetadata),
    "dimension-names-rank": (v3(dimension_names=["a"]), InvalidMetadata),
    "dimension-names-ints": (v3(dimension_names=[1, 2]), InvalidMetadata),
    # extensions and transformers
    "extension-must-understand-true": (v3(foo={"must_understand": True}), UnsupportedFeature),
    "extension-without-must-understand": (v3(foo={"a": 1}), UnsupportedFeature),
    "extension-must-understand-string": (v3(foo={"must_understand": "false"}), UnsupportedFeature),
    "extension-string": (v3(foo="bar"), UnsupportedFeature),
    "extension-list": (v3(foo=[{"must_understand": False}]), UnsupportedFeature),
    "storage-transformers": (v3(storage_transformers=[{"name": "x"}]), UnsupportedFeature),
    "storage-transformers-object": (v3(storage_transformers={"name": "x"}), InvalidMetadata),
    # format and node type
    "node-type-wrong": (v3(node_type="arr"), NodeTypeValidationError),
    "node-type-int": (v3(node_type=1), NodeTypeValidationError),
    "node-type-missing": (v3(node_type=DEL), NodeTypeValidationError),
    "zarr-format-4": (v3(zarr_format=4), InvalidMetadata),
    "zarr-format-2": (v3(zarr_format=2), InvalidMetadata),
    "zarr-format-string": (v3(zarr_format="3"), InvalidMetadata),
    "zarr-format-bool": (v3(zarr_format=True), InvalidMetadata),
    "zarr-format-missing": (v3(zarr_format=DEL), InvalidMetadata),
    # not JSON objects
    "invalid-json": (b'{"zarr_format": 3,', InvalidMetadata),
    "invalid-json-trailing": (v3() + b"}", InvalidMetadata),
    "invalid-utf8": (v3()[:-1] + b', "attributes": {"a": "\xff\xfe"}}', InvalidMetadata),
    "utf16": (v3().decode().encode("utf-16"), InvalidMetadata),
    "empty": (b"", InvalidMetadata),
    "whitespace": (b"  \n", InvalidMetadata),
    "top-level-list": (b"[1, 2]", InvalidMetadata),
    "top-level-null": (b"null", InvalidMetadata),
    "top-level-string": (b'"zarr"', InvalidMetadata),
    "nul-bytes": (b"\x00" * 64, InvalidMetadata),
    "huge-integer-literal": (
        b'{"zarr_format": 3, "shape": [' + b"9" * 5000 + b"]}",
        InvalidMetadata,
    ),
    "duplicate-keys": (
        b'{"zarr_format": 3, "zarr_format": 4, "node_type": "group"}',
        InvalidMetadata,
    ),
    "deep-lists-in-attributes": (
        array_doc_with_attrs(b'{"a": ' + nested(100_000) + b"}"),
        InvalidMetadata,
    ),
    "deep-objects-in-attributes": (array_doc_with_attrs(nested(100_000, "dict")), InvalidMetadata),
    "deep-lists-in-shape": (v3()[:-1] + b', "shape": ' + nested(100_000) + b"}", InvalidMetadata),
    "deep-in-codec-configuration": (
        v3(codecs=DEL)[:-1]
        + b', "codecs": [{"name": "bytes", "configuration": '
        + nested(2_000, "dict")
        + b"}]}",
        InvalidMetadata,
    ),
    "deep-extension": (
        v3()[:-1] + b', "ext": {"must_understand": false, "x": ' + nested(5_000) + b"}}",
        InvalidMetadata,
    ),
}


@pytest.mark.parametrize("case", sorted(V3_CASES))
def test_hostile_v3_array(make_store: Any, case: str) -> None:
    doc, expected = V3_CASES[case]
    store = make_store({"a/zarr.json": doc})
    assert_rejected(store, expected)


V3_GROUP_CASES: dict[str, tuple[bytes, type[InvalidMetadata]]] = {
    "attributes-list": (
        b'{"zarr_format": 3, "node_type": "group", "attributes": [1]}',
        InvalidMetadata,
    ),
    "attributes-string": (
        b'{"zarr_format": 3, "node_type": "group", "attributes": "\\u0000"}',
        InvalidMetadata,
    ),
    "consolidated-list": (
        b'{"zarr_format": 3, "node_type": "group", "consolidated_metadata": [1]}',
        InvalidMetadata,
    ),
    "extension-required": (
        b'{"zarr_format": 3, "node_type": "group", "x": {"must_understand": true}}',
        UnsupportedFeature,
    ),
    "extension-number": (b'{"zarr_format": 3, "node_type": "group", "x": 1}', UnsupportedFeature),
    "node-type-array-without-fields": (
        b'{"zarr_format": 3, "node_type": "array"}',
        InvalidMetadata,
    ),
    "node-type-unknown": (b'{"zarr_format": 3, "node_type": "dataset"}', NodeTypeValidationError),
    "zarr-format-4": (b'{"zarr_format": 4, "node_type": "group"}', InvalidMetadata),
    "zarr-format-float": (b'{"zarr_format": 3.5, "node_type": "group"}', InvalidMetadata),
    "deep-lists": (group_doc_with_attrs(b'{"a": ' + nested(100_000) + b"}"), InvalidMetadata),
    "deep-objects": (group_doc_with_attrs(nested(100_000, "dict")), InvalidMetadata),
}


def rect(chunk_shapes: Any, kind: Any = "inline", **changes: Any) -> bytes:
    config = {"kind": kind, "chunk_shapes": chunk_shapes}
    if kind is DEL:
        del config["kind"]
    return v3(chunk_grid={"name": "rectilinear", "configuration": config}, **changes)


#: Rectilinear grids (config.rectilinear_chunks on) a hostile or broken writer may store.
RECTILINEAR_CASES: dict[str, tuple[bytes, type[InvalidMetadata]]] = {
    "edges-short-of-extent": (rect([[4, 3], [4, 4]]), InvalidMetadata),
    "edge-zero": (rect([[4, 0, 4], 4]), InvalidMetadata),
    "edge-negative": (rect([[12, -4], 4]), InvalidMetadata),
    "edge-bool": (rect([[True, 7], 4]), InvalidMetadata),
    "edge-float": (rect([[4.0, 4], 4]), InvalidMetadata),
    "edge-string": (rect([["4", 4], 4]), InvalidMetadata),
    "bare-zero": (rect([0, 4]), InvalidMetadata),
    "no-edges": (rect([[], 4]), InvalidMetadata),
    "run-count-huge": (rect([[[1, 10**15]], 4]), InvalidMetadata),
    "run-count-zero": (rect([[[8, 0]], 4]), InvalidMetadata),
    "run-triple": (rect([[[4, 2, 1]], 4]), InvalidMetadata),
    "run-nested": (rect([[[[4, 2], 1]], 4]), InvalidMetadata),
    "rank-mismatch": (rect([[8]]), InvalidMetadata),
    "shapes-not-list": (rect({"0": 8}), InvalidMetadata),
    "kind-missing": (rect([[8], [8]], kind=DEL), InvalidMetadata),
    "kind-unknown": (rect([[8], [8]], kind="external"), UnsupportedFeature),
    "chunk-too-big": (rect([[8], [8]], shape=[8, 2**31]), InvalidMetadata),
    "edge-too-big-for-chunk": (rect([[2**31], [2**31]], shape=[8, 8]), InvalidMetadata),
    "sharded-edge-not-divisible": (
        rect(
            [[4, 3, 1], 8],
            codecs=[
                {
                    "name": "sharding_indexed",
                    "configuration": {
                        "chunk_shape": [2, 4],
                        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                    },
                }
            ],
        ),
        InvalidMetadata,
    ),
}


@pytest.mark.parametrize("case", sorted(RECTILINEAR_CASES))
def test_hostile_rectilinear_grid(make_store: Any, case: str) -> None:
    doc, expected = RECTILINEAR_CASES[case]
    store = make_store({"a/zarr.json": doc})
    with config.set({"array.rectilinear_chunks": True}):
        assert_rejected(store, expected)


@pytest.mark.parametrize("case", sorted(V3_GROUP_CASES))
def test_hostile_v3_group(make_store: Any, case: str) -> None:
    doc, expected = V3_GROUP_CASES[case]
    store = make_store({"a/zarr.json": doc})
    for action in (
        lambda: open_zarr(store, "a"),
        lambda: ZarrGroup(store, "a"),
        lambda: open_zarr(store)["a"],
    ):
        with pytest.raises(ZarrError) as info:
            action()
        assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"
    assert "a" not in open_zarr(store)


def test_hostile_root_document(make_store: Any) -> None:
    store = make_store({})
    store.set("zarr.json", nested(100_000))
    with pytest.raises(ZarrError) as info:
        open_zarr(store)
    assert type(info.value) is InvalidMetadata
    # Creating over it (overwrite=False) says a node is there, without parsing trouble.
    with pytest.raises(ContainsNode):
        ZarrGroup.create(store)
    ZarrGroup.create(store, overwrite=True)
    assert isinstance(open_zarr(store), ZarrGroup)


# -- v2 .zarray / .zattrs / .zgroup ----------------------------------------------------------

V2_CASES: dict[str, tuple[dict[str, bytes], type[InvalidMetadata]]] = {
    "shape-negative": ({".zarray": v2(shape=[-1, 8])}, InvalidMetadata),
    "shape-huge": ({".zarray": v2(shape=[2**70, 8])}, InvalidMetadata),
    "shape-times-itemsize-overflow": (
        {".zarray": v2(shape=[2**62, 1], chunks=[1, 1])},
        InvalidMetadata,
    ),
    "shape-string": ({".zarray": v2(shape="8")}, InvalidMetadata),
    "shape-int": ({".zarray": v2(shape=8)}, InvalidMetadata),
    "shape-missing": ({".zarray": v2(shape=DEL)}, InvalidMetadata),
    "chunks-zero": ({".zarray": v2(chunks=[0, 4])}, InvalidMetadata),
    "chunks-rank": ({".zarray": v2(chunks=[4])}, InvalidMetadata),
    "chunks-dict": ({".zarray": v2(chunks={"a": 4})}, InvalidMetadata),
    "chunks-null": ({".zarray": v2(chunks=None)}, InvalidMetadata),
    "chunks-too-big": ({".zarray": v2(shape=[2**40], chunks=[2**40])}, InvalidMetadata),
    "dtype-unknown": ({".zarray": v2(dtype="<q9")}, UnknownDataType),
    "dtype-int": ({".zarray": v2(dtype=5)}, InvalidMetadata),
    "dtype-dict": ({".zarray": v2(dtype={"a": 1})}, InvalidMetadata),
    "dtype-huge-void": ({".zarray": v2(dtype="|V99999999999")}, UnknownDataType),
    "dtype-subarray": ({".zarray": v2(dtype=[["a", "<i4", [2**31, 2**31]]])}, UnsupportedFeature),
    "dtype-object-without-codec": ({".zarray": v2(dtype="|O")}, InvalidMetadata),
    "dtype-missing": ({".zarray": v2(dtype=DEL)}, InvalidMetadata),
    "fill-string-for-int": ({".zarray": v2(fill_value="abc")}, InvalidMetadata),
    "fill-list-for-int": ({".zarray": v2(fill_value=[1])}, InvalidMetadata),
    "fill-object-for-int": ({".zarray": v2(fill_value={})}, InvalidMetadata),
    "compressor-unknown": ({".zarray": v2(compressor={"id": "nosuch"})}, UnknownCodec),
    "compressor-string": ({".zarray": v2(compressor="zlib")}, InvalidMetadata),
    "compressor-without-id": ({".zarray": v2(compressor={"level": 1})}, InvalidMetadata),
    "compressor-list": ({".zarray": v2(compressor=[{"id": "zlib"}])}, InvalidMetadata),
    "compressor-unknown-key": (
        {".zarray": v2(compressor={"id": "zlib", "level": 1, "x": 2})},
        InvalidMetadata,
    ),
    "filters-object": ({".zarray": v2(filters={"id": "delta"})}, InvalidMetadata),
    "filters-string": ({".zarray": v2(filters="delta")}, InvalidMetadata),
    "filter-string": ({".zarray": v2(filters=["delta"])}, InvalidMetadata),
    "filter-unknown": ({".zarray": v2(filters=[{"id": "nosuch"}])}, UnknownCodec),
    "order-unknown": ({".zarray": v2(order="X")}, InvalidMetadata),
    "order-int": ({".zarray": v2(order=1)}, InvalidMetadata),
    "separator-dotdot": ({".zarray": v2(dimension_separator="/..")}, InvalidMetadata),
    "separator-backslash": ({".zarray": v2(dimension_separator="\\")}, InvalidMetadata),
    "separator-int": ({".zarray": v2(dimension_separator=1)}, InvalidMetadata),
    "zarr-format-3": ({".zarray": v2(zarr_format=3)}, InvalidMetadata),
    "zarr-format-4": ({".zarray": v2(zarr_format=4)}, InvalidMetadata),
    "zarr-format-string": ({".zarray": v2(zarr_format="2")}, InvalidMetadata),
    "zarr-format-missing": ({".zarray": v2(zarr_format=DEL)}, InvalidMetadata),
    "zarray-invalid-json": ({".zarray": b"{"}, InvalidMetadata),
    "zarray-invalid-utf8": ({".zarray": b'{"a": "\xff"}'}, InvalidMetadata),
    "zarray-list": ({".zarray": b"[]"}, InvalidMetadata),
    "zarray-deep": ({".zarray": b'{"a": ' + nested(100_000) + b"}"}, InvalidMetadata),
    "zattrs-list": ({".zarray": v2(), ".zattrs": b"[1]"}, InvalidMetadata),
    "zattrs-invalid-json": ({".zarray": v2(), ".zattrs": b"{"}, InvalidMetadata),
    "zattrs-invalid-utf8": ({".zarray": v2(), ".zattrs": b'{"a": "\xff"}'}, InvalidMetadata),
    "zattrs-deep-lists": (
        {".zarray": v2(), ".zattrs": b'{"a": ' + nested(100_000) + b"}"},
        InvalidMetadata,
    ),
    "zattrs-deep-objects": ({".zarray": v2(), ".zattrs": nested(100_000, "dict")}, InvalidMetadata),
}


@pytest.mark.parametrize("case", sorted(V2_CASES))
def test_hostile_v2_array(make_store: Any, case: str) -> None:
    files, expected = V2_CASES[case]
    store = make_store({f"a/{name}": doc for name, doc in files.items()})
    assert_rejected(store, expected)


@pytest.mark.parametrize(
    "zgroup,zattrs",
    [
        (b'{"zarr_format": 3}', None),
        (b"[]", None),
        (b"{", None),
        (b'{"zarr_format": 2}', b"[]"),
        (b'{"zarr_format": 2}', nested(100_000, "dict")),
        (b'{"zarr_format": 2}', b'{"a": ' + nested(600) + b"}"),
    ],
)
def test_hostile_v2_group(make_store: Any, zgroup: bytes, zattrs: bytes | None) -> None:
    files = {"a/.zgroup": zgroup}
    if zattrs is not None:
        files["a/.zattrs"] = zattrs
    store = make_store(files)
    with pytest.raises(ZarrError) as info:
        open_zarr(store, "a")
    assert type(info.value) is InvalidMetadata


# -- nesting depth ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [300, 500, 800, 990, 1_000, 5_000])
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_moderately_deep_attributes_are_invalid_not_recursion_errors(
    make_store: Any, depth: int, kind: str
) -> None:
    """Deep enough to pass the JSON parser yet to exhaust recursion while copying."""
    attrs = b'{"a": ' + nested(depth, kind) + b"}"
    store = make_store(
        {
            "g3/zarr.json": group_doc_with_attrs(attrs),
            "a3/zarr.json": array_doc_with_attrs(attrs),
            "g2/.zgroup": b'{"zarr_format": 2}',
            "g2/.zattrs": attrs,
            "a2/.zarray": v2(),
            "a2/.zattrs": attrs,
        }
    )
    for path in ("g3", "a3", "g2", "a2"):
        with pytest.raises(ZarrError) as info:
            open_zarr(store, path)
        assert type(info.value) is InvalidMetadata, (path, info.value)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_deep_but_reasonable_attributes_round_trip(make_store: Any, zarr_format: int) -> None:
    value: Any = "leaf"
    for i in range(200):
        value = [value] if i % 2 else {"k": value}
    store = make_store({})
    g = ZarrGroup.create(store, "g", zarr_format=zarr_format)
    g.attrs["deep"] = value
    a = g.create_array("x", shape=(2,), dtype="uint8", attributes={"deep": value})
    a[:] = 1
    again = open_zarr(store, "g")
    assert again.attrs["deep"] == value
    again.attrs["more"] = 1  # read, change, write back
    assert open_zarr(store, "g/x").attrs["deep"] == value
    assert open_zarr(store, "g").attrs.asdict() == {"deep": value, "more": 1}


@pytest.mark.parametrize("depth", [300, 2_000, 100_000])
def test_writing_too_deep_attributes_is_invalid(depth: int) -> None:
    g = ZarrGroup.create(MemoryStore())
    value: Any = []
    for _ in range(depth):
        value = [value]
    with pytest.raises(ZarrError) as info:
        g.attrs["x"] = value
    assert type(info.value) is InvalidMetadata
    assert dict(open_zarr(g.store).attrs) == {}


# -- tolerated extensions --------------------------------------------------------------------


def test_array_extension_with_must_understand_false_is_tolerated(make_store: Any) -> None:
    ext = {"must_understand": False, "payload": [1, {"x": None}]}
    store = make_store({"a/zarr.json": v3(my_extension=ext)})
    a = open_and_read(store)
    assert a.shape == (8, 8)
    a[:] = np.arange(64, dtype="int32").reshape(8, 8)
    a.attrs["k"] = "v"  # rewrites zarr.json: the extension is kept
    doc = json.loads(store.get("a/zarr.json"))
    assert doc["my_extension"] == ext
    assert open_zarr(store, "a")[7, 7] == 63


def test_group_extension_with_must_understand_false_is_tolerated(make_store: Any) -> None:
    ext = {"must_understand": False}
    doc = b'{"zarr_format": 3, "node_type": "group", "ext": {"must_understand": false}}'
    store = make_store({"g/zarr.json": doc})
    g = open_zarr(store, "g")
    assert isinstance(g, ZarrGroup)
    g.attrs["k"] = 1
    assert json.loads(store.get("g/zarr.json"))["ext"] == ext
    g.create_array("child", shape=(2,), dtype="uint8")
    assert open_zarr(store, "g").keys() == ["child"]


def test_codecs_and_extensions_may_say_must_understand_false_when_known(
    make_store: Any,
) -> None:
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}, "must_understand": False}]
    store = make_store({"a/zarr.json": v3(codecs=codecs)})
    assert open_and_read(store).shape == (8, 8)
