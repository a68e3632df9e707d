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
    >>> config.get("array.order")
    'C'
"""

from __future__ import annotations

import os
import pprint as _pprint
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as e:
        raise ValueError(f"environment variable {name}={raw!r} is not an integer") from e
    if value < minimum:
        raise ValueError(f"environment variable {name}={raw!r} must be at least {minimum}")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


#: The values of ``config.remote_client``; the first is the default.
REMOTE_CLIENTS = ("auto", "obstore", "fsspec")


def _env_choice(name: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ValueError(f"environment variable {name}={raw!r} must be one of {list(choices)}")
    return raw


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
    - ``chunk_cache_bytes``: the byte budget of the decoded-chunk cache, an LRU of decoded
      chunks shared by every array of the process (``SIMPLEZARR_CHUNK_CACHE_BYTES``, default
      0: off). Repeated and sliding-window reads then decode each chunk once. Writes
      through this process (any array or store object on the same location) forget what
      they change; writes by other processes are not seen. Shards' inner chunks, a
      caller's dict and ZIP files are never cached. See :mod:`simplezarr.chunk_cache`.
    - ``order``: the memory order of arrays that do not say (zarr-python's
      ``array.order``): the ``order`` a new Zarr v2 array stores, and the order a Zarr v3
      array's reads return without ``config={"order": ...}``. Default "C".
    - ``default_zarr_format``: the format of new nodes when a function's ``zarr_format``
      is None (zarr-python's ``default_zarr_format``). Default 3.
    - ``json_indent``: the indentation of the metadata documents written (zarr-python's
      ``json_indent``; None writes one line). Default 2.
    - ``remote_client``: which library opens ``s3://``, ``gs://``, ``az://`` and
      ``https://`` URLs given as paths (``SIMPLEZARR_REMOTE_CLIENT``): ``"auto"`` (default)
      takes obstore when it is installed and the ``storage_options`` are ones it can take,
      fsspec otherwise; ``"obstore"`` or ``"fsspec"`` insist on one (see
      :mod:`simplezarr.stores.url`).
    - ``check_metadata_on_write``: before each write call, read the array's metadata
      document once and refuse (``StaleMetadata``) to write when another process resized
      or recreated the array since it was read (``SIMPLEZARR_CHECK_METADATA_ON_WRITE``,
      default on; it costs one small read per write call, see docs/guarantees.md).
    - ``allow_unsafe_pickle_decode``: whether chunks encoded with the ``pickle`` codec may be
      decoded (zarr-python 3.4's ``array.allow_unsafe_pickle_decode``,
      ``SIMPLEZARR_ALLOW_UNSAFE_PICKLE_DECODE``): unpickling runs arbitrary code, so it is
      off by default and reading such an array raises ``PickleCodecDisabledError``
      (numcodecs' own opt-in is needed as well). Default False.
    - ``native``: whether reads use the compiled hot loop ``simplezarr._native`` (local
      files read and decoded chunks scattered in batches without the GIL) when it was
      built (``SIMPLEZARR_NATIVE``, default on; see :mod:`simplezarr.native`). Off, or
      where it could not be built, the pure-Python path does the same work.
    - ``read_missing_chunks``: whether reading a chunk (or shard) that is not stored gives
      the fill value (zarr-python 3.4's ``array.read_missing_chunks``); False raises
      ``ChunkNotFoundError``. Arrays may set it themselves (``config={...}``). Default True.
    - ``sharding_coalesce_max_gap_bytes`` and ``sharding_coalesce_max_bytes``: reads of one
      shard's inner chunks less than this many bytes apart are merged into one read of at
      most ``sharding_coalesce_max_bytes`` (zarr-python 3.4's ``array.sharding_coalesce_*``;
      arrays may set their own). They apply as given to stores reached over a network
      (one request saved is a round trip saved); local stores (files, memory, zip) merge
      at most 64 KiB gaps whatever the setting, since there a skipped gap costs a copy and
      a separate read costs only a system call. Defaults 1 MiB and 16 MiB.
    - ``rectilinear_chunks``: whether arrays may have rectilinear (variable) chunk grids
      (zarr-python 3.4's experimental ``array.rectilinear_chunks``,
      ``SIMPLEZARR_RECTILINEAR_CHUNKS``): off, creating, opening or storing such an array
      raises ``RectilinearChunksDisabledError``, as in zarr-python. Default False.
    """

    threads: int = 0
    write_empty_chunks: bool = False
    max_variable_chunk_bytes: int = 0
    io_concurrency: int = 0
    malloc_tuning: bool = True
    chunk_cache_bytes: int = -1
    order: str = "C"
    default_zarr_format: int = 3
    json_indent: int | None = 2
    remote_client: str = ""
    check_metadata_on_write: bool = True
    allow_unsafe_pickle_decode: bool = False
    read_missing_chunks: bool = True
    sharding_coalesce_max_gap_bytes: int = 1 << 20
    sharding_coalesce_max_bytes: int = 16 << 20
    rectilinear_chunks: bool = False
    native: bool = True

    def __post_init__(self) -> None:
        if not self.threads:
            self.threads = _env_int("SIMPLEZARR_THREADS", _cores())
        self.write_empty_chunks = _env_bool(
            "SIMPLEZARR_WRITE_EMPTY_CHUNKS", self.write_empty_chunks
        )
        self.malloc_tuning = _env_bool("SIMPLEZARR_MALLOC_TUNING", self.malloc_tuning)
        self.check_metadata_on_write = _env_bool(
            "SIMPLEZARR_CHECK_METADATA_ON_WRITE", self.check_metadata_on_write
        )
        self.allow_unsafe_pickle_decode = _env_bool(
            "SIMPLEZARR_ALLOW_UNSAFE_PICKLE_DECODE", self.allow_unsafe_pickle_decode
        )
        self.rectilinear_chunks = _env_bool(
            "SIMPLEZARR_RECTILINEAR_CHUNKS", self.rectilinear_chunks
        )
        self.native = _env_bool("SIMPLEZARR_NATIVE", self.native)
        if not self.max_variable_chunk_bytes:
            self.max_variable_chunk_bytes = _env_int("SIMPLEZARR_MAX_VARIABLE_CHUNK_BYTES", 2**30)
        if not self.io_concurrency:
            self.io_concurrency = _env_int("SIMPLEZARR_IO_CONCURRENCY", 32)
        if not self.remote_client:
            self.remote_client = _env_choice("SIMPLEZARR_REMOTE_CLIENT", REMOTE_CLIENTS)
        if self.chunk_cache_bytes < 0:
            self.chunk_cache_bytes = _env_int("SIMPLEZARR_CHUNK_CACHE_BYTES", 0, minimum=0)

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
                raise InvalidArgument(_unknown_key(key))
            if key == "threading.max_workers" and value is None:
                value = _cores()  # zarr-python's default: as many as the machine offers
            merged[name] = value
        unknown = set(changes) - _NAMES
        if unknown:
            raise InvalidArgument(
                f"unknown config settings {sorted(unknown)}; known: {sorted(_NAMES)}"
            )
        merged.update(changes)
        for name, value in merged.items():
            if not _VALID.get(name, _positive_int)(value):
                raise InvalidArgument(f"config {name}={value!r} is not a valid setting")
        old = {k: getattr(self, k) for k in merged}
        for k, v in merged.items():
            setattr(self, k, v)
        return _Changes(self, old)

    def get(self, key: str, default: Any = ...) -> Any:
        """A setting by zarr-python's dotted key (``"array.order"``, ``"async.concurrency"``,
        or a prefix such as ``"array"`` for a dict) or by simplezarr's name (``"threads"``);
        ``default`` (or KeyError) for a key that is neither.

        Example:
            >>> config.get("array.write_empty_chunks"), config.get("nope", 0)
            (False, 0)
        """
        node: Any = self.to_dict()
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is ...:
                    raise KeyError(key)
                return default
            node = node[part]
        return node

    def to_dict(self) -> dict[str, Any]:
        """Every setting: simplezarr's names and zarr-python's nested keys for the same
        values."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for key, name in ZARR_KEYS.items():
            head, _, last = key.rpartition(".")
            where = out
            for part in head.split(".") if head else []:
                where = where.setdefault(part, {})
            where[last] = getattr(self, name)
        return out

    def reset(self) -> None:
        """Every setting back to its default (and its ``SIMPLEZARR_*`` environment variable),
        as zarr-python's ``config.reset``."""
        fresh = Config()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def pprint(self, **kwargs: Any) -> None:
        """Print :meth:`to_dict` (as zarr-python's ``config.pprint``); ``kwargs`` go to
        :func:`pprint.pprint` (``stream``, ``width``, ...)."""
        _pprint.pprint(self.to_dict(), **kwargs)

    def enable_gpu(self) -> None:
        """zarr-python's GPU switch: simplezarr has no GPU buffers, so this says so."""
        from simplezarr.errors import InvalidArgument

        raise InvalidArgument(
            "simplezarr has no GPU support (zarr-python's config.enable_gpu); "
            "arrays are read into numpy arrays in host memory"
        )


