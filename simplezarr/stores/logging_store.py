"""LoggingStore: a wrapper that logs and counts every call to the store it wraps.

Each call logs ``Calling <Store>.<method>(<hint>)`` before and ``Finished ... [<seconds>]``
after, at INFO level, to the store's logger ``simplezarr.LoggingStore(<wrapped store>)``
(whose records propagate to ``simplezarr.LoggingStore`` and the root logger), and adds one
to ``counter[<method>]``. ``log_level`` is the logger's level (``"DEBUG"`` by default,
so calls show); when neither the logger nor its parents have a handler, ``log_handler``
(or a handler printing to stdout) is added. ``close()`` and ``with`` close the wrapped
store. A LoggingStore can be pickled (with its wrapped store and counts); the copy gets a
new lock and logger.

Example:
    >>> from simplezarr.stores import MemoryStore
    >>> store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    >>> store.set("a", b"1"); store.get("a"); store.get("b")
    b'1'
    >>> dict(store.counter)
    {'set': 1, 'get': 2}
"""

from __future__ import annotations

import builtins
import logging
import pickle
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from simplezarr.stores.base import BaseStore, ByteRange, BytesLike, StoredValue
from simplezarr.stores.wrappers import WrapperStore

__all__ = ["LoggingStore"]


class _LoggedValue(StoredValue):
    """A value opened through a LoggingStore: its reads are logged and counted (``read``)."""

    def __init__(self, store: LoggingStore, value: StoredValue) -> None:
        self._logging, self._value, self.size = store, value, value.size

    def read(self, ranges: Sequence[tuple[int, int]]) -> builtins.list[bytes | memoryview]:
        with self._logging.log(f"{len(ranges)} ranges"):
            return self._value.read(ranges)

    def close(self) -> None:
        self._value.close()


