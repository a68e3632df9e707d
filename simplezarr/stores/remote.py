"""What the remote stores share: a base class, optional imports and turning client errors
into ours.

:class:`RemoteStoreBase` holds what FsspecStore and ObjectStore have in common: the engine's
batch size, the URL of a key in messages (without the URL's query string, which may hold a
signature), "not found" that is really a missing bucket, and listing-based ``_list`` and
``_is_empty``.

A remote client reports failures in its own types (botocore, aiohttp, obstore, ...). The
stores keep "missing" as a value (a missing key reads as ``None``) and turn every other
failure into one of:

- :class:`~simplezarr.errors.StoreAccessDenied` (also a ``PermissionError``): missing or
  bad credentials, or no permission for the operation;
- :class:`~simplezarr.errors.StoreError` (also an ``OSError``): the bucket or container
  does not exist, the network failed, the service answered with an error.

Each message names the URL and says what to check next; the client's exception is chained.

Example:
    >>> err = describe_failure("read", "s3://bucket/a/zarr.json", PermissionError("Forbidden"))
    >>> type(err).__name__, str(err).startswith("could not read s3://bucket/a/zarr.json")
    ('StoreAccessDenied', True)
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import partial
from types import ModuleType
from typing import cast

from simplezarr.concurrency import IO
from simplezarr.config import config
from simplezarr.errors import MissingDependency, StoreAccessDenied, StoreError, ValueChanged
from simplezarr.stores.base import (
    ByteRange,
    ListableStore,
    ReadableStore,
    RereadValue,
    StoredValue,
    WritableStore,
    warn_partial_write_once,
)
from simplezarr.stores.values import BytesValue, PinnedValue

__all__ = [
    "Opened",
    "RemoteStoreBase",
    "container_missing",
    "describe_failure",
    "display_url",
    "is_transient",
    "precondition_failed",
    "range_not_satisfiable",
    "ranges_unsupported",
    "require",
    "value_changed",
]

#: What a store's ``_open_one`` returns for a value it found: the requested bytes, the
#: value's size and its version token (an ETag; None when the service gives none).
Opened = tuple[bytes, int, "str | None"]

_PRECONDITION = re.compile(
    r"PreconditionFailed|pre-?conditions? |precondition fail|ConditionalRequestConflict", re.I
)
_MISSING_CONTAINER = re.compile(
    r"NoSuchBucket|bucket does not exist|ContainerNotFound|container does not exist", re.I
)
_NOT_SATISFIABLE = re.compile(r"not satisfiable|InvalidRange|StartTooLarge", re.I)
_RANGES_UNSUPPORTED = re.compile(r"Range request not supported|RangeNotSupported", re.I)
_ACCESS_DENIED = re.compile(
    r"AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden|\b403\b|\b401\b|"
    r"Unauthenticated|Unauthorized|ExpiredToken|InvalidToken",
    re.I,
)
_NETWORK = re.compile(
    r"error sending request|connection refused|tcp connect error|connection reset|"
    r"timed out|dns error|Cannot connect to host|Could not connect",
    re.I,
)
_TRANSIENT_NAMES = {
    "ClientConnectionError",
    "ClientConnectorError",
    "ClientOSError",
    "ServerDisconnectedError",
    "ServerTimeoutError",
    "ConnectionClosedError",
    "EndpointConnectionError",
    "ReadTimeoutError",
    "ConnectTimeoutError",
}


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import an optional package, or raise MissingDependency naming the pip extra.

    Example:
        >>> require("json", "remote", "FsspecStore").__name__
        'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependency(
            f"{feature} needs the {module!r} package, which is not installed; "
            f"install it with: pip install 'simplezarr[{extra}]'"
        ) from e


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (causes and contexts), in order."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 8 and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _text(exc: BaseException) -> str:
    code = ""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):  # botocore's ClientError
        code = str(response.get("Error", {}).get("Code", ""))
    return f"{type(exc).__name__} {code} {exc}"


def container_missing(exc: BaseException) -> bool:
    """Whether a "not found" error is about the bucket or container, not about a key.

    Example:
        >>> container_missing(FileNotFoundError("The specified bucket does not exist"))
        True
    """
    return any(_MISSING_CONTAINER.search(_text(e)) for e in _chain(exc))


def range_not_satisfiable(exc: BaseException) -> bool:
    """Whether the service refused a byte range because it starts past the end.

    The value exists (a missing key is a "not found" error), so the range reads as ``b""``.

    Example:
        >>> range_not_satisfiable(OSError(22, "The requested range is not satisfiable"))
        True
    """
    return any(_NOT_SATISFIABLE.search(_text(e)) for e in _chain(exc))


def ranges_unsupported(exc: BaseException) -> bool:
    """Whether a server ignored a ``Range`` header (answered 200 with the whole value, as
    ``python -m http.server`` does) and the client refused the answer.

    Example:
        >>> ranges_unsupported(OSError("Range request not supported by a/zarr.json"))
        True
    """
    return any(_RANGES_UNSUPPORTED.search(_text(e)) for e in _chain(exc))


def precondition_failed(exc: BaseException) -> bool:
    """Whether the service refused a conditional request (HTTP 412: ``If-Match`` or
    ``If-None-Match`` did not hold).

    Example:
        >>> precondition_failed(OSError(22, "At least one of the pre-conditions you specified did not hold"))
        True
    """
    return any(
        type(e).__name__ in ("PreconditionError", "AlreadyExistsError")
        or _PRECONDITION.search(_text(e))
        for e in _chain(exc)
    )


def value_changed(key: str, message: str) -> ValueChanged:
    """The error for a value of ``key`` replaced during a read, carrying the key (the
    engine reads that value again whole).

    Example:
        >>> value_changed("c/0", "s3://b/c/0 was replaced").key
        'c/0'
    """
    error = ValueChanged(message)
    error.key = key
    return error


def display_url(url: str) -> str:
    """``url`` as shown in messages and reprs: an HTTP(S) URL loses its query string and
    fragment (a presigned or SAS URL carries its signature there).

    Example:
        >>> display_url("https://host/x.zarr?sig=secret"), display_url("s3://b/x?y")
        ('https://host/x.zarr', 's3://b/x?y')
    """
    if url.lower().startswith(("http://", "https://")):
        return url.partition("#")[0].partition("?")[0]
    return url


def access_denied(exc: BaseException) -> bool:
    """Whether the service refused the request for lack of (valid) credentials or rights."""
    for e in _chain(exc):
        name = type(e).__name__
        if isinstance(e, PermissionError) or name in {
            "PermissionDeniedError",
            "UnauthenticatedError",
            "NoCredentialsError",
        }:
            return True
        if _ACCESS_DENIED.search(_text(e)) and not isinstance(e, FileNotFoundError):
            return True
    return False


def is_transient(exc: BaseException) -> bool:
    """Whether a failure may go away when the request is retried (network, timeouts, 5xx).

    Example:
        >>> is_transient(ConnectionResetError()), is_transient(ValueError())
        (True, False)
    """
    for e in _chain(exc):
        if isinstance(e, ConnectionError | TimeoutError):
            return True
        if type(e).__name__ in _TRANSIENT_NAMES or _NETWORK.search(str(e)):
            return True
        status = getattr(e, "status", None)
        if isinstance(status, int) and (status >= 500 or status == 429):
            return True
    return False


def describe_failure(action: str, url: str, exc: BaseException) -> StoreError:
    """The simplezarr error for a failed ``action`` (a verb) on ``url``; chain ``exc`` to it.

    Example:
        >>> print(describe_failure("write", "s3://nope/x", FileNotFoundError("NoSuchBucket")))
        could not write s3://nope/x: the bucket (or container) does not exist; create it or ...
    """
    detail = f"{type(exc).__name__}: {_short(exc)}"
    if container_missing(exc):
        return StoreError(
            f"could not {action} {url}: the bucket (or container) does not exist; "
            f"create it or fix the URL ({detail})"
        )
    if access_denied(exc):
        return StoreAccessDenied(
            f"could not {action} {url}: access denied; check the credentials "
            f"(storage_options) and the permissions for this location ({detail})"
        )
    if is_transient(exc):
        return StoreError(
            f"could not {action} {url}: network failure; check the endpoint, the "
            f"connection and that the service is up ({detail})"
        )
    return StoreError(f"could not {action} {url}: {detail}")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


class RemoteStoreBase(ReadableStore, WritableStore, ListableStore):
    """What the remote stores (FsspecStore, ObjectStore) share.

    A subclass sets ``url`` (the store's URL, as shown in messages) and implements the
    primitives; ``_list_prefix`` and ``_list_dir`` must be its own (one listing request).
    """

    url: str

    @property
    def read_batch_size(self) -> int:  # type: ignore[override]
        """Requests per ``get_many`` call from the engine: enough to keep the store busy."""
        return 4 * config.io_concurrency

    @property
    def lock_scope(self) -> Hashable:
        return (type(self).__name__, self.url)

    @property
    def conditional_writes(self) -> bool:
        """Whether a partial write's read-modify-write is a compare-and-swap: the value is
        read with its version (:meth:`get_versioned`) and written back only if it still
        has it (:meth:`set_if_version`), retried otherwise. False for a store (or service)
        that cannot make a write conditional."""
        return False

    caches_chunks = True  # see BaseStore.caches_chunks

    def partial_write_lock(self, keys: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """No lock across processes: a store with :attr:`conditional_writes` needs none
        (the engine swaps conditionally); any other warns once per store type that a
        concurrent partial write elsewhere can be lost."""
        if not self.conditional_writes:
            warn_partial_write_once(self)
        return contextlib.nullcontext()

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        """The whole value of ``key`` and its version (ETag) from one response; ``(None,
        None)`` when it is missing. Stores with :attr:`conditional_writes` override it.

        Example:
            >>> from simplezarr.stores import ObjectStore
            >>> ObjectStore.from_url("memory:///").get_versioned("nope")
            (None, None)
        """
        key = self._validate_key(key)
        return self._get_versioned(key)

    def set_if_version(self, key: str, value: bytes, version: str | None) -> bool:
        """Store ``value`` under ``key`` only if the stored value still has ``version``
        (``None``: only if there is none); False when another writer came first (HTTP
        412), and nothing is written. Raises StoreError on a store without
        :attr:`conditional_writes`.

        Example:
            >>> from simplezarr.stores import ObjectStore
            >>> store = ObjectStore.from_url("memory:///")
            >>> store.set_if_version("k", b"1", None), store.set_if_version("k", b"2", None)
            (True, False)
            >>> data, version = store.get_versioned("k")
            >>> store.set_if_version("k", b"3", version), store.get("k")
            (True, b'3')
        """
        key = self._validate_key(key)
        self._check_writable(f"write {key!r}")
        if not self.conditional_writes:
            raise StoreError(
                f"{self!r} cannot write conditionally (its service or client has no "
                "If-Match); see docs/guarantees.md"
            )
        return self._set_if_version(key, bytes(value), version)

    def _get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        version = self._version(key)  # first: a change before the read fails the swap
        return self._get(key, None), version

    def _set_if_version(self, key: str, data: bytes, version: str | None) -> bool:
        raise StoreError(f"{self!r} cannot write conditionally")

    def _url(self, key: str) -> str:
        """The URL of ``key`` for messages."""
        if not key:
            return self.url
        return self.url + key if self.url.endswith("/") else f"{self.url}/{key}"

    def _raise_if_container_missing(
        self, exc: BaseException, key: str, action: str = "read"
    ) -> None:
        """Called on a "not found" error: raises StoreError if the bucket itself is missing."""
        if container_missing(exc):
            raise describe_failure(action, self._url(key), exc) from exc

    @property
    def pins_versions(self) -> bool:
        """Whether a read of several requests to one value (a shard's index, then its inner
        chunks) pins the value's version: each request names the version (ETag) the first
        one saw, so bytes of two versions never meet (see :class:`PinnedValue`)."""
        return False

    def _version(self, key: str) -> str | None:
        """The version token of ``key``'s value (an ETag, or modification time and size),
        None when it is missing or the service gives none: one metadata request."""
        return None

    def _open_one(self, key: str, byte_range: ByteRange) -> Opened | None:
        """The requested bytes of ``key``, its size and version token (None when the key is
        missing). This one takes the version, reads the bytes and the size, and takes the
        version again (:class:`~simplezarr.errors.ValueChanged` if it moved: the bytes and
        the size could be of two versions); stores whose responses carry the version
        override it with one request."""
        version = self._version(key)
        data = self._get(key, byte_range)
        if data is None:
            return None
        size = len(data) if byte_range is None else self._getsize(key)
        if size is None:
            return None
        if version is not None and byte_range is not None and self._version(key) != version:
            # the bytes and the size may be of two versions: the engine reads it again
            raise value_changed(key, f"{self._url(key)} was replaced while it was opened")
        return data, size, version

    def get_pinned(
        self, requests: Sequence[tuple[str, tuple[int, int], str]]
    ) -> builtins.list[bytes]:
        """The bytes ``[start, stop)`` of each ``(key, (start, stop), version)``, all of
        that version of the value; raises :class:`~simplezarr.errors.ValueChanged` when a
        value no longer has that version (replaced or deleted meanwhile).

        This one reads by key and then checks each value's version again: equal before
        and after, no write came between. Stores that can ask for a version (``If-Match``)
        override it.
        """
        datas = self.get_many([(k, (a, max(0, b - a))) for k, (a, b), _ in requests])
        versions = {k: v for k, _, v in requests}
        now = IO.run_all([partial(self._version, k) for k in versions])
        for (key, version), current in zip(versions.items(), now, strict=True):
            if current != version:
                raise value_changed(
                    key,
                    f"{self._url(key)} was replaced while it was read (version {version} "
                    f"then {current})",
                )
        return [b"" if d is None else d for d in datas]

    def _open_values(
        self, requests: builtins.list[tuple[str, ByteRange]]
    ) -> builtins.list[tuple[StoredValue, bytes | memoryview] | None]:
        if self.pins_versions:
            return self._open_pinned(requests)
        # The requested bytes and, where the range does not tell it, the value's size, all
        # requests at once: a shard's index costs one round trip, not a read then a HEAD.
        sized = [i for i, (_, r) in enumerate(requests) if r is not None]
        tasks: builtins.list[Callable[[], bytes | int | None]]
        tasks = [partial(self._get, k, r) for k, r in requests]
        tasks += [partial(self._getsize, requests[i][0]) for i in sized]
        results = IO.run_all(tasks)
        # Results come in task order: first every _get's bytes, then _getsize's sizes.
        datas = cast("builtins.list[bytes | None]", results[: len(requests)])
        sizes = dict(
            zip(sized, cast("builtins.list[int | None]", results[len(requests) :]), strict=True)
        )
        opened: builtins.list[tuple[StoredValue, bytes | memoryview] | None] = []
        for i, ((key, _), data) in enumerate(zip(requests, datas, strict=True)):
            size = sizes.get(i, None if data is None else len(data))
            if data is None or size is None:
                opened.append(None)
            else:
                opened.append((RereadValue(self, key, size), data))
        return opened

    def _open_pinned(
        self, requests: builtins.list[tuple[str, ByteRange]]
    ) -> builtins.list[tuple[StoredValue, bytes | memoryview] | None]:
        # One request per value: its bytes, size and version come in one response, so the
        # index and the size that checks it are of one version, and so is every later read.
        results = IO.run_all([partial(self._open_one, k, r) for k, r in requests])
        opened: builtins.list[tuple[StoredValue, bytes | memoryview] | None] = []
        for (key, byte_range), result in zip(requests, results, strict=True):
            if result is None:
                opened.append(None)
                continue
            data, size, version = result
            value: StoredValue
            if byte_range is None or byte_range == (0, None):
                value = BytesValue(data)  # the whole value is here: one version by itself
            elif version is None:
                value = RereadValue(self, key, size)  # nothing to pin it by
            else:
                value = PinnedValue(self, key, size, version)
            opened.append((value, data))
        return opened

    def _list(self) -> Iterable[str]:
        return self._list_prefix("")

    def _list_prefix(self, prefix: str) -> builtins.list[str]:
        raise NotImplementedError(f"{type(self).__name__} must implement _list_prefix")

    def _is_empty(self, prefix: str) -> bool:
        return not self._list_dir(prefix)
