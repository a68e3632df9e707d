"""Start glibc's allocator where it ends up anyway after the first large free.

glibc serves allocations above ``M_MMAP_THRESHOLD`` (128 KiB at start) with a fresh ``mmap``
and returns them with ``munmap``; the first time such a block is freed it raises the
threshold to that block's size (at most 32 MiB) and the trim threshold to twice that. Until
then every chunk-sized buffer (a decoded 512 KiB chunk, a contiguous copy to write, a
compressor's output) is a new mapping whose pages fault in one by one, and the first whole-
array write of a process measured 2-5x slower than the second (none: 235 ms against 85 ms).

:func:`tune_once` sets the two thresholds at once, to 8 MiB and 16 MiB: what glibc adapts to
after freeing an 8 MiB buffer. The engine calls it at its first read or write, never at
import, and only when ``config.malloc_tuning`` is on (the default;
``SIMPLEZARR_MALLOC_TUNING=0`` or ``config.set(malloc_tuning=False)`` before the first read
leaves the allocator alone). It changes the whole process's allocator, once, and only on
glibc.

Example:
    >>> tune_once() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import os
import threading

from simplezarr.config import config

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune_once"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Buffers up to this size (chunks of up to 8 MiB, their encodings) come from the heap.
#: Not glibc's adaptive maximum (32 MiB): shards fetched whole would then stay in the heap
#: too, and a sharded whole-array read peaked 70 MiB above its output instead of 38 MiB.
MMAP_THRESHOLD = 8 << 20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # as glibc pairs them when it adapts

_done: bool | None = None
_lock = threading.Lock()


def tune_once() -> bool:
    """Set glibc's mmap and trim thresholds, the first time it is called with
    ``config.malloc_tuning`` on; True if they are set."""
    global _done
    if _done is not None:
        return _done
    if not config.malloc_tuning:
        return False
    with _lock:
        if _done is None:
            _done = _tune()
    return _done


def _glibc() -> bool:
    """Whether this process runs on glibc, asked of the C library itself (not
    ``platform.libc_ver``, which may scan the interpreter's binary, nor
    ``ctypes.util.find_library``, which runs ``ldconfig`` in a subprocess)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # no confstr (Windows) or no such name
        return False


def _tune() -> bool:
    if not _glibc():
        return False
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, glibc's mallopt among them
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        )
    except (OSError, AttributeError):  # no usable libc: nothing to tune
        return False
