"""One small adapter per library: open for read, open for write, read and write a selection.

Each adapter imports its library only when opened, so a worker process carries only the
library it measures. Every library runs with its defaults (threads, concurrency, caches),
except where noted:

- zarr-python-fused: zarr-python 3.4's opt-in ``FusedCodecPipeline`` with
  ``codec_pipeline.max_workers = None`` (its own thread pool sized to the machine), as its
  documentation suggests for speed; measured only where zarr-python has it (>= 3.4).
- zarr-python+simplezarr: zarr-python with ``codec_pipeline.path =
  simplezarr.ZarrCodecPipeline``: what a zarr-python, xarray or dask user gets from one config
  line. Counted as simplezarr's, not as a peer.
- zarrs-python: zarr-python with ``codec_pipeline.path = zarrs.ZarrsCodecPipeline`` and
  ``codec_pipeline.strict = True``, so an unsupported case fails instead of silently falling
  back to zarr-python's own pipeline (which would then be measured under zarrs' name).
- tensorstore: ``file_io_sync`` is on by default (every written file is fsync-ed);
  ``tensorstore-nofsync`` is the same adapter with it off.

Example:
    >>> sorted(LIBS)  # doctest: +NORMALIZE_WHITESPACE
    ['simplezarr', 'tensorstore', 'tensorstore-nofsync', 'zarr-python', 'zarr-python+simplezarr',
     'zarr-python-fused', 'zarrs-python']
    >>> LIBS["tensorstore-nofsync"].writes_only
    True
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np


def source_digest(package: str = "simplezarr") -> str:
    """A short hash of a package's ``.py`` sources, found without importing it.

    Two processes reporting the same digest ran the same code: a run on a working tree that
    someone edits meanwhile is detected instead of silently mixing versions.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Adapter:
    """How the benchmark drives one library."""

    name = ""
    modules: tuple[str, ...] = ()  # what must be importable
    writes_only = False  # measured on write operations only
    fallback: str | None = None  # set when the library had to serve a call another way

    def available(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.modules)

    def open_read(self, path: Path, zarr_format: int) -> Any:
        raise NotImplementedError

    def open_write(self, path: Path, zarr_format: int) -> Any:
        raise NotImplementedError

    def read(self, handle: Any, selection: Any) -> np.ndarray:
        return np.asarray(handle[selection])

    def write(self, handle: Any, selection: Any, data: np.ndarray) -> None:
        handle[selection] = data


class SimpleZarr(Adapter):
    name = "simplezarr"
    modules = ("simplezarr",)

    def open_read(self, path: Path, zarr_format: int) -> Any:
        from simplezarr.nodes import open_zarr
        from simplezarr.stores import LocalStore

        return open_zarr(LocalStore(str(path), read_only=True))

    def open_write(self, path: Path, zarr_format: int) -> Any:
        from simplezarr.nodes import open_zarr
        from simplezarr.stores import LocalStore

        return open_zarr(LocalStore(str(path)))  # fsync=False, its default


class ZarrPython(Adapter):
    name = "zarr-python"
    modules = ("zarr",)

    def configure(self) -> None:
        """Nothing to change: zarr-python's default codec pipeline."""

    def open_read(self, path: Path, zarr_format: int) -> Any:
        import zarr

        self.configure()
        array = zarr.open_array(zarr.storage.LocalStore(str(path), read_only=True), mode="r")
        return self._checked(array)

    def open_write(self, path: Path, zarr_format: int) -> Any:
        import zarr

        self.configure()
        return self._checked(zarr.open_array(zarr.storage.LocalStore(str(path)), mode="r+"))

    @staticmethod
    def _checked(array: Any) -> Any:
        """The array, after checking it uses the pipeline this adapter measures."""
        return array


def _zarr_version() -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in importlib.metadata.version("zarr").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return (0,)


def _pipeline_name(array: Any) -> str:
    return type(array._async_array.codec_pipeline).__name__


class ZarrPythonFused(ZarrPython):
    """zarr-python 3.4's ``FusedCodecPipeline``, with its own thread pool."""

    name = "zarr-python-fused"

    def available(self) -> bool:
        return super().available() and _zarr_version() >= (3, 4)

    def configure(self) -> None:
        import zarr

        zarr.config.set(
            {
                "codec_pipeline.path": "zarr.core.codec_pipeline.FusedCodecPipeline",
                "codec_pipeline.max_workers": None,
            }
        )

    @staticmethod
    def _checked(array: Any) -> Any:
        if _pipeline_name(array) != "FusedCodecPipeline":
            raise RuntimeError(f"fused pipeline not in use: got {_pipeline_name(array)}")
        return array


