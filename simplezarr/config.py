"""Tunables of the engine, set in code or through ``SIMPLEZARR_*`` environment variables.

Example:
    >>> from simplezarr.config import config
    >>> config.threads >= 1
    True
    >>> with config.set(threads=1):
    ...     config.threads
    1
    >>> with config.set({"array.write_empty_chunks": True}):  # zarr-python's keys
    ...     config.write_empty_chunks
    True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


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
    - ``malloc_tuning``: at the engine's first read or write, start glibc's allocator at
      the thresholds it adapts to after freeing an 8 MiB buffer, so a process's first
      calls do not fault in every chunk-sized buffer afresh
      (``SIMPLEZARR_MALLOC_TUNING``, default on; see :mod:`simplezarr.engine.allocator`).
      It changes the allocator of the whole process; turn it off before the first read to
      leave the allocator alone.
    """

    threads: int = 0
    write_empty_chunks: bool = False
    max_variable_chunk_bytes: int = 0
    io_concurrency: int = 0
    malloc_tuning: bool = True

    def __post_init__(self) -> None:
        if not self.threads:
            self.threads = _env_int("SIMPLEZARR_THREADS", _cores())
        self.write_empty_chunks = _env_bool(
            "SIMPLEZARR_WRITE_EMPTY_CHUNKS", self.write_empty_chunks
        )
        self.malloc_tuning = _env_bool("SIMPLEZARR_MALLOC_TUNING", self.malloc_tuning)
        if not self.max_variable_chunk_bytes:
            self.max_variable_chunk_bytes = _env_int("SIMPLEZARR_MAX_VARIABLE_CHUNK_BYTES", 2**30)
        if not self.io_concurrency:
            self.io_concurrency = _env_int("SIMPLEZARR_IO_CONCURRENCY", 32)

    def set(self, options: Mapping[str, Any] | None = None, /, **changes: Any) -> _Changes:
        """Change settings for the whole process: at once, and back to the previous values
        at the end of a ``with`` block when used as one (as zarr-python's ``config.set``).

        Settings are given as keywords (``threads=2``) or, as zarr-python takes them, a dict
        of dotted keys (``{"array.write_empty_chunks": True}``, nested dicts too): the keys
        in :data:`ZARR_KEYS` map onto these settings; any other key is an InvalidArgument.
        """
        from simplezarr.errors import InvalidArgument

        merged: dict[str, Any] = {}
        for key, value in _flatten(options or {}, "").items():
            name = ZARR_KEYS.get(key, key)
            if name not in _NAMES:
                raise InvalidArgument(
                    f"unknown config key {key!r}; known: {sorted(ZARR_KEYS)} and {sorted(_NAMES)}"
                )
            merged[name] = value
        unknown = set(changes) - _NAMES
        if unknown:
            raise InvalidArgument(
                f"unknown config settings {sorted(unknown)}; known: {sorted(_NAMES)}"
            )
        merged.update(changes)
        for name, value in merged.items():
            ok = (
                isinstance(value, bool)
                if name in _BOOLS
                else (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
            )
            if not ok:
                raise InvalidArgument(f"config {name}={value!r} is not a valid setting")
        old = {k: getattr(self, k) for k in merged}
        for k, v in merged.items():
            setattr(self, k, v)
        return _Changes(self, old)


_NAMES = frozenset(f.name for f in fields(Config))
_BOOLS = frozenset({"write_empty_chunks", "malloc_tuning"})

#: zarr-python's configuration keys that name one of simplezarr's settings.
ZARR_KEYS = {
    "array.write_empty_chunks": "write_empty_chunks",
    "threading.max_workers": "threads",
    "async.concurrency": "io_concurrency",
}


def _flatten(options: Mapping[str, Any], head: str) -> dict[str, Any]:
    """``{"array": {"write_empty_chunks": True}}`` as ``{"array.write_empty_chunks": True}``."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{head}{key}."))
        else:
            out[f"{head}{key}"] = value
    return out


class _Changes:
    """What :meth:`Config.set` returns: the settings are already changed; leaving a ``with``
    block puts the previous values back."""

    def __init__(self, config: Config, old: dict[str, Any]) -> None:
        self._config, self._old = config, old

    def __enter__(self) -> Config:
        return self._config

    def __exit__(self, *exc: object) -> None:
        for k, v in self._old.items():
            setattr(self._config, k, v)


config = Config()
