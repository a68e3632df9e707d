"""engine="simplezarr" against xarray's own zarr backend, on datasets xarray wrote itself:
the same dataset (assert_identical), the same encoding, the same dask chunks, lazily."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")  # the reference reader (and writer) is zarr-python

from simplezarr.stores import LocalStore  # noqa: E402
from simplezarr.xarray import SimplezarrBackendArray  # noqa: E402
from tests.store_helpers import RequestLog  # noqa: E402
from tests.xarray.datasets import cf_dataset, write  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::UserWarning", "ignore::FutureWarning", "ignore::RuntimeWarning"
)

FORMATS = [2, 3]


@pytest.fixture(scope="module", params=[(f, c) for f in FORMATS for c in (True, False)],
                ids=lambda p: f"v{p[0]}-{'consolidated' if p[1] else 'plain'}")  # fmt: skip
def written(request: Any, tmp_path_factory: Any) -> tuple[Path, int, bool]:
    zarr_format, consolidated = request.param
    path = tmp_path_factory.mktemp("xr") / "data.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(path, zarr_format, consolidated)
    return path, zarr_format, consolidated


def same_encoding(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal encodings, a NaN fill value equal to itself."""

    def same(x: Any, y: Any) -> bool:
        floats = (float, np.floating)
        if isinstance(x, floats) and isinstance(y, floats) and np.isnan(x) and np.isnan(y):
            return type(x) is type(y)
        return bool(type(x) is type(y) and x == y)  # dtype("int64") == dtype("<i8")

    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


def ours(path: Any, **kwargs: Any) -> Any:
    return xr.open_dataset(path, engine="simplezarr", **kwargs)


def theirs(path: Any, **kwargs: Any) -> Any:
    return xr.open_dataset(path, engine="zarr", **kwargs)


@pytest.mark.parametrize("chunks", [None, {}], ids=["numpy", "dask"])
def test_identical_to_open_zarr(written: tuple[Path, int, bool], chunks: Any) -> None:
    path, _, consolidated = written
    got = ours(path, chunks=chunks, consolidated=consolidated)
    want = xr.open_zarr(path, chunks=chunks, consolidated=consolidated)
    xr.testing.assert_identical(got, want)
    for name, var in want.variables.items():
        assert same_encoding(got[name].encoding, var.encoding), name
        assert got[name].chunks == var.chunks, name
    # the comparison can fail: a changed value is seen
    control = got.load().copy(deep=True)
    control["t"][0, 0] = -1.0
    with pytest.raises(AssertionError):
        xr.testing.assert_identical(control, want)


@pytest.mark.parametrize(
    "options",
    [
        {"decode_times": False},
        {"mask_and_scale": False},
        {"decode_cf": False},
        {"decode_timedelta": False},
        {"drop_variables": ["t", "lag"]},
        {"concat_characters": False},
        {"decode_coords": False},
    ],
    ids=lambda o: ",".join(o),
)
def test_decoding_options_as_open_zarr(written: tuple[Path, int, bool], options: Any) -> None:
    path, _, _ = written
    got = ours(path, chunks=None, **options)
    want = theirs(path, chunks=None, **options)
    xr.testing.assert_identical(got, want)
    assert got.attrs == want.attrs


def test_decoding_is_xarrays(written: tuple[Path, int, bool]) -> None:
    path, zarr_format, _ = written
    ds = ours(path, chunks=None)
    source = cf_dataset()
    assert ds["time"].dtype.kind == "M" and ds["lag"].dtype.kind == "m"
    np.testing.assert_array_equal(ds["time"].values, source["time"].values)
    np.testing.assert_array_equal(ds["lag"].values, source["lag"].values)
    np.testing.assert_allclose(ds["packed"].values, source["packed"].values, atol=0.006)
    assert np.isnan(ds["counts"].values[[1, 4]]).all()  # _FillValue -1 masked
    assert np.isnan(ds["t"].values[1, 2])
    raw = ours(path, chunks=None, mask_and_scale=False)
    assert raw["packed"].dtype == np.int16 and raw["counts"].values[1] == -1
    if zarr_format == 2:  # v2: the zarr fill value is the mask (xarray's default)
        assert raw["t"].attrs["_FillValue"] is not None
    else:  # v3: the fill value is kept in the encoding, xarray's attribute decoded
        assert np.isnan(raw["t"].attrs["_FillValue"]) and np.isnan(raw["t"].encoding["fill_value"])
        assert raw["counts"].encoding["fill_value"] == 0 and raw["counts"].attrs["_FillValue"] == -1


