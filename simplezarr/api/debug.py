"""zarr-python's ``print_debug_info``: the versions a bug report needs.

Example:
    >>> print_debug_info()  # doctest: +ELLIPSIS
    platform: ...
"""

from __future__ import annotations

__all__ = ["print_debug_info"]

_PACKAGES = ("simplezarr", "numpy", "numcodecs", "crc32c", "fsspec", "obstore", "zarr")


def print_debug_info() -> None:
    """Print the platform, Python and the versions of simplezarr and its dependencies."""
    import importlib.metadata  # imported here: `import simplezarr` never reads metadata
    import platform

    print(f"platform: {platform.platform()}")
    print(f"python: {platform.python_version()}")
    for name in _PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        print(f"{name}: {version}")
