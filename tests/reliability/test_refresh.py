"""Stale metadata (issue 13, item 9, first part): an open handle keeps the metadata it read
until ``refresh()`` reads it again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.errors import NodeNotFound


def test_refresh_sees_a_resize_made_elsewhere(tmp_path: Path) -> None:
    path = str(tmp_path / "a.zarr")
    mine = sz.create_array(path, shape=(4,), chunks=(2,), dtype="i4", fill_value=0)
    theirs = sz.open_array(path, mode="r+")
    theirs.resize((8,))
    theirs[:] = np.arange(8)
    assert mine.shape == (4,)  # the control: without refresh the handle is stale
    assert mine.refresh() is mine and mine.shape == (8,)
    assert mine[:].tolist() == list(range(8))


def test_refresh_sees_new_attributes_of_a_group(tmp_path: Path) -> None:
    path = str(tmp_path / "g.zarr")
    mine = sz.open_group(path, mode="w")
    sz.open_group(path, mode="r+").attrs["k"] = "v"
    assert dict(mine.attrs) == {}
    assert dict(mine.refresh().attrs) == {"k": "v"}


def test_refresh_of_a_node_replaced_by_the_other_kind_raises(tmp_path: Path) -> None:
    path = str(tmp_path / "a.zarr")
    mine = sz.create_array(path, shape=(4,), chunks=(2,), dtype="i4")
    sz.open_group(path, mode="w")
    with pytest.raises(NodeNotFound, match="replaced"):
        mine.refresh()


def test_async_refresh(tmp_path: Path) -> None:
    path = str(tmp_path / "a.zarr")
    sz.create_array(path, shape=(4,), chunks=(2,), dtype="i4")

    async def main() -> tuple[int, ...]:
        a = await sz.api.asynchronous.open_array(store=path, mode="r+")
        sz.open_array(path, mode="r+").resize((6,))
        return (await a.refresh()).shape

    assert asyncio.run(main()) == (6,)
