"""xarray integration: the ``"simplezarr"`` backend engine (docs/xarray.md).

``xr.open_dataset(path_or_url, engine="simplezarr")`` reads a Zarr v2 or v3 store written by
xarray, lazily, through simplezarr's engine, and gives what ``xr.open_zarr`` gives;
``xr.open_datatree`` / ``xr.open_groups`` read hierarchies. The engine is registered under
the entry point group ``xarray.backends``; importing this package needs xarray (the
``xarray`` extra), never zarr-python.
"""

from simplezarr.xarray.array import SimplezarrBackendArray
from simplezarr.xarray.entrypoint import SimplezarrBackendEntrypoint, open_store_group
from simplezarr.xarray.store import SimplezarrDataStore

__all__ = [
    "SimplezarrBackendArray",
    "SimplezarrBackendEntrypoint",
    "SimplezarrDataStore",
    "open_store_group",
]
