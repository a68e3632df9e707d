"""The familiar zarr-python surface of returned arrays and groups, compared with
zarr-python 3.1.6 on the same hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.storage import StorePath
from tests.api.conftest import zarr


def build(lib: Any, root: str, fmt: int) -> Any:
    g = lib.open_group(root, mode="w", zarr_format=fmt, attributes={"r": 1})
    kw = {"shards": (4, 4)} if fmt == 3 else {}
    a = g.create_array(
        "a/arr", shape=(8, 6), dtype="i2", chunks=(2, 2), fill_value=0, compressors=None, **kw
    )
    a[:3] = 1
    g.create_group("b/c")
    return g


@pytest.mark.parametrize("fmt", [2, 3])
def test_array_surface_matches_zarr_python(fmt: int, tmp_path: Path, quiet: None) -> None:
    build(zarr, str(tmp_path / "t"), fmt)
    build(simplezarr, str(tmp_path / "o"), fmt)
    t = zarr.open_array(str(tmp_path / "t"), path="a/arr", mode="r")
    o = simplezarr.open_array(str(tmp_path / "o"), path="a/arr", mode="r")
    for attr in (
        "shape",
        "chunks",
        "shards",
        "ndim",
        "size",
        "nbytes",
        "nchunks",
        "path",
        "name",
        "basename",
        "read_only",
        "order",
        "cdata_shape",
        "nchunks_initialized",
    ):
        assert getattr(o, attr) == getattr(t, attr), attr
    assert o.dtype == t.dtype and o.fill_value == t.fill_value
    assert o.nbytes_stored() > 0 and len(o) == 8
    assert np.asarray(o).tolist() == np.asarray(t).tolist()
    assert [r.tolist() for r in o] == [r.tolist() for r in t]
    assert len(o.filters) == len(t.filters) and len(o.compressors) == len(t.compressors)
    assert (o.serializer is None) == (t.serializer is None)
    info = o.info_complete().as_dict()
    assert info["Shape"] == (8, 6) and info["Chunks Initialized"].endswith(f"/{o.nchunks}")
    assert isinstance(o.store_path, StorePath) and o.store_path.path == "a/arr"


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_surface_matches_zarr_python(fmt: int, tmp_path: Path, quiet: None) -> None:
    t = build(zarr, str(tmp_path / "t"), fmt)
    o = build(simplezarr, str(tmp_path / "o"), fmt)
    assert sorted(t.keys()) == o.keys() == ["a", "b"]
    for depth in (0, 1, None):
        assert sorted(k for k, _ in t.members(max_depth=depth)) == sorted(
            k for k, _ in o.members(max_depth=depth)
        )
        assert t.nmembers(depth) == o.nmembers(depth)
    assert (
        sorted(t.group_keys()) == o.group_keys()
        and list(t["a"].array_keys()) == o["a"].array_keys()
    )
    assert ("a/arr" in t) == ("a/arr" in o) == True  # noqa: E712
    assert ("b/nope" in t) == ("b/nope" in o) == False  # noqa: E712
    assert o.tree() == str(t.tree())
    assert o["a"].tree(level=0) == str(t["a"].tree(level=0))
    assert (o.path, o.name, o.basename, o["b/c"].basename) == (
        t.path,
        t.name,
        t.basename,
        t["b/c"].basename,
    )
    assert o.info.as_dict()["Zarr format"] == fmt
    o.update_attributes({"n": 2})
    assert simplezarr.open_group(str(tmp_path / "o"), mode="r").attrs.asdict() == {"r": 1, "n": 2}
    del o["b"]
    assert o.keys() == ["a"]
    arr = o.require_array("a/arr", shape=(8, 6), dtype="i4")
    with pytest.raises(TypeError):
        o.require_array("a/arr", shape=(3,), dtype="i2")
    assert arr.shape == (8, 6) and o.require_groups("x", "a")[1].name == "/a"
    o["saved"] = np.arange(4)
    assert o["saved"][:].tolist() == [0, 1, 2, 3]
    assert o.create_array("d", data=np.ones(3))[:].tolist() == [1, 1, 1]
    assert o.full(name="f", shape=(2,), fill_value=7, dtype="i1")[:].tolist() == [7, 7]
    assert simplezarr.Array is simplezarr.ZarrArray and isinstance(arr, simplezarr.Array)


def test_with_config_and_order() -> None:
    a = simplezarr.create_array({}, shape=(4, 4), dtype="u1", config={"order": "F"})
    assert a.order == "F" and a[:].flags.f_contiguous
    b = a.with_config({"order": "C", "write_empty_chunks": True})
    assert b.order == "C" and b.config["write_empty_chunks"] is True
    with pytest.raises(ValueError):
        _ = a.compressor  # a v3 array has compressors


def test_seed_api_still_works() -> None:
    from simplezarr.nodes import open_zarr

    g = simplezarr.group()
    g.create_array("x", shape=(4,), dtype="i2", chunks=(2,))[:] = [1, 2, 3, 4]
    x = open_zarr(g.store)["x"]
    assert x.get_chunk((1,)).tolist() == [3, 4]
