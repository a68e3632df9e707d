"""Stale metadata (issue 13, item 9): a write through a handle whose metadata another
handle (another process) changed since it was read raises StaleMetadata instead of
writing under the old shape; consolidated metadata that no longer matches its members is
found by ``open_consolidated(..., validate=True)``. Each test has a control: with the check
off, the same write goes through under the old metadata."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.config import config
from simplezarr.errors import StaleMetadata


@pytest.fixture(params=[2, 3], ids=["v2", "v3"])
def fmt(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _pair(tmp_path: Path, fmt: int, **kw: object) -> tuple[sz.Array, str]:
    path = str(tmp_path / "a.zarr")
    a = sz.create_array(
        path, shape=(8,), chunks=(4,), dtype="i4", fill_value=0, zarr_format=fmt, **kw
    )
    a[:] = 1
    return sz.open_array(path, mode="r+"), path


def test_a_write_after_another_handle_resized_raises(tmp_path: Path, fmt: int) -> None:
    a, path = _pair(tmp_path, fmt)
    sz.open_array(path, mode="r+").resize((4,))
    with pytest.raises(StaleMetadata, match=r"shape \(8,\) -> \(4,\).*refresh\(\)"):
        a[4:8] = 5
    with pytest.raises(StaleMetadata):
        a.resize((16,))
    assert sz.open_array(path).shape == (4,)
    a.refresh()[0:4] = 7  # after refresh() the write goes through
    np.testing.assert_array_equal(sz.open_array(path)[:], [7, 7, 7, 7])


def test_control_without_the_check_the_stale_write_lands_under_the_old_shape(
    tmp_path: Path, fmt: int
) -> None:
    a, path = _pair(tmp_path, fmt)
    sz.open_array(path, mode="r+").resize((4,))
    with config.set(check_metadata_on_write=False):
        a[4:8] = 5  # no error: a chunk past the new edge is written
    b = sz.open_array(path, mode="r+")
    b.resize((8,))
    assert b[4:8].tolist() == [5, 5, 5, 5]  # the stale write shows up again


def test_a_write_after_the_array_was_recreated_with_other_chunks_raises(
    tmp_path: Path, fmt: int
) -> None:
    a, path = _pair(tmp_path, fmt)
    sz.create_array(path, shape=(8,), chunks=(2,), dtype="i4", zarr_format=fmt, overwrite=True)
    with pytest.raises(StaleMetadata, match=r"chunks \(4,\) -> \(2,\)"):
        a[0] = 3


def test_a_write_after_the_array_was_deleted_raises(tmp_path: Path, fmt: int) -> None:
    a, path = _pair(tmp_path, fmt)
    for name in ("zarr.json", ".zarray", ".zattrs"):
        (Path(path) / name).unlink(missing_ok=True)
    with pytest.raises(StaleMetadata, match="deleted since it was read"):
        a[0] = 3


def test_attributes_and_formatting_changes_are_not_stale(tmp_path: Path, fmt: int) -> None:
    a, path = _pair(tmp_path, fmt)
    sz.open_array(path, mode="r+").attrs["note"] = "changed elsewhere"
    a[0] = 2  # the shape is the same: the write is fine
    key = Path(path) / ("zarr.json" if fmt == 3 else ".zarray")
    key.write_text(json.dumps(json.loads(key.read_text()), indent=7))  # other bytes, same doc
    a[1] = 3
    a.resize((12,))  # the handle's own changes are never stale
    a[8:12] = 4
    np.testing.assert_array_equal(sz.open_array(path)[:], [2, 3, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4])


def test_a_sharded_array_and_the_other_write_paths_check_too(tmp_path: Path) -> None:
    path = str(tmp_path / "s.zarr")
    a = sz.create_array(path, shape=(8,), chunks=(2,), shards=(4,), dtype="i4")
    b = sz.open_array(path, mode="r+")
    a.resize((4,))
    with pytest.raises(StaleMetadata):
        b[0] = 1
    with pytest.raises(StaleMetadata):
        b.set_chunk(np.ones(2, "i4"), (0,))
    with pytest.raises(StaleMetadata):
        b.append(np.ones(4, "i4"))


def _consolidated(tmp_path: Path, fmt: int) -> str:
    path = str(tmp_path / "g.zarr")
    root = sz.group(path, zarr_format=fmt)
    root.create_array("x", shape=(4,), chunks=(2,), dtype="i4")
    root.create_group("sub").create_array("y", shape=(2,), chunks=(2,), dtype="f8")
    sz.consolidate_metadata(path)
    return path


def test_open_consolidated_validate_finds_stale_members(tmp_path: Path, fmt: int) -> None:
    path = _consolidated(tmp_path, fmt)
    assert sorted(sz.open_consolidated(path, validate=True).keys()) == ["sub", "x"]
    sz.open_array(path, path="x", mode="r+", use_consolidated=False).resize((6,))
    sz.open_group(path, path="sub", mode="r+", use_consolidated=False).attrs["v"] = 1
    with pytest.raises(StaleMetadata) as info:
        sz.open_consolidated(path, validate=True)
    message = str(info.value)
    assert "member 'x'" in message and "member 'sub'" in message and "'sub/y'" not in message
    # the control: without validate the stale entries are served as they are
    assert sz.open_consolidated(path)["x"].shape == (4,)
    sz.consolidate_metadata(path)  # the repair
    assert sz.open_consolidated(path, validate=True)["x"].shape == (6,)


def test_open_consolidated_validate_finds_deleted_members(tmp_path: Path, fmt: int) -> None:
    path = _consolidated(tmp_path, fmt)
    for name in ("zarr.json", ".zarray", ".zattrs"):
        (Path(path) / "sub" / "y" / name).unlink(missing_ok=True)
    with pytest.raises(StaleMetadata, match="member 'sub/y': it was deleted"):
        sz.open_consolidated(path, validate=True)


def test_an_array_opened_from_stale_consolidated_metadata_refuses_writes(
    tmp_path: Path, fmt: int
) -> None:
    path = _consolidated(tmp_path, fmt)
    sz.open_array(path, path="x", mode="r+", use_consolidated=False).resize((2,))
    x = sz.open_consolidated(path, mode="r+")["x"]
    assert x.shape == (4,)  # the consolidated entry
    with pytest.raises(StaleMetadata):
        x[:] = 1
