"""build_array_metadata writes what zarr.create_array (zarr-python 3.1.6) writes."""

from __future__ import annotations

import asyncio
import json
import warnings

import numpy as np
import pytest

from simplezarr.errors import InvalidMetadata
from simplezarr.metadata.json import dump_document

zarr = pytest.importorskip("zarr")
pytest.importorskip("simplezarr.codecs.registry")
pytest.importorskip("simplezarr.codecs.v2")
numcodecs = pytest.importorskip("numcodecs")

from zarr.core.buffer import default_buffer_prototype  # noqa: E402
from zarr.storage import MemoryStore  # noqa: E402

from simplezarr.metadata.defaults import NULL_FILL, guess_chunks  # noqa: E402
from simplezarr.metadata.options import build_array_metadata  # noqa: E402
from simplezarr.metadata.v2 import parse_array_v2  # noqa: E402
from simplezarr.metadata.v3 import parse_node_v3  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")


def zarr_documents(**kwargs):
    """The metadata documents zarr-python writes for create_array(**kwargs)."""
    store = MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store, **kwargs)
    proto = default_buffer_prototype()

    def get(key):
        buf = asyncio.run(store.get(key, prototype=proto))
        return None if buf is None else json.loads(buf.to_bytes())

    if kwargs.get("zarr_format", 3) == 3:
        return get("zarr.json"), None
    return get(".zarray"), get(".zattrs")


def _gzip_wrapper():
    from zarr.codecs.numcodecs import GZip

    return GZip(level=3)


CASES = [
    dict(shape=(100,), dtype="int16"),
    dict(shape=(100,), dtype="int16", zarr_format=2),
    dict(shape=(1000, 1000), dtype="float32"),
    dict(shape=(10000, 10000), dtype="float64", zarr_format=2),
    dict(shape=(7, 1, 3), dtype="uint8"),
    dict(shape=(0,), dtype="int32"),
    dict(shape=(), dtype="int32", fill_value=5),
    dict(shape=(20, 30, 40), dtype="complex128", fill_value=1 + 2j, chunks=(5, 30, 8)),
    dict(shape=(10,), dtype=str),
    dict(shape=(10,), dtype=str, zarr_format=2),
    dict(shape=(10,), dtype="variable_length_bytes", fill_value=b"ab"),
    dict(shape=(10,), dtype="S5", fill_value=b"ab"),
    dict(shape=(10,), dtype="S5", zarr_format=2),
    dict(shape=(10,), dtype="U3", fill_value="hi"),
    dict(shape=(10,), dtype="U3", zarr_format=2),
    dict(shape=(10,), dtype="M8[ns]"),
    dict(shape=(10,), dtype="M8[s]", fill_value="2020-01-01"),
    dict(shape=(10,), dtype="m8[10s]", zarr_format=2),
    dict(shape=(10,), dtype="V4"),
    dict(shape=(10,), dtype="V4", zarr_format=2),
    dict(shape=(10,), dtype=[("a", "<i4"), ("b", "<f8")]),
    dict(shape=(10,), dtype=[("a", "<i4"), ("b", "<f8")], zarr_format=2),
    dict(shape=(10,), dtype=">f8", zarr_format=2),
    dict(shape=(10,), dtype=">f8"),
    dict(shape=(10,), dtype=">U2", zarr_format=2),
    dict(shape=(10,), dtype="bool", fill_value=True),
    dict(shape=(10,), dtype="bool", zarr_format=2),
    dict(shape=(10,), dtype="float16", fill_value=float("nan")),
    dict(shape=(10,), dtype="float32", fill_value=float("nan"), zarr_format=2),
    dict(shape=(10,), dtype="float32", fill_value=-float("inf")),
    dict(shape=(10,), dtype="uint8", chunks=(3,), compressors=None),
    dict(shape=(10,), dtype="int32", compressors={"name": "gzip", "configuration": {"level": 3}}),
    dict(
        shape=(64, 64),
        dtype="int32",
        compressors=[{"name": "blosc", "configuration": {"cname": "lz4"}}],
    ),
    dict(
        shape=(64,),
        dtype="int8",
        compressors=[{"name": "blosc", "configuration": {"cname": "zstd", "clevel": 1}}],
    ),
    dict(shape=(10,), dtype="int32", compressors=[_gzip_wrapper()]),
    dict(
        shape=(10, 10),
        dtype="int32",
        filters=[{"name": "transpose", "configuration": {"order": [1, 0]}}],
        dimension_names=["x", None],
    ),
    dict(
        shape=(10,), dtype="int32", serializer={"name": "bytes", "configuration": {"endian": "big"}}
    ),
    dict(shape=(10,), dtype="int32", attributes={"a": 1, "b": [1, 2]}),
    dict(shape=(10,), dtype="int32", chunk_key_encoding={"name": "v2", "separator": "."}),
    dict(
        shape=(10,),
        dtype="int32",
        chunk_key_encoding={"name": "default", "configuration": {"separator": "."}},
    ),
    dict(
        shape=(10,),
        dtype="int32",
        zarr_format=2,
        chunk_key_encoding={"name": "v2", "separator": "/"},
    ),
    dict(shape=(100, 100), dtype="int32", chunks=(10, 10), shards=(50, 50)),
    dict(
        shape=(100, 100),
        dtype="uint16",
        chunks=(10, 10),
        shards={"shape": (50, 50), "index_location": "start"},
        compressors=None,
    ),
    dict(shape=(1000, 1000), dtype="int32", shards="auto"),
    dict(shape=(1000, 100), dtype="float64", chunks=(10, 10), shards="auto"),
    dict(shape=(100,), dtype=str, chunks=(10,), shards=(50,)),
    dict(shape=(10,), dtype="int32", zarr_format=2, compressors=None, order="F"),
    dict(
        shape=(10,),
        dtype="int32",
        zarr_format=2,
        filters=[numcodecs.Delta(dtype="<i4")],
        compressors=numcodecs.Blosc(),
    ),
    dict(
        shape=(10,),
        dtype="int32",
        zarr_format=2,
        compressors=[numcodecs.Zstd(level=3, checksum=True)],
    ),
    dict(shape=(10,), dtype="int32", zarr_format=2, compressors={"id": "zlib", "level": 1}),
    dict(shape=(10,), dtype="int32", zarr_format=2, fill_value=None),
    dict(shape=(10,), dtype="int32", zarr_format=2, fill_value=7, attributes={"u": "v"}),
    dict(shape=(10, 20), dtype="float64", zarr_format=2, chunks=(4, 5), fill_value=0.5),
]