class LoggingStore(WrapperStore):
    """A store that logs every call to the wrapped ``store`` and counts calls per method.

    Example:
        >>> from simplezarr.stores import MemoryStore
        >>> store = LoggingStore(MemoryStore({"x": b"abc"}), log_handler=logging.NullHandler())
        >>> with store.log("a batch"):  # log and count a block of your own
        ...     _ = store.get_many([("x", None)])
        >>> sorted(store.counter.items())
        [('<module>', 1), ('get_many', 1)]
    """

    def __init__(
        self,
        store: BaseStore,
        log_level: str = "DEBUG",
        log_handler: logging.Handler | None = None,
    ) -> None:
        super().__init__(store)
        self.counter: defaultdict[str, int] = defaultdict(int)
        self.log_level = log_level
        self.log_handler = log_handler
        self._setup()

    def _setup(self) -> None:
        """The lock and the logger: made at creation and again when unpickled."""
        self._counter_lock = threading.Lock()
        # Not logging.getLogger: registered loggers live forever, one per store would leak.
        # Records still propagate to "simplezarr.LoggingStore" and the root logger.
        self.logger = logging.Logger(f"simplezarr.LoggingStore({self._store!r})", self.log_level)
        self.logger.parent = logging.getLogger("simplezarr.LoggingStore")
        if self.log_handler is not None:
            self.logger.addHandler(self.log_handler)
        elif not self.logger.hasHandlers():
            self.logger.addHandler(self._default_handler())

    def __getstate__(self) -> dict[str, Any]:
        """The wrapped store, level, handler and counts; not the lock and the logger.

        The handler goes along only if it can be pickled (most hold a lock or a stream and
        cannot); otherwise the copy falls back to the default handler rule (see the module
        docstring).
        """
        state = self.__dict__.copy()
        del state["_counter_lock"], state["logger"]
        state["counter"] = dict(self.counter)
        if self.log_handler is not None:
            try:
                pickle.dumps(self.log_handler)
            except (
                pickle.PicklingError,
                TypeError,
                AttributeError,
            ):  # handlers hold locks, streams
                state["log_handler"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        counter = state.pop("counter")
        self.__dict__.update(state)
        self.counter = defaultdict(int, counter)
        self._setup()

    def _default_handler(self) -> logging.Handler:
        handler = logging.StreamHandler(stream=sys.stdout)
        handler.setLevel(self.log_level)
        handler.setFormatter(
            logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s")
        )
        return handler

    @contextmanager
    def log(self, hint: Any = "") -> Iterator[None]:
        """Log and count the block inside ``with store.log(hint):`` under the caller's name.

        The calls of this store use it for themselves; ``hint`` (a key, a prefix) is shown
        after the method name.
        """
        method = sys._getframe(2).f_code.co_name  # the function holding the ``with``
        op = f"{type(self._store).__name__}.{method}"
        if hint != "":
            op = f"{op}({hint})"
        self.logger.info("Calling %s", op)
        with self._counter_lock:
            self.counter[method] += 1
        start = time.perf_counter()
        try:
            yield
        finally:
            self.logger.info("Finished %s [%.2f s]", op, time.perf_counter() - start)

    # ReadableStore

    def get(self, key: str, byte_range: ByteRange = None) -> bytes | None:
        with self.log(key if byte_range is None else f"{key}, {byte_range}"):
            return super().get(key, byte_range)

    def get_many(self, requests: Sequence[tuple[str, ByteRange]]) -> list[bytes | None]:
        with self.log(f"{len(requests)} requests"):
            return super().get_many(requests)

    forwards_values = True  # bytes pass unchanged: values keep the wrapped store's guarantee

    def open_values(
        self, requests: Sequence[tuple[str, ByteRange]]
    ) -> list[tuple[StoredValue, bytes | memoryview] | None]:
        with self.log(f"{len(requests)} requests"):
            opened = super().open_values(requests)
        return [None if o is None else (_LoggedValue(self, o[0]), o[1]) for o in opened]

    def get_partial_values(
        self, key_ranges: Iterable[tuple[str, int, int | None]]
    ) -> list[bytes | None]:
        key_ranges = list(key_ranges)
        with self.log(f"{len(key_ranges)} requests"):
            return super().get_partial_values(key_ranges)

    def exists(self, key: str) -> bool:
        with self.log(key):
            return super().exists(key)

    def getsize(self, key: str) -> int:
        with self.log(key):
            return super().getsize(key)

    # WritableStore

    def set(self, key: str, value: BytesLike) -> None:
        with self.log(key):
            super().set(key, value)

    def set_many(self, items: Iterable[tuple[str, BytesLike]]) -> None:
        items = list(items)
        with self.log(f"{len(items)} items"):
            super().set_many(items)

    def delete(self, key: str) -> None:
        with self.log(key):
            super().delete(key)

    def set_partial_values(self, key_start_values: Iterable[tuple[str, int, BytesLike]]) -> None:
        key_start_values = list(key_start_values)
        with self.log(f"{len(key_start_values)} values"):
            super().set_partial_values(key_start_values)

    def erase_values(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        with self.log(f"{len(keys)} keys"):
            super().erase_values(keys)

    def erase_prefix(self, prefix: str) -> None:
        with self.log(repr(prefix)):
            super().erase_prefix(prefix)

    def clear(self) -> None:
        with self.log():
            super().clear()

    # ListableStore

    def list(self) -> builtins.list[str]:
        with self.log():
            return super().list()

    def list_prefix(self, prefix: str) -> builtins.list[str]:
        with self.log(repr(prefix)):
            return super().list_prefix(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        with self.log(repr(prefix)):
            return super().list_dir(prefix)

    def list_dir_candidates(self, prefix: str) -> builtins.list[str]:
        with self.log(repr(prefix)):
            return self._listable(f"list directory {prefix!r}").list_dir_candidates(prefix)

    def is_empty(self, prefix: str = "") -> bool:
        with self.log(repr(prefix)):
            return super().is_empty(prefix)

    # Lifecycle

    def close(self) -> None:
        with self.log():
            super().close()

    def __repr__(self) -> str:
        return f"LoggingStore({self._store!r})"
