"""Consolidated metadata: what consolidate_metadata writes (v2 ``.zmetadata``, v3 inline in
``zarr.json``) equals zarr-python's; it is used on open (no per-node reads), ignored with
use_consolidated=False, and each library opens what the other consolidated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.stores import MemoryStore, WrapperStore
from tests.api.conftest import both, zarr


def build(lib: Any, root: str, fmt: int) -> None:
    g = lib.open_group(root, mode="w", zarr_format=fmt, attributes={"root": True})
    a = g.create_array(
        "a", shape=(4,), dtype="i4", chunks=(2,), attributes={"x": 1}, compressors=None
    )
    a[:] = [1, 2, 3, 4]
    sub = g.create_group("sub/deep", attributes={"d": "e"})
    sub.create_array("b", shape=(2, 2), dtype="f8", fill_value=np.nan, compressors=None)
    g.create_group("Zed")
    g.create_group("empty")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidate_writes_what_zarr_python_writes(fmt: int, tmp_path: Path, quiet: None) -> None:
    build(zarr, str(tmp_path / "theirs"), fmt)
    build(simplezarr, str(tmp_path / "ours"), fmt)
    zarr.consolidate_metadata(str(tmp_path / "theirs"))
    g = simplezarr.consolidate_metadata(str(tmp_path / "ours"))
    key = ".zmetadata" if fmt == 2 else "zarr.json"
    theirs, ours = read_json(tmp_path / "theirs" / key), read_json(tmp_path / "ours" / key)
    assert ours == theirs
    if fmt == 3:  # same key order too: depth first, then case-folded names
        assert list(ours["consolidated_metadata"]["metadata"]) == list(
            theirs["consolidated_metadata"]["metadata"]
        )
    assert sorted(g.keys()) == ["Zed", "a", "empty", "sub"]


class CountingStore(WrapperStore):
    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.keys_read: list[str] = []

    def get(self, key: str, byte_range: Any = None) -> bytes | None:
        self.keys_read.append(key)
        return super().get(key, byte_range)

    def get_many(self, requests: Any) -> list[bytes | None]:
        self.keys_read.extend(k for k, _ in requests)
        return super().get_many(requests)

    def list_dir(self, prefix: str) -> list[str]:
        self.keys_read.append(f"list:{prefix}")
        return super().list_dir(prefix)


@pytest.mark.parametrize("fmt", [2, 3])
def test_open_uses_consolidated_metadata(fmt: int) -> None:
    base = MemoryStore()
    build(simplezarr, base, fmt)  # type: ignore[arg-type]
    simplezarr.consolidate_metadata(base)
    store = CountingStore(base)
    g = simplezarr.open_group(store, mode="r")
    assert g.metadata.consolidated_metadata is not None
    root_reads = len(store.keys_read)
    members = dict(g.members(max_depth=None))
    assert sorted(members) == ["Zed", "a", "empty", "sub", "sub/deep", "sub/deep/b"]
    assert members["sub/deep"].attrs["d"] == "e"
    assert g["sub/deep/b"].shape == (2, 2) and "sub/deep" in g and "nope" not in g
    assert g.info.as_dict()["No. members"] == 6
    assert len(store.keys_read) == root_reads  # nothing more was read
    assert g["a"][:].tolist() == [1, 2, 3, 4]  # data still comes from the store


@pytest.mark.parametrize("fmt", [2, 3])
def test_stale_consolidated_metadata_and_use_consolidated_false(fmt: int) -> None:
    store: dict[str, Any] = {}
    build(simplezarr, store, fmt)  # type: ignore[arg-type]
    simplezarr.consolidate_metadata(store)
    simplezarr.open_group(store).create_array("late", shape=(1,), dtype="u1")
    assert "late" not in simplezarr.open_group(store)  # as zarr-python: trusts the consolidation
    assert "late" in simplezarr.open_group(store, use_consolidated=False)
    with pytest.raises(ValueError, match="consolidated"):
        simplezarr.open_consolidated(simplezarr.group({}, zarr_format=fmt).store)
    with pytest.raises(TypeError):
        simplezarr.open_consolidated(store, use_consolidated=False)
    assert "late" in simplezarr.consolidate_metadata(store)


@pytest.mark.parametrize("fmt", [2, 3])
def test_cross_reading_consolidated(fmt: int, tmp_path: Path, quiet: None) -> None:
    build(zarr, str(tmp_path / "theirs"), fmt)
    build(simplezarr, str(tmp_path / "ours"), fmt)
    zarr.consolidate_metadata(str(tmp_path / "theirs"))
    simplezarr.consolidate_metadata(str(tmp_path / "ours"))
    mine = simplezarr.open_consolidated(str(tmp_path / "theirs"), mode="r")
    theirs = zarr.open_consolidated(str(tmp_path / "ours"), mode="r")
    assert sorted(k for k, _ in mine.members(max_depth=None)) == sorted(
        k for k, _ in theirs.members(max_depth=None)
    )
    assert mine["a"][:].tolist() == theirs["a"][:].tolist() == [1, 2, 3, 4]
    assert mine["a"].attrs["x"] == theirs["a"].attrs["x"] == 1
    assert np.isnan(theirs["sub/deep/b"].fill_value) and np.isnan(mine["sub/deep/b"].fill_value)


def test_delitem_updates_consolidated_metadata() -> None:
    store: dict[str, Any] = {}
    build(simplezarr, store, 3)  # type: ignore[arg-type]
    g = simplezarr.consolidate_metadata(store)
    del g["sub"]
    assert "sub" not in g and "sub/deep/b" not in g
    again = simplezarr.open_consolidated(store)
    assert sorted(again.keys()) == ["Zed", "a", "empty"]
    assert not any(k.startswith("sub/") for k in store)


def test_consolidate_needs_a_writable_group() -> None:
    store: dict[str, Any] = {}
    simplezarr.create_array(store, shape=(1,), dtype="i1")
    with pytest.raises(ValueError):
        simplezarr.consolidate_metadata(store)
    simplezarr.group(store, overwrite=True)
    ro = simplezarr.storage.DictStore(store, read_only=True)
    with pytest.raises(ValueError):
        simplezarr.consolidate_metadata(ro)


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
