"""from_url: the store a path or URL names.

- A local path (no ``scheme://``; a leading ``~`` is expanded), or a ``file://`` /
  ``local://`` URL (percent-decoded; ``file://localhost/path`` is ``/path``) →
  :class:`LocalStore` (atomic writes, never outside its root). When the path is an
  existing ``.zip`` file and ``read_only`` is true → a read-only :class:`ZipStore`; writing
  into an archive needs an explicit ``ZipStore(path, mode="a")`` that you close, so that
  is refused here.

The top-level API (``simplezarr.open_array("...")`` and friends) turns every path and URL
into a store through this function.
- Any other URL (``s3://``, ``gs://``, ``az://``, ``http(s)://``, ``memory://``, chained
  ``zip::s3://...``) → :class:`FsspecStore`, with ``storage_options`` passed to fsspec.

:class:`ObjectStore` (obstore) is never chosen here: ask for it with
``ObjectStore.from_url(url, storage_options)``, since its options are not fsspec's.

Example:
    >>> import tempfile
    >>> from_url(tempfile.mkdtemp())
    LocalStore('...')
    >>> from_url("memory://from-url-example/data.zarr")
    FsspecStore('memory:///from-url-example/data.zarr')
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from simplezarr.errors import InvalidArgument
from simplezarr.stores.base import BaseStore
from simplezarr.stores.local import LocalStore

__all__ = ["from_url"]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]+)://")  # two letters at least: not "C:/"


def _local_path(url: str) -> str:
    """The file system path of a ``file://`` or ``local://`` URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "local":
        return unquote(url.split("://", 1)[1])
    if parts.netloc not in ("", "localhost"):
        raise InvalidArgument(
            f"cannot open {url!r}: file:// URLs name a path on this machine "
            f"(file:///path), not on host {parts.netloc!r}"
        )
    return unquote(parts.path)


def from_url(
    url: str | os.PathLike[str],
    *,
    storage_options: dict[str, Any] | None = None,
    read_only: bool = False,
) -> BaseStore:
    """The store for a local path or a URL (see the module docstring for which store).

    ``storage_options`` (credentials, endpoint, ...) apply to remote URLs only; giving
    them for a local path raises :class:`~simplezarr.errors.InvalidArgument`.

    Example:
        >>> store = from_url("memory://from-url-doc", read_only=True)
        >>> store.read_only, type(store).__name__
        (True, 'FsspecStore')
    """
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url:
        raise InvalidArgument(f"a store URL or path must be a non-empty str, not {url!r}")
    if storage_options is not None and not isinstance(storage_options, dict):
        raise InvalidArgument(
            f"storage_options must be a dict, not {type(storage_options).__name__}"
        )
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if "::" not in url and scheme in ("", "file", "local"):
        if storage_options:
            raise InvalidArgument(
                f"storage_options were given for the local path {url!r}; they only apply to "
                "remote URLs (s3://, gs://, http://, ...)"
            )
        return _local_store(_local_path(url) if scheme else os.path.expanduser(url), read_only)
    from simplezarr.stores.fsspec_store import FsspecStore

    return FsspecStore.from_url(url, storage_options=storage_options, read_only=read_only)


def _local_store(path: str, read_only: bool) -> BaseStore:
    if path.lower().endswith(".zip") and os.path.isfile(path):
        if not read_only:
            raise InvalidArgument(
                f"{path!r} is a ZIP archive: open it read-only, or write to it with "
                "simplezarr.stores.ZipStore(path, mode='a') and close the store when done"
            )
        from simplezarr.stores.zip import ZipStore

        return ZipStore(path, mode="r")
    return LocalStore(path, read_only=read_only)
