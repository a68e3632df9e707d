"""Store wrappers and name lists the test modules share (imported as ``tests.store_helpers``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


def disk_or_tmpfs(kind: str, tmp_path: Path, prefix: str) -> Iterator[Path]:
    """For a fixture parametrized over ``["disk", "tmpfs"]``: ``tmp_path`` (on disk), or a
    fresh directory on the tmpfs ``/dev/shm`` removed afterwards (skipped without one)."""
    if kind == "disk":
        yield tmp_path
        return
    if not os.path.isdir("/dev/shm") or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable tmpfs at /dev/shm")
    directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/dev/shm"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