@pytest.mark.parametrize("fill_as_mask", [True, False])
def test_use_zarr_fill_value_as_mask(tmp_path: Path, fill_as_mask: bool) -> None:
    ds = xr.Dataset({"v": (("x",), np.array([0, 1, 2], "i2"))})
    ds.to_zarr(tmp_path / "d.zarr", zarr_format=3, encoding={"v": {"fill_value": 1}})
    got = ours(tmp_path / "d.zarr", chunks=None, use_zarr_fill_value_as_mask=fill_as_mask)
    if fill_as_mask:
        assert np.isnan(got["v"].values[1]) and got["v"].dtype.kind == "f"
    else:
        assert got["v"].values.tolist() == [0, 1, 2] and got["v"].encoding["fill_value"] == 1


def backend_array(variable: Any) -> SimplezarrBackendArray:
    """The backend array under xarray's lazy wrappers of a variable."""
    data = variable.variable._data
    while not isinstance(data, SimplezarrBackendArray):
        data = data.array
    return data


def test_indexing_matches_numpy(written: tuple[Path, int, bool]) -> None:
    path, _, _ = written
    ds = ours(path, chunks=None)
    values = xr.open_zarr(path, chunks=None).load()
    for sel in [
        dict(time=1, x=3),
        dict(time=slice(1, 5), x=slice(None, None, 2)),
        dict(time=slice(None, None, -2)),
        dict(time=[0, 5, 2], x=[4, 0]),  # outer
        dict(time=xr.DataArray([0, 5, 2], dims="p"), x=xr.DataArray([4, 0, 1], dims="p")),
        dict(time=xr.DataArray([[0, 1], [5, 4]], dims=("a", "b")), x=slice(1, 4)),
        dict(x=xr.DataArray([3, 3, 1], dims="p")),
    ]:
        xr.testing.assert_identical(ds.isel(sel), values.isel(sel))
    assert ds["name"].isel(x=1).values == "bb"
    assert ds["label"].isel(x=0).values.dtype == values["label"].dtype


def test_backend_array_keys(written: tuple[Path, int, bool]) -> None:
    from xarray.core import indexing

    path, _, _ = written
    array = SimplezarrBackendArray(_open_array(path, "t"))
    data = array[indexing.BasicIndexer((slice(None), slice(None)))]
    assert array.shape == data.shape == (6, 5) and array.dtype == data.dtype
    assert array[indexing.BasicIndexer((2, 3))] == data[2, 3]
    outer = array[indexing.OuterIndexer((np.array([5, 0]), slice(1, 5, 2)))]
    np.testing.assert_array_equal(outer, data[np.ix_([5, 0], [1, 3])])
    points = (np.array([[0, 5], [2, 2]]), np.array([[4, 0], [1, 1]]))
    np.testing.assert_array_equal(array[indexing.VectorizedIndexer(points)], data[points])
    mixed = indexing.VectorizedIndexer((np.array([0, 5, 1]), slice(0, 5, 2)))
    np.testing.assert_array_equal(array[mixed], data[np.array([0, 5, 1])[:, None], [0, 2, 4]])


def _open_array(path: Path, name: str) -> Any:
    from simplezarr.api.synchronous import open_array

    return open_array(str(path), path=name, mode="r")


METADATA_DOCUMENTS = ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")


def chunk_keys(store: RequestLog) -> set[str]:
    return {k for k, _ in store.requests if k.split("/")[-1] not in METADATA_DOCUMENTS}


def test_reads_are_lazy_and_touch_only_selected_chunks(written: tuple[Path, int, bool]) -> None:
    path, zarr_format, _ = written
    store = RequestLog(LocalStore(path, read_only=True))
    ds = xr.open_dataset(store, engine="simplezarr", chunks=None)
    assert backend_array(ds["t"]).get_array().store is store
    # opening reads metadata, the index coordinates (xarray builds indexes) and, to pick a
    # dtype, the first and last values of a datetime with a fill value; nothing of "t"
    assert {k.split("/")[0] for k in chunk_keys(store)} == {"time", "x", "when"}
    store.requests.clear()
    value = ds["t"].isel(time=5, x=4).values
    assert np.isfinite(value)
    touched = {k for k in chunk_keys(store) if k.startswith("t/")}
    if zarr_format == 2:
        assert touched == {"t/1.2"}
    else:  # one shard (4, 4) of the (6, 5) array holds (5, 4)
        assert touched == {"t/c/1/1"}
    store.requests.clear()
    ds["t"].isel(time=0).values  # noqa: B018 - the read is the point
    assert {k for k in chunk_keys(store) if k.startswith("t/")} == (
        {"t/0.0", "t/0.1", "t/0.2"} if zarr_format == 2 else {"t/c/0/0", "t/c/0/1"}
    )


