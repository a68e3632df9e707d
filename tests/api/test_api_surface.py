"""The familiar zarr-python surface of returned arrays and groups, compared with
zarr-python 3.1.6 on the same hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import InvalidArgument
from simplezarr.storage import StorePath
from tests.api.conftest import both, zarr


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
    initialized = [k for k in info if k.endswith(" Initialized")]
    theirs = str(t.info_complete()).splitlines()[-1]  # "Shards Initialized : 2"
    assert info["Shape"] == (8, 6) and theirs == f"{initialized[0]:<19}: {info[initialized[0]]}"
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


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (2,)])
def test_arrays_are_always_truthy(shape: tuple[int, ...]) -> None:
    _, _, theirs, ours = both(lambda lib, d: bool(lib.create_array(d, shape=shape, dtype="i1")))
    assert ours is theirs is True


@pytest.mark.parametrize("fmt", [2, 3])
def test_metadata_has_zarr_pythons_accessors(fmt: int) -> None:
    def run(lib: Any, d: dict[str, Any]) -> Any:
        kw = {"shards": (4,)} if fmt == 3 else {}
        a = lib.create_array(
            d,
            name="a",
            shape=(8,),
            dtype="i2",
            chunks=(2,),
            attributes={"u": 1},
            zarr_format=fmt,
            **kw,
        )
        g = lib.open_group(d, mode="r")
        out = [
            a.metadata.chunks,
            _lists(a.metadata.to_dict()),
            g.metadata.node_type,
            g.metadata.to_dict(),
        ]
        if fmt == 3:
            out += [
                a.metadata.node_type,
                a.metadata.chunk_grid.chunk_shape,
                a.metadata.data_type.to_json(zarr_format=3)
                if lib is zarr
                else a.metadata.data_type.to_json(3),
            ]
        return out

    _, _, theirs, ours = both(run)
    assert ours == theirs


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def test_group_repr_is_one_line_without_reading_the_hierarchy() -> None:
    class Counting(simplezarr.MemoryStore):
        reads = 0

        def list_dir(self, prefix: str) -> Any:
            Counting.reads += 1
            return super().list_dir(prefix)

    store = Counting()
    g = simplezarr.group(store)
    g.create_group("a").create_array("x", shape=(2,), dtype="i1")
    Counting.reads = 0
    text = repr(g["a"])
    assert text == "<Group memory://a>" and Counting.reads == 0
    assert repr(simplezarr.group({}, path="p/q")) == "<Group memory://p/q>"


def test_tree_text_ends_with_a_newline_as_zarr_pythons() -> None:
    def run(lib: Any, d: dict[str, Any]) -> str:
        g = lib.group(d)
        g.create_group("a").create_array("x", shape=(2,), dtype="i1")
        return str(g.tree())

    _, _, theirs, ours = both(run)
    assert ours == theirs == "/\n└── a\n    └── x (2,) int8\n"


def test_config_takes_zarr_pythons_dotted_keys() -> None:
    config = simplezarr.config
    before = config.write_empty_chunks, config.threads
    with config.set({"array.write_empty_chunks": not before[0]}):
        assert config.write_empty_chunks is (not before[0])
    assert config.write_empty_chunks is before[0]
    with config.set({"threading": {"max_workers": 1}, "async.concurrency": 3}):
        assert config.threads == 1 and config.io_concurrency == 3
    assert config.threads == before[1]
    config.set({"array.write_empty_chunks": True})  # a plain call changes it for good
    try:
        assert config.write_empty_chunks is True
        a = simplezarr.zeros((4,), chunks=(2,), store={})
        a[:] = 0
        assert a.nchunks_initialized == 2
    finally:
        config.set(write_empty_chunks=before[0])
    with pytest.raises(InvalidArgument, match="async.timeout"):
        config.set({"async.timeout": 5})  # documented by zarr-python, no meaning here
    with pytest.raises(InvalidArgument, match="nope"):
        config.set(nope=1)
    assert (config.write_empty_chunks, config.threads) == before


def test_group_values_and_items_follow_keys() -> None:
    g = simplezarr.group({})
    g.create_group("b")
    g.create_array("a", shape=(2,), dtype="i1")
    assert [k for k, _ in g.items()] == g.keys() == ["a", "b"]
    assert [v.path for v in g.values()] == ["a", "b"]
    assert dict(g.items())["a"].shape == (2,)


def test_the_three_export_lists_name_the_same_functions() -> None:
    # Written out three times on purpose (static __all__ lists keep linters and IDEs
    # right about the re-exports); this keeps them in step with each other and issue 4.
    from simplezarr.api import asynchronous, synchronous

    issue_4 = {
        "array",
        "consolidate_metadata",
        "copy",
        "copy_all",
        "copy_store",
        "create",
        "create_array",
        "create_group",
        "create_hierarchy",
        "empty",
        "empty_like",
        "from_array",
        "full",
        "full_like",
        "group",
        "load",
        "ones",
        "ones_like",
        "open",
        "open_array",
        "open_consolidated",
        "open_group",
        "open_like",
        "save",
        "save_array",
        "save_group",
        "tree",
        "zeros",
        "zeros_like",
    }
    assert set(synchronous.__all__) - {"DEFAULT_FILL_VALUE"} == issue_4
    assert set(asynchronous.__all__) - {"AsyncArray", "AsyncGroup"} == issue_4
    assert issue_4 <= set(simplezarr.__all__)
    for name in issue_4:
        assert callable(getattr(simplezarr, name)) and callable(getattr(asynchronous, name))


def test_simplezarr_own_functions_are_exported() -> None:
    # beyond zarr-python's names: copies with progress and resume, and verification
    own = {"convert", "verify", "CopyReport", "VerifyReport"}
    assert own <= set(simplezarr.__all__)
    assert callable(simplezarr.convert) and callable(simplezarr.verify)
    assert {"convert", "verify"}.isdisjoint(dir(simplezarr.api.synchronous))
