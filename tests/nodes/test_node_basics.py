"""The seed's node API: groups, arrays, attributes, chunks, futures, resize, append."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from simplezarr.errors import (
    ContainsArray,
    ContainsGroup,
    NodeNotFound,
    ReadOnlyError,
    SelectionError,
)
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import LocalStore, MemoryStore


@pytest.fixture(params=["memory", "local"])
def store(request, tmp_path):
    return MemoryStore() if request.param == "memory" else LocalStore(tmp_path / "s.zarr")


def test_hierarchy_navigation_and_tree(store) -> None:
    root = ZarrGroup.create(store, attributes={"title": "t"})
    root.create_group("g1").create_array("arr", shape=(4,), dtype="float32", chunks=(2,))
    root.create_array("a/b/c", shape=(2, 2), dtype="int8")  # parents become groups
    node = open_zarr(store)
    assert isinstance(node, ZarrGroup)
    assert node.keys() == ["a", "g1"]
    assert isinstance(node["g1/arr"], ZarrArray)
    assert isinstance(node["a"]["b"], ZarrGroup)
    assert node["/a/b/c"].shape == (2, 2)
    assert "g1/arr" in node and "nope" not in node
    text = node.tree()
    assert "g1" in text and "arr" in text and "c (2, 2) int8" in text
    with pytest.raises(NodeNotFound, match="missing"):
        node["missing"]
    with pytest.raises(KeyError):
        node["g1/missing"]


def test_attributes_persist(store) -> None:
    root = ZarrGroup.create(store)
    a = root.create_array("x", shape=(3,), dtype="int32", attributes={"units": "m"})
    a.attrs["scale"] = 2.5
    a.attrs.update({"names": ["a", "b"]})
    del a.attrs["units"]
    root.attrs["top"] = {"nested": True}
    again = open_zarr(store)
    assert dict(again["x"].attrs) == {"scale": 2.5, "names": ["a", "b"]}
    assert again.attrs["top"] == {"nested": True}


def test_v2_attributes_live_in_zattrs() -> None:
    store = MemoryStore()
    g = ZarrGroup.create(store, zarr_format=2, attributes={"k": 1})
    g.create_array("x", shape=(3,), dtype="i4").attrs["u"] = "v"
    assert json.loads(store.get(".zattrs")) == {"k": 1}
    assert json.loads(store.get("x/.zattrs")) == {"u": "v"}
    assert open_zarr(store)["x"].attrs["u"] == "v"


def test_print_metadata(capsys) -> None:
    a = ZarrArray.create(MemoryStore(), shape=(2,), dtype="uint8")
    a.print_metadata()
    printed = json.loads(capsys.readouterr().out)
    assert printed["shape"] == [2] and printed["node_type"] == "array"


def test_existing_nodes_are_not_replaced_silently(store) -> None:
    root = ZarrGroup.create(store)
    root.create_array("x", shape=(3,), dtype="int32")[:] = 5
    with pytest.raises(ContainsArray):
        root.create_array("x", shape=(3,), dtype="int32")
    with pytest.raises(ContainsArray):
        root.create_group("x")
    root.create_group("g")
    with pytest.raises(ContainsGroup):
        root.create_array("g", shape=(1,), dtype="i1")
    with pytest.raises(ContainsArray):
        root.create_array("x/below", shape=(1,), dtype="i1")
    fresh = root.create_array("x", shape=(2,), dtype="int8", overwrite=True)
    assert fresh[...].tolist() == [0, 0]
    assert sorted(store.list_prefix("x/")) == ["x/zarr.json"]


def test_get_and_set_chunk_and_futures(store) -> None:
    a = ZarrArray.create(store, "a", shape=(5, 6), dtype="int32", chunks=(2, 4), fill_value=-1)
    a.set_chunk(np.full((2, 4), 3), (0, 0))
    a.set_chunk(np.full((1, 2), 4), (2, 1))  # edge chunk: its in-bounds part
    assert a.get_chunk((0, 0)).tolist() == [[3] * 4] * 2
    assert a.get_chunk((2, 1)).tolist() == [[4, 4]]
    assert a.get_chunk((1, 1)).tolist() == [[-1, -1]] * 2
    futures = [a.get_chunk_future((i, j)) for i in range(3) for j in range(2)]
    assert [f.result().shape for f in futures] == [(2, 4), (2, 2)] * 2 + [(1, 4), (1, 2)]
    a.set_chunk_future(np.full((2, 2), 9), (1, 1)).result()
    assert a[2:4, 4:6].tolist() == [[9, 9], [9, 9]]

    async def main() -> np.ndarray:
        return await asyncio.wrap_future(a.get_chunk_future((1, 1)))

    assert asyncio.run(main()).tolist() == [[9, 9], [9, 9]]
    with pytest.raises(SelectionError):
        a.get_chunk((3, 0))
    # check_empty: an all-fill chunk is deleted, unless check_empty=False
    a.set_chunk(np.full((2, 4), -1), (0, 0))
    assert not store.exists("a/c/0/0")
    a.set_chunk(np.full((2, 4), -1), (0, 0), check_empty=False)
    assert store.exists("a/c/0/0")


def test_write_empty_chunks_config() -> None:
    store = MemoryStore()
    a = ZarrArray.create(
        store, "a", shape=(4,), dtype="f8", chunks=(2,), config={"write_empty_chunks": True}
    )
    a[...] = 0
    assert store.exists("a/c/0") and store.exists("a/c/1")
    b = ZarrArray.create(store, "b", shape=(4,), dtype="f8", chunks=(2,), fill_value=np.nan)
    b[...] = 1.0
    b[:2] = np.nan  # equal to the NaN fill: the stale chunk is deleted
    assert not store.exists("b/c/0") and store.exists("b/c/1")


def test_resize_and_append(store) -> None:
    a = ZarrArray.create(store, "a", shape=(5, 5), dtype="int16", chunks=(2, 2))
    data = np.arange(25, dtype="int16").reshape(5, 5)
    a[...] = data
    a.resize((3, 4))
    assert a.shape == (3, 4) and open_zarr(store, "a").shape == (3, 4)
    np.testing.assert_array_equal(a[...], data[:3, :4])
    a.resize(6, 6)  # growing again shows the fill value, not stale data
    expected = np.zeros((6, 6), dtype="int16")
    expected[:3, :4] = data[:3, :4]
    np.testing.assert_array_equal(a[...], expected)
    assert a.append(np.ones((2, 6), dtype="int16")) == (8, 6)
    np.testing.assert_array_equal(a[6:], np.ones((2, 6)))
    a.append(np.full((8, 1), 7, dtype="int16"), axis=1)
    assert a.shape == (8, 7) and a[:, 6].tolist() == [7] * 8


def test_zero_d_and_zero_length(store) -> None:
    s = ZarrArray.create(store, "s", shape=(), dtype="float64", fill_value=1.5)
    assert s[...] == 1.5 and s[()] == 1.5
    s[...] = 4.0
    assert open_zarr(store, "s")[()] == 4.0
    e = ZarrArray.create(store, "e", shape=(0, 3), dtype="int8", chunks=(2, 2))
    assert e[...].shape == (0, 3)
    e[...] = 1  # writing nothing is fine
    assert e[:, 1:].shape == (0, 2)


def test_read_only_store_refuses_writes(tmp_path) -> None:
    root = ZarrGroup.create(LocalStore(tmp_path / "r.zarr"))
    root.create_array("x", shape=(2,), dtype="i4")
    ro = open_zarr(LocalStore(tmp_path / "r.zarr", read_only=True))
    with pytest.raises(ReadOnlyError):
        ro["x"][...] = 1
    with pytest.raises(ReadOnlyError):
        ro["x"].attrs["a"] = 1
    with pytest.raises(ReadOnlyError):
        ro.create_group("g")
    with pytest.raises(ReadOnlyError):
        ro["x"].resize((3,))
    with pytest.raises(PermissionError):  # the builtin a user would catch
        ro["x"][...] = 1


def test_integer_index_returns_numpy_scalar() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(3, 3), dtype="int64")
    a[...] = np.arange(9).reshape(3, 3)
    v = a[1, 2]
    assert v == 5 and isinstance(v, np.integer)
    assert a[1].tolist() == [3, 4, 5] and len(a) == 3
    assert [row.tolist() for row in a] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    np.testing.assert_array_equal(np.asarray(a), np.arange(9).reshape(3, 3))


def test_non_finite_attributes_round_trip_as_floats() -> None:
    g = ZarrGroup.create(MemoryStore())
    g.attrs.update({"nan": float("nan"), "inf": float("inf")})
    attrs = open_zarr(g.store).attrs
    assert np.isnan(attrs["nan"]) and attrs["inf"] == float("inf")


def test_numpy_scalar_rules() -> None:
    a = ZarrArray.create(MemoryStore(), shape=(4,), dtype="int32")
    assert np.ndim(a[..., -1]) == 0 and isinstance(a[..., -1], np.ndarray)  # as numpy
    assert isinstance(a[-1], np.integer)