def test_dask_reads_in_parallel_chunks(written: tuple[Path, int, bool]) -> None:
    pytest.importorskip("dask")
    path, _, _ = written
    ds = ours(path, chunks={"time": 2, "x": 2})
    assert ds["t"].chunks == ((2, 2, 2), (2, 2, 1))
    xr.testing.assert_identical(ds.load(), xr.open_zarr(path, chunks=None).load())


def test_load_async(written: tuple[Path, int, bool]) -> None:
    import asyncio

    path, _, _ = written
    ds = ours(path, chunks=None)
    if not hasattr(ds, "load_async"):
        pytest.skip("this xarray has no load_async")
    loaded = asyncio.run(ds.load_async())
    xr.testing.assert_identical(loaded, xr.open_zarr(path, chunks=None).load())


def test_group_argument(tmp_path: Path) -> None:
    for zarr_format in FORMATS:
        path = tmp_path / f"g{zarr_format}.zarr"
        cf_dataset().to_zarr(path, group="a/b", zarr_format=zarr_format, consolidated=True)
        for consolidated in (None, True, False):
            got = ours(path, group="a/b", consolidated=consolidated, chunks=None)
            xr.testing.assert_identical(got, xr.open_zarr(path, group="a/b", chunks=None))
        assert ours(path, group="/a", chunks=None).variables == {}


def test_guess_can_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simplezarr.xarray import SimplezarrBackendEntrypoint, entrypoint

    entry = SimplezarrBackendEntrypoint()
    for zarr_format in FORMATS:
        path = tmp_path / f"any-name-{zarr_format}"
        xr.Dataset({"v": ("x", [1])}).to_zarr(path, zarr_format=zarr_format)
        assert entry.guess_can_open(path) and entry.guess_can_open(str(path) + "/")
        assert not entry.guess_can_open(path / "v")  # an array, not a dataset
        # without engine=, xarray picks this engine for it (its zarr engine wants ".zarr")
        assert xr.backends.plugins.guess_engine(str(path)) == "simplezarr"
    assert not entry.guess_can_open(tmp_path)  # control: a plain directory
    assert not entry.guess_can_open(tmp_path / "missing")
    assert not entry.guess_can_open(object())
    assert "simplezarr" in xr.backends.list_engines()

    # a ".zarr" path stays xarray's zarr engine's while zarr-python is installed ...
    suffixed = tmp_path / "data.zarr"
    xr.Dataset({"v": ("x", [1])}).to_zarr(suffixed)
    assert not entry.guess_can_open(suffixed) and not entry.guess_can_open("s3://b/d.zarr")
    assert xr.backends.plugins.guess_engine(str(suffixed)) == "zarr"
    # ... and is this engine's without it
    monkeypatch.setattr(entrypoint, "zarr_engine_available", lambda: False)
    assert entry.guess_can_open(suffixed) and entry.guess_can_open("s3://b/d.zarr")
    assert not entry.guess_can_open("s3://bucket/data.nc")


def test_missing_dimension_names_is_a_clear_error(tmp_path: Path) -> None:
    from simplezarr.api.synchronous import open_group
    from simplezarr.errors import InvalidMetadata

    for zarr_format in FORMATS:
        root = open_group(str(tmp_path / f"d{zarr_format}"), mode="w", zarr_format=zarr_format)
        root.create_array("v", shape=(2,), dtype="i1")
        with pytest.raises(InvalidMetadata, match="'/v'.*dimension"):
            ours(root.store, chunks=None)
        control = open_group(str(tmp_path / f"ok{zarr_format}"), mode="w", zarr_format=zarr_format)
        if zarr_format == 3:
            control.create_array("v", shape=(2,), dtype="i1", dimension_names=["x"])
        else:
            control.create_array(
                "v", shape=(2,), dtype="i1", attributes={"_ARRAY_DIMENSIONS": ["x"]}
            )
        assert ours(control.store, chunks=None)["v"].dims == ("x",)


