"""FsspecStore (alias RemoteStore): a store over any fsspec file system or URL.

Keys live under a root path of the file system: key ``"a/zarr.json"`` of the store at
``s3://bucket/data.zarr`` is the object ``bucket/data.zarr/a/zarr.json``. Works with every
fsspec implementation (``s3://`` through s3fs, ``gs://`` through gcsfs, ``http(s)://``,
``memory://``, ``file://``, ...); needs ``pip install 'simplezarr[remote]'``.

Concurrency. Every request runs as a coroutine on the file system's event loop (fsspec's
I/O thread: async file systems such as s3fs, gcsfs and HTTP), or, for a synchronous file
system, on the shared I/O thread pool of ``concurrency.IO`` (:mod:`simplezarr.concurrency`). A batched read
(``get_many``, the engine's call) is served concurrently, with at most
``config.io_concurrency`` requests of one store in flight.

Missing values and errors. A missing key reads as ``None``; a byte range starting past the
end reads as ``b""``. A missing bucket, bad credentials, no permission or a network failure
raise :class:`~simplezarr.errors.StoreError` (:class:`~simplezarr.errors.StoreAccessDenied`
for credentials and permissions) naming the URL. Transient read failures (connection
errors, timeouts, HTTP 5xx/429) are retried ``retries`` times with exponential backoff,
except for file systems that retry on their own (s3fs, gcsfs, adlfs: set their own
``retries`` storage option), where ``retries`` defaults to 0.

Writes. Object stores (S3, GCS, Azure, memory) put whole objects, so a failed write leaves
the old value (or nothing). Other file systems (``file://``, sftp, ...) are written to a
temporary name next to the key and renamed over it. On a local file system, a key whose
directory leads through a symbolic link outside the root is refused, as by LocalStore.
HTTP(S) is read-only. An HTTP(S) URL with a query string (a presigned or SAS URL) sends the
query with every request, after the key; messages and the repr leave it out.

Versions. A read of several requests to one value (a shard's index, then its inner chunks)
stays on one version: through s3fs every request after the first carries ``If-Match`` with
the ETag the first response had; on other file systems (except HTTP) the value's ``info``
(ETag, mtime, size, ...) is compared after the reads. A change in between makes the engine
read the shard again whole. Through s3fs, partial writes are compare-and-swaps
(``put_object`` with ``IfMatch``, or ``IfNoneMatch="*"`` for a new object; pass
``conditional_writes=False`` for an S3-compatible service that ignores them); on other file
systems they warn once (:class:`~simplezarr.errors.UnsafePartialWrite`).

Example:
    >>> store = FsspecStore.from_url("memory://doc-example/data.zarr")
    >>> store.set("a/zarr.json", b"{}")
    >>> store.get_many([("a/zarr.json", None), ("a/missing", None)]), store.list_dir("")
    ([b'{}', None], ['a/'])
    >>> store
    FsspecStore('memory:///doc-example/data.zarr')
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from simplezarr.concurrency import IO
from simplezarr.config import config
from simplezarr.errors import (
    InvalidArgument,
    InvalidKey,
    MissingDependency,
    ZarrError,
)
from simplezarr.stores.base import ByteRange
from simplezarr.stores.http_reads import http_get, http_size
from simplezarr.stores.keys import is_valid_key, validate_unreserved_key
from simplezarr.stores.local import TEMP_PREFIX
from simplezarr.stores.remote import (
    Opened,
    RemoteStoreBase,
    describe_failure,
    is_transient,
    precondition_failed,
    range_not_satisfiable,
    require,
    value_changed,
)

__all__ = ["ALLOWED_EXCEPTIONS", "FsspecStore", "RemoteStore"]

T = TypeVar("T")

#: Exceptions of the file system that mean "this key holds no value".
ALLOWED_EXCEPTIONS: tuple[type[Exception], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
)

_BUCKETED = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss"})
_WHOLE_OBJECT_PUTS = _BUCKETED | {"memory"}
_CLIENT_RETRIES = _BUCKETED
_READ_ONLY = frozenset({"http", "https", "github", "reference", "tar", "libarchive"})
_NO_LISTINGS_CACHE = _BUCKETED | {"http", "https"}


#: The fields of ``fs.info`` that change when a value is replaced (any present ones form
#: the version token of a file system that has no ETag of its own).
_VERSION_FIELDS = ("ETag", "etag", "VersionId", "generation", "mtime", "LastModified", "created")


def _http_range(byte_range: ByteRange) -> str | None:
    """The HTTP ``Range`` header of a checked, non-empty byte range."""
    if byte_range is None or byte_range == (0, None):
        return None
    start, length = byte_range
    if start < 0:
        return f"bytes={start}"
    return f"bytes={start}-" if length is None else f"bytes={start}-{start + length - 1}"


def _total_size(response: dict[str, Any], data: bytes) -> int:
    """The value's size from an S3 GET response (``Content-Range: bytes a-b/total``)."""
    content_range = response.get("ContentRange")
    if isinstance(content_range, str) and "/" in content_range:
        total = content_range.rpartition("/")[2]
        if total.isdigit():
            return int(total)
    return len(data)


