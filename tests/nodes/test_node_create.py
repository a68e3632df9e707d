"""Array creation: one ArrayOptions object, and a group's creation methods writing what the
zarr-python-style API functions write for the same arguments."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import simplezarr as zarr
from simplezarr.errors import InvalidArgument, InvalidMetadata
from simplezarr.metadata import ArrayOptions
from simplezarr.metadata.options import DEFAULT_FILL_VALUE
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.nodes.create import normalize_chunks
from simplezarr.stores import MemoryStore


def _doc(store: MemoryStore, path: str) -> bytes:
    value = store.get(f"{path}/zarr.json") or store.get(f"{path}/.zarray")
    assert value is not None
    return value


def test_options_are_frozen_and_replaceable() -> None:
    opts = ArrayOptions(shape=10, dtype="i2", chunks=(5,))
    assert opts.shape == (10,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.chunks = (2,)  # type: ignore[misc]
    v2 = opts.replace(zarr_format=2)
    assert (opts.zarr_format, v2.zarr_format) == (3, 2)
    assert v2.metadata().to_json()["chunks"] == [5]


def test_options_normalise_chunk_key_encoding_tuples() -> None:
    opts = ArrayOptions(shape=(4,), dtype="u1", chunk_key_encoding=("default", "."))
    assert opts.chunk_key_encoding == {"name": "default", "configuration": {"separator": "."}}
    assert opts.metadata().chunk_key_encoding.separator == "."


def test_bad_zarr_format_is_named() -> None:
    with pytest.raises(InvalidMetadata, match="zarr_format must be 2 or 3"):
        ArrayOptions(shape=(4,), dtype="u1", zarr_format=4)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_fill_value_default_none_and_given(zarr_format: int) -> None:
    base = ArrayOptions(shape=(4,), dtype="f4", zarr_format=zarr_format)
    assert base.fill_value is DEFAULT_FILL_VALUE
    assert base.metadata().fill_value == 0.0
    none = base.replace(fill_value=None).metadata().fill_value
    assert none is None if zarr_format == 2 else none == 0.0  # v2 writes null, as zarr-python
    assert base.replace(fill_value=7).metadata().fill_value == 7.0


def test_create_with_options_equals_create_with_keywords() -> None:
    s1, s2 = MemoryStore(), MemoryStore()
    opts = ArrayOptions(shape=(6, 6), dtype="i4", chunks=(2, 3), shards=(6, 6), fill_value=3)
    ZarrArray.create(s1, "a", opts)
    ZarrArray.create(s2, "a", shape=(6, 6), dtype="i4", chunks=(2, 3), shards=(6, 6), fill_value=3)
    assert _doc(s1, "a") == _doc(s2, "a")
    # fields given with an options object change it
    ZarrArray.create(s1, "b", opts, fill_value=5)
    assert ZarrArray(s1, "b")[0, 0] == 5


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_group_create_array_writes_what_create_array_writes(zarr_format: int) -> None:
    store = MemoryStore()
    g = ZarrGroup.create(store, "g", zarr_format=zarr_format)
    g.create_array("x", shape=(10,), dtype="u2", chunks=(5,), compressors=None)
    ref = zarr.create_array(
        store,
        name="g/y",
        shape=(10,),
        dtype="u2",
        chunks=(5,),
        compressors=None,
        zarr_format=zarr_format,
    )
    assert ref.metadata.to_json() == g["x"].metadata.to_json()


def test_group_create_array_from_data_uses_create_array_defaults() -> None:
    store = MemoryStore()
    src = zarr.create_array(store, name="src", data=np.arange(100), chunks=(10,))
    g = ZarrGroup.create(store, "g")
    copy = g.create_array("c", data=src)
    # create_array(data=...) chooses chunks itself ("auto"), unlike from_array's "keep"
    assert copy.chunks == zarr.create_array(MemoryStore(), data=src).chunks
    kept = zarr.from_array(MemoryStore(), data=src)
    assert kept.chunks == (10,)
    np.testing.assert_array_equal(copy[:], np.arange(100))


@pytest.mark.parametrize(
    ("method", "kwargs", "expected"),
    [
        ("zeros", {}, 0),
        ("ones", {}, 1),
        ("full", {"fill_value": 4}, 4),
        ("empty", {}, 0),
    ],
)
def test_group_fill_constructors(method: str, kwargs: dict, expected: int) -> None:
    store = MemoryStore()
    g = ZarrGroup.create(store)
    a = getattr(g, method)(name="a", shape=(3,), dtype="i1", **kwargs)
    assert a[:].tolist() == [expected] * 3
    ref = getattr(zarr, method)(shape=(3,), dtype="i1", store=store, path="ref", **kwargs)
    assert a.metadata.to_json() == ref.metadata.to_json()


def test_group_like_constructors_take_the_source_encoding() -> None:
    store = MemoryStore()
    g = ZarrGroup.create(store, zarr_format=2)
    src = g.full(name="src", shape=(4, 4), chunks=(2, 2), dtype="i2", fill_value=9)
    like = g.full_like(name="like", data=src)
    zeros = g.zeros_like(name="zeros", data=src)
    assert like.chunks == zeros.chunks == (2, 2)
    assert like.fill_value == 9 and zeros.fill_value == 0
    assert like.compressor == src.compressor


def test_group_setitem_replaces_and_refuses_non_arrays() -> None:
    g = ZarrGroup.create(MemoryStore())
    g["a"] = np.arange(4)
    g["a"] = np.arange(6).reshape(2, 3)
    assert g["a"].shape == (2, 3)
    with pytest.raises(InvalidArgument, match="must be a numpy array"):
        g["b"] = [1, 2, 3]


def test_unknown_creation_keyword_is_named() -> None:
    g = ZarrGroup.create(MemoryStore())
    with pytest.raises(InvalidArgument, match="chunkz"):
        g.create_array("x", shape=(3,), dtype="i1", chunkz=(1,))


def test_legacy_chunks_allow_a_smaller_last_chunk() -> None:
    assert normalize_chunks(((4, 4, 2), (3,)), (10, 3), 8) == (4, 3)
    with pytest.raises(InvalidArgument, match="irregular chunk sizes in dimension 0"):
        normalize_chunks(((4, 2, 4),), (10,), 8)
    with pytest.raises(InvalidArgument, match="irregular"):
        normalize_chunks(((4, 4, 5),), (13,), 8)
