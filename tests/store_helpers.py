"""Store wrappers and name lists the test modules share (imported as ``tests.store_helpers``)."""

from __future__ import annotations

from typing import Any

from simplezarr.stores import WrapperStore

#: The fixed-size numeric numpy types every format stores.
NUMERIC_DTYPES = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]


class RequestLog(WrapperStore):
    """Records the ``(key, byte range)`` of every ``get_many`` request that reaches it."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.requests: list[tuple[str, Any]] = []

    def get_many(self, requests: Any) -> list[bytes | None]:
        self.requests.extend(requests)
        return super().get_many(requests)
