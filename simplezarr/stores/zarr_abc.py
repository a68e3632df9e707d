"""zarr-python's ``zarr.abc.store.Store`` interface on every simplezarr store.

Every store keeps its synchronous methods (``store.get(key)`` returns bytes) and also answers
zarr-python's asynchronous ones, so code written for zarr-python's stores runs unchanged and a
simplezarr store can be handed to zarr-python itself (``zarr.open_array(store=LocalStore(p))``).
The two share method names (``get``, ``set``, ``exists``, ``delete``, ``list``, ...); a call is
zarr-python's, and returns a coroutine (or an async iterator for the listings), when

- it passes an argument only zarr-python passes: a ``prototype``, a zarr-python byte request
  (``RangeByteRequest``, ``OffsetByteRequest``, ``SuffixByteRequest``) or a ``Buffer`` value; or
- it is made from ``async def`` code (a coroutine or an async generator, also through a
  comprehension or generator expression inside one).

Everywhere else a call is the synchronous method. The coroutines run the synchronous core off
the event loop (:func:`simplezarr.concurrency.off_loop`). Methods only zarr-python has
(``set_if_not_exists``, ``getsize_prefix``, ``delete_dir``, ``open``, ``with_read_only``,
``get_sync``, ``get_ranges``, the ``supports_*`` flags, ...) are zarr-python's.

zarr-python recognises a store with ``isinstance(x, zarr.abc.store.Store)``: the store classes
are registered as its virtual subclasses when ``zarr.abc.store`` is imported (at once if it
already is, else by a one-shot import hook), so importing simplezarr never imports zarr.

Example:
    >>> import asyncio
    >>> from simplezarr.stores import MemoryStore
    >>> async def main(store):
    ...     await store.set("a/b", b"xyz")  # from async code: zarr-python's coroutine
    ...     value = await store.get("a/b")
    ...     return value.to_bytes(), [k async for k in store.list_dir("a")]
    >>> store = MemoryStore()
    >>> asyncio.run(main(store))
    (b'xyz', ['b'])
    >>> store.get("a/b"), store.list_dir("a/")  # from plain code: the synchronous methods
    (b'xyz', ['a/b'])
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import inspect
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from types import FrameType, ModuleType
from typing import Any, Self

from simplezarr.concurrency import key_locks, off_loop
from simplezarr.errors import ReadOnlyError
from simplezarr.stores.buffer import Buffer
from simplezarr.stores.byte_ranges import ByteRange

__all__ = [
    "ZarrStoreInterface",
    "called_from_coroutine",
    "from_byte_request",
    "register_with_zarr",
]

_ASYNC_CODE = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
_COMPREHENSIONS = frozenset({"<genexpr>", "<listcomp>", "<setcomp>", "<dictcomp>"})
_PLAIN_BYTES = frozenset({bytes, bytearray, memoryview})
_BYTE_REQUESTS = frozenset({"RangeByteRequest", "OffsetByteRequest", "SuffixByteRequest"})


def called_from_coroutine(depth: int = 1) -> bool:
    """Whether the code ``depth`` frames above the caller is ``async def`` code (a
    comprehension or generator expression counts as the function it is written in).

    Example:
        >>> import asyncio
        >>> def probe():
        ...     return called_from_coroutine()
        >>> async def main():
        ...     return probe(), [probe() for _ in range(1)]
        >>> probe(), asyncio.run(main())
        (False, (True, [True]))
    """
    return _is_async(sys._getframe(depth + 1))


def _is_async(frame: FrameType) -> bool:
    code = frame.f_code
    while code.co_name in _COMPREHENSIONS and not code.co_flags & _ASYNC_CODE:
        if frame.f_back is None:
            break
        frame = frame.f_back
        code = frame.f_code
    return bool(code.co_flags & _ASYNC_CODE)


def _is_byte_request(value: object) -> bool:
    return type(value).__name__ in _BYTE_REQUESTS


def _is_prototype(value: object) -> bool:
    return hasattr(value, "buffer") and hasattr(value, "nd_buffer")


def _is_zarr_buffer(value: object) -> bool:
    # zarr-python's Buffer (or NDBuffer): not bytes-like, but readable as a numpy array.
    return hasattr(value, "as_numpy_array") and not isinstance(value, bytes | bytearray)


def from_byte_request(request: object) -> ByteRange:
    """A zarr-python byte request (or None, or simplezarr's own ``(start, length)``) as
    simplezarr's byte range.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass
        ... class RangeByteRequest:
        ...     start: int
        ...     end: int
        >>> from_byte_request(RangeByteRequest(2, 5)), from_byte_request(None)
        ((2, 3), None)
    """
    if request is None or isinstance(request, tuple):
        return request
    name = type(request).__name__
    if name == "RangeByteRequest":
        start, end = request.start, request.end  # type: ignore[attr-defined]
        return (start, max(0, end - start))
    if name == "OffsetByteRequest":
        return (request.offset, None)  # type: ignore[attr-defined]
    if name == "SuffixByteRequest":
        suffix = request.suffix  # type: ignore[attr-defined]
        return (-suffix, None) if suffix > 0 else (0, 0)
    raise TypeError(f"unsupported byte range {request!r}: pass a zarr ByteRequest or None")


def _to_buffer(data: bytes | None, prototype: Any) -> Any:
    if data is None:
        return None
    if prototype is not None and _is_prototype(prototype):
        return prototype.buffer.from_bytes(data)
    return data if isinstance(data, Buffer) else Buffer(data)


def _value(value: Any, key: str) -> Any:
    """A zarr-python value as something the synchronous ``set`` takes, without a copy."""
    return value.as_numpy_array() if _is_zarr_buffer(value) else value


def _dir_prefix(prefix: str) -> str:
    """zarr-python's directory prefix ("a", "a/", "") as simplezarr's ("a/" or "")."""
    prefix = prefix.rstrip("/")
    return prefix + "/" if prefix else ""


# --------------------------------------------------------------------------- coroutines


async def _get(store: Any, key: str, prototype: Any = None, byte_range: Any = None) -> Any:
    if prototype is not None and not _is_prototype(prototype):
        prototype, byte_range = None, prototype  # simplezarr's get(key, byte_range), awaited
    data = await off_loop(store.get, key, from_byte_request(byte_range))
    return _to_buffer(data, prototype)


async def _get_partial_values(
    store: Any, prototype: Any, key_ranges: Iterable[tuple[str, Any]]
) -> list[Any]:
    requests = [(key, from_byte_request(r)) for key, r in key_ranges]
    return [_to_buffer(d, prototype) for d in await off_loop(store.get_many, requests)]


async def _set(store: Any, key: str, value: Any, byte_range: Any = None) -> None:
    if byte_range is not None:
        start = byte_range[0] if isinstance(byte_range, tuple) else byte_range
        await off_loop(store.set_partial_values, [(key, start, _value(value, key))])
    else:
        await off_loop(store.set, key, _value(value, key))


async def _exists(store: Any, key: str) -> bool:
    return bool(await off_loop(store.exists, key))


async def _delete(store: Any, key: str) -> None:
    await off_loop(store.delete, key)


async def _getsize(store: Any, key: str) -> int:
    return int(await off_loop(store.getsize, key))


async def _clear(store: Any) -> None:
    await off_loop(store.clear)


async def _clear_cache(store: Any) -> None:
    await off_loop(store.clear_cache)  # CacheStore's


async def _is_empty(store: Any, prefix: str = "") -> bool:
    return bool(await off_loop(store.is_empty, _dir_prefix(prefix)))


def _list_prefix_sync(store: Any, prefix: str) -> list[str]:
    # zarr-python's list_prefix matches any string prefix, not only directories.
    head = prefix.rpartition("/")[0]
    keys: list[str] = store.list_prefix(head + "/" if head else "")
    return [k for k in keys if k.startswith(prefix)]


def _list_dir_sync(store: Any, prefix: str) -> list[str]:
    # zarr-python's list_dir yields names relative to the prefix, without a trailing "/".
    directory = _dir_prefix(prefix)
    return sorted({k[len(directory) :].rstrip("/") for k in store.list_dir(directory)})


async def _iterate(keys: Callable[[], list[str]]) -> AsyncIterator[str]:
    for key in await off_loop(keys):
        yield key


def _list(store: Any) -> AsyncIterator[str]:
    return _iterate(store.list)


def _list_prefix(store: Any, prefix: str) -> AsyncIterator[str]:
    return _iterate(functools.partial(_list_prefix_sync, store, prefix))


def _list_dir(store: Any, prefix: str) -> AsyncIterator[str]:
    return _iterate(functools.partial(_list_dir_sync, store, prefix))


def _no_zarr_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return False


def _zarr_get(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if not kwargs and (len(args) < 2 or args[1] is None or type(args[1]) is tuple):
        return False  # simplezarr's get(key[, (start, length)]): the common case, fast
    return (
        len(args) > 2
        or "prototype" in kwargs
        or any(_is_prototype(a) or _is_byte_request(a) for a in args[1:])
        or _is_byte_request(kwargs.get("byte_range"))
    )


def _zarr_get_partial_values(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return len(args) > 1 or "prototype" in kwargs


def _zarr_set(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if not kwargs and len(args) == 2 and type(args[1]) in _PLAIN_BYTES:
        return False
    values = [*args[1:2], *([kwargs["value"]] if "value" in kwargs else [])]
    return len(args) > 2 or "byte_range" in kwargs or any(_is_zarr_buffer(v) for v in values)


#: The names both interfaces have: (is this call zarr-python's by its arguments, the
#: zarr-python implementation).
_SHARED: dict[str, tuple[Callable[[tuple[Any, ...], dict[str, Any]], bool], Callable[..., Any]]] = {
    "get": (_zarr_get, _get),
    "get_partial_values": (_zarr_get_partial_values, _get_partial_values),
    "set": (_zarr_set, _set),
    "exists": (_no_zarr_arguments, _exists),
    "delete": (_no_zarr_arguments, _delete),
    "getsize": (_no_zarr_arguments, _getsize),
    "clear": (_no_zarr_arguments, _clear),
    "is_empty": (_no_zarr_arguments, _is_empty),
    "list": (_no_zarr_arguments, _list),
    "list_prefix": (_no_zarr_arguments, _list_prefix),
    "list_dir": (_no_zarr_arguments, _list_dir),
    "clear_cache": (_no_zarr_arguments, _clear_cache),
}


def _both(name: str, sync_method: Callable[..., Any]) -> Callable[..., Any]:
    is_zarr_call, zarr_method = _SHARED[name]

    @functools.wraps(sync_method)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1)
        if (
            caller.f_code.co_flags & _ASYNC_CODE
            or is_zarr_call(args, kwargs)
            or (caller.f_code.co_name in _COMPREHENSIONS and _is_async(caller))
        ):
            return zarr_method(self, *args, **kwargs)
        return sync_method(self, *args, **kwargs)

    method.__simplezarr_both__ = True  # type: ignore[attr-defined]
    return method


def _owner_closes(close: Callable[..., Any]) -> Callable[..., Any]:
    """``close`` that does nothing on a :meth:`ZarrStoreInterface.with_read_only` copy."""

    @functools.wraps(close)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.__dict__.get("_borrowed", False):
            return None
        return close(self, *args, **kwargs)

    method.__simplezarr_borrowed__ = True  # type: ignore[attr-defined]
    return method


# --------------------------------------------------------------------------- the mixin


class ZarrStoreInterface:
    """zarr-python's ``Store`` interface, a base of every simplezarr store (see the module
    docstring for how a call is told to be zarr-python's).

    Example:
        >>> import asyncio
        >>> from simplezarr.stores import MemoryStore
        >>> store = asyncio.run(MemoryStore.open())
        >>> store.supports_writes, store.supports_partial_writes, store.with_read_only(True).read_only
        (True, False, True)
    """

    supports_writes: bool = False
    supports_deletes: bool = False
    supports_listing: bool = False
    supports_partial_writes: bool = False  # as zarr-python: partial writes are not used
    supports_consolidated_metadata: bool = True
    _is_open: bool = False
    _read_only: bool

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _SHARED:
            sync_method = cls.__dict__.get(name)
            if callable(sync_method) and not getattr(sync_method, "__simplezarr_both__", False):
                setattr(cls, name, _both(name, sync_method))
        close = cls.__dict__.get("close")
        if callable(close) and not getattr(close, "__simplezarr_borrowed__", False):
            cls.close = _owner_closes(close)  # type: ignore[attr-defined]

    # zarr-python's lifecycle

    @classmethod
    async def open(cls, *args: Any, **kwargs: Any) -> Self:
        """Create the store from ``cls(*args, **kwargs)`` and open it (zarr-python's
        ``await MemoryStore.open()``)."""
        store = cls(*args, **kwargs)
        await store._ensure_open()
        return store

    async def _ensure_open(self) -> None:
        # zarr-python's StorePath opens a store with this; simplezarr's stores open their
        # resources when created (``_open`` is a primitive of some, so it is not used here).
        self._is_open = True

    def _check_writable(self, action: str = "write") -> None:
        if getattr(self, "read_only", True):
            raise ReadOnlyError(f"{self!r} is read-only: cannot {action}")

    def with_read_only(self, read_only: bool = False) -> Self:
        """The same store (its dict, directory, archive or connection) with another
        ``read_only`` setting; this store is left as it is. The copy borrows what the store
        holds: closing it does nothing, closing this store closes both.

        Example:
            >>> from simplezarr.stores import MemoryStore
            >>> store = MemoryStore()
            >>> view = store.with_read_only(True)
            >>> store.set("k", b"1"); view.get("k"), view.read_only
            (b'1', True)
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._read_only = bool(read_only)
        copy._is_open = False
        # The copy borrows what the store holds (an open archive, a wrapped store): closing
        # it leaves them to this store, and a wrapper's copy wraps a copy of its store (a
        # wrapper's read_only is its store's).
        copy.__dict__["_borrowed"] = True
        inner = self.__dict__.get("_store")
        if isinstance(inner, ZarrStoreInterface):
            copy.__dict__["_store"] = inner.with_read_only(read_only)
        return copy

    # zarr-python's methods that simplezarr has no synchronous twin of

    async def set_if_not_exists(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` unless the key holds a value already (atomic
        between threads of this process)."""

        def set_if_missing() -> None:
            locks = key_locks(getattr(self, "lock_scope", id(self)), [key])
            for lock in locks:
                lock.acquire()
            try:
                if not self.exists(key):  # type: ignore[attr-defined]
                    self.set(key, _value(value, key))  # type: ignore[attr-defined]
            finally:
                for lock in reversed(locks):
                    lock.release()

        await off_loop(set_if_missing)

    async def delete_dir(self, prefix: str) -> None:
        """Delete every key under the directory ``prefix``."""
        await off_loop(self.erase_prefix, _dir_prefix(prefix))  # type: ignore[attr-defined]

    async def getsize_prefix(self, prefix: str) -> int:
        """The total size in bytes of the values whose keys start with ``prefix``."""

        def total() -> int:
            keys = _list_prefix_sync(self, prefix)
            return sum(self.getsize(key) for key in keys)  # type: ignore[attr-defined]

        return int(await off_loop(total))

    async def get_ranges(
        self, key: str, byte_ranges: Sequence[Any], *, prototype: Any, **options: Any
    ) -> AsyncIterator[Sequence[tuple[int, Any]]]:
        """zarr-python 3.4's ranged read of one key: one batch, from one ``get_many``."""
        yield await off_loop(self.get_ranges_sync, key, byte_ranges, prototype=prototype)

    def get_ranges_sync(
        self, key: str, byte_ranges: Sequence[Any], *, prototype: Any, **options: Any
    ) -> Sequence[tuple[int, Any]]:
        """zarr-python 3.4's synchronous ranged read; a missing key raises
        ``BaseExceptionGroup([FileNotFoundError])`` as zarr-python's does."""
        requests = [(key, from_byte_request(r)) for r in byte_ranges]
        datas = self.get_many(requests)  # type: ignore[attr-defined]
        if any(d is None for d in datas):
            raise BaseExceptionGroup("chunk read failed", [FileNotFoundError(key)])
        return [(i, _to_buffer(d, prototype)) for i, d in enumerate(datas)]

    def get_sync(self, key: str, *, prototype: Any = None, byte_range: Any = None) -> Any:
        """zarr-python's synchronous read: a ``Buffer`` or None."""
        return _to_buffer(self.get(key, from_byte_request(byte_range)), prototype)  # type: ignore[attr-defined]

    def set_sync(self, key: str, value: Any) -> None:
        """zarr-python's synchronous write of a ``Buffer``."""
        self.set(key, _value(value, key))  # type: ignore[attr-defined]

    def delete_sync(self, key: str) -> None:
        """zarr-python's synchronous delete."""
        self.delete(key)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- registration

_REGISTERED = threading.Event()


def register_with_zarr(module: ModuleType | None = None) -> bool:
    """Make every simplezarr store a virtual subclass of ``zarr.abc.store.Store``, if that
    module is imported (``module``, or the one in ``sys.modules``); True once registered.

    Example:
        >>> import sys
        >>> register_with_zarr() == ("zarr.abc.store" in sys.modules)
        True
    """
    module = module or sys.modules.get("zarr.abc.store")
    store_abc = getattr(module, "Store", None)
    if store_abc is None:
        return False
    store_abc.register(ZarrStoreInterface)
    _REGISTERED.set()
    return True


class _RegisteringLoader(importlib.abc.Loader):
    """zarr.abc.store's own loader, then the registration."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        register_with_zarr(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ... of the real one
        return getattr(self._loader, name)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """A one-shot import hook: when zarr.abc.store is imported, register the stores."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "zarr.abc.store":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


def _install() -> None:
    if not register_with_zarr():
        sys.meta_path.insert(0, _RegisterOnImport())


_install()
