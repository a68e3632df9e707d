"""xarray's ``engine="simplezarr"``: open Zarr v2 and v3 datasets with simplezarr's reader.

``xr.open_dataset(path_or_url, engine="simplezarr")`` gives what ``xr.open_zarr`` (xarray's
zarr-python backend) gives for the same store, read lazily by simplezarr's engine;
``xr.open_datatree`` and ``xr.open_groups`` open every group below ``group``. The keywords
are xarray's zarr backend's: ``group``, ``consolidated`` (None: use consolidated metadata
at the root when there is some, True: require it, False: ignore it), ``zarr_format``,
``storage_options`` (for URLs), ``use_zarr_fill_value_as_mask``; ``chunks=`` and the CF
decoding options are xarray's own.

Writing (``ds.to_zarr``) is zarr-python's; see docs/xarray.md for running it on
simplezarr's codec pipeline.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xarray.backends.common import (
    BackendEntrypoint,
    _normalize_path,
    datatree_from_dict_with_io_cleanup,
)
from xarray.backends.store import StoreBackendEntrypoint
from xarray.core.utils import close_on_error

from simplezarr.api.synchronous import open_group
from simplezarr.errors import InvalidArgument
from simplezarr.nodes import ZarrGroup, ZarrNode
from simplezarr.xarray.store import SimplezarrDataStore

if TYPE_CHECKING:
    from xarray import Dataset, DataTree

__all__ = ["SimplezarrBackendEntrypoint", "open_store_group"]

#: What xarray may pass as ``mode``: this backend only reads.
READ_MODES = ("r",)


def open_store_group(
    store: Any,
    *,
    group: str | None = None,
    consolidated: bool | None = None,
    zarr_format: int | None = None,
    storage_options: dict[str, Any] | None = None,
) -> ZarrGroup:
    """The group an xarray call names, opened as xarray's zarr backend opens it: with
    ``consolidated`` None or True the root is opened (with its consolidated metadata, if
    any) and ``group`` is found below it; with False ``group`` is opened directly. A
    simplezarr group given as ``store`` is used as it is.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> root = ZarrGroup.create(MemoryStore())
        >>> _ = root.create_group("a/b")
        >>> open_store_group(root.store, group="/a/b").path
        'a/b'
    """
    path = (group or "").strip("/")
    options: dict[str, Any] = dict(
        mode="r", zarr_format=zarr_format, storage_options=storage_options
    )
    node: ZarrNode
    if isinstance(store, ZarrGroup):
        node = store[path] if path else store
    elif consolidated is False:
        node = open_group(store, path=path, use_consolidated=False, **options)
    else:  # consolidated metadata lives at the root
        root = open_group(store, use_consolidated=consolidated, **options)
        node = root[path] if path else root
    if not isinstance(node, ZarrGroup):
        raise InvalidArgument(
            f"the node at {path or '/'!r} is an array; xarray opens groups (give group= the "
            "group holding it)"
        )
    return node


def _group_paths(group: ZarrGroup, at: str = "/") -> Iterator[tuple[str, ZarrGroup]]:
    yield at, group
    for name, child in group.groups():
        yield from _group_paths(child, at.rstrip("/") + "/" + name)


def zarr_engine_available() -> bool:
    """Whether xarray's ``"zarr"`` engine can run (zarr-python is installed).

    Example:
        >>> zarr_engine_available() == (importlib.util.find_spec("zarr") is not None)
        True
    """
    return importlib.util.find_spec("zarr") is not None


def _holds_group(path: str) -> bool:
    root = Path(path)
    if (root / ".zgroup").is_file():
        return True
    try:
        document = json.loads((root / "zarr.json").read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("node_type") == "group"


class SimplezarrBackendEntrypoint(BackendEntrypoint):
    """xarray's backend ``"simplezarr"`` (registered under the entry point group
    ``xarray.backends``).

    Example:
        >>> import numpy as np, xarray as xr
        >>> from simplezarr.stores import MemoryStore
        >>> root = ZarrGroup.create(MemoryStore())
        >>> t = root.create_array("t", shape=(3,), dtype="f4", dimension_names=["time"])
        >>> t[:] = [1.5, 2.5, 3.5]
        >>> ds = xr.open_dataset(root.store, engine="simplezarr", chunks=None)
        >>> ds["t"].dims, ds["t"].values.tolist()
        (('time',), [1.5, 2.5, 3.5])
    """

    description = "Open Zarr v2 and v3 stores in xarray with simplezarr"
    url = "https://github.com/simplezarr/simplezarr/blob/main/docs/xarray.md"
    supports_groups = True

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        """Whether ``xr.open_dataset`` without ``engine=`` should pick this engine: for a
        simplezarr group, a local directory holding a group's metadata (``zarr.json`` of a
        group, ``.zgroup``) or a URL ending in ``.zarr`` -- except a path ending in
        ``.zarr`` while zarr-python is installed, which xarray's own zarr engine claims (it
        sorts after this one): installing simplezarr never changes the engine of a path
        xarray could already open."""
        if isinstance(filename_or_obj, ZarrGroup):
            return True
        if not isinstance(filename_or_obj, str | os.PathLike):
            return False
        path = os.fspath(filename_or_obj).rstrip("/")
        if os.path.splitext(path)[1] == ".zarr" and zarr_engine_available():
            return False
        if "://" in path:
            return os.path.splitext(path)[1] == ".zarr"
        return _holds_group(path)

    def open_dataset(  # xarray's keywords, spelled out (xarray reads the signature)
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: str = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: int | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
    ) -> Dataset:
        """The dataset of one group (``group``, default the root)."""
        top = _open(filename_or_obj, group, mode, consolidated, storage_options, zarr_format)
        store = SimplezarrDataStore(
            top,
            use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
            close_store=_opened_here(filename_or_obj),
        )
        return _decoded(
            store,
            mask_and_scale=mask_and_scale,
            decode_times=decode_times,
            concat_characters=concat_characters,
            decode_coords=decode_coords,
            drop_variables=drop_variables,
            use_cftime=use_cftime,
            decode_timedelta=decode_timedelta,
        )

    def open_datatree(
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: str = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: int | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
    ) -> DataTree:
        """Every group below ``group`` (default the root) as a tree of datasets."""
        groups = self.open_groups_as_dict(
            filename_or_obj,
            mask_and_scale=mask_and_scale,
            decode_times=decode_times,
            concat_characters=concat_characters,
            decode_coords=decode_coords,
            drop_variables=drop_variables,
            use_cftime=use_cftime,
            decode_timedelta=decode_timedelta,
            group=group,
            mode=mode,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
            use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
        )
        return datatree_from_dict_with_io_cleanup(groups)

    def open_groups_as_dict(
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: str = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: int | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
    ) -> dict[str, Dataset]:
        """``{"/": dataset, "/a": dataset, "/a/b": ...}``: each group below ``group``, by its
        path relative to it, each parent before its children."""
        top = _open(filename_or_obj, group, mode, consolidated, storage_options, zarr_format)
        close_store = _opened_here(filename_or_obj)
        datasets: dict[str, Dataset] = {}
        for i, (path, node) in enumerate(_group_paths(top)):
            store = SimplezarrDataStore(
                node,
                use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
                close_store=close_store and i == 0,  # one store: the root's dataset closes it
            )
            datasets[path] = _decoded(
                store,
                mask_and_scale=mask_and_scale,
                decode_times=decode_times,
                concat_characters=concat_characters,
                decode_coords=decode_coords,
                drop_variables=drop_variables,
                use_cftime=use_cftime,
                decode_timedelta=decode_timedelta,
            )
        return datasets


def _open(
    filename_or_obj: Any,
    group: str | None,
    mode: str,
    consolidated: bool | None,
    storage_options: dict[str, Any] | None,
    zarr_format: int | None,
) -> ZarrGroup:
    if mode not in READ_MODES:
        raise InvalidArgument(
            f"the simplezarr engine only reads; mode must be one of {READ_MODES}, got "
            f"{mode!r} (write with ds.to_zarr)"
        )
    return open_store_group(
        _store_of(_normalize_path(filename_or_obj)),
        group=group,
        consolidated=consolidated,
        zarr_format=zarr_format,
        storage_options=storage_options,
    )


def _store_of(filename_or_obj: Any) -> Any:
    """What simplezarr opens for ``filename_or_obj``: an fsspec mapper (``fsspec.get_mapper``,
    which xarray users pass to ``open_zarr``) becomes an FsspecStore over its file system and
    root; anything else is opened as it is."""
    fsspec_mapping = sys.modules.get("fsspec.mapping")  # a mapper means fsspec is imported
    if fsspec_mapping is not None and isinstance(filename_or_obj, fsspec_mapping.FSMap):
        from simplezarr.stores.fsspec_store import FsspecStore

        return FsspecStore(filename_or_obj.fs, read_only=True, path=filename_or_obj.root)
    return filename_or_obj


def _decoded(store: SimplezarrDataStore, **decoders: Any) -> Dataset:
    """The dataset of a data store, CF-decoded by xarray (closing the store on failure)."""
    with close_on_error(store):
        return StoreBackendEntrypoint().open_dataset(store, **decoders)


def _opened_here(filename_or_obj: Any) -> bool:
    """Whether the engine made the store from a path or URL (so closing the dataset closes
    it); a store or group the caller gave stays the caller's."""
    return isinstance(filename_or_obj, str | os.PathLike)