def test_read_only_modes(written: tuple[Path, int, bool]) -> None:
    from simplezarr.errors import InvalidArgument

    path, _, _ = written
    with pytest.raises(InvalidArgument, match="only reads"):
        ours(path, mode="w")
    ours(path, mode="r", chunks=None)  # control


def test_nczarr_dimensions(tmp_path: Path) -> None:
    import json

    from simplezarr.api.synchronous import open_group

    root = open_group(str(tmp_path), mode="w", zarr_format=2)
    root.create_array("v", shape=(2, 3), dtype="i1", attributes={"_nczarr_attr": 1, "k": 2})
    zarray = tmp_path / "v" / ".zarray"
    doc = json.loads(zarray.read_text())
    doc["_NCZARR_ARRAY"] = {"dimrefs": ["/y", "/x"]}
    zarray.write_text(json.dumps(doc))
    got = ours(tmp_path, chunks=None)
    assert got["v"].dims == ("y", "x") and got["v"].attrs == {"k": 2}


def test_closing_closes_a_store_it_opened(tmp_path: Path) -> None:
    from simplezarr.nodes import ZarrGroup
    from simplezarr.stores import ZipStore

    path = tmp_path / "z.zip"
    with ZipStore(path, mode="w") as zip_store:
        v = ZarrGroup.create(zip_store).create_array(
            "v", shape=(2,), dtype="i1", dimension_names=["x"]
        )
        v[:] = [1, 2]
    ds = ours(str(path), chunks=None)
    store = backend_array(ds["v"]).get_array().store
    assert isinstance(store, ZipStore) and ds["v"].values.tolist() == [1, 2]
    assert not store.closed
    ds.close()
    assert store.closed
    # control: a store the caller gave stays open
    with ZipStore(path, mode="r") as given:
        ours(given, chunks=None).close()
        assert not given.closed


def test_a_lazy_dataset_pickles_when_arrays_do(written: tuple[Path, int, bool]) -> None:
    """A dask cluster ships the lazy variables to its workers; the engine adds nothing that
    cannot be pickled to the simplezarr arrays it wraps."""
    import pickle

    path, _, _ = written
    ds = ours(path, chunks={})
    copy = pickle.loads(pickle.dumps(ds))
    xr.testing.assert_identical(copy.load(), xr.open_zarr(path, chunks=None).load())


def test_open_mfdataset(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    source = cf_dataset()[["t", "packed"]]
    parts = [tmp_path / "a.zarr", tmp_path / "b.zarr"]
    source.isel(time=slice(0, 3)).to_zarr(parts[0], zarr_format=3)
    source.isel(time=slice(3, 6)).to_zarr(parts[1], zarr_format=2)
    got = xr.open_mfdataset(parts, engine="simplezarr", combine="by_coords")
    want = xr.open_mfdataset(parts, engine="zarr", combine="by_coords")
    xr.testing.assert_identical(got, want)
    assert got["t"].chunks[0] == (3, 3)  # one dask chunk per store along time
    np.testing.assert_array_equal(got["t"].values, source["t"].values)


def test_rectilinear_variables_are_chunked_along_their_grid() -> None:
    """A rectilinear array (or one with rectilinear shards) has no one chunk shape: its
    preferred chunks are each dimension's sizes, which dask takes as they are (opening
    needs the flag, as in zarr-python)."""
    import simplezarr

    data = np.arange(600).reshape(60, 10)
    with simplezarr.config.set({"array.rectilinear_chunks": True}):
        g = simplezarr.group({})
        v = g.create_array(
            "v", shape=(60, 10), chunks=[[10, 20, 30], 5], dtype="i4", dimension_names=["y", "x"]
        )
        w = g.create_array(
            "w",
            shape=(60, 10),
            chunks=(10, 5),
            shards=[[20, 40], 10],
            dtype="i4",
            dimension_names=["y", "x"],
        )
        v[...] = data
        w[...] = 2
        ds = xr.open_dataset(g.store, engine="simplezarr", chunks={})
        assert ds.v.chunks == ((10, 20, 30), (5, 5))
        assert ds.w.chunks == ((20, 40), (10,))
        assert ds.v.encoding["preferred_chunks"] == {"y": (10, 20, 30), "x": (5, 5)}
        np.testing.assert_array_equal(ds.v[15:45].values, data[15:45])
        assert int(ds.w.sum()) == 1200
