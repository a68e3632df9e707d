"""Tunables of the engine, set in code or through ``SIMPLEZARR_*`` environment variables.

Example:
    >>> from simplezarr.config import config
    >>> config.threads >= 1
    True
    >>> with config.set(threads=1):
    ...     config.threads
    1
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, fields


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as e:
        raise ValueError(f"environment variable {name}={raw!r} is not an integer") from e
    if value < 1:
        raise ValueError(f"environment variable {name}={raw!r} must be at least 1")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass
class Config:
    """Engine settings.

    - ``threads``: size of the shared pool decoding and encoding chunks
      (``SIMPLEZARR_THREADS``, default: the cores this process may use).
    - ``write_empty_chunks``: default for arrays that do not say
      (``SIMPLEZARR_WRITE_EMPTY_CHUNKS``, default False, as zarr-python).
    - ``max_variable_chunk_bytes``: how far a chunk of a variable-length type (strings,
      bytes, objects) may inflate when decoded (``SIMPLEZARR_MAX_VARIABLE_CHUNK_BYTES``,
      default 1 GiB). Fixed-size types are bounded by their chunk size; variable-length ones
      have no natural bound, so this cap is what stops a decompression bomb.
    - ``io_concurrency``: the most requests a remote store (``FsspecStore``,
      ``ObjectStore``) has in flight at once, per store; stores served by threads share
      one I/O pool of this size (``SIMPLEZARR_IO_CONCURRENCY``, default 32). A batched read
      of ``n`` values takes about ``latency * n / io_concurrency``.
    """

    threads: int = 0
    write_empty_chunks: bool = False
    max_variable_chunk_bytes: int = 0
    io_concurrency: int = 0

    def __post_init__(self) -> None:
        if not self.threads:
            self.threads = _env_int("SIMPLEZARR_THREADS", _cores())
        self.write_empty_chunks = _env_bool("SIMPLEZARR_WRITE_EMPTY_CHUNKS", self.write_empty_chunks)
        if not self.max_variable_chunk_bytes:
            self.max_variable_chunk_bytes = _env_int("SIMPLEZARR_MAX_VARIABLE_CHUNK_BYTES", 2**30)
        if not self.io_concurrency:
            self.io_concurrency = _env_int("SIMPLEZARR_IO_CONCURRENCY", 32)

    @contextlib.contextmanager
    def set(self, **changes: object) -> Iterator[Config]:
        """Temporarily change settings inside a ``with`` block (for the whole process)."""
        from simplezarr.errors import InvalidArgument

        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise InvalidArgument(
                f"unknown config settings {sorted(unknown)}; known: {sorted(names)}"
            )
        for name, value in changes.items():
            ok = isinstance(value, bool) if name == "write_empty_chunks" else (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            )
            if not ok:
                raise InvalidArgument(f"config {name}={value!r} is not a valid setting")
        old = {k: getattr(self, k) for k in changes}
        for k, v in changes.items():
            setattr(self, k, v)
        try:
            yield self
        finally:
            for k, v in old.items():
                setattr(self, k, v)


config = Config()
