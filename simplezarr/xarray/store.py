"""One Zarr group as an xarray data store: its arrays as variables, with the dimensions,
attributes and encoding xarray's own zarr backend gives them.

The mapping follows xarray's Zarr encoding
(https://docs.xarray.dev/en/stable/internals/zarr-encoding-spec.html):

- dimensions: ``dimension_names`` of a v3 array; the ``_ARRAY_DIMENSIONS`` attribute of a
  v2 one (hidden from the variable's attributes, as are NCZarr's ``_nc*`` attributes), or
  else NCZarr's ``_NCZARR_ARRAY.dimrefs`` in ``.zarray``;
- fill values: with ``use_zarr_fill_value_as_mask`` (the default for v2) the array's fill
  value becomes the ``_FillValue`` attribute, so xarray masks it; otherwise (the default
  for v3) the fill value goes to ``encoding["fill_value"]`` and a ``_FillValue`` attribute
  is decoded from its JSON form;
- encoding: ``chunks``, ``preferred_chunks`` (what ``chunks={}`` gives dask), ``shards``,
  ``compressors``, ``filters`` and (v3) ``serializer`` as zarr-python objects when
  zarr-python is installed (so ``ds.to_zarr`` can reuse them), their JSON otherwise.

CF decoding (scale factors, times, masks) is left to xarray.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any

from xarray.backends.common import AbstractDataStore
from xarray.backends.zarr import FillValueCoder
from xarray.core import indexing
from xarray.core.utils import FrozenDict
from xarray.core.variable import Variable

from simplezarr.errors import InvalidMetadata
from simplezarr.metadata.store_io import prefix
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.stores.base import readable
from simplezarr.xarray.array import SimplezarrBackendArray

__all__ = ["DIMENSION_KEY", "SimplezarrDataStore", "dimensions_and_attributes", "zarr_codec"]

#: The attribute in which xarray keeps a v2 array's dimension names.
DIMENSION_KEY = "_ARRAY_DIMENSIONS"


def _nczarr_dimensions(array: ZarrArray) -> list[str] | None:
    data = readable(array.store, "read .zarray").get(prefix(array.path) + ".zarray")
    try:
        refs = json.loads(data or b"{}")["_NCZARR_ARRAY"]["dimrefs"]
    except (KeyError, TypeError, ValueError):
        return None
    return [posixpath.basename(r) for r in refs]


def dimensions_and_attributes(array: ZarrArray) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """An array's dimension names and the attributes xarray shows for it.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> a = ZarrArray.create(MemoryStore(), "t", shape=(2,), dtype="i1", zarr_format=2,
        ...                      attributes={"_ARRAY_DIMENSIONS": ["time"], "units": "s"})
        >>> dimensions_and_attributes(a)
        (('time',), {'units': 's'})
    """
    attributes = dict(array.attrs)
    if array.zarr_format == 3:
        dims = tuple(array.metadata.dimension_names or ())
        if len(dims) != array.ndim:
            raise InvalidMetadata(
                f"array {array.name!r} has no dimension_names in its zarr.json, which xarray "
                "needs for the variable's dimensions; write it with xarray or with "
                "dimension_names=[...]"
            )
        return dims, attributes
    found = attributes.get(DIMENSION_KEY)
    if found is None:
        found = _nczarr_dimensions(array)
    if found is None:
        raise InvalidMetadata(
            f"array {array.name!r} has neither the {DIMENSION_KEY} attribute nor NCZarr "
            "dimension references, which xarray needs for the variable's dimensions; write "
            f"it with xarray or set attrs[{DIMENSION_KEY!r}] to a list of names"
        )
    if not isinstance(found, list | tuple) or len(found) != array.ndim:
        raise InvalidMetadata(
            f"the {DIMENSION_KEY} attribute of array {array.name!r} is {found!r}, not a list "
            f"of {array.ndim} dimension names"
        )
    hidden = {k for k in attributes if k == DIMENSION_KEY or k.lower().startswith("_nc")}
    return tuple(found), {k: v for k, v in attributes.items() if k not in hidden}


def zarr_codec(codec: Any) -> Any:
    """A simplezarr v3 codec as zarr-python's codec object (what xarray's zarr backend puts
    in the encoding, and what ``to_zarr`` accepts), or its JSON without zarr-python.

    Example:
        >>> from simplezarr.codecs import codec_from_json
        >>> zarr_codec(codec_from_json({"name": "zstd", "configuration": {"level": 3}}))
        ZstdCodec(level=3, checksum=False)
    """
    document = codec.to_dict()
    try:
        from zarr.registry import get_codec_class
    except ImportError:
        return document
    try:
        cls: Any = get_codec_class(document["name"])
        if document == {"name": "bytes"}:  # items without a byte order: zarr-python's
            return cls(endian=None)  # resolved codec has endian None, its from_dict "little"
        return cls.from_dict(document)
    except (KeyError, TypeError, ValueError):  # a codec zarr-python does not know
        return document


class SimplezarrDataStore(AbstractDataStore):
    """The variables, dimensions and attributes of one group, read with simplezarr.

    The group's members are listed once, when the store is made (as xarray's ZarrStore).
    ``close_store`` says whether :meth:`close` closes the group's store (one opened from a
    path or URL, not one the caller gave).

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> root = ZarrGroup.create(MemoryStore(), attributes={"title": "t"})
        >>> _ = root.create_array("v", shape=(3,), dtype="i2", dimension_names=["x"])
        >>> store = SimplezarrDataStore(root)
        >>> store.get_dimensions(), store.get_attrs(), store.get_variables()["v"].dims
        ({'x': 3}, {'title': 't'}, ('x',))
    """

    __slots__ = ("_arrays", "_close_store", "_use_fill_as_mask", "group")

    def __init__(
        self,
        group: ZarrGroup,
        *,
        use_zarr_fill_value_as_mask: bool | None = None,
        close_store: bool = False,
    ) -> None:
        self.group = group
        if use_zarr_fill_value_as_mask is None:
            use_zarr_fill_value_as_mask = group.zarr_format == 2
        self._use_fill_as_mask = use_zarr_fill_value_as_mask
        self._close_store = close_store
        self._arrays: dict[str, ZarrArray] = dict(group.arrays())

    def open_store_variable(self, name: str) -> Variable:
        """The variable of the array ``name``: lazy data, attributes and encoding."""
        array = self._arrays[name]
        dims, attributes = dimensions_and_attributes(array)
        data = indexing.LazilyIndexedArray(SimplezarrBackendArray(array))
        encoding: dict[str, Any]
        if array.metadata.is_rectilinear:
            # variable chunks (or shards): dask takes each dimension's sizes of the stored
            # objects (there is no one shape)
            sizes = array.write_chunk_sizes
            encoding = {"preferred_chunks": dict(zip(dims, sizes, strict=True))}
        else:
            chunks = tuple(array.chunks)
            encoding = {"chunks": chunks, "preferred_chunks": dict(zip(dims, chunks, strict=True))}
        if array.dtype.kind == "T":
            encoding["dtype"] = array.dtype
        v3 = self.group.zarr_format == 3
        encoding["compressors"] = tuple(zarr_codec(c) if v3 else c for c in array.compressors)
        encoding["filters"] = tuple(zarr_codec(c) if v3 else c for c in array.filters)
        if not array.metadata.is_rectilinear:
            encoding["shards"] = array.shards
        if v3:
            serializer = array.serializer
            encoding["serializer"] = None if serializer is None else zarr_codec(serializer)
        if self._use_fill_as_mask:
            if array.fill_value is not None:
                attributes["_FillValue"] = array.fill_value
        else:
            if v3:
                encoding["fill_value"] = array.fill_value
            if "_FillValue" in attributes:
                attributes["_FillValue"] = FillValueCoder.decode(
                    attributes["_FillValue"], array.dtype
                )
        return Variable(dims, data, attributes, encoding)

    def get_variables(self) -> Mapping[str, Variable]:
        return FrozenDict((name, self.open_store_variable(name)) for name in self._arrays)

    def get_attrs(self) -> dict[str, Any]:
        return {k: v for k, v in self.group.attrs.items() if not k.lower().startswith("_nc")}

    def get_dimensions(self) -> dict[Any, int]:
        dimensions: dict[Any, int] = {}
        for array in self._arrays.values():
            dims, _ = dimensions_and_attributes(array)
            for dim, size in zip(dims, array.shape, strict=True):
                if dimensions.setdefault(dim, size) != size:
                    raise InvalidMetadata(
                        f"dimension {dim!r} has length {size} in array {array.name!r} but "
                        f"{dimensions[dim]} in another array of group {self.group.name!r}"
                    )
        return dimensions

    def close(self) -> None:
        if self._close_store:
            self.group.store.close()
