"""Arrays with rectilinear (variable) chunk grids: the flag, creating, reading and writing,
resizing, sharding, and what an array says about its chunks (zarr-python 3.4.2's behaviour,
checked against zarr-python itself in tests/interop/test_interop_rectilinear.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import (
    InvalidMetadata,
    InvalidMetadataType,
    NoUniformChunkShape,
    RectilinearChunksDisabledError,
)


@pytest.fixture
def on() -> Iterator[None]:
    with simplezarr.config.set({"array.rectilinear_chunks": True}):
        yield


def _chunk_keys(store: dict[str, Any]) -> list[str]:
    return sorted(k for k in store if k.startswith("c/"))


def _doc(store: dict[str, Any], key: str = "zarr.json") -> Any:
    value = store[key]
    return json.loads(bytes(value.to_bytes() if hasattr(value, "to_bytes") else value))


# -- the flag ----------------------------------------------------------------------------


def test_flag_is_off_by_default_and_has_zarr_pythons_key() -> None:
    assert simplezarr.config.get("array.rectilinear_chunks") is False
    assert simplezarr.config.rectilinear_chunks is False
    with simplezarr.config.set({"array": {"rectilinear_chunks": True}}):
        assert simplezarr.config.get("array.rectilinear_chunks") is True
    assert simplezarr.config.rectilinear_chunks is False


def test_flag_off_refuses_creating_opening_and_storing(tmp_path: Path) -> None:
    with pytest.raises(RectilinearChunksDisabledError, match="experimental and disabled"):
        simplezarr.create_array({}, shape=(30,), chunks=[[10, 20]], dtype="i4")
    store: dict[str, Any] = {}
    with simplezarr.config.set({"array.rectilinear_chunks": True}):
        a = simplezarr.create_array(store, name="r", shape=(30,), chunks=[[10, 20]], dtype="i4")
    # an array already open keeps reading and writing chunks (the flag gates documents)
    a[:] = 5
    assert a[:].tolist() == [5] * 30
    with pytest.raises(RectilinearChunksDisabledError, match="/r") as info:
        simplezarr.open_array(store, path="r")
    assert isinstance(info.value, ValueError)
    with pytest.raises(RectilinearChunksDisabledError):
        a.resize((40,))  # would store a new document
    assert a.shape == (30,)
    # control: with the flag on, the same calls work
    with simplezarr.config.set({"array.rectilinear_chunks": True}):
        assert simplezarr.open_array(store, path="r")[:5].tolist() == [5] * 5
        a.resize((40,))
    assert a.shape == (40,)


def test_flag_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from simplezarr.config import Config

    monkeypatch.setenv("SIMPLEZARR_RECTILINEAR_CHUNKS", "1")
    assert Config().rectilinear_chunks is True
    monkeypatch.setenv("SIMPLEZARR_RECTILINEAR_CHUNKS", "0")
    assert Config().rectilinear_chunks is False


# -- creating ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunks", "grid"),
    [
        ([[10, 20, 30], [50, 50]], [[10, 20, 30], [[50, 2]]]),
        ((5, [10, 20, 70]), [5, [10, 20, 70]]),
        ([[10] * 9 + [7], -1], [[[10, 9], 7], 100]),
        ((np.int64(4), np.array([60, 37, 3])), [4, [60, 37, 3]]),
    ],
)
def test_chunks_forms(on: None, chunks: Any, grid: Any) -> None:
    store: dict[str, Any] = {}
    shape = (60 if isinstance(chunks[0], list) and sum(chunks[0]) == 60 else 97, 100)
    if isinstance(chunks[0], (int, np.integer)):
        shape = (30, 100)
    a = simplezarr.create_array(store, shape=shape, chunks=chunks, dtype="u1")
    doc = _doc(store)["chunk_grid"]
    assert doc == {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": grid}}
    assert a.metadata.chunk_grid.to_dict() == doc


def test_scalar_chunks_stay_regular(on: None) -> None:
    store: dict[str, Any] = {}
    simplezarr.create_array(store, shape=(30,), chunks=(10,), dtype="u1")
    assert _doc(store)["chunk_grid"]["name"] == "regular"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(chunks=[[10, 21]]),
            InvalidMetadata,
            r"chunks\[0\]: chunk sizes \[10, 21\] do not sum",
        ),
        (dict(chunks=[[10, 0, 20]]), InvalidMetadata, "positive"),
        (dict(chunks=[[10, 20.0]]), InvalidMetadataType, "integer"),
        (dict(chunks=[[]]), InvalidMetadata, "empty"),
        (dict(chunks=[[10, 20], 5]), InvalidMetadata, "2 dimensions"),
        (
            dict(chunks=[[10, 20]], shards=(10,)),
            InvalidMetadata,
            "Rectilinear chunks with sharding",
        ),
        (dict(chunks=[[10, 20]], zarr_format=2), InvalidMetadata, "Zarr format 2 does not support"),
        (dict(chunks=(10,), shards=[[20, 7, 3]]), InvalidMetadata, "not divisible"),
    ],
)
def test_bad_chunks_name_the_field(on: None, kwargs: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match) as info:
        simplezarr.create_array({}, shape=(30,), dtype="u1", **kwargs)
    assert isinstance(info.value, ValueError)


def test_legacy_create_takes_nested_sizes(on: None) -> None:
    """With the flag on, zarr.create's dask-style sizes declare a rectilinear grid (as
    zarr-python 3.4.2), uniform ones too; Zarr v2 refuses them."""
    with pytest.raises(InvalidMetadata, match="Zarr format 2 does not support"):
        simplezarr.create(shape=(30,), chunks=[[10, 20]], dtype="u1", zarr_format=2)
    a = simplezarr.create(shape=(30,), chunks=[[10, 20]], dtype="u1", zarr_format=3)
    assert a.read_chunk_sizes == ((10, 20),)
    b = simplezarr.create(shape=(10, 3), chunks=((4, 4, 2), (3,)), dtype="u1")
    assert b.metadata.chunk_grid.chunk_shapes == ((4, 4, 2), (3,))


def test_legacy_create_without_the_flag_keeps_regular_dask_sizes() -> None:
    """Off, zarr.create reads uniform dask-style sizes as a regular grid (zarr-python 3.1.6;
    3.4.2 refuses them: docs/api.md) and refuses irregular ones, naming the flag."""
    a = simplezarr.create(shape=(10, 3), chunks=((4, 4, 2), (3,)), dtype="u1")
    assert a.chunks == (4, 3)
    with pytest.raises(ValueError, match="rectilinear_chunks"):
        simplezarr.create(shape=(30,), chunks=[[10, 20]], dtype="u1")


def test_v2_document_is_never_rectilinear(on: None) -> None:
    from simplezarr.metadata.options import build_array_metadata

    with pytest.raises(InvalidMetadata, match="Zarr format 2"):
        build_array_metadata(shape=(30,), dtype="u1", chunks=[[10, 20]], zarr_format=2)


# -- what an array says ------------------------------------------------------------------


def test_chunk_properties(on: None) -> None:
    a = simplezarr.create_array({}, shape=(60, 100), chunks=[[10, 20, 30], [50, 50]], dtype="i4")
    with pytest.raises(NotImplementedError, match="read_chunk_sizes"):
        _ = a.chunks
    with pytest.raises(NoUniformChunkShape):
        _ = a.metadata.chunks
    assert a.shards is None
    assert a.nchunks == 6
    assert a.cdata_shape == (3, 2)
    assert a.read_chunk_sizes == a.write_chunk_sizes == ((10, 20, 30), (50, 50))
    text = repr(a.info)
    assert "Chunk shape        : <variable>" in text and "Shard shape" not in text
    assert "&lt;variable&gt;" in a._repr_html_()


def test_sharded_properties_and_counts(on: None) -> None:
    store: dict[str, Any] = {}
    a = simplezarr.create_array(store, shape=(90,), chunks=(10,), shards=[[60, 30]], dtype="i4")
    assert a.chunks == (10,)
    with pytest.raises(NotImplementedError, match="write_chunk_sizes"):
        _ = a.shards
    assert a.read_chunk_sizes == ((10,) * 9,)
    assert a.write_chunk_sizes == ((60, 30),)
    assert a.nchunks == 9 and a.nchunks_initialized == 0
    a[60:90] = 1  # the second shard, of 3 chunks
    assert a.nchunks_initialized == 3
    a[0:10] = 1  # the first, of 6
    assert a.nchunks_initialized == 9
    info = repr(a.info_complete())
    assert "Shard shape        : <variable>" in info and "Shards Initialized : 2" in info
    assert _chunk_keys(store) == ["c/0", "c/1"]


# -- reading and writing -----------------------------------------------------------------


def test_every_selection_mode(on: None) -> None:
    x = np.arange(60 * 25, dtype="i4").reshape(60, 25)
    a = simplezarr.create_array({}, shape=x.shape, chunks=[[10, 20, 30], 7], dtype="i4")
    a[:] = x
    np.testing.assert_array_equal(a[5:55:4, ::-3], x[5:55:4, ::-3])
    np.testing.assert_array_equal(a.oindex[[59, 0, 31], [24, 3]], x[np.ix_([59, 0, 31], [24, 3])])
    np.testing.assert_array_equal(a.vindex[[59, 0, 31], [24, 3, 9]], x[[59, 0, 31], [24, 3, 9]])
    mask = x % 11 == 0
    np.testing.assert_array_equal(a[mask], x[mask])
    np.testing.assert_array_equal(a.blocks[1, -1], x[10:30, 21:])
    np.testing.assert_array_equal(a.get_chunk((2, 0)), x[30:, :7])
    a.blocks[2, 1] = -1
    x[30:, 7:14] = -1
    a.vindex[[0, 59], [0, 24]] = 9
    x[[0, 59], [0, 24]] = 9
    a.oindex[[11, 12], :] = 8
    x[[11, 12], :] = 8
    a.set_chunk(np.full((10, 7), 4), (0, 3))
    x[:10, 21:] = 4
    np.testing.assert_array_equal(a[:], x)


def test_fill_value_and_empty_chunks(on: None) -> None:
    store: dict[str, Any] = {}
    a = simplezarr.create_array(
        store, shape=(30, 10), chunks=[[5, 25], [4, 6]], dtype="i4", fill_value=-1
    )
    assert a[:].tolist() == np.full((30, 10), -1).tolist()  # nothing stored: the fill value
    a[:] = -1
    assert _chunk_keys(store) == []  # all-fill chunks are not stored
    a[6:7, 5] = 3
    assert _chunk_keys(store) == ["c/1/1"]
    b_store: dict[str, Any] = {}
    b = simplezarr.create_array(
        b_store,
        shape=(30, 10),
        chunks=[[5, 25], [4, 6]],
        dtype="i4",
        config={"write_empty_chunks": True},
    )
    b[:] = 0
    assert _chunk_keys(b_store) == ["c/0/0", "c/0/1", "c/1/0", "c/1/1"]


def test_one_chain_per_chunk_shape(on: None) -> None:
    a = simplezarr.create_array({}, shape=(40,), chunks=[[10, 10, 20]], dtype="i4")
    m = a.metadata
    assert m.chain_for((10,)) is m.chain_for((10,))
    assert m.chain_for((20,)) is m.chain  # the largest chunk's is the array's own chain
    assert m.chain_for((10,)).spec.shape == (10,)


# -- resizing ----------------------------------------------------------------------------


def test_resize_grows_explicit_edges_and_keeps_them_on_shrink(on: None) -> None:
    store: dict[str, Any] = {}
    a = simplezarr.create_array(store, shape=(30, 8), chunks=[[10, 10, 10], 4], dtype="i4")
    a[:] = 1
    a.resize((45, 10))  # explicit edges gain one edge; the bare length extends its pattern
    assert a.metadata.chunk_grid.chunk_shapes == ((10, 10, 10, 15), 4)
    assert a.nchunks == 4 * 3
    a[30:45] = 2
    assert [k for k in _chunk_keys(store) if k.startswith("c/3/")] == ["c/3/0", "c/3/1", "c/3/2"]
    a.resize((12, 10))  # shrinking keeps every edge; chunks wholly past it are deleted
    assert a.metadata.chunk_grid.chunk_shapes == ((10, 10, 10, 15), 4)
    assert a.nchunks == 2 * 3
    assert {k.split("/")[1] for k in _chunk_keys(store)} == {"0", "1"}
    a.resize((25, 10))  # inside the edges: no new edge, the regrown part is the fill value
    assert a.metadata.chunk_grid.chunk_shapes == ((10, 10, 10, 15), 4)
    assert a[11:25, 0].tolist() == [1] + [0] * 13
    shape = a.append(np.full((3, 10), 7, "i4"))
    assert shape == (28, 10) and a[25:].tolist() == np.full((3, 10), 7).tolist()
    assert _doc(store)["chunk_grid"]["configuration"]["chunk_shapes"] == [[[10, 3], 15], 4]


def test_sharded_resize(on: None) -> None:
    a = simplezarr.create_array({}, shape=(100,), chunks=(10,), shards=[[50, 50]], dtype="i4")
    a[:] = np.arange(100)
    a.resize((130,))
    assert a.write_chunk_sizes == ((50, 50, 30),)
    a[100:] = 1
    a.resize((45,))
    a.resize((100,))
    np.testing.assert_array_equal(a[:], np.r_[np.arange(45), np.zeros(55, int)])


# -- copies, verification, groups --------------------------------------------------------


def test_from_array_keeps_the_stored_grid(on: None) -> None:
    src = simplezarr.create_array({}, shape=(25,), chunks=[[5, 10, 10]], dtype="u2")
    src[:] = np.arange(25)
    src.resize((18,))  # leaves an edge past the extent
    dst = simplezarr.from_array({}, data=src)
    assert dst.metadata.chunk_grid.chunk_shapes == ((5, 10, 10),)
    np.testing.assert_array_equal(dst[:], src[:])
    sharded = simplezarr.create_array({}, shape=(100,), chunks=(10,), shards=[[50, 50]], dtype="u2")
    copy = simplezarr.from_array({}, data=sharded, write_data=False)
    assert copy.metadata.to_dict()["chunk_grid"] == sharded.metadata.to_dict()["chunk_grid"]
    assert copy.metadata.to_dict()["codecs"] == sharded.metadata.to_dict()["codecs"]


def test_all_bare_length_rectilinear_document_keeps_its_kind(on: None) -> None:
    doc = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [90, 40],
        "chunk_grid": {
            "name": "rectilinear",
            "configuration": {"kind": "inline", "chunk_shapes": [30, 20]},
        },
        "chunk_key_encoding": {"name": "default"},
        "data_type": "int32",
        "fill_value": 0,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    }
    store = {"a/zarr.json": json.dumps(doc).encode()}
    src = simplezarr.open_array(store, path="a")
    assert src.nchunks == 6
    dst = simplezarr.from_array({}, data=src, write_data=False)
    assert dst.metadata.to_dict()["chunk_grid"] == doc["chunk_grid"]


def test_verify_and_resumed_copy(on: None, tmp_path: Path) -> None:
    src = simplezarr.create_array(
        simplezarr.storage.LocalStore(tmp_path / "s"), shape=(40,), chunks=[[10, 30]], dtype="i4"
    )
    src[:] = np.arange(40)
    assert simplezarr.verify(src).problems == []
    dest = tmp_path / "d"
    simplezarr.convert(src, dest)
    np.testing.assert_array_equal(simplezarr.open_array(dest)[:], np.arange(40))
    # a resumed copy keeps the chunks that decode (each with its own shape's codecs)
    (dest / "c" / "1").write_bytes(b"garbage")
    report = simplezarr.convert(src, dest, resume=True)
    assert report.chunks_kept == 1 and report.chunks_copied == 1, report
    np.testing.assert_array_equal(simplezarr.open_array(dest)[:], np.arange(40))
    # re-encoded on the way (no compression): one region per chunk of the rectilinear grid
    other = tmp_path / "raw"
    simplezarr.convert(src, other, compressors=None)
    assert sorted(p.name for p in (other / "c").iterdir()) == ["0", "1"]
    np.testing.assert_array_equal(simplezarr.open_array(other)[:], np.arange(40))


def test_consolidated_group_member(on: None) -> None:
    g = simplezarr.group({})
    g.create_array("r", shape=(30,), chunks=[[10, 20]], dtype="i4")[:] = 3
    simplezarr.consolidate_metadata(g.store)
    r = simplezarr.open_consolidated(g.store)["r"]
    assert r.read_chunk_sizes == ((10, 20),) and r[:].tolist() == [3] * 30
    off = simplezarr.config.set({"array.rectilinear_chunks": False})
    with off, pytest.raises(RectilinearChunksDisabledError):
        simplezarr.open_consolidated(g.store)["r"]


def test_async_api(on: None) -> None:
    import asyncio

    from simplezarr.api import asynchronous

    async def session() -> tuple[Any, ...]:
        a = await asynchronous.create_array(
            {}, shape=(30, 40), chunks=[[10, 20], [20, 20]], dtype="i4"
        )
        await a.setitem(slice(None), np.arange(1200).reshape(30, 40))
        await a.resize((50, 60))
        await a.append(np.ones((5, 60), "i4"))
        return a.read_chunk_sizes, a.write_chunk_sizes, await a.getitem((slice(0, 2), 0))

    read, write, head = asyncio.run(session())
    assert read == write == ((10, 20, 20, 5), (20, 20, 20))
    assert head.tolist() == [0, 40]
