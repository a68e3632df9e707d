"""ObjectStore: a store over obstore, the Python binding of the Rust ``object_store`` crate.

An alternative to :class:`~simplezarr.stores.FsspecStore` for S3, GCS, Azure, HTTP, local
and in-memory storage, with less Python in each request. Needs
``pip install 'simplezarr[obstore]'``. ``from_url`` (and so every path given to the API)
picks it for object store URLs when it is installed (``config.remote_client``).

Concurrency. obstore's blocking calls release the GIL while they wait, so the requests of
a batched read (``get_many``) run on the shared I/O pool
(``concurrency.IO`` of :mod:`simplezarr.concurrency`, ``config.io_concurrency`` threads); several byte
ranges of one key go in one ``get_ranges`` call, which obstore coalesces and runs
concurrently itself.

Missing values and errors. A missing key reads as ``None``; a byte range starting past the
end reads as ``b""``; a suffix range on a service that cannot do them (Azure) is read as a
HEAD and a bounded range. A missing bucket, bad credentials, no permission or a network
failure raise :class:`~simplezarr.errors.StoreError` (``StoreAccessDenied`` for
credentials and permissions) naming the URL. obstore retries transient failures itself;
``from_url`` bounds that to 3 retries within 20 s unless ``retry_config`` is given.

Writes are whole-object puts (local files are written to a temporary name and renamed by
obstore), so a failed write never leaves part of a value under its key.

Versions. A read of several requests to one value (a shard's index, then its inner chunks)
pins the value's ETag: every request after the first carries ``If-Match``, so a rewrite in
between is refused and the shard read again whole, never mixed. Partial writes are
compare-and-swaps (``PutMode.Update`` with the ETag read, ``"create"`` for a new object)
on the stores that implement them (``conditional_writes``).

HTTP(S). An ObjectStore over an ``http(s)://`` URL (obstore's HTTPStore) is read-only, as
FsspecStore over HTTP; ``from_url`` sets ``allow_http`` for ``http://`` URLs and ``http://``
endpoints. A server that ignores ``Range`` headers (``python -m http.server``) is read whole
and the range sliced from it (once a server has done so, the store asks it for whole values
only). A query string (presigned or SAS URL) is kept after each key by obstore; messages and
the repr leave it out.

Example:
    >>> store = ObjectStore.from_url("memory:///")
    >>> store.set("a/zarr.json", b"{}")
    >>> store.get("a/zarr.json"), store.get("nope"), store.list_dir("")
    (b'{}', None, ['a/'])
"""

from __future__ import annotations

import builtins
import contextlib
import os
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from simplezarr.concurrency import IO
from simplezarr.errors import (
    InvalidArgument,
    StoreAccessDenied,
    StoreError,
    UnsupportedStoreError,
    ZarrError,
)
from simplezarr.stores.base import ByteRange, slice_byte_range
from simplezarr.stores.keys import is_valid_key
from simplezarr.stores.remote import (
    Opened,
    RemoteStoreBase,
    describe_failure,
    display_url,
    precondition_failed,
    range_not_satisfiable,
    ranges_unsupported,
    require,
    value_changed,
)

__all__ = ["ObjectStore"]

#: obstore stores whose puts can be conditional (object_store's PutMode::Update; its
#: LocalFileSystem does not implement it).
_CONDITIONAL_PUTS = frozenset({"S3Store", "GCSStore", "AzureStore", "MemoryStore"})

#: Pinned ranges of one value closer than this are read in one request (object_store's
#: own coalescing distance for get_ranges).
PINNED_COALESCE = 1 << 20

_DEFAULT_RETRY = {"max_retries": 3, "retry_timeout": timedelta(seconds=20)}


def _obstore() -> Any:
    return require("obstore", "obstore", "ObjectStore")


def _suffix_unsupported(e: Exception) -> bool:
    if ranges_unsupported(e):
        return False  # no ranges at all, not only no suffixes
    return type(e).__name__ == "NotSupportedError" or "non-partial" in str(e).lower()


def _is_panic(e: BaseException) -> bool:
    return type(e).__name__ == "PanicException"


#: The process whose requests started obstore's runtime (tokio threads, made on first use).
_RUNTIME_PID: int | None = None