_NAMES = frozenset(f.name for f in fields(Config))


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


_VALID: dict[str, Callable[[Any], bool]] = {
    "write_empty_chunks": _is_bool,
    "malloc_tuning": _is_bool,
    "check_metadata_on_write": _is_bool,
    "allow_unsafe_pickle_decode": _is_bool,
    "read_missing_chunks": _is_bool,
    "sharding_coalesce_max_gap_bytes": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) and v >= 0
    ),
    "sharding_coalesce_max_bytes": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) and v >= 0
    ),
    "rectilinear_chunks": _is_bool,
    "native": _is_bool,
    "chunk_cache_bytes": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "order": lambda v: v in ("C", "F"),
    "default_zarr_format": lambda v: v in (2, 3) and not isinstance(v, bool),
    "remote_client": lambda v: v in REMOTE_CLIENTS,
    "json_indent": lambda v: (
        v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0)
    ),
}

#: zarr-python's configuration keys that name one of simplezarr's settings.
ZARR_KEYS = {
    "array.write_empty_chunks": "write_empty_chunks",
    "array.order": "order",
    "default_zarr_format": "default_zarr_format",
    "json_indent": "json_indent",
    "threading.max_workers": "threads",
    "async.concurrency": "io_concurrency",
    "array.allow_unsafe_pickle_decode": "allow_unsafe_pickle_decode",
    "array.read_missing_chunks": "read_missing_chunks",
    "array.sharding_coalesce_max_gap_bytes": "sharding_coalesce_max_gap_bytes",
    "array.sharding_coalesce_max_bytes": "sharding_coalesce_max_bytes",
    "array.rectilinear_chunks": "rectilinear_chunks",
}

#: zarr-python's documented keys with no meaning here, and why.
NO_MEANING = {
    "async.timeout": "simplezarr's calls do not run on an event loop, so there is no timeout "
    "to apply; remote stores take their timeouts in storage_options",
    "array.target_shard_size_bytes": "shards='auto' follows zarr-python 3.1.6's rule of "
    "shards of 2 chunks per dimension and takes no target size",
    "codec_pipeline": "simplezarr has one codec engine and no pluggable codec pipeline",
    "buffer": "simplezarr reads into numpy arrays and has no buffer classes to choose",
    "ndbuffer": "simplezarr reads into numpy arrays and has no buffer classes to choose",
    "codecs": "codec classes are chosen through simplezarr.codecs.register_codec "
    "(or the simplezarr.codecs entry point group), not by configuration",
}


def _unknown_key(key: str) -> str:
    for prefix, reason in NO_MEANING.items():
        if key == prefix or key.startswith(prefix + "."):
            return f"zarr-python's config key {key!r} has no meaning in simplezarr: {reason}"
    return f"unknown config key {key!r}; known: {sorted(ZARR_KEYS)} and {sorted(_NAMES)}"


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
