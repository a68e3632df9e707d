"""from_url: the store a path or URL names.

- A local path (no ``scheme://``; a leading ``~`` is expanded), or a ``file://`` /
  ``local://`` URL (percent-decoded; ``file://localhost/path`` is ``/path``) →
  :class:`LocalStore` (atomic writes, never outside its root). When the path is an
  existing ``.zip`` file and ``read_only`` is true → a read-only :class:`ZipStore`; writing
  into an archive needs an explicit ``ZipStore(path, mode="a")`` that you close, so that
  is refused here.

- An object store URL (``s3://``, ``gs://``, ``az://`` and their aliases, ``https://``)
  → :class:`ObjectStore` (obstore: less Python per request, faster) or
  :class:`FsspecStore`, as ``client`` (default ``config.remote_client``) says:

  - ``"auto"``: obstore when it is installed (``pip install 'simplezarr[obstore]'``) and
    it can take the ``storage_options``: none, obstore's own (``config``,
    ``client_options``, ``retry_config``, ``credential_provider``), or, for ``s3://``,
    the fsspec/s3fs ones it has a meaning for (``key``, ``secret``, ``token``,
    ``endpoint_url``, ``anon``, ``client_kwargs={"region_name": ...}``); fsspec otherwise.
  - ``"obstore"``: always obstore (fsspec options translated as above; others refused).
  - ``"fsspec"``: always fsspec, options passed as they are.
- Any other URL (``http://``, ``memory://``, ``gcs`` through fsspec only schemes, chained
  ``zip::s3://...``) → :class:`FsspecStore`, with ``storage_options`` passed to fsspec.

The top-level API (``simplezarr.open_array("...")`` and friends) turns every path and URL
into a store through this function.

Example:
    >>> import tempfile
    >>> from_url(tempfile.mkdtemp())
    LocalStore('...')
    >>> from_url("memory://from-url-example/data.zarr")
    FsspecStore('memory:///from-url-example/data.zarr')
"""

from __future__ import annotations

import importlib.util
import os
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from simplezarr.config import REMOTE_CLIENTS, config
from simplezarr.errors import InvalidArgument
from simplezarr.stores.base import BaseStore
from simplezarr.stores.local import LocalStore

__all__ = ["from_url"]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]+)://")  # two letters at least: not "C:/"

#: Schemes obstore serves as fsspec does (the bucket or container is the URL's host).
_BUCKETS = frozenset({"s3", "s3a", "gs", "gcs", "az", "azure", "abfs", "abfss"})
_OBSTORE_SCHEMES = _BUCKETS | {"https"}
_OBSTORE_OPTIONS = frozenset({"config", "client_options", "retry_config", "credential_provider"})
#: fsspec (s3fs) option -> obstore S3 configuration key.
_S3_KEYS = {
    "key": "access_key_id",
    "secret": "secret_access_key",
    "token": "session_token",
    "endpoint_url": "endpoint",
}


def obstore_options(scheme: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """``storage_options`` for :meth:`ObjectStore.from_url`: obstore's own as they are,
    fsspec's (s3fs) translated for ``s3://``; None when some option has no obstore meaning.

    Example:
        >>> obstore_options("s3", {"key": "k", "secret": "s", "anon": False})
        {'config': {'access_key_id': 'k', 'secret_access_key': 's'}}
        >>> obstore_options("gs", {"token": "anon"}) is None
        True
    """
    if set(options) <= _OBSTORE_OPTIONS:
        return dict(options)
    if scheme not in ("s3", "s3a") or set(options) & _OBSTORE_OPTIONS:
        return None
    conf: dict[str, Any] = {}
    for name, value in options.items():
        if name in _S3_KEYS:
            if value is not None:
                conf[_S3_KEYS[name]] = value
        elif name == "anon":
            if value:
                conf["skip_signature"] = True
        elif name == "client_kwargs" and isinstance(value, dict) and set(value) <= {"region_name"}:
            if value.get("region_name"):
                conf["region"] = value["region_name"]
        else:
            return None
    return {"config": conf} if conf else {}


def _obstore_installed() -> bool:
    try:
        return importlib.util.find_spec("obstore") is not None
    except (ImportError, ValueError):  # a None entry in sys.modules: blocked on purpose
        return False


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
    client: str | None = None,
) -> BaseStore:
    """The store for a local path or a URL (see the module docstring for which store).

    ``storage_options`` (credentials, endpoint, ...) apply to remote URLs only; giving
    them for a local path raises :class:`~simplezarr.errors.InvalidArgument`. ``client``
    (``"auto"``, ``"obstore"``, ``"fsspec"``; default ``config.remote_client``) picks the
    library for object store URLs.

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
    chosen = client or config.remote_client
    if chosen not in REMOTE_CLIENTS:
        raise InvalidArgument(f"client must be one of {list(REMOTE_CLIENTS)}, got {chosen!r}")
    if "::" not in url and scheme in _OBSTORE_SCHEMES and chosen != "fsspec":
        if scheme in _BUCKETS and not urlsplit(url).netloc:
            raise InvalidArgument(f"{url!r} names no bucket: write {scheme}://bucket/path")
        options = obstore_options(scheme, storage_options or {})
        if options is None and chosen == "obstore":
            raise InvalidArgument(
                f"storage_options {sorted(storage_options or {})} have no obstore meaning for "
                f"{url!r}; give obstore's (config, client_options, ...) or use client='fsspec'"
            )
        if options is not None and (chosen == "obstore" or _obstore_installed()):
            from simplezarr.stores.obstore_store import ObjectStore

            return ObjectStore.from_url(url, storage_options=options, read_only=read_only)
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
