"""copy_store / copy / copy_all: real copies between any two stores, if_exists, dry_run,
progress logging, and chunks copied as stored bytes when the encodings match."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import CopyError, InvalidArgument
from simplezarr.stores import LocalStore, MemoryStore
from tests.api.conftest import metadata_docs, zarr


def source_tree(store: Any, fmt: int = 3) -> Any:
    g = simplezarr.group(store, zarr_format=fmt, attributes={"title": "src"})
    a = g.create_array("a", shape=(10, 6), dtype="i4", chunks=(4, 3), attributes={"u": "m"})
    a[:] = np.arange(60).reshape(10, 6)
    sub = g.create_group("sub", attributes={"k": 1})
    b = sub.create_array("b", shape=(5,), dtype="f8", chunks=(2,), fill_value=-1.0)
    b[:3] = [0.5, 1.5, 2.5]
    return g


def test_copy_store_copies_raw_keys_between_stores(tmp_path: Path) -> None:
    src = MemoryStore()
    source_tree(src)
    dst = LocalStore(str(tmp_path / "dst"))
    messages: list[str] = []
    n, skipped, nbytes = simplezarr.copy_store(src, dst, log=messages.append)
    assert (n, skipped) == (len(src.list()), 0)
    assert nbytes == sum(len(src.get(k)) for k in src.list())
    assert messages[-1].startswith("all done:") and "copy a/zarr.json -> a/zarr.json" in messages
    assert zarr.open_group(str(tmp_path / "dst"), mode="r")["a"][2, 1] == 13  # zarr reads it


def test_copy_store_paths_filters_if_exists_and_dry_run() -> None:
    src, dst = MemoryStore(), MemoryStore()
    source_tree(src)
    assert simplezarr.copy_store(src, dst, source_path="sub", dest_path="x/y", dry_run=True)[0] > 0
    assert dst.list() == []
    n, _, _ = simplezarr.copy_store(src, dst, source_path="sub", dest_path="x/y", excludes="^b/c/")
    assert dst.list() == ["x/y/b/zarr.json", "x/y/zarr.json"] and n == 2
    with pytest.raises(CopyError):
        simplezarr.copy_store(src, dst, source_path="sub", dest_path="x/y")
    assert simplezarr.copy_store(src, dst, source_path="sub", dest_path="x/y", if_exists="skip")[
        :2
    ] == (len(src.list_prefix("sub/")) - 2, 2)
    assert (
        simplezarr.copy_store(src, dst, source_path="sub", dest_path="x/y", if_exists="replace")[1]
        == 0
    )


@pytest.mark.parametrize("fmt", [2, 3])
def test_copy_all_between_stores(fmt: int, tmp_path: Path) -> None:
    src = source_tree(MemoryStore(), fmt)
    dst = simplezarr.group(str(tmp_path / "dst"), zarr_format=fmt)
    n, skipped, nbytes = simplezarr.copy_all(src, dst)
    assert (n, skipped) == (3, 0)  # a, sub, sub/b
    assert nbytes == 60 * 4 + 5 * 8  # uncompressed bytes, as zarr-python 2 counts
    assert dst.attrs["title"] == "src" and dst["sub"].attrs["k"] == 1
    assert dst["a"].attrs["u"] == "m"
    np.testing.assert_array_equal(dst["a"][:], src["a"][:])
    np.testing.assert_array_equal(dst["sub/b"][:], [0.5, 1.5, 2.5, -1, -1])
    # the same encoding: chunks were copied as stored bytes, metadata documents are equal
    s_store, d_store = src.store, dst.store
    for key in s_store.list():
        assert d_store.get(key) == s_store.get(key), key


def test_copy_one_node_if_exists_skip_replace_and_dry_run() -> None:
    src = source_tree(MemoryStore())
    dst = simplezarr.group()
    assert simplezarr.copy(src["a"], dst) == (1, 0, 240)
    with pytest.raises(CopyError):
        simplezarr.copy(src["a"], dst)
    assert simplezarr.copy(src["a"], dst, if_exists="skip") == (0, 1, 0)
    assert simplezarr.copy(src["a"], dst, if_exists="skip_initialized") == (0, 1, 0)
    dst["a"][:] = 0
    assert simplezarr.copy(src["a"], dst, if_exists="replace") == (1, 0, 240)
    assert dst["a"][3, 3] == 21
    lines: list[str] = []
    assert simplezarr.copy(src["sub"], dst, dry_run=True, log=lines.append) == (2, 0, 0)
    assert "sub" not in dst and lines[-1].startswith("dry run: all done")
    assert simplezarr.copy(src, dst, name="whole", shallow=True, without_attrs=True)[0] == 2
    assert dst["whole"].keys() == ["a"] and dict(dst["whole"].attrs) == {}


def test_copy_with_a_new_encoding_decodes_and_re_encodes() -> None:
    src = source_tree(MemoryStore())
    dst = simplezarr.group(zarr_format=2)
    simplezarr.copy(src["a"], dst, chunks=(5, 6), compressors=None, zarr_format=2)
    out = dst["a"]
    assert out.chunks == (5, 6) and out.metadata.zarr_format == 2 and out.compressor is None
    np.testing.assert_array_equal(out[:], src["a"][:])
    assert out.attrs["u"] == "m"
    simplezarr.copy(src["sub/b"], dst, name="b2", compressor=None, zarr_format=2)
    np.testing.assert_array_equal(dst["b2"][:], src["sub/b"][:])


def test_copy_from_store_likes_and_zarr_python_reads_the_copy(tmp_path: Path, quiet: None) -> None:
    zarr.save_group(str(tmp_path / "z"), x=np.arange(7), y=np.ones((2, 2)))
    n, _, _ = simplezarr.copy_all(str(tmp_path / "z"), str(tmp_path / "copy"))
    assert n == 2
    back = zarr.open_group(str(tmp_path / "copy"), mode="r")
    assert back["x"][:].tolist() == list(range(7))
    assert metadata_docs(
        {
            p.relative_to(tmp_path / "copy").as_posix(): p.read_bytes()
            for p in (tmp_path / "copy").rglob("*")
            if p.is_file()
        }
    )["x/zarr.json"]


def test_bad_if_exists() -> None:
    with pytest.raises(ValueError, match="if_exists"):
        simplezarr.copy_store({}, {}, if_exists="merge")


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
