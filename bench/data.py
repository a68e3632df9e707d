"""Benchmark data: the deterministic source array, the datasets, the operations, their creation.

A dataset is the source array (uint16, a smooth field plus noise) stored with one layout:
chunk shape, optional shards, a codec and a Zarr format. Datasets are written once, with
simplezarr, into the data directory (``$SIMPLEZARR_BENCH_DIR``, default
``/tmp/simplezarr-bench``), next to the source kept as ``source-<n>.npy`` for verification. A
manifest records the generator version and what was written, so later runs reuse the data.

Nothing here imports simplezarr or a peer at module level: a worker process measuring
tensorstore must not carry simplezarr's modules in its memory.

Example:
    >>> d = DATASETS["zstd"]
    >>> d.shape, d.read_chunks
    ((512, 512, 512), (64, 64, 64))
    >>> ops_for(d)
    ('all', 'chunk', 'plane', 'plane_slice', 'boxes', 'write')
    >>> selections(d, "plane")
    [(256, slice(None, None, None), slice(None, None, None))]
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the source formula or a dataset layout changes: stored data is then rewritten.
GENERATOR_VERSION = 1
SEED = 42
BOX_SEED = 7
DTYPE = np.dtype("uint16")
#: Files holding node metadata (everything else in a dataset directory is chunk data).
METADATA_FILES = frozenset({"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"})


def default_data_dir() -> Path:
    """``$SIMPLEZARR_BENCH_DIR`` or ``/tmp/simplezarr-bench`` (kept out of the repository)."""
    return Path(os.environ.get("SIMPLEZARR_BENCH_DIR") or "/tmp/simplezarr-bench")


def generate(n: int) -> np.ndarray:
    """The ``n``³ uint16 source: a smooth field plus uniform noise in [0, 8).

    About 1.8x compressible with zstd level 1 in 64³ chunks: smooth enough to be realistic,
    noisy enough that compression is not trivial.
    """
    rng = np.random.default_rng(SEED)
    i = np.arange(n, dtype=np.float32)
    z = np.sin(i / 100)[:, None, None]
    y = np.cos(i / 70)[None, :, None]
    x = np.sin(i / 130)[None, None, :]
    f = (20000 + 300 * (z * y + y * x + x * z)).astype(np.float32)
    return (f + rng.integers(0, 8, (n, n, n), dtype=np.uint16)).astype(np.uint16)


def _compressors(codec: str, zarr_format: int) -> Any:
    if codec == "none":
        return None
    if codec == "zstd":
        if zarr_format == 2:
            return {"id": "zstd", "level": 1}
        return {"name": "zstd", "configuration": {"level": 1, "checksum": False}}
    if codec == "blosc":
        if zarr_format == 2:
            return {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
        return {
            "name": "blosc",
            "configuration": {
                "cname": "lz4",
                "clevel": 5,
                "shuffle": "shuffle",
                "typesize": 2,
                "blocksize": 0,
            },
        }
    raise ValueError(f"unknown benchmark codec {codec!r}; use none, zstd or blosc")


@dataclass(frozen=True)
class Dataset:
    """One stored layout of the source array."""

    name: str
    n: int
    chunks: tuple[int, int, int]
    codec: str  # "none", "zstd" (level 1) or "blosc" (lz4 + byte shuffle)
    zarr_format: int = 3
    shards: tuple[int, int, int] | None = None
    boxes: int = 1000  # how many random boxes the "boxes" operation reads
    box: int = 8  # their edge length
    smoke: bool = False

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.n, self.n, self.n)

    @property
    def nbytes(self) -> int:
        return self.n**3 * DTYPE.itemsize

    @property
    def read_chunks(self) -> tuple[int, int, int]:
        """The chunks a reader decodes: the inner chunks when sharded (given as ``chunks``)."""
        return self.chunks

    @property
    def stored_chunks(self) -> tuple[int, int, int]:
        """The shape of one stored object: a shard when sharded, else a chunk."""
        return self.shards or self.chunks

    def describe(self) -> str:
        """A one-line description, e.g. ``zstd, v3, 512³ in 64³ chunks``."""
        cube = "\u00b3"
        if self.shards:
            layout = f"{self.n}{cube} in {self.shards[0]}{cube} shards of {self.chunks[0]}{cube}"
        else:
            layout = f"{self.n}{cube} in {self.chunks[0]}{cube} chunks"
        codec = {"none": "no compression", "zstd": "zstd 1", "blosc": "blosc lz4+shuffle"}
        return f"{layout}, {codec[self.codec]}, v{self.zarr_format}"

    def create_kwargs(self) -> dict[str, Any]:
        """Keywords for simplezarr's ``ZarrArray.create`` (zarr-python's ``create_array``)."""
        return {
            "shape": self.shape,
            "dtype": DTYPE.name,
            "chunks": self.chunks,
            "shards": self.shards,
            "compressors": _compressors(self.codec, self.zarr_format),
            "zarr_format": self.zarr_format,
            "fill_value": 0,
        }

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["chunks"] = list(self.chunks)
        d["shards"] = list(self.shards) if self.shards else None
        return d

    def path(self, data_dir: Path) -> Path:
        return Path(data_dir) / f"{self.name}.zarr"

    def source_path(self, data_dir: Path) -> Path:
        return Path(data_dir) / f"source-{self.n}.npy"


_FULL = [
    Dataset("none", 512, (64, 64, 64), "none"),
    Dataset("zstd", 512, (64, 64, 64), "zstd"),
    Dataset("blosc", 512, (64, 64, 64), "blosc"),
    Dataset("sharded", 512, (32, 32, 32), "zstd", shards=(256, 256, 256)),
    Dataset("tiny", 256, (16, 16, 16), "zstd"),
    Dataset("v2", 512, (64, 64, 64), "blosc", zarr_format=2),
]
_SMOKE = [
    Dataset("smoke", 64, (16, 16, 16), "zstd", boxes=100, smoke=True),
    Dataset("smoke-sharded", 64, (8, 8, 8), "zstd", shards=(32, 32, 32), boxes=100, smoke=True),
]
DATASETS: dict[str, Dataset] = {d.name: d for d in _FULL + _SMOKE}
FULL_DATASETS = [d.name for d in _FULL]
SMOKE_DATASETS = [d.name for d in _SMOKE]


# -- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """A measured operation: what it selects is given by :func:`selections`."""

    name: str
    kind: str  # "read" or "write"
    repeats: int  # timed calls per worker process (after one untimed warm-up call)


OPS: dict[str, Op] = {
    op.name: op
    for op in [
        Op("all", "read", 3),
        Op("chunk", "read", 20),
        Op("shard", "read", 5),
        Op("plane", "read", 10),
        Op("plane_slice", "read", 10),
        Op("boxes", "read", 1),
        Op("write", "write", 1),
    ]
}


def ops_for(ds: Dataset) -> tuple[str, ...]:
    """The operations measured on a dataset (smoke: a reduced set covering every op once)."""
    if ds.name == "smoke-sharded":
        return ("chunk", "shard")
    if ds.shards:
        return ("all", "chunk", "shard", "plane", "plane_slice", "boxes", "write")
    return ("all", "chunk", "plane", "plane_slice", "boxes", "write")


def op_label(ds: Dataset, op: str) -> str:
    h = ds.n // 2
    cube = "\u00b3"
    return {
        "all": "read all",
        "chunk": f"read 1 {'inner ' if ds.shards else ''}chunk",
        "shard": "read 1 shard",
        "plane": f"read a[{h},:,:]",
        "plane_slice": f"read a[{h}:{h + 1}]",
        "boxes": f"read {ds.boxes} boxes {ds.box}{cube}",
        "write": "write all",
    }[op]


def _block(n: int, edge: tuple[int, ...]) -> tuple[slice, ...]:
    """The block of the given edge lengths that holds the array's middle element."""
    return tuple(slice((n // 2 // e) * e, (n // 2 // e) * e + e) for e in edge)


def selections(ds: Dataset, op: str) -> list[Any]:
    """The selections an operation reads (or writes): basic numpy indexing, ints and slices."""
    n, h = ds.n, ds.n // 2
    full = slice(None)
    if op in ("all", "write"):
        return [(full, full, full)]
    if op == "chunk":
        return [_block(n, ds.read_chunks)]
    if op == "shard":
        if not ds.shards:
            raise ValueError(f"dataset {ds.name!r} is not sharded")
        return [_block(n, ds.shards)]
    if op == "plane":
        return [(h, full, full)]
    if op == "plane_slice":
        return [(slice(h, h + 1), full, full)]
    if op == "boxes":
        rng = np.random.default_rng(BOX_SEED)
        starts = rng.integers(0, n - ds.box + 1, size=(ds.boxes, 3))
        return [tuple(slice(int(s), int(s) + ds.box) for s in row) for row in starts]
    raise ValueError(f"unknown operation {op!r}; known: {sorted(OPS)}")


def selection_nbytes(ds: Dataset, op: str) -> int:
    """Uncompressed bytes an operation moves (what GB/s is computed from)."""
    probe = np.lib.stride_tricks.as_strided(np.zeros(1, DTYPE), ds.shape, (0, 0, 0))
    return sum(probe[s].size for s in selections(ds, op)) * DTYPE.itemsize


# -- creation ------------------------------------------------------------------------------


def stored_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file() and p.name not in METADATA_FILES]


def stored_stats(path: Path) -> dict[str, int]:
    files = stored_files(path)
    return {"files": len(files), "stored_bytes": sum(p.stat().st_size for p in files)}


def _manifest_path(data_dir: Path) -> Path:
    return Path(data_dir) / "manifest.json"


def _load_manifest(data_dir: Path) -> dict[str, Any]:
    empty = {"generator_version": GENERATOR_VERSION, "sources": {}, "datasets": {}}
    try:
        manifest = json.loads(_manifest_path(data_dir).read_text())
    except (OSError, ValueError):
        return empty
    if manifest.get("generator_version") != GENERATOR_VERSION:
        return empty
    return manifest


def _save_manifest(data_dir: Path, manifest: dict[str, Any]) -> None:
    tmp = _manifest_path(data_dir).with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, _manifest_path(data_dir))


def _source_valid(data_dir: Path, n: int, manifest: dict[str, Any]) -> bool:
    entry = manifest["sources"].get(str(n))
    path = Path(data_dir) / f"source-{n}.npy"
    return bool(entry) and path.is_file() and path.stat().st_size == entry["bytes"]


def _dataset_valid(ds: Dataset, data_dir: Path, manifest: dict[str, Any]) -> bool:
    entry = manifest["datasets"].get(ds.name)
    if not entry or entry.get("spec") != ds.to_json() or not ds.path(data_dir).is_dir():
        return False
    stats = stored_stats(ds.path(data_dir))
    return stats == {"files": entry["files"], "stored_bytes": entry["stored_bytes"]}


def _check_readback(ds: Dataset, path: Path, source: np.ndarray) -> str:
    """Read a freshly written dataset with an independent reader (zarr-python when installed).

    A mismatch here means simplezarr wrote something another implementation reads differently.
    """
    try:
        import zarr
    except ImportError:
        from simplezarr.nodes import open_zarr
        from simplezarr.stores import LocalStore

        got = open_zarr(LocalStore(str(path), read_only=True))[...]
        reader = "simplezarr"
    else:
        got = zarr.open_array(zarr.storage.LocalStore(str(path), read_only=True), mode="r")[...]
        reader = f"zarr-python {zarr.__version__}"
    if not np.array_equal(got, source):
        raise RuntimeError(
            f"dataset {ds.name!r} written by simplezarr at {path} reads back differently with "
            f"{reader}: {int(np.count_nonzero(got != source))} elements differ"
        )
    return reader


def ensure(
    data_dir: Path, names: Iterable[str], log: Callable[[str], None] = print
) -> dict[str, dict[str, Any]]:
    """Create (or reuse, when the manifest says they are current) the named datasets.

    Returns, per dataset, its manifest entry: files, stored bytes, compression ratio, the
    reader that checked it.
    """
    from simplezarr.nodes import ZarrArray
    from simplezarr.stores import LocalStore

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(data_dir)
    datasets = [DATASETS[name] for name in names]
    sources: dict[int, np.ndarray] = {}

    def source(n: int) -> np.ndarray:
        if n not in sources:
            path = data_dir / f"source-{n}.npy"
            if _source_valid(data_dir, n, manifest):
                sources[n] = np.load(path)
            else:
                log(f"generating the {n}\u00b3 source (generator v{GENERATOR_VERSION})")
                sources[n] = generate(n)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, sources[n])
                os.replace(tmp, path)
                manifest["sources"][str(n)] = {"file": path.name, "bytes": path.stat().st_size}
                _save_manifest(data_dir, manifest)
        return sources[n]

    for ds in datasets:
        if _dataset_valid(ds, data_dir, manifest) and _source_valid(data_dir, ds.n, manifest):
            continue
        path = ds.path(data_dir)
        data = source(ds.n)
        log(f"writing dataset {ds.name!r} ({ds.describe()}) with simplezarr")
        if path.exists():
            shutil.rmtree(path)
        array = ZarrArray.create(LocalStore(str(path)), **ds.create_kwargs())
        array[...] = data
        reader = _check_readback(ds, path, data)
        stats = stored_stats(path)
        manifest["datasets"][ds.name] = {
            "spec": ds.to_json(),
            **stats,
            "ratio": ds.nbytes / stats["stored_bytes"],
            "checked_with": reader,
        }
        _save_manifest(data_dir, manifest)
    return {ds.name: manifest["datasets"][ds.name] for ds in datasets}


# -- write targets -------------------------------------------------------------------------


def write_target(ds: Dataset, data_dir: Path, lib: str) -> Path:
    """A fresh empty array for ``lib`` to write into, with the dataset's metadata files copied
    byte for byte, so every library writes into identical metadata."""
    dst = Path(data_dir) / "write" / f"{ds.name}--{lib}.zarr"
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for f in ds.path(data_dir).iterdir():
        if f.name in METADATA_FILES:
            shutil.copyfile(f, dst / f.name)
    return dst


def clear_chunks(path: Path) -> None:
    """Delete every chunk (or shard) of the array at ``path``, keeping its metadata."""
    for child in Path(path).iterdir():
        if child.name in METADATA_FILES:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