def _ours_kwargs(kw):
    kw = dict(kw)
    if kw.get("zarr_format") == 2 and "fill_value" in kw and kw["fill_value"] is None:
        kw["fill_value"] = NULL_FILL  # zarr-python: explicit None in v2 writes null
    return kw


@pytest.mark.parametrize("kwargs", CASES, ids=lambda kw: repr(kw)[:90])
def test_matches_zarr_python(kwargs):
    theirs, their_attrs = zarr_documents(**kwargs)
    meta = build_array_metadata(**_ours_kwargs(kwargs))
    ours = json.loads(dump_document(meta.to_json()))
    assert ours == theirs
    fmt = kwargs.get("zarr_format", 3)
    if fmt == 2:
        assert dict(meta.attributes) == (their_attrs or {})
        again = parse_array_v2(theirs, their_attrs, "a")
    else:
        again = parse_node_v3(theirs, "a")
    # what zarr-python wrote parses back to the same metadata
    assert json.loads(dump_document(again.to_json())) == ours


def test_guess_chunks_matches_zarr():
    from zarr.core.chunk_grids import _guess_chunks

    shapes = [
        (),
        (0,),
        (1,),
        (100,),
        (10**6,),
        (10**9,),
        (1000, 1000),
        (7, 1, 3),
        (10**4, 10**4),
        (3, 10**5, 7),
        (2**20, 2**20),
        (5, 5, 5, 5, 5, 5),
        (123456, 789),
    ]
    for shape in shapes:
        for typesize in (1, 2, 4, 8, 16, 100):
            assert guess_chunks(shape, typesize) == _guess_chunks(shape, typesize), (
                shape,
                typesize,
            )
            assert guess_chunks(shape, typesize, max_bytes=1024 * 1024) == _guess_chunks(
                shape, typesize, max_bytes=1024 * 1024
            )


def test_fill_values_are_typed():
    m = build_array_metadata(shape=(3,), dtype="uint16", fill_value=7)
    assert m.fill_value == 7 and m.fill_value.dtype == np.uint16
    m = build_array_metadata(shape=(3,), dtype="float32", fill_value=None)
    assert m.fill_value == 0 and m.fill_value.dtype == np.float32
    m = build_array_metadata(shape=(3,), dtype="int8", zarr_format=2, fill_value=NULL_FILL)
    assert m.fill_value is None and m.effective_fill_value == 0


BAD = [
    (dict(shape=(3,), dtype="uint8", fill_value=300), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", fill_value=1.5), InvalidMetadata),
    (dict(shape=(3,), dtype="nope"), InvalidMetadata),
    (dict(shape=(3,), dtype=object), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", chunks=(0,)), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", chunks=(1, 1)), InvalidMetadata),
    (dict(shape=(-3,), dtype="int8"), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", shards=(2,), zarr_format=2), InvalidMetadata),
    (dict(shape=(4,), dtype="int8", chunks=(2,), shards=(3,)), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", dimension_names=["x"], zarr_format=2), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", dimension_names=["x", "y"]), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", serializer={"name": "bytes"}, zarr_format=2), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", compressors=[{"name": "bytes"}]), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", filters=[{"name": "gzip"}]), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", compressors=[{"name": "nope"}]), InvalidMetadata),
    (dict(shape=(3,), dtype=str, filters=None, zarr_format=2), InvalidMetadata),
    (dict(shape=(3,), dtype=str, filters=[numcodecs.VLenBytes()], zarr_format=2), InvalidMetadata),
    (
        dict(
            shape=(3,),
            dtype="int8",
            zarr_format=2,
            compressors=[numcodecs.Zstd(), numcodecs.Zlib()],
        ),
        InvalidMetadata,
    ),
    (
        dict(shape=(3,), dtype="int8", chunk_key_encoding={"name": "default"}, zarr_format=2),
        InvalidMetadata,
    ),
    (dict(shape=(3,), dtype="int8", order="X", zarr_format=2), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", fill_value=NULL_FILL), InvalidMetadata),
    (dict(shape=(3,), dtype="int8", zarr_format=4), InvalidMetadata),
]


@pytest.mark.parametrize("kwargs,error", BAD, ids=lambda x: repr(x)[:80])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        build_array_metadata(**kwargs)


def test_v2_object_arrays():
    m = build_array_metadata(
        shape=(3,), dtype=object, zarr_format=2, filters=[numcodecs.VLenUTF8()]
    )
    assert m.dtype.name == "string"
    m = build_array_metadata(shape=(3,), dtype="O", zarr_format=2, filters=[{"id": "pickle"}])
    assert m.dtype.name == "object" and m.dtype.object_codec_id == "pickle"
    assert m.to_json()["filters"] == [numcodecs.Pickle().get_config()]
    assert m.fill_value is None and m.to_json()["fill_value"] is None