def _check_runtime_process(store: ObjectStore) -> None:
    """Refuse requests in a process forked after obstore ran in its parent: the runtime's
    threads did not come along, and a request would wait forever (obstore is not fork-safe,
    developmentseed/obstore#441)."""
    global _RUNTIME_PID
    pid = os.getpid()
    if _RUNTIME_PID is None:
        _RUNTIME_PID = pid
    elif pid != _RUNTIME_PID:
        raise StoreError(
            f"cannot use {store!r} in a process forked after obstore was used in its parent "
            "(obstore's runtime does not survive a fork; its requests would hang): start "
            "workers with the 'spawn' or 'forkserver' method (multiprocessing.get_context"
            "('spawn'); dask distributed's default), or use FsspecStore"
        )


class _RequestPanicked(StoreError):
    """obstore panicked while serving a request (see ``ObjectStore._do``)."""


def _range_options(byte_range: ByteRange) -> dict[str, Any]:
    """obstore's ``GetOptions`` for a byte range."""
    if byte_range is None or byte_range == (0, None):
        return {}
    start, length = byte_range
    if start < 0:
        return {"range": {"suffix": -start}}
    if length is None:
        return {"range": {"offset": start}}
    return {"range": (start, start + length)}


def _allow_http(url: str, options: dict[str, Any]) -> None:
    """Set obstore's ``allow_http`` client option for an ``http://`` URL or endpoint."""
    config_ = options.get("config")
    endpoints = [
        v
        for source in (options, config_ if isinstance(config_, dict) else {})
        for k, v in source.items()
        if "endpoint" in str(k).lower() and isinstance(v, str)
    ]
    if not any(u.lower().startswith("http://") for u in [url, *endpoints]):
        return
    client_options = options.get("client_options")
    if client_options is None:
        options["client_options"] = {"allow_http": True}
    elif isinstance(client_options, dict):
        options["client_options"] = {"allow_http": True, **client_options}


