"""zarr-python's ``zarr.experimental``: :mod:`simplezarr.experimental.cache_store`."""
