"""Copies hold a bounded number of bytes whatever the array's size: the peak traced
memory of a copy of a 4 MiB and of a 16 MiB array stays under the same 2 MiB bound (the buffer,
plus a few chunks in flight), as stored bytes and re-encoded alike. Controls: a whole
read of the array shows tracemalloc sees chunk data held, and a large buffer lets the
same copy hold more (the bound comes from ``buffer_bytes``)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr import config
from simplezarr.stores import LocalStore, SlowStore

CHUNK = 256 * 1024  # bytes of a chunk: 32768 float64
BUFFER = 1 << 20


def _peak(call: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _source(root: Path, mib: int) -> simplezarr.ZarrArray:
    n = mib * 2**20 // 8
    a = simplezarr.create_array(
        str(root), shape=(n,), dtype="f8", chunks=(CHUNK // 8,), compressors=None
    )
    a[:] = np.arange(n, dtype="f8")
    return a


def _copy(src: simplezarr.ZarrArray, dst: Any, buffer: int, **options: Any) -> Callable[[], Any]:
    def run() -> Any:
        where = str(dst) if isinstance(dst, Path) else dst
        return simplezarr.convert(src, where, overwrite=True, buffer_bytes=buffer, **options)

    return run


@pytest.mark.parametrize("options", [{}, {"chunks": (CHUNK // 16,)}], ids=["raw", "rechunked"])
def test_copy_memory_does_not_grow_with_the_array(options: dict[str, Any], tmp_path: Path) -> None:
    with config.set(io_concurrency=8, threads=2):
        small, large = _source(tmp_path / "s", 4), _source(tmp_path / "l", 16)
        _copy(small, tmp_path / "warm", BUFFER, **options)()  # imports, pool threads
        # the smaller of two peaks: a pool thread's unrelated allocation can land in one
        peaks = [
            min(_peak(_copy(a, tmp_path / "out", BUFFER, **options)) for _ in range(2))
            for a in (small, large)
        ]
        bound = BUFFER + 4 * CHUNK
        assert max(peaks) < bound, [p / 2**20 for p in peaks]
        np.testing.assert_array_equal(simplezarr.open_array(str(tmp_path / "out"))[-5:], large[-5:])
        # controls: held chunk data is seen; a large buffer holds more
        assert _peak(lambda: large[:]) > 16 * 2**20
        # (a destination that takes 10 ms per write keeps every started job's bytes held,
        # however busy the machine: without the buffer's bound, a pool's worth at once)
        slow = SlowStore(LocalStore(tmp_path / "u"), base_delay=0.01)
        with config.set(io_concurrency=32, threads=32):
            unbounded = _peak(_copy(large, slow, 2**40, **options))
            bounded = _peak(_copy(large, slow, BUFFER, **options))
        assert unbounded > bound > bounded, (unbounded / 2**20, bounded / 2**20)


def _verify(array: simplezarr.ZarrArray, buffer: int) -> Callable[[], Any]:
    return lambda: simplezarr.verify(array, buffer_bytes=buffer)


def test_verify_memory_does_not_grow_with_the_array(tmp_path: Path) -> None:
    with config.set(threads=2):
        small, large = _source(tmp_path / "s", 4), _source(tmp_path / "l", 16)
        simplezarr.verify(small)  # warm up
        peaks = [min(_peak(_verify(a, BUFFER)) for _ in range(2)) for a in (small, large)]
        assert max(peaks) < 2 * BUFFER, [p / 2**20 for p in peaks]
        # control: a buffer as large as the array lets a part of 64 chunks be held at once
        unbounded = _peak(_verify(large, 2**40))
        assert unbounded > 8 * 2**20, unbounded / 2**20
        assert simplezarr.verify(large).chunks == 64