class ObjectStore(RemoteStoreBase):
    """A readable, writable and listable store over an obstore store instance.

    ``store`` is an ``obstore.store`` object (S3Store, GCSStore, AzureStore, HTTPStore,
    LocalStore, MemoryStore) set up with its credentials and prefix; ``url`` is only used
    to name the store in messages. Prefer :meth:`from_url`. A store over HTTP(S)
    (``HTTPStore``) is always read-only.

    ``conditional_writes``: whether partial writes are compare-and-swaps (``If-Match`` on
    the PUT, retried when another writer came first; see docs/guarantees.md). By default
    on for S3, GCS, Azure and memory stores, off for obstore's LocalStore (object_store
    does not implement it); pass False for an S3-compatible service that ignores
    ``If-Match`` on PUT (it would make the writes unconditional, silently), so that
    partial writes warn instead.

    Example:
        >>> from obstore.store import MemoryStore as ObstoreMemory
        >>> store = ObjectStore(ObstoreMemory())
        >>> store.set_many([("c/0", b"abc"), ("c/1", b"def")])
        >>> store.get_many([("c/0", (1, 1)), ("c/1", (-2, None)), ("c/2", None)])
        [b'b', b'ef', None]
    """

    def __init__(
        self,
        store: Any,
        *,
        read_only: bool = False,
        url: str | None = None,
        conditional_writes: bool | None = None,
    ) -> None:
        _obstore()
        if not type(store).__module__.startswith("obstore"):
            raise InvalidArgument(
                f"ObjectStore wraps an obstore store (obstore.store.S3Store, ...), not "
                f"{type(store).__name__}; use ObjectStore.from_url(url) to make one"
            )
        self._http = type(store).__name__ == "HTTPStore"
        super().__init__(read_only=read_only or self._http)
        self._store = store
        self._no_ranges = False  # set once a server ignored a Range header
        if conditional_writes is None:  # what object_store implements PutMode.Update for
            conditional_writes = type(store).__name__ in _CONDITIONAL_PUTS
        self._conditional = bool(conditional_writes) and not self._http
        url = display_url(url or f"obstore:{store!r}")
        self.url = url.rstrip("/") if url.partition("://")[2].strip("/") else url

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: dict[str, Any] | None = None,
        read_only: bool = False,
        *,
        conditional_writes: bool | None = None,
    ) -> ObjectStore:
        """A store at ``url``: ``storage_options`` go to ``obstore.store.from_url``.

        They are obstore's: ``config`` (e.g. ``{"endpoint": ..., "access_key_id": ...}``),
        ``client_options`` (e.g. ``{"allow_http": True}``), ``retry_config``,
        ``credential_provider``, or the configuration keys themselves.
        ``conditional_writes`` as in the class.

        Example:
            >>> ObjectStore.from_url("memory:///", read_only=True)
            ObjectStore('memory:///', read_only=True)
        """
        obs_store = require("obstore.store", "obstore", "ObjectStore")
        if not isinstance(url, str):
            raise InvalidArgument(f"a store URL must be a str, not {type(url).__name__}")
        options = dict(storage_options or {})
        if not url.startswith(("memory:", "file:")):
            options.setdefault("retry_config", _DEFAULT_RETRY)
        _allow_http(url, options)
        try:
            store = obs_store.from_url(url, **options)
        except BaseException as e:  # obstore reports bad options as a Rust panic
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise
            raise InvalidArgument(
                f"cannot open {url!r} with obstore: {e}; check the URL and storage_options "
                "(obstore's config, client_options, retry_config)"
            ) from e
        return cls(store, read_only=read_only, url=url, conditional_writes=conditional_writes)

    @property
    def store(self) -> Any:
        """The obstore store instance."""
        return self._store

    def _do(self, action: str, key: str, fn: Callable[[], Any]) -> Any:
        """Run one request; "not found" comes back as the caller sees it, failures as ours."""
        _check_runtime_process(self)
        try:
            return fn()
        except FileNotFoundError as e:
            self._raise_if_container_missing(e, key, action)
            raise
        except ZarrError:  # ours already
            raise
        except Exception as e:
            raise describe_failure(action, self._url(key), e) from e
        except BaseException as e:
            if not _is_panic(e):
                raise
            # obstore panics (a BaseException) on, e.g., get_ranges with a range starting
            # past the end of the value: report it as a failure of the request.
            raise _RequestPanicked(f"could not {action} {self._url(key)}: {e}") from e

    # -- ReadableStore ------------------------------------------------------------------

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        try:
            return self._do("read", key, lambda: self._read(key, byte_range))
        except FileNotFoundError:
            return None

    def _read(self, key: str, byte_range: ByteRange) -> bytes | None:
        obs = _obstore()
        try:
            if byte_range is None or byte_range == (0, None):
                return bytes(obs.get(self._store, key).bytes())
            start, length = byte_range
            if length == 0:
                return b"" if self._size(key) is not None else None
            if self._no_ranges:
                return self._read_whole(key, byte_range)
            try:
                if start < 0:
                    return self._read_suffix(key, -start)
                if length is None:
                    options = {"range": {"offset": start}}
                    return bytes(obs.get(self._store, key, options=options).bytes())
                return bytes(obs.get_range(self._store, key, start=start, length=length))
            except Exception as e:
                if not ranges_unsupported(e):
                    raise
                self._no_ranges = True  # the server ignores Range: whole values from now on
                return self._read_whole(key, byte_range)
        except FileNotFoundError:
            raise
        except Exception as e:
            if range_not_satisfiable(e):
                return b""  # the value exists and the range starts past its end
            raise

    def _read_whole(self, key: str, byte_range: ByteRange) -> bytes:
        """The whole value, sliced here: for servers that ignore ``Range`` headers."""
        return slice_byte_range(bytes(_obstore().get(self._store, key).bytes()), byte_range)

    def _read_suffix(self, key: str, n: int) -> bytes:
        obs = _obstore()
        try:
            return bytes(obs.get(self._store, key, options={"range": {"suffix": n}}).bytes())
        except Exception as e:
            if not _suffix_unsupported(e):
                raise
        size = obs.head(self._store, key)["size"]  # no suffix ranges here: HEAD, then range
        if size == 0:
            return b""
        start = max(size - n, 0)
        return bytes(obs.get_range(self._store, key, start=start, length=size - start))

    def _get_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        # Bounded ranges of one key go together through get_ranges; the rest one by one.
        groups: dict[str, list[int]] = {}
        singles: list[int] = []
        for i, (key, byte_range) in enumerate(requests):
            if byte_range is not None and byte_range[0] >= 0 and byte_range[1]:
                groups.setdefault(key, []).append(i)
            else:
                singles.append(i)
        for key in [k for k, idx in groups.items() if len(idx) == 1]:
            singles.extend(groups.pop(key))
        results: list[bytes | None] = [None] * len(requests)

        def single(i: int) -> Callable[[], None]:
            def task() -> None:
                results[i] = self._get(*requests[i])

            return task

        def grouped(key: str, indexes: list[int]) -> Callable[[], None]:
            def task() -> None:
                for i, value in zip(indexes, self._get_ranges(key, requests, indexes), strict=True):
                    results[i] = value

            return task

        IO.run_all([single(i) for i in singles] + [grouped(k, idx) for k, idx in groups.items()])
        return results

    def _get_ranges(
        self, key: str, requests: list[tuple[str, ByteRange]], indexes: list[int]
    ) -> list[bytes | None]:
        obs = _obstore()
        ranges = [requests[i][1] for i in indexes]
        starts = [r[0] for r in ranges]  # type: ignore[index]
        lengths = [r[1] for r in ranges]  # type: ignore[index]
        if not self._no_ranges:
            try:
                values = self._do(
                    "read",
                    key,
                    lambda: obs.get_ranges(self._store, key, starts=starts, lengths=lengths),
                )
                return [bytes(v) for v in values]
            except FileNotFoundError:
                return [None] * len(indexes)
            except StoreAccessDenied:
                raise
            except StoreError as e:
                if ranges_unsupported(e):
                    self._no_ranges = True
                elif range_not_satisfiable(e) or isinstance(e, _RequestPanicked):
                    # a range past the end (obstore panics on some): each on its own
                    return [self._get(key, r) for r in ranges]
                else:
                    raise
        whole = self._get(key, None)  # the server ignores Range: one read, sliced here
        return [None if whole is None else slice_byte_range(whole, r) for r in ranges]

    # -- one version per read (a shard's index, then its inner chunks) -------------------

    @property
    def pins_versions(self) -> bool:
        return not self._http

    def _open_one(self, key: str, byte_range: ByteRange) -> Opened | None:
        if self._no_ranges or (byte_range is not None and byte_range[1] == 0):
            return super()._open_one(key, byte_range)
        obs = _obstore()
        options = _range_options(byte_range)

        def read() -> tuple[bytes, dict[str, Any]]:
            result = obs.get(self._store, key, options=options)
            return bytes(result.bytes()), result.meta

        try:
            data, meta = self._do("read", key, read)
        except FileNotFoundError:
            return None
        except StoreError as e:
            if isinstance(e, StoreAccessDenied):
                raise
            if (
                range_not_satisfiable(e)
                or ranges_unsupported(e)
                or _suffix_unsupported(e)
                or isinstance(e, _RequestPanicked)
            ):
                return super()._open_one(key, byte_range)  # the ordinary reads sort it out
            raise
        return data, int(meta["size"]), meta.get("e_tag")

    def get_pinned(
        self, requests: Sequence[tuple[str, tuple[int, int], str]]
    ) -> builtins.list[bytes]:
        """Each range read with ``If-Match: <version>``: the service refuses (412) a range
        of any other version, which raises :class:`~simplezarr.errors.ValueChanged`."""
        obs = _obstore()

        def one(key: str, start: int, stop: int, version: str) -> bytes:
            if stop <= start:
                return b""
            options = {"range": (start, stop), "if_match": version}
            try:
                return self._do(
                    "read", key, lambda: bytes(obs.get(self._store, key, options=options).bytes())
                )
            except FileNotFoundError as e:
                raise value_changed(key, f"{self._url(key)} was deleted while it was read") from e
            except StoreError as e:
                if precondition_failed(e):
                    raise value_changed(
                        key,
                        f"{self._url(key)} was replaced while it was read (version {version} "
                        "is gone)",
                    ) from e
                raise

        # Ranges of one value less than PINNED_COALESCE apart go in one request, as
        # object_store's get_ranges would coalesce them (it cannot carry If-Match).
        spans: list[list[Any]] = []  # [key, start, stop, version] per request made
        order = sorted(range(len(requests)), key=lambda i: (requests[i][0], requests[i][1]))
        placed: dict[int, tuple[int, int]] = {}  # request -> (its span, offset in it)
        for i in order:
            key, (start, stop), version = requests[i]
            last = spans[-1] if spans else None
            if (
                last is not None
                and last[0] == key
                and last[3] == version
                and start - last[2] <= PINNED_COALESCE
                and stop > start
            ):
                last[2] = max(last[2], stop)
            else:
                spans.append([key, start, stop, version])
            placed[i] = (len(spans) - 1, start - spans[-1][1])
        where = [placed[i] for i in range(len(requests))]
        datas = IO.run_all([partial(one, k, a, b, v) for k, a, b, v in spans])
        return [
            datas[span][offset : offset + max(0, requests[i][1][1] - requests[i][1][0])]
            for i, (span, offset) in enumerate(where)
        ]

    def _size(self, key: str) -> int | None:
        obs = _obstore()
        try:
            return int(self._do("get the size of", key, lambda: obs.head(self._store, key))["size"])
        except FileNotFoundError:
            return None

    def _getsize(self, key: str) -> int | None:
        return self._size(key)

    # -- WritableStore ------------------------------------------------------------------

    @property
    def conditional_writes(self) -> bool:
        return self._conditional

    def _get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        obs = _obstore()

        def read() -> tuple[bytes, str | None]:
            result = obs.get(self._store, key)
            return bytes(result.bytes()), result.meta.get("e_tag")

        try:
            return self._do("read", key, read)
        except FileNotFoundError:
            return None, None

    def _set_if_version(self, key: str, data: bytes, version: str | None) -> bool:
        obs = _obstore()
        mode: Any = "create" if version is None else {"e_tag": version}
        try:
            self._do("write", key, lambda: obs.put(self._store, key, data, mode=mode))
        except StoreError as e:
            if precondition_failed(e):
                return False  # another writer came first: nothing written
            raise
        except FileNotFoundError as e:
            raise describe_failure("write", self._url(key), e) from e
        return True

    def _set(self, key: str, data: bytes) -> None:
        obs = _obstore()
        try:
            self._do("write", key, lambda: obs.put(self._store, key, data))
        except FileNotFoundError as e:
            raise describe_failure("write", self._url(key), e) from e

    def _delete(self, key: str) -> None:
        obs = _obstore()
        # some services report deleting a missing object; it is not an error
        with contextlib.suppress(FileNotFoundError):
            self._do("delete", key, lambda: obs.delete(self._store, key))

    def _erase_prefix(self, prefix: str) -> None:
        obs = _obstore()
        keys = self._list_prefix(prefix)
        if keys:
            try:
                self._do("erase prefix", prefix, lambda: obs.delete(self._store, keys))
            except FileNotFoundError:  # one vanished meanwhile: the rest one by one
                for key in keys:
                    self._delete(key)

    # -- ListableStore ------------------------------------------------------------------

    def _list_prefix(self, prefix: str) -> builtins.list[str]:
        obs = _obstore()

        def listing() -> list[Any]:
            return obs.list(self._store, prefix=prefix[:-1] or None).collect()

        try:
            metas = self._do("list", prefix, listing)
        except FileNotFoundError:
            return []
        return [m["path"] for m in metas if is_valid_key(m["path"])]

    def _list_dir(self, prefix: str) -> builtins.list[str]:
        obs = _obstore()

        def listing() -> dict[str, Any]:
            return obs.list_with_delimiter(self._store, prefix=prefix[:-1] or None)

        try:
            result = self._do("list", prefix, listing)
        except FileNotFoundError:
            return []
        children = [p + "/" for p in result["common_prefixes"] if is_valid_key(p)]
        children += [m["path"] for m in result["objects"] if is_valid_key(m["path"])]
        return [c for c in children if c.startswith(prefix)]

    # -- Python protocols ---------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """The obstore store (obstore pickles its S3, GCS, Azure, HTTP and local stores with
        their configuration; the copy makes its own client) and the flags learned so far."""
        if type(self._store).__name__ == "MemoryStore":
            raise UnsupportedStoreError(
                f"cannot pickle {self!r}: an obstore MemoryStore lives in one process and "
                "obstore cannot pickle it; use simplezarr's MemoryStore (pickled as a copy "
                "of its content) or a store with a location"
            )
        return dict(vars(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectStore):
            return NotImplemented
        return self._read_only == other._read_only and bool(self._store == other._store)

    def __hash__(self) -> int:
        return hash((ObjectStore, self.url))

    def __repr__(self) -> str:
        flag = ", read_only=True" if self._read_only else ""
        return f"ObjectStore({self.url!r}{flag})"
