"""Defects found in review of the top-level API, each checked against zarr-python 3.1.6
where it has a behaviour to compare with."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import CopyError, InvalidArgument, ZarrError
from tests.api.conftest import _bytes, both, metadata_docs, zarr

BUILTINS = (
    KeyError,
    FileNotFoundError,
    FileExistsError,
    ValueError,
    PermissionError,
    TypeError,
    IndexError,
    OverflowError,
)


# --------------------------------------------------------------------------- copy


def test_copy_into_a_v2_group_writes_a_v2_array() -> None:
    a = simplezarr.create_array({}, data=np.arange(4))
    d: dict[str, Any] = {}
    simplezarr.copy(a, simplezarr.group(d, zarr_format=2), name="z")
    assert "z/zarr.json" not in d and "z/.zarray" in d
    assert sorted(k for k in d if k.startswith("z/")) == ["z/.zarray", "z/.zattrs", "z/0"]
    assert json.loads(d["z/.zarray"])["compressor"] == {"id": "zstd", "level": 0}
    # zarr-python reads the whole hierarchy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = zarr.open_group(zarr.storage.MemoryStore(_buffers(d)), mode="r")
        assert g.metadata.zarr_format == 2 and g["z"][:].tolist() == [0, 1, 2, 3]


def _buffers(d: dict[str, Any]) -> dict[str, Any]:
    from zarr.core.buffer import cpu

    return {k: cpu.Buffer.from_bytes(v) for k, v in d.items()}


def test_copy_all_converts_every_array_to_the_destination_format() -> None:
    src = simplezarr.group({})
    src.create_group("g", attributes={"a": 1}).create_array(
        "x", shape=(8,), dtype="f4", chunks=(2,), shards=(4,), dimension_names=["t"]
    )
    src["g/x"][:] = np.arange(8)
    v2 = simplezarr.create_array(
        {},
        data=np.arange(6).reshape(2, 3),
        zarr_format=2,
        order="F",
        chunks=(1, 2),
        fill_value=None,
    )
    d2: dict[str, Any] = {}
    with pytest.warns(UserWarning, match="dimension names"):
        assert simplezarr.copy_all(src, simplezarr.group(d2, zarr_format=2)) == (2, 0, 32)
    assert not any(k.endswith("zarr.json") for k in d2)
    out = simplezarr.open_group(d2, mode="r")
    assert out["g/x"].chunks == (2,) and out["g/x"][:].tolist() == list(range(8))
    assert dict(out["g"].attrs) == {"a": 1}
    d3: dict[str, Any] = {}
    simplezarr.copy(v2, simplezarr.group(d3), name="y")
    assert sorted(d3) == ["y/c/0/0", "y/c/0/1", "y/c/1/0", "y/c/1/1", "y/zarr.json", "zarr.json"]
    assert simplezarr.open_array(d3, path="y")[:].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_copy_refuses_a_format_other_than_the_destination_groups() -> None:
    a = simplezarr.create_array({}, data=np.arange(4))
    d: dict[str, Any] = {}
    with pytest.raises(InvalidArgument, match="one Zarr format"):
        simplezarr.copy(a, simplezarr.group(d, zarr_format=2), name="z", zarr_format=3)
    assert "z/zarr.json" not in d


@pytest.mark.parametrize("if_exists", ["raise", "skip", "replace"])
@pytest.mark.parametrize("function", ["copy", "copy_all"])
def test_dry_run_descends_into_existing_groups(function: str, if_exists: str) -> None:
    src = simplezarr.group({})
    s = src.create_group("s")
    s.create_array("b", data=np.arange(4))
    dst = simplezarr.group({})
    run = getattr(simplezarr, function)
    arg = s if function == "copy" else src
    run(arg, dst)

    def outcome(**kw: Any) -> Any:
        try:
            return run(arg, dst, if_exists=if_exists, **kw)[:2]  # bytes: 0 in a dry run
        except CopyError:
            return "CopyError"

    assert outcome(dry_run=True) == outcome()


# --------------------------------------------------------------------------- consolidated


@pytest.mark.parametrize("fmt", [2, 3])
def test_child_attribute_writes_are_seen_through_a_consolidated_group(fmt: int) -> None:
    def run(lib: Any, d: dict[str, Any]) -> Any:
        g = lib.group(d, zarr_format=fmt)
        g.create_array("a", shape=(4,), dtype="i2")
        g.create_group("s")
        lib.consolidate_metadata(d)
        c = lib.open_group(d)
        c["s"].attrs["y"] = 1
        c["a"].attrs["z"] = 2
        seen = dict(c["s"].attrs), dict(c["a"].attrs)
        reopened = lib.open_group(d)  # the stored consolidated metadata is a snapshot
        return seen, (dict(reopened["s"].attrs), dict(reopened["a"].attrs))

    _, _, theirs, ours = both(run)
    assert ours == theirs == (({"y": 1}, {"z": 2}), ({}, {}))


def test_nested_children_and_resizes_reach_the_consolidated_group() -> None:
    d: dict[str, Any] = {}
    simplezarr.group(d).create_group("s").create_array("x", shape=(2,), dtype="i1")
    c = simplezarr.consolidate_metadata(d)
    c["s"]["x"].attrs["w"] = 3
    c["s/x"].resize((5,))
    assert dict(c["s/x"].attrs) == {"w": 3} and c["s"]["x"].shape == (5,)
    assert c.metadata.consolidated_metadata is not None  # still answering from it


def test_group_attribute_writes_keep_the_handles_consolidated_view() -> None:
    d: dict[str, Any] = {}
    simplezarr.group(d).create_group("s")
    simplezarr.consolidate_metadata(d)
    plain = simplezarr.open_group(d, use_consolidated=False)
    plain.attrs["k"] = 1
    assert plain.metadata.consolidated_metadata is None
    c = simplezarr.open_group(d)
    c.attrs["r"] = 2
    assert c.metadata.consolidated_metadata is not None and dict(c.attrs) == {"k": 1, "r": 2}
    assert "consolidated_metadata" in json.loads(d["zarr.json"])  # still stored


# --------------------------------------------------------------------------- v2 defaults


def _v2_group_calls(lib: Any, d: dict[str, Any]) -> None:
    g = lib.group(d, zarr_format=2)
    g.create_array("create_array", shape=(4,), dtype="i2")
    g.create_array("create_array_data", data=np.arange(4))
    g.create_array("create_array_str", shape=(4,), dtype="U5")
    g.require_array("require_array", shape=(4,), dtype="i2")
    g["setitem"] = np.arange(4)
    g.create_array("compressor_none", shape=(4,), dtype="i2", compressor=None)
    lib.create_array(d, name="top_level", shape=(4,), dtype="i2", zarr_format=2)


def test_v2_default_compressors_match_zarr_python_per_entry_point() -> None:
    theirs, ours, _, _ = both(_v2_group_calls)
    assert metadata_docs(ours) == metadata_docs(theirs)
    docs = metadata_docs(ours)
    blosc = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
    assert docs["create_array/.zarray"]["compressor"] == blosc
    assert docs["require_array/.zarray"]["compressor"] == blosc
    assert docs["top_level/.zarray"]["compressor"] == {"id": "zstd", "level": 0}
    assert docs["setitem/.zarray"]["compressor"] == {"id": "zstd", "level": 0}


def test_v2_nodes_always_have_a_zattrs_document() -> None:
    theirs, ours, _, _ = both(
        lambda lib, d: lib.group(d, zarr_format=2).create_array("a", shape=(2,), dtype="i1")
    )
    assert sorted(ours) == sorted(theirs)
    assert _bytes(ours[".zattrs"]) == _bytes(theirs[".zattrs"]) == b"{}"
    assert _bytes(ours["a/.zattrs"]) == b"{}"


# --------------------------------------------------------------------------- errors


def _array_and_group(lib: Any, d: dict[str, Any], fmt: int = 3) -> None:
    g = lib.group(d, zarr_format=fmt)
    g.create_array("arr", shape=(2,), dtype="i1")
    g.create_group("grp")


ERRORS: dict[str, Any] = {
    "consolidate_metadata missing": lambda lib, d: lib.consolidate_metadata(d, path="nope"),
    "consolidate_metadata empty store": lambda lib, d: lib.consolidate_metadata({}),
    "create_array below an array": lambda lib, d: lib.create_array(
        d, name="arr/b", shape=(2,), dtype="i1"
    ),
    "create_group below an array": lambda lib, d: lib.create_group(d, path="arr/b"),
    "require_group on an array": lambda lib, d: lib.open_group(d).require_group("arr"),
    "require_array on a group": lambda lib, d: lib.open_group(d).require_array(
        "grp", shape=(2,), dtype="i1"
    ),
    "open_array on a v2 group": lambda lib, d: (
        d.clear(),
        _array_and_group(lib, d, 2),
        lib.open_array(d, mode="r"),
    ),
    "open_array on a v2 group r+": lambda lib, d: (
        d.clear(),
        _array_and_group(lib, d, 2),
        lib.open_array(d, mode="r+"),
    ),
    "open_array on a v3 group": lambda lib, d: lib.open_array(d, mode="r"),
    "open_group on a v2 array": lambda lib, d: (
        d.clear(),
        lib.create_array(d, shape=(2,), dtype="i1", zarr_format=2),
        lib.open_group(d, mode="r"),
    ),
    "open_group on a v3 array": lambda lib, d: lib.open_group(d, path="arr", mode="r"),
    "bad dtype": lambda lib, d: lib.create_array(d, name="x", shape=(2,), dtype="nonsense"),
    "bad dtype v2": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="nope", zarr_format=2
    ),
    "fill_value out of range": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="int8", fill_value=1000
    ),
    "negative fill_value for uint8": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="uint8", fill_value=-1, zarr_format=2
    ),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_are_the_builtin_types_zarr_python_raises(name: str, quiet: None) -> None:
    call = ERRORS[name]
    theirs: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    _array_and_group(zarr, theirs)
    _array_and_group(simplezarr, ours)
    with pytest.raises(Exception) as e_theirs:
        call(zarr, theirs)
    with pytest.raises(ZarrError) as e_ours:
        call(simplezarr, ours)
    expected = {b.__name__ for b in BUILTINS if isinstance(e_theirs.value, b)}
    got = {b.__name__ for b in BUILTINS if isinstance(e_ours.value, b)}
    assert expected <= got, (e_theirs.value, e_ours.value)


# --------------------------------------------------------------------------- arrays, groups


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
                a.metadata.chunk_grid.chunk_shape
                if lib is zarr
                else tuple(a.metadata.chunk_grid["configuration"]["chunk_shape"]),
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


# --------------------------------------------------------------------------- config


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
    with pytest.raises(InvalidArgument, match="array.order"):
        config.set({"array.order": "F"})
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
