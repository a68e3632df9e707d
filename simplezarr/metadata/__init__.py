"""Zarr metadata: data types, the frozen array/group model, and the v3 / v2 documents.

- :mod:`.dtypes`: :class:`DataType`, ``parse_v3_dtype``, ``parse_v2_dtype``, ``from_numpy``
- :mod:`.model`: :class:`ArrayMetadata`, :class:`GroupMetadata`
- :mod:`.v3`: ``parse_node_v3`` (``zarr.json``); :mod:`.v2`: ``parse_array_v2``,
  ``parse_group_v2`` (``.zarray``/``.zgroup``/``.zattrs``)
- :mod:`.options`: :class:`ArrayOptions` (how to create an array) and ``build_array_metadata``;
  :mod:`.defaults`: zarr-python's ``create_array`` defaults
- :mod:`.json`: ``parse_document`` / ``dump_document`` (safe JSON in, zarr-style JSON out)

Example:
    >>> from simplezarr.metadata import parse_node_v3
    >>> parse_node_v3(b'{"zarr_format": 3, "node_type": "group"}', "").zarr_format
    3
"""

from simplezarr.dtypes import (
    DataType,
    from_numpy,
    parse_v2_dtype,
    parse_v3_dtype,
    register_data_type,
)
from simplezarr.metadata.json import dump_document, parse_document
from simplezarr.metadata.model import ArrayMetadata, GroupMetadata
from simplezarr.metadata.options import ArrayOptions, build_array_metadata
from simplezarr.metadata.v2 import parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import parse_node_v3

__all__ = [
    "ArrayMetadata",
    "ArrayOptions",
    "DataType",
    "GroupMetadata",
    "build_array_metadata",
    "dump_document",
    "from_numpy",
    "parse_array_v2",
    "parse_document",
    "parse_group_v2",
    "parse_node_v3",
    "parse_v2_dtype",
    "parse_v3_dtype",
    "register_data_type",
]
