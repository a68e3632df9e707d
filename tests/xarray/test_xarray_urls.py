"""engine="simplezarr" on URLs: a consolidated dataset over plain HTTP (no listing) and a
dataset on S3 (moto's server) with storage_options, against xarray's zarr backend."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")
pytest.importorskip("fsspec")

from tests.stores.store_servers import moto_server, start_directory_server  # noqa: E402
from tests.xarray.datasets import cf_dataset, encoding, write  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::UserWarning", "ignore::FutureWarning", "ignore::RuntimeWarning"
)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_http_consolidated(tmp_path: Path, zarr_format: int) -> None:
    pytest.importorskip("aiohttp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(tmp_path / "d.zarr", zarr_format, consolidated=True)
    server = start_directory_server(tmp_path)
    try:
        url = f"{server.url}/d.zarr"
        got = xr.open_dataset(url, engine="simplezarr", chunks=None)
        xr.testing.assert_identical(got, xr.open_zarr(tmp_path / "d.zarr", chunks=None))
        assert got["t"].isel(time=5, x=4).values == cf_dataset()["t"].values[5, 4]
    finally:
        server.stop()


def test_an_fsspec_mapper(tmp_path: Path) -> None:
    import fsspec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(tmp_path / "d.zarr", 3, consolidated=False)
    mapper = fsspec.get_mapper(str(tmp_path / "d.zarr"))
    got = xr.open_dataset(mapper, engine="simplezarr", chunks=None)
    xr.testing.assert_identical(got, xr.open_zarr(tmp_path / "d.zarr", chunks=None))


@pytest.mark.slow  # starts moto's S3 server (a few seconds)
def test_s3_with_storage_options() -> None:
    pytest.importorskip("s3fs")
    s3 = moto_server()
    url = f"s3://{s3.new_prefix()}/d.zarr"
    options = s3.fsspec_options()
    source = cf_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source.to_zarr(url, storage_options=options, zarr_format=3, encoding=encoding(3))
    got = xr.open_dataset(url, engine="simplezarr", storage_options=options, chunks={})
    want = xr.open_zarr(url, storage_options=options, chunks={})
    xr.testing.assert_identical(got, want)
    xr.testing.assert_identical(got.load(), want.load())
