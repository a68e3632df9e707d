"""Hierarchies: open_datatree / open_groups with engine="simplezarr" give what xarray's
zarr backend gives, for v2 and v3, consolidated or not, from the root or a group."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")

from tests.xarray.datasets import tree  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::UserWarning", "ignore::FutureWarning", "ignore::RuntimeWarning"
)


@pytest.fixture(scope="module", params=[(f, c) for f in (2, 3) for c in (True, False)],
                ids=lambda p: f"v{p[0]}-{'consolidated' if p[1] else 'plain'}")  # fmt: skip
def written(request: Any, tmp_path_factory: Any) -> tuple[Path, bool]:
    zarr_format, consolidated = request.param
    path = tmp_path_factory.mktemp("tree") / "tree.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree().to_zarr(path, mode="w", zarr_format=zarr_format, consolidated=consolidated)
    return path, consolidated


@pytest.mark.parametrize("chunks", [None, {}], ids=["numpy", "dask"])
def test_datatree_identical(written: tuple[Path, bool], chunks: Any) -> None:
    path, consolidated = written
    got = xr.open_datatree(path, engine="simplezarr", chunks=chunks, consolidated=consolidated)
    want = xr.open_datatree(path, engine="zarr", chunks=chunks, consolidated=consolidated)
    xr.testing.assert_identical(got, want)
    xr.testing.assert_identical(got.load(), tree())
    assert sorted(k for k, _ in got.subtree_with_keys) == sorted(
        k for k, _ in want.subtree_with_keys
    )
    control = got.load().copy(deep=True)
    control["obs/raw"]["counts"][0] = 9
    with pytest.raises(AssertionError):
        xr.testing.assert_identical(control, want)


def test_datatree_below_a_group(written: tuple[Path, bool]) -> None:
    path, _ = written
    got = xr.open_datatree(path, engine="simplezarr", group="obs", chunks=None)
    want = xr.open_datatree(path, engine="zarr", group="obs", chunks=None)
    xr.testing.assert_identical(got, want)
    assert set(got.children) == {"raw"}


def test_open_groups(written: tuple[Path, bool]) -> None:
    path, _ = written
    got = xr.open_groups(path, engine="simplezarr", chunks=None)
    want = xr.open_groups(path, engine="zarr", chunks=None)
    # ours in sorted order (each parent before its children); zarr-python's as listed
    assert list(got) == ["/", "/empty", "/model", "/obs", "/obs/raw"] and set(want) == set(got)
    for name, ds in want.items():
        xr.testing.assert_identical(got[name], ds)
    np.testing.assert_array_equal(got["/model"]["p"].values, np.ones((3, 4), "f4"))


def test_groups_of_the_tree_share_one_store(written: tuple[Path, bool]) -> None:
    path, _ = written
    got = xr.open_datatree(path, engine="simplezarr", chunks=None)
    got.close()  # every node's close runs; the shared store closes once, without error
    assert got["obs/v"].values.tolist() == [0.0, 1.0, 2.0, 3.0]  # a local store reopens reads
