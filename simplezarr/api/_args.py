"""Arguments every API function shares: the access modes and ``zarr_format`` (with its
deprecated alias ``zarr_version``).

Example:
    >>> check_zarr_format(3), check_zarr_format(None)
    (3, None)
"""

from __future__ import annotations

import warnings
from typing import Any

from simplezarr.errors import InvalidArgument, ZarrDeprecationWarning

__all__ = ["CREATE_MODES", "READ_MODES", "check_zarr_format"]

READ_MODES = ("r", "r+", "a")
CREATE_MODES = ("a", "w", "w-")


def check_zarr_format(zarr_format: Any, zarr_version: Any = None) -> int | None:
    """The zarr_format argument (or its deprecated alias zarr_version), checked."""
    if zarr_version is not None:
        if zarr_format is not None and zarr_format != zarr_version:
            raise InvalidArgument(
                f"zarr_format {zarr_format} does not match zarr_version {zarr_version}; "
                "pass only zarr_format"
            )
        warnings.warn(
            "zarr_version is deprecated, use zarr_format", ZarrDeprecationWarning, stacklevel=3
        )
        zarr_format = zarr_version
    if zarr_format not in (None, 2, 3):
        raise InvalidArgument(f"zarr_format must be 2, 3 or None, got {zarr_format!r}")
    return zarr_format