class ZarrPythonSimplezarr(ZarrPythonFused):
    """zarr-python with simplezarr's codec pipeline (the one config line of docs/pipeline.md)."""

    name = "zarr-python+simplezarr"
    modules = ("zarr", "simplezarr")

    def available(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.modules)

    def configure(self) -> None:
        import zarr

        zarr.config.set({"codec_pipeline.path": "simplezarr.ZarrCodecPipeline"})

    @staticmethod
    def _checked(array: Any) -> Any:
        if _pipeline_name(array) != "ZarrCodecPipeline":
            raise RuntimeError(f"simplezarr's pipeline not in use: got {_pipeline_name(array)}")
        return array


class ZarrsPython(ZarrPython):
    """zarr-python driving the zarrs (Rust) codec pipeline.

    Opened strict, so every call runs in zarrs. A selection zarrs-python 0.2.3 refuses (it
    raises ``UnsupportedVIndexingError`` for an integer index such as ``a[256, :, :]``) is then
    served the way a zarrs-python user gets it: by its fallback to zarr-python's own pipeline.
    ``fallback`` says why; the worker does not count the call that switched.
    """

    name = "zarrs-python"
    modules = ("zarr", "zarrs")

    def __init__(self) -> None:
        self._fallbacks: dict[int, Any] = {}  # id(strict handle) -> the same array, not strict

    def configure(self, strict: bool = True) -> None:
        import zarr

        zarr.config.set(
            {"codec_pipeline.path": "zarrs.ZarrsCodecPipeline", "codec_pipeline.strict": strict}
        )

    @staticmethod
    def _checked(array: Any) -> Any:
        pipeline = array._async_array.codec_pipeline
        if type(pipeline).__name__ != "ZarrsCodecPipeline" or pipeline.impl is None:
            raise RuntimeError(f"zarrs pipeline not in use: got {type(pipeline).__name__}")
        return array

    def _call(self, handle: Any, fn: Any) -> Any:
        import zarr
        from zarrs.utils import DiscontiguousArrayError, UnsupportedVIndexingError

        if id(handle) in self._fallbacks:
            return fn(self._fallbacks[id(handle)])
        try:
            return fn(handle)
        except (DiscontiguousArrayError, UnsupportedVIndexingError) as e:
            self.fallback = (
                f"zarrs-python falls back to zarr-python's pipeline ({type(e).__name__})"
            )
            self.configure(strict=False)
            mode = "r" if handle.read_only else "r+"
            self._fallbacks[id(handle)] = zarr.open_array(handle.store, mode=mode)
            self.configure(strict=True)  # arrays opened later start strict again
            return fn(self._fallbacks[id(handle)])

    def read(self, handle: Any, selection: Any) -> np.ndarray:
        return self._call(handle, lambda h: np.asarray(h[selection]))

    def write(self, handle: Any, selection: Any, data: np.ndarray) -> None:
        def write(h: Any) -> None:
            h[selection] = data

        self._call(handle, write)


class TensorStore(Adapter):
    name = "tensorstore"
    modules = ("tensorstore",)
    fsync = True

    def _open(self, path: Path, zarr_format: int, write: bool) -> Any:
        import tensorstore as ts

        spec = {
            "driver": "zarr3" if zarr_format == 3 else "zarr",
            "kvstore": {"driver": "file", "path": str(path)},
        }
        context = ts.Context({"file_io_sync": self.fsync})
        return ts.open(spec, read=True, write=write, open=True, context=context).result()

    def open_read(self, path: Path, zarr_format: int) -> Any:
        return self._open(path, zarr_format, write=False)

    def open_write(self, path: Path, zarr_format: int) -> Any:
        return self._open(path, zarr_format, write=True)

    def read(self, handle: Any, selection: Any) -> np.ndarray:
        return handle[selection].read().result()

    def write(self, handle: Any, selection: Any, data: np.ndarray) -> None:
        handle[selection].write(data).result()  # waits for the commit: data in the files


class TensorStoreNoFsync(TensorStore):
    name = "tensorstore-nofsync"
    fsync = False
    writes_only = True


LIBS: dict[str, Adapter] = {
    a.name: a
    for a in (
        SimpleZarr(),
        ZarrPythonSimplezarr(),
        ZarrPython(),
        ZarrPythonFused(),
        ZarrsPython(),
        TensorStore(),
        TensorStoreNoFsync(),
    )
}
#: Column order of the report.
ORDER = list(LIBS)
#: simplezarr's own columns: its API, and zarr-python with its pipeline.
OURS = ["simplezarr", "zarr-python+simplezarr"]
PEERS = [lib for lib in ORDER if lib not in OURS]
#: What the pipeline column is compared with: zarr-python with each other codec pipeline.
ZARR_PEERS = ["zarr-python", "zarr-python-fused", "zarrs-python"]