def _protocols(fs: Any) -> tuple[str, ...]:
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


def _backoff(attempt: int) -> float:
    return min(0.05 * 2**attempt, 2.0)


def _blocking_instance(fs: Any) -> Any:
    """A non-asynchronous instance of an async file system created with asynchronous=True.

    The store drives the file system from ordinary threads through fsspec's own event
    loop, which an instance bound to the caller's loop cannot do.
    """
    options = {k: v for k, v in fs.storage_options.items() if k not in ("asynchronous", "loop")}
    return type(fs)(asynchronous=False, **options)


class FsspecStore(RemoteStoreBase):
    """A readable, writable and listable store over an fsspec file system.

    ``fs`` is the file system and ``path`` the root inside it (a scheme, if given, is
    stripped). Prefer :meth:`from_url`. ``allowed_exceptions`` are the exceptions that mean
    "missing"; ``retries`` is how often a transient read failure is retried (see the module
    docstring); ``conditional_writes`` (s3fs only; on by default there) makes partial
    writes compare-and-swaps. ``RemoteStore`` is the same class under the name of the seed API.

    Example:
        >>> import fsspec
        >>> store = FsspecStore(fsspec.filesystem("memory"), path="doc-fs/root")
        >>> store.set("c/0", b"\\x00\\x01\\x02")
        >>> store.get("c/0", (-2, None)), store.getsize("c/0"), store.exists("c")
        (b'\\x01\\x02', 3, False)
    """

    def __init__(
        self,
        fs: Any,
        read_only: bool = False,
        path: str = "",
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        retries: int | None = None,
        conditional_writes: bool | None = None,
    ) -> None:
        fsspec = require("fsspec", "remote", "FsspecStore")
        if not isinstance(fs, fsspec.AbstractFileSystem):
            raise InvalidArgument(
                f"FsspecStore needs an fsspec file system, not {type(fs).__name__}; "
                "use FsspecStore.from_url(url) to make one from a URL"
            )
        if getattr(fs, "async_impl", False) and getattr(fs, "asynchronous", False):
            fs = _blocking_instance(fs)
        if not isinstance(path, str):
            raise InvalidArgument(f"FsspecStore path must be a str, not {type(path).__name__}")
        if retries is not None and (not isinstance(retries, int) or retries < 0):
            raise InvalidArgument(f"FsspecStore retries must be an int >= 0, got {retries!r}")
        protocols = _protocols(fs)
        super().__init__(read_only=read_only or any(p in _READ_ONLY for p in protocols))
        self._fs = fs
        self._async = bool(getattr(fs, "async_impl", False))
        self._http = any(p in ("http", "https") for p in protocols)
        self._local = any(p in ("file", "local") for p in protocols)
        self._whole_puts = any(p in _WHOLE_OBJECT_PUTS for p in protocols)
        # s3fs: requests can carry If-Match (pinned reads, conditional writes)
        self._s3 = type(fs).__module__.startswith("s3fs") and hasattr(fs, "_call_s3")
        self._conditional = self._s3 if conditional_writes is None else bool(conditional_writes)
        if self._conditional and not self._s3:
            raise InvalidArgument(
                f"FsspecStore can write conditionally through s3fs only, not {type(fs).__name__}"
            )
        self._verify_dirs = not self._whole_puts  # file systems keep empty directories
        query = ""
        if self._http:  # a presigned or SAS URL: the query goes after each key
            path, mark, query = path.partition("?")
            query = mark + query
        root = (path if self._http else fs._strip_protocol(path) if path else "").rstrip("/")
        if not root and any(p in _BUCKETED for p in protocols):
            raise InvalidArgument(
                f"an FsspecStore over {protocols[0]}:// needs a bucket in its path, "
                f"such as '{protocols[0]}://bucket/data.zarr'"
            )
        self._root = root
        self._base = root + "/"
        self._query = query
        self._real_root = os.path.realpath(root or os.sep) if self._local else ""
        self._allowed = tuple(allowed_exceptions)
        if retries is None:
            retries = 0 if any(p in _CLIENT_RETRIES for p in protocols) else 3
        self._retries = retries
        self._semaphore_of: tuple[int, int, asyncio.Semaphore] | None = None
        self.url = root if self._http else fs.unstrip_protocol(root)

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: dict[str, Any] | None = None,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        retries: int | None = None,
        conditional_writes: bool | None = None,
    ) -> FsspecStore:
        """A store at ``url``; ``storage_options`` go to the file system unchanged.

        Listing caches are off by default for object stores and HTTP (another writer's
        changes must show); pass ``use_listings_cache=True`` to turn them on.

        Example:
            >>> FsspecStore.from_url("memory://doc-url/x.zarr", read_only=True)
            FsspecStore('memory:///doc-url/x.zarr', read_only=True)
        """
        fsspec = require("fsspec", "remote", "FsspecStore")
        if not isinstance(url, str):
            raise InvalidArgument(f"a store URL must be a str, not {type(url).__name__}")
        options = dict(storage_options or {})
        options.pop("asynchronous", None)  # the store drives the file system's own loop
        scheme = url.rpartition("::")[2].partition("://")[0].lower()
        if scheme in _NO_LISTINGS_CACHE:
            options.setdefault("use_listings_cache", False)
        try:
            fs, path = fsspec.url_to_fs(url, **options)
        except ImportError as e:
            raise MissingDependency(
                f"cannot open {url!r}: {e}; install the fsspec implementation of this "
                "protocol (s3fs for s3://, gcsfs for gs://, adlfs for az://, aiohttp for http://)"
            ) from e
        except (ValueError, TypeError, KeyError) as e:
            raise InvalidArgument(f"cannot open {url!r} with fsspec: {e}") from e
        return cls(
            fs,
            read_only,
            path,
            allowed_exceptions,
            retries=retries,
            conditional_writes=conditional_writes,
        )

    @property
    def fs(self) -> Any:
        """The fsspec file system."""
        return self._fs

    @property
    def path(self) -> str:
        """The root of the store inside the file system."""
        return self._root

    def _validate_key(self, key: object) -> str:
        return validate_unreserved_key(key, TEMP_PREFIX, "FsspecStore")

    # -- running requests ---------------------------------------------------------------

    def _run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        import fsspec.asyn

        loop = self._fs.loop if self._async else fsspec.asyn.get_loop()
        return fsspec.asyn.sync(loop, fn, *args)

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``fs.<name>(...)``: its coroutine on an async file system, else on the I/O pool."""
        if self._async:
            return await getattr(self._fs, "_" + name)(*args, **kwargs)
        method = partial(getattr(self._fs, name), *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(IO.executor(), method)

    def _semaphore(self) -> asyncio.Semaphore:
        # Made and used on the loop thread only; remade when the loop or the setting changes.
        key = (id(asyncio.get_running_loop()), config.io_concurrency)
        if self._semaphore_of is None or self._semaphore_of[:2] != key:
            self._semaphore_of = (*key, asyncio.Semaphore(config.io_concurrency))
        return self._semaphore_of[2]

    async def _attempt(
        self, action: str, key: str, retry: bool, fn: Callable[..., Awaitable[T]], *args: Any
    ) -> T:
        """One bounded request, retried when transient, with failures as simplezarr errors."""
        async with self._semaphore():
            for attempt in itertools.count():
                try:
                    return await fn(*args)
                except ZarrError:  # ours already: InvalidKey, StoreError
                    raise
                except Exception as e:
                    if retry and attempt < self._retries and is_transient(e):
                        await asyncio.sleep(_backoff(attempt))
                        continue
                    raise describe_failure(action, self._url(key), e) from e
        raise AssertionError("unreachable")  # pragma: no cover

    def _path(self, key: str) -> str:
        if self._http:
            return self._base + quote(key, safe="/") + self._query
        return self._base + key

    def _check_inside_root(self, path: str, key: str) -> None:
        """On a local file system, refuse a key whose directory leads outside the root."""
        if not self._local:
            return
        directory = os.path.realpath(os.path.dirname(path))
        if directory != self._real_root and not directory.startswith(
            self._real_root.rstrip(os.sep) + os.sep
        ):
            raise InvalidKey(
                f"key {key!r} of {self!r} leads through a symbolic link to {directory}, "
                "outside the root; FsspecStore never writes or deletes outside its root"
            )

    # -- ReadableStore ------------------------------------------------------------------

    def _get(self, key: str, byte_range: ByteRange) -> bytes | None:
        return self._run(self._attempt, "read", key, True, self._read, key, byte_range)

    def _get_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        if len(requests) <= 1:
            return [self._get(key, byte_range) for key, byte_range in requests]
        return self._run(self._read_many, requests)

    async def _read_many(self, requests: list[tuple[str, ByteRange]]) -> list[bytes | None]:
        results = await asyncio.gather(
            *(self._attempt("read", k, True, self._read, k, r) for k, r in requests),
            return_exceptions=True,  # let every request finish before raising
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results  # type: ignore[return-value]

    async def _read(self, key: str, byte_range: ByteRange) -> bytes | None:
        path = self._path(key)
        if self._http:
            return await http_get(self._fs, path, byte_range)
        if self._s3 and (byte_range is None or byte_range == (0, None)):
            # One GET: s3fs's cat_file asks for the size first (a HEAD), and reads a value
            # larger than its block size in concurrent ranges, which a rewrite in between
            # would mix; one response is one version.
            got = await self._s3_get(key, None)
            return None if got is None else got[0]
        try:
            if byte_range is None or byte_range == (0, None):
                return bytes(await self._call("cat_file", path))
            start, length = byte_range
            if length == 0:  # nothing to read: only whether the key exists matters
                return None if await self._stat(key) is None else b""
            end = None if length is None else start + length
            return bytes(await self._call("cat_file", path, start=start, end=end))
        except self._allowed as e:
            self._raise_if_container_missing(e, key)
            return None
        except Exception as e:
            if range_not_satisfiable(e):
                return b""  # the value exists and the range starts past its end
            raise

    async def _stat(self, key: str) -> int | None:
        """The size of the value of ``key``, or None if it is missing."""
        path = self._path(key)
        if self._http:
            return await http_size(self._fs, path)
        try:
            info = await self._call("info", path)
        except self._allowed as e:
            self._raise_if_container_missing(e, key)
            return None
        if info.get("type") != "file":
            return None
        if info.get("size") is None:  # some file systems do not know: count the bytes
            return len(await self._call("cat_file", path))
        return int(info["size"])

    def _getsize(self, key: str) -> int | None:
        return self._run(self._attempt, "get the size of", key, True, self._stat, key)

    def _exists(self, key: str) -> bool:
        return self._getsize(key) is not None

    # -- one version per read (a shard's index, then its inner chunks) -------------------

    @property
    def pins_versions(self) -> bool:
        return not self._http

    def _version(self, key: str) -> str | None:
        return self._run(self._attempt, "get the version of", key, True, self._info_version, key)

    async def _info_version(self, key: str) -> str | None:
        try:
            info = await self._call("info", self._path(key))
        except self._allowed as e:
            self._raise_if_container_missing(e, key)
            return None
        fields = [f"{f}={info[f]}" for f in _VERSION_FIELDS if info.get(f) is not None]
        if not fields:
            return None  # nothing changes with the value: cannot pin it
        return ";".join([*fields, f"ino={info.get('ino')}", f"size={info.get('size')}"])

    async def _s3_get(
        self, key: str, byte_range: ByteRange, if_match: str | None = None
    ) -> tuple[bytes, dict[str, Any]] | None:
        """One S3 GET of ``key`` (its bytes and the response), None when it is missing."""
        bucket, name, _ = self._fs.split_path(self._path(key))
        extra: dict[str, Any] = dict(getattr(self._fs, "req_kw", {}) or {})
        header = _http_range(byte_range)
        if header is not None:
            extra["Range"] = header
        if if_match is not None:
            extra["IfMatch"] = if_match
        try:
            response = await self._fs._call_s3("get_object", Bucket=bucket, Key=name, **extra)
        except self._allowed as e:
            self._raise_if_container_missing(e, key)
            return None
        body = response["Body"]
        try:
            data = bytes(await body.read())
        finally:
            body.close()
        return data, response

    def _open_one(self, key: str, byte_range: ByteRange) -> Opened | None:
        if not self._s3 or (byte_range is not None and byte_range[1] == 0):
            return super()._open_one(key, byte_range)
        try:
            got = self._run(self._attempt, "read", key, True, self._s3_get, key, byte_range)
        except ZarrError as e:
            if range_not_satisfiable(e):
                return super()._open_one(key, byte_range)
            raise
        if got is None:
            return None
        data, response = got
        return data, _total_size(response, data), response.get("ETag")

    def get_pinned(self, requests: Sequence[tuple[str, tuple[int, int], str]]) -> list[bytes]:
        if not self._s3:
            return super().get_pinned(requests)
        return self._run(self._pinned_many, requests)

    async def _pinned_many(
        self, requests: Sequence[tuple[str, tuple[int, int], str]]
    ) -> list[bytes]:
        async def one(key: str, start: int, stop: int, version: str) -> bytes:
            if stop <= start:
                return b""
            try:
                got = await self._s3_get(key, (start, stop - start), version)
            except Exception as e:
                if precondition_failed(e):
                    raise value_changed(
                        key,
                        f"{self._url(key)} was replaced while it was read (version {version} "
                        "is gone)",
                    ) from e
                if range_not_satisfiable(e):
                    return b""
                raise
            if got is None:
                raise value_changed(key, f"{self._url(key)} was deleted while it was read")
            return got[0]

        results = await asyncio.gather(
            *(self._attempt("read", k, True, one, k, a, b, v) for k, (a, b), v in requests),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results  # type: ignore[return-value]

    # -- conditional writes (s3fs) ------------------------------------------------------

    @property
    def conditional_writes(self) -> bool:
        return self._conditional

    def _get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        got = self._run(self._attempt, "read", key, True, self._s3_get, key, None)
        return (None, None) if got is None else (got[0], got[1].get("ETag"))

    def _set_if_version(self, key: str, data: bytes, version: str | None) -> bool:
        return self._run(self._attempt, "write", key, False, self._s3_put_if, key, data, version)

    async def _s3_put_if(self, key: str, data: bytes, version: str | None) -> bool:
        path = self._path(key)
        bucket, name, _ = self._fs.split_path(path)
        condition = {"IfNoneMatch": "*"} if version is None else {"IfMatch": version}
        extra: dict[str, Any] = dict(getattr(self._fs, "req_kw", {}) or {})
        try:
            await self._fs._call_s3(
                "put_object", Bucket=bucket, Key=name, Body=data, **condition, **extra
            )
        except Exception as e:
            if precondition_failed(e):
                return False  # another writer came first: nothing written
            raise
        finally:
            self._fs.invalidate_cache(path)
        return True

    # -- WritableStore ------------------------------------------------------------------

    def _set(self, key: str, data: bytes) -> None:
        self._run(self._attempt, "write", key, False, self._write, key, data)

    async def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            if self._whole_puts:  # an object appears whole or not at all
                await self._call("pipe_file", path, data)
                return
            self._check_inside_root(path, key)
            directory = path.rpartition("/")[0]
            if self._local:
                await self._call("makedirs", directory, exist_ok=True)
            temp = f"{directory}/{TEMP_PREFIX}{uuid.uuid4().hex}"
            try:
                await self._call("pipe_file", temp, data)
                await self._call("mv", temp, path)
            except BaseException:
                with suppress(Exception):
                    await self._call("rm_file", temp)
                raise
        except self._allowed as e:
            self._raise_if_container_missing(e, key, "write")
            raise

    def _delete(self, key: str) -> None:
        self._run(self._attempt, "delete", key, False, self._remove, [key])

    async def _remove(self, keys: list[str]) -> None:
        paths = [self._path(key) for key in keys]
        for key, path in zip(keys, paths, strict=True):
            self._check_inside_root(path, key)
        try:
            if len(paths) == 1:
                await self._call("rm_file", paths[0])
            else:
                await self._call("rm", paths)  # one bulk request on object stores
        except self._allowed as e:
            self._raise_if_container_missing(e, keys[0], "delete")
            if len(paths) > 1:  # a key vanished meanwhile: delete the rest one by one
                for key in keys:
                    await self._remove([key])

    def _erase_prefix(self, prefix: str) -> None:
        keys = list(self._list_prefix(prefix))
        if keys:
            self._run(self._attempt, "erase prefix", prefix, False, self._remove, keys)

    # -- ListableStore ------------------------------------------------------------------

    def _target(self, prefix: str) -> str:
        return self._path(prefix[:-1]) if prefix else self._root + self._query

    def _key_of(self, name: str) -> str | None:
        """The key of a file system path under the root, or None if it cannot be a key."""
        if self._query:
            name = name.replace(self._query, "", 1)
        if not name.startswith(self._base) or name.endswith("/"):
            return None
        key = name[len(self._base) :]
        if self._http:
            key = unquote(key)
        if not is_valid_key(key) or any(s.startswith(TEMP_PREFIX) for s in key.split("/")):
            return None
        return key

    def _list_prefix(self, prefix: str) -> list[str]:
        return self._run(self._attempt, "list", prefix, True, self._find, prefix)

    async def _find(self, prefix: str) -> list[str]:
        try:
            names = await self._call("find", self._target(prefix), withdirs=False)
        except self._allowed as e:
            self._raise_if_container_missing(e, prefix, "list")
            return []
        if not names and self._http:
            # fsspec's HTTP find swallows every OSError (a refused connection too): a
            # listing of the prefix itself raises it, or says it is missing.
            try:
                await self._call("ls", self._target(prefix), detail=False)
            except self._allowed:
                return []
        keys = (self._key_of(name) for name in names)
        return [key for key in keys if key is not None and key.startswith(prefix)]

    def _list_dir(self, prefix: str) -> list[str]:
        return self._run(self._attempt, "list", prefix, True, self._ls, prefix)

    def _list_dir_candidates(self, prefix: str) -> list[str]:
        return self._run(self._attempt, "list", prefix, True, self._ls, prefix, False)

    async def _ls(self, prefix: str, verify_dirs: bool = True) -> list[str]:
        # Over HTTP the directory's own URL ends in "/": without it a server answers with a
        # redirect there first (a second round trip for every listing). Not with a query
        # string, which fsspec would join the listed names to.
        target = self._base + quote(prefix, safe="/") if self._http and not self._query else None
        try:
            entries = await self._call("ls", target or self._target(prefix), detail=True)
        except self._allowed as e:
            self._raise_if_container_missing(e, prefix, "list")
            return []
        children, dirs = [], []
        for entry in entries:
            key = self._key_of(entry["name"].rstrip("/"))
            if key is None or not key.startswith(prefix) or "/" in key[len(prefix) :]:
                continue  # e.g. the prefix itself, listed when it names a value
            if entry.get("type") == "directory":
                dirs.append(key)
            elif entry.get("type") == "file":
                children.append(key)
        if verify_dirs and self._verify_dirs and dirs:
            # An empty directory holds no keys. Checked concurrently: one after the other,
            # a group of 1,000 arrays over HTTP took 1,000 round trips to list.
            async def holds_keys(key: str) -> bool:
                async with self._semaphore():
                    return bool(await self._find(key + "/"))

            kept = await asyncio.gather(*(holds_keys(k) for k in dirs))
            dirs = [k for k, keep in zip(dirs, kept, strict=True) if keep]
        return children + [k + "/" for k in dirs]

    # -- Python protocols ---------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_semaphore_of"] = None  # bound to an event loop: remade on first use
        return state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FsspecStore):
            return NotImplemented
        return (self._fs, self._root) == (other._fs, other._root)

    def __hash__(self) -> int:
        return hash((FsspecStore, self.url))

    def __repr__(self) -> str:
        flag = ", read_only=True" if self.read_only else ""
        return f"{type(self).__name__}({self.url!r}{flag})"


#: The seed API's name for :class:`FsspecStore`.
RemoteStore = FsspecStore
