"""The floor: what reading (or writing) a whole dataset cannot beat on this machine.

- Decode floor: every stored chunk's bytes already in memory (inner chunks cut out of their
  shards), decoded by the raw codec — zstandard, numcodecs' blosc, or a plain copy for
  uncompressed chunks — in a ThreadPoolExecutor of ``os.cpu_count()`` threads, plus one memcpy
  of the output (``np.copyto`` on all threads into an array of the output's size touched
  before; what a new array's page faults cost comes on top, see :func:`measure`).
- Encode floor: every chunk, already cut out of the source as a contiguous array, encoded the
  same way, plus one memcpy of the input (into an array touched before), plus the files: the
  dataset's stored objects (chunks, or whole shards), already encoded, written in place (open
  with ``O_TRUNC``, write, close; directories made on the first miss) in the same pool, into
  a directory cleared (and flushed with ``os.sync()``) before each call as a library's is.

No indexing, no metadata, no atomic replacement: a library reading a dataset from the page
cache, or writing one to it, has all of this work to do and more.

Example (from the command line; prints one JSON line)::

    python -m bench.worker --lib floor --dataset zstd --op all
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from bench.data import DTYPE, Dataset, clear_chunks, stored_files, write_target
from bench.measure import machine_busy_s, self_cpu_s

_MISSING = 2**64 - 1  # the shard index's "no chunk here" marker


def encoded_chunks(ds: Dataset, data_dir: Path) -> list[bytes]:
    """The encoded bytes of every chunk, as stored (inner chunks for a sharded dataset)."""
    path = ds.path(data_dir)
    files = sorted(stored_files(path))
    if not ds.shards:
        return [f.read_bytes() for f in files]
    meta = json.loads((path / "zarr.json").read_text())
    config = meta["codecs"][0]["configuration"]
    index_codecs = [c["name"] for c in config["index_codecs"]]
    if config.get("index_location", "end") != "end" or index_codecs != ["bytes", "crc32c"]:
        raise ValueError(f"the floor reads end-located bytes+crc32c shard indexes, not {config}")
    per_shard = int(np.prod([s // c for s, c in zip(ds.shards, ds.chunks, strict=True)]))
    out: list[bytes] = []
    for f in files:
        shard = f.read_bytes()
        index_start = len(shard) - 16 * per_shard - 4
        index = np.frombuffer(shard, "<u8", count=2 * per_shard, offset=index_start)
        for offset, nbytes in index.reshape(-1, 2).tolist():
            if offset != _MISSING:
                out.append(shard[offset : offset + nbytes])
    return out


def source_chunks(ds: Dataset, source: np.ndarray) -> list[np.ndarray]:
    """The source cut into contiguous chunk arrays (inner chunks when sharded)."""
    c = ds.chunks
    return [
        np.ascontiguousarray(source[i : i + c[0], j : j + c[1], k : k + c[2]])
        for i in range(0, ds.n, c[0])
        for j in range(0, ds.n, c[1])
        for k in range(0, ds.n, c[2])
    ]


def _decoder(ds: Dataset) -> Callable[[bytes], Any]:
    chunk_nbytes = int(np.prod(ds.chunks)) * DTYPE.itemsize
    if ds.codec == "zstd":
        import zstandard

        local = threading.local()  # a ZstdDecompressor must not be shared between threads

        def zstd_decode(b: bytes) -> bytes:
            d = getattr(local, "d", None)
            if d is None:
                d = local.d = zstandard.ZstdDecompressor()
            return d.decompress(b, max_output_size=chunk_nbytes)

        return zstd_decode
    if ds.codec == "blosc":
        from numcodecs import blosc

        return blosc.decompress  # from a non-main thread: blosc's contextual, GIL-free call
    return lambda b: np.frombuffer(b, DTYPE).copy()


def _encoder(ds: Dataset) -> Callable[[np.ndarray], Any]:
    if ds.codec == "zstd":
        import zstandard

        local = threading.local()

        def zstd_encode(a: np.ndarray) -> bytes:
            c = getattr(local, "c", None)
            if c is None:
                c = local.c = zstandard.ZstdCompressor(level=1)
            return c.compress(a)

        return zstd_encode
    if ds.codec == "blosc":
        from numcodecs import blosc

        return lambda a: blosc.compress(a, b"lz4", 5, blosc.SHUFFLE)
    return lambda a: a.tobytes()


def _run_pool(
    pool: ThreadPoolExecutor, threads: int, fn: Callable[[Any], Any], items: Sequence[Any]
) -> int:
    """Apply ``fn`` to every item in contiguous batches, a few per thread; total output bytes."""
    size = max(1, -(-len(items) // (threads * 4)))
    batches = [items[i : i + size] for i in range(0, len(items), size)]

    def run(batch: Sequence[Any]) -> int:
        return sum(len(memoryview(fn(x)).cast("B")) for x in batch)

    return sum(pool.map(run, batches))


def stored_objects(ds: Dataset, data_dir: Path) -> list[tuple[str, bytes]]:
    """Each stored object of the dataset (a chunk or a whole shard) as (relative path, bytes)."""
    path = ds.path(data_dir)
    return [(str(f.relative_to(path)), f.read_bytes()) for f in sorted(stored_files(path))]


def _file_writer(root: Path) -> Callable[[tuple[str, bytes]], bytes]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)

    def write(item: tuple[str, bytes]) -> bytes:
        path = os.path.join(root, item[0])
        try:
            fd = os.open(path, flags, 0o666)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, flags, 0o666)
        try:
            view = memoryview(item[1])
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return item[1]

    return write


def _copy(pool: ThreadPoolExecutor, threads: int, dst: np.ndarray, src: np.ndarray) -> None:
    """``np.copyto(dst, src)`` in ``threads`` slabs of the first axis, one per thread."""
    step = -(-dst.shape[0] // threads)
    slabs = [slice(i, i + step) for i in range(0, dst.shape[0], step)]
    list(pool.map(lambda s: np.copyto(dst[s], src[s]), slabs))


def measure(ds: Dataset, op: str, repeats: int, warmup: int, data_dir: Path) -> dict[str, Any]:
    """Time the decode floor (``op="all"``) or the encode floor (``op="write"``)."""
    if op not in ("all", "write"):
        raise ValueError(f"the floor is measured for 'all' and 'write', not {op!r}")
    threads = os.cpu_count() or 1
    if op == "all":
        items: Sequence[Any] = encoded_chunks(ds, data_dir)
        fn: Callable[[Any], Any] = _decoder(ds)
        objects: list[tuple[str, bytes]] = []
    else:
        items = source_chunks(ds, np.load(ds.source_path(data_dir)))
        fn = _encoder(ds)
        objects = stored_objects(ds, data_dir)
        target = write_target(ds, data_dir, "floor")
        write_file = _file_writer(target)
    # Both touched once: the memcpy times copying, not page faults. A library's output is a
    # new array whose pages fault in, which on this VM costs 30 ms per 256 MiB of memory in
    # use moments ago and up to 200 ms of memory the host took back: a lottery for every
    # library alike, measured on its own by bench.workloads (the first-call floor rows).
    src = np.ones(ds.shape, DTYPE)
    dst = np.zeros(ds.shape, DTYPE)
    codec_times, copy_times, file_times, failures = [], [], [], []
    foreign_s = 0.0
    with ThreadPoolExecutor(threads) as pool:
        for i in range(warmup + repeats):
            if objects:  # as bench.worker does before a library's write
                os.sync()
                clear_chunks(target)
                os.sync()
            busy0, self0 = machine_busy_s(), self_cpu_s()
            t0 = perf_counter()
            produced = _run_pool(pool, threads, fn, items)
            t1 = perf_counter()
            _copy(pool, threads, dst, src)
            t2 = perf_counter()
            if objects:
                _run_pool(pool, threads, write_file, objects)
            t3 = perf_counter()
            foreign = (machine_busy_s() - busy0) - (self_cpu_s() - self0)
            if op == "all" and produced != ds.nbytes:
                failures.append(f"decoded {produced} bytes, expected {ds.nbytes}")
                continue
            if i >= warmup:
                codec_times.append(t1 - t0)
                copy_times.append(t2 - t1)
                file_times.append(t3 - t2)
                foreign_s += foreign
    return {
        "times": [a + b + c for a, b, c in zip(codec_times, copy_times, file_times, strict=True)],
        "codec_times": codec_times,
        "copy_times": copy_times,
        "file_times": file_times,
        "foreign_cpu_s": max(0.0, foreign_s),
        "cpus": threads,
        "threads": threads,
        "chunks": len(items),
        "verified": not failures,
        "failures": failures,
    }
