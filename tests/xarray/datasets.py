"""Datasets the xarray engine tests write with xarray itself (imported as
``tests.xarray.datasets``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr


def cf_dataset() -> xr.Dataset:
    """Variables that exercise xarray's encoding: NaN fill, ints and floats with a
    ``_FillValue``, packed data (scale_factor, add_offset), fixed and variable-length
    strings, fixed bytes, datetimes (with NaT) and timedeltas with CF units, booleans,
    complex numbers, a 0-d variable, several chunks per axis."""
    rng = np.random.default_rng(0)
    t = rng.random((6, 5)).astype("f4")
    t[1, 2] = np.nan
    counts = np.array([1, -1, 3, 4, -1])
    return xr.Dataset(
        {
            "t": (("time", "x"), t, {"units": "K", "long_name": "temperature <°C & more>"}),
            "counts": (("x",), counts),
            "packed": (("time",), np.linspace(0.0, 5.0, 6)),
            "name": (("x",), np.array(["a", "bb", "ccc", "", "eeeee"])),
            "label": (("x",), np.array(["α", "b", "", "dd", "e"], dtype=object)),
            "lag": (("x",), pd.to_timedelta([1, 2, 3, 4, 5], unit="s")),
            "flag": (("x",), np.array([True, False, True, True, False])),
            "scalar": ((), np.float64(2.5), {"note": "0-d"}),
            "when": (
                ("x",),
                pd.to_datetime(["2001-01-01", None, "2001-01-03", None, "2001-01-05"]),
            ),
            "code": (("x",), np.array([b"ab", b"c", b"", b"dd", b"e"])),
            "z": (("x",), np.arange(5) * (1 + 2j)),
            "level": (("x",), np.array([1, 2, 255, 4, 5], "u1")),
            "depth": (("x", "y"), np.array([[1.0, -9999.0]] * 5)),
        },
        coords={
            "time": pd.date_range("2000-01-01", periods=6, freq="6h"),
            "x": np.arange(10, 60, 10),
            "lat": (("x",), np.linspace(-10.0, 10.0, 5), {"standard_name": "latitude"}),
        },
        attrs={"title": "simplezarr engine test", "history": ["made", "by", "tests"]},
    )


def encoding(zarr_format: int) -> dict[str, Any]:
    """Chunks of 2-4 so selections cross chunks; CF packing and an int fill value."""
    enc: dict[str, Any] = {
        "t": {"chunks": (4, 2)},
        "counts": {"chunks": (2,), "_FillValue": -1},
        "packed": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 1.0, "_FillValue": -999},
        "name": {"chunks": (2,)},
        "time": {"units": "hours since 2000-01-01", "chunks": (4,)},
        "level": {"_FillValue": 255},
        "depth": {"_FillValue": -9999.0, "chunks": (2, 1)},
    }
    if zarr_format == 3:
        enc["t"]["shards"] = (4, 4)
    return enc


def write(path: Any, zarr_format: int, consolidated: bool) -> None:
    """The CF dataset at ``path`` in a root group, written by xarray's zarr backend."""
    cf_dataset().to_zarr(
        path, mode="w", zarr_format=zarr_format, consolidated=consolidated,
        encoding=encoding(zarr_format),
    )  # fmt: skip


def tree() -> xr.DataTree:
    """A hierarchy: attributes at the root, a dataset in ``/obs`` and ``/obs/raw``, an
    empty group ``/empty`` and a model group with its own dimension sizes."""
    root = xr.Dataset(attrs={"project": "tree"})
    obs = xr.Dataset(
        {"v": (("x",), np.arange(4.0))}, coords={"x": [1, 2, 3, 4]}, attrs={"kind": "obs"}
    )
    raw = xr.Dataset({"counts": (("x",), np.array([1, 2, 3, 4], dtype="u2"))})
    model = xr.Dataset(
        {"p": (("level", "x"), np.ones((3, 4), "f4"))}, coords={"level": [100, 500, 850]}
    )
    return xr.DataTree.from_dict(
        {"/": root, "/obs": obs, "/obs/raw": raw, "/empty": xr.Dataset(), "/model": model}
    )
