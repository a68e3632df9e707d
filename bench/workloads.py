"""The workloads of issue 14: first calls, scaling, opening big groups, sliding windows and
remote reads. ``bench.run`` runs them after its table (``--no-workloads`` skips them); on its
own::

    .venv/bin/python -m bench.workloads [--smoke] [--large] [--only simplezarr,zarr-python]

Every sample runs in a fresh process (``python -m bench.workloads --cell ...``), which prints
one JSON line; every read is compared with the data before its time counts.

- **first call**: import (timed on its own, numpy imported before), open, one whole read,
  then a second read, in a new process per sample, on the main suite's datasets. The floor
  row is the first fill of a fresh output-sized numpy array (what the machine charges for
  touching new memory, in a process that does nothing else).
- **scaling**: whole reads of (s, 512, 512) arrays of 64³ zstd chunks, 256 MiB and, with
  ``--large``, 1 GiB and 4 GiB; and of 16³ chunks, 4,096 and 32,768 chunks and, with
  ``--large``, 262,144. Time per MiB and per chunk should stay flat.
- **open group**: a group of 1,000 arrays opened and every array's metadata read
  (``list(group.arrays())``), with and without consolidated metadata, on local disk and over
  HTTP with 20 ms per request (the latency server of :mod:`bench.bench_latency`).
- **sliding window**: 64-plane windows moving 16 planes at a time along the first axis of the
  zstd dataset (each chunk read by 4 windows), simplezarr with and without its decoded-chunk
  cache (``config.chunk_cache_bytes`` = 256 MiB).
- **remote**: 1,000 chunks of 8 KiB read over HTTP with 20 ms per request: simplezarr's
  FsspecStore and ObjectStore, zarr-python's FsspecStore and ObjectStore.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import DATASETS, default_data_dir

#: What each library's import is (numpy is imported first, outside the time).
IMPORTS = {
    "simplezarr": "import simplezarr",
    "simplezarr-cache": "import simplezarr",
    "zarr-python": "import zarr",
    "zarrs-python": "import zarr, zarrs",
    "tensorstore": "import tensorstore",
}
LATENCY = 0.02
CACHE_BYTES = 256 << 20


# -- data ----------------------------------------------------------------------------------


def scaling_layouts(large: bool, smoke: bool) -> list[tuple[str, tuple[int, int, int], int]]:
    """(name, shape, chunk edge) of the scaling arrays."""
    if smoke:
        return [("scale-s", (64, 64, 64), 16)]
    out = [("scale-256m", (512, 512, 512), 64), ("chunks-4k", (256, 256, 256), 16)]
    out.append(("chunks-32k", (2048, 256, 256), 16))
    if large:
        out += [("scale-1g", (2048, 512, 512), 64), ("scale-4g", (8192, 512, 512), 64)]
        out.append(("chunks-262k", (16384, 256, 256), 16))
    return out


def slab(start: int, stop: int, shape: tuple[int, int, int]) -> np.ndarray:
    """Planes ``start:stop`` of a scaling array: a smooth ramp plus seeded noise (each
    plane from its own seed, so any slab is made without the rest)."""
    _, y, x = shape
    ramp = (np.arange(y, dtype=np.uint32)[:, None] * 3 + np.arange(x, dtype=np.uint32)) % 4096
    planes = []
    for z in range(start, stop):
        noise = np.random.default_rng(z).integers(0, 8, (y, x), dtype=np.uint16)
        planes.append((ramp + 1000 + z % 512).astype(np.uint16) + noise)
    return np.stack(planes)


def ensure_scaling(root: Path, name: str, shape: tuple[int, int, int], edge: int) -> Path:
    """Write a scaling array once (slab by slab, so 4 GiB never sits in memory)."""
    import simplezarr

    path = root / f"{name}.zarr"
    if (path / "done").exists():
        return path
    a = simplezarr.create_array(
        str(path), shape=shape, chunks=(edge,) * 3, dtype="uint16", overwrite=True, fill_value=0
    )
    step = max(edge, (64 << 20) // (shape[1] * shape[2] * 2) // edge * edge)
    for z in range(0, shape[0], step):
        a[z : z + step] = slab(z, min(shape[0], z + step), shape)
    (path / "done").write_text("")
    return path


def ensure_group(root: Path, consolidated: bool, n: int) -> Path:
    """A group of ``n`` small arrays (written once), optionally consolidated."""
    import simplezarr

    path = root / f"group{n}{'-consolidated' if consolidated else ''}.zarr"
    if (path / "done").exists():
        return path
    g = simplezarr.open_group(str(path), mode="w")
    for i in range(n):
        g.create_array(f"a{i:04d}", shape=(8,), chunks=(8,), dtype="f4")
    if consolidated:
        simplezarr.consolidate_metadata(str(path))
    (path / "done").write_text("")
    return path


def ensure_remote_array(root: Path, chunks: int) -> Path:
    import simplezarr

    path = root / f"remote{chunks}.zarr"
    if not (path / "done").exists():
        a = simplezarr.create_array(
            str(path), shape=(chunks * 1024,), chunks=(1024,), dtype="f8", overwrite=True
        )
        a[...] = np.arange(chunks * 1024, dtype="f8")
        (path / "done").write_text("")
    return path


# -- cells (run in a fresh worker process) -------------------------------------------------


def _open(lib: str, where: str, zarr_format: int = 3) -> Any:
    from bench.peers import LIBS

    return LIBS[lib.replace("-cache", "")].open_read(Path(where), zarr_format)


def _read(lib: str, handle: Any, sel: Any) -> np.ndarray:
    from bench.peers import LIBS

    return LIBS[lib.replace("-cache", "")].read(handle, sel)


def cell_first_call(lib: str, dataset: str, data_dir: str) -> dict[str, Any]:
    ds = DATASETS[dataset]
    full = (slice(None),) * 3
    if lib == "floor":
        t0 = time.perf_counter()
        out = np.empty(ds.shape, dtype="uint16")
        out[...] = 1
        first = time.perf_counter() - t0
        del out
        t0 = time.perf_counter()
        again = np.empty(ds.shape, dtype="uint16")
        again[...] = 1
        return {
            "import_s": 0.0,
            "open_s": 0.0,
            "first_s": first,
            "second_s": time.perf_counter() - t0,
        }
    t0 = time.perf_counter()
    exec(IMPORTS[lib], {})
    t1 = time.perf_counter()
    handle = _open(lib, str(ds.path(Path(data_dir))), ds.zarr_format)
    t2 = time.perf_counter()
    first = _read(lib, handle, full)
    t3 = time.perf_counter()
    source = np.load(ds.source_path(Path(data_dir)), mmap_mode="r")
    ok = np.array_equal(first, source)
    # Freed before the second read, as a loop of reads frees each result: kept alive, the
    # second read's output is memory the process never touched, whose first use costs the
    # kernel (and this VM's host) 0.4 s per 256 MiB for any library (the floor's row).
    del first
    t3b = time.perf_counter()
    second = _read(lib, handle, full)
    t4 = time.perf_counter()
    ok = ok and np.array_equal(second, source)
    return {
        "import_s": t1 - t0,
        "open_s": t2 - t1,
        "first_s": t3 - t2,
        "second_s": t4 - t3b,
        "verified": bool(ok),
    }


def cell_scaling(lib: str, path: str, shape: list[int], edge: int) -> dict[str, Any]:
    handle = _open(lib, path)
    full = (slice(None),) * 3
    _read(lib, handle, (slice(0, edge),) * 3)  # warm-up: one chunk
    t0 = time.perf_counter()
    got = _read(lib, handle, full)
    elapsed = time.perf_counter() - t0
    shp = tuple(shape)
    ok = got.shape == shp and all(
        np.array_equal(got[z : z + edge], slab(z, z + edge, shp))  # type: ignore[arg-type]
        for z in (0, shp[0] - edge)
    )
    return {"s": elapsed, "verified": bool(ok)}


def cell_sliding(lib: str, dataset: str, data_dir: str) -> dict[str, Any]:
    ds = DATASETS[dataset]
    width, step = ds.chunks[0], max(1, ds.chunks[0] // 4)
    if lib == "simplezarr-cache":
        from simplezarr.config import config

        config.set(chunk_cache_bytes=CACHE_BYTES)
    handle = _open(lib, str(ds.path(Path(data_dir))), ds.zarr_format)
    windows = [slice(i, i + width) for i in range(0, ds.n - width + 1, step)]
    t0 = time.perf_counter()
    results = [_read(lib, handle, (w,)) for w in windows]
    elapsed = time.perf_counter() - t0
    source = np.load(ds.source_path(Path(data_dir)), mmap_mode="r")
    ok = all(np.array_equal(r, source[w]) for r, w in zip(results, windows, strict=True))
    return {"s": elapsed, "windows": len(windows), "verified": bool(ok)}


def _remote_store(lib: str, url: str) -> Any:
    if lib == "simplezarr-fsspec":
        from simplezarr.stores import FsspecStore

        return FsspecStore.from_url(url, read_only=True)
    if lib == "simplezarr-obstore":
        from simplezarr.stores import ObjectStore

        return ObjectStore.from_url(url, {"client_options": {"allow_http": True}}, read_only=True)
    import zarr.storage

    if lib == "zarr-python-fsspec":
        return zarr.storage.FsspecStore.from_url(url, read_only=True)
    from obstore.store import HTTPStore

    return zarr.storage.ObjectStore(
        HTTPStore.from_url(url, client_options={"allow_http": True}), read_only=True
    )


def cell_remote(lib: str, url: str, chunks: int) -> dict[str, Any]:
    store = _remote_store(lib, url)
    if lib.startswith("simplezarr"):
        import simplezarr

        a = simplezarr.open_array(store, mode="r")
    else:
        import zarr

        a = zarr.open_array(store, mode="r")
    t0 = time.perf_counter()
    got = np.asarray(a[...])
    elapsed = time.perf_counter() - t0
    return {"s": elapsed, "verified": bool(np.array_equal(got, np.arange(chunks * 1024.0)))}


def cell_open_group(lib: str, where: str, consolidated: bool, n: int) -> dict[str, Any]:
    remote = where.startswith("http")
    exec(IMPORTS[lib], {})  # imported before the time starts, as in the other cells
    t0 = time.perf_counter()
    if lib == "simplezarr":
        import simplezarr

        store = where
        if remote:
            from simplezarr.stores import FsspecStore

            store = FsspecStore.from_url(where, read_only=True)  # type: ignore[assignment]
        g = simplezarr.open_group(store, mode="r", use_consolidated=consolidated)
    else:
        import zarr

        zstore: Any = where
        if remote:
            zstore = zarr.storage.FsspecStore.from_url(where, read_only=True)
        g = zarr.open_group(zstore, mode="r", use_consolidated=consolidated)
    shapes = [a.shape for _, a in g.arrays()]
    elapsed = time.perf_counter() - t0
    return {"s": elapsed, "verified": len(shapes) == n and all(s == (8,) for s in shapes)}


CELLS = {
    "first_call": cell_first_call,
    "scaling": cell_scaling,
    "sliding": cell_sliding,
    "remote": cell_remote,
    "open_group": cell_open_group,
}


# -- driver --------------------------------------------------------------------------------


def run_cell(cell: str, code_dir: Path | None, **kw: Any) -> dict[str, Any]:
    """One sample in a fresh process; its JSON record (``error`` on failure)."""
    env = dict(os.environ)
    if code_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_dir), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "bench.workloads", "--cell", cell, "--args", json.dumps(kw)]
    proc = subprocess.run(
        cmd, cwd=code_dir or Path(__file__).resolve().parents[1], env=env,
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    try:
        return dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"error": (proc.stderr or proc.stdout)[-400:], "verified": False}


def _median(records: list[dict[str, Any]], field: str) -> float | None:
    good = [r[field] for r in records if r.get("verified", True) and field in r]
    return statistics.median(good) if good else None


def _ms(x: float | None) -> str:
    return "FAIL" if x is None else f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def run_all(
    data_dir: Path,
    libs: list[str],
    *,
    smoke: bool = False,
    large: bool = False,
    samples: int = 3,
    code_dir: Path | None = None,
    log: Any = print,
) -> tuple[str, dict[str, Any]]:
    """Every workload; the markdown section and the records."""
    from bench.bench_latency import serve

    data_dir = Path(data_dir)
    work = data_dir / "issue14"
    work.mkdir(parents=True, exist_ok=True)
    samples = 1 if smoke else samples
    read_libs = [lib for lib in libs if lib in IMPORTS and lib != "simplezarr-cache"]
    lines = ["## Issue 14 workloads", ""]
    records: dict[str, Any] = {}
    sets = ["smoke"] if smoke else ["none", "zstd", "blosc", "tiny", "v2"]

    log("first calls (a fresh process per sample)")
    lines += ["### First call: import, open, one whole read, a second read (medians)", ""]
    lines += ["| dataset | library | import | open | first read | second read |", "|---|---|---|---|---|---|"]  # fmt: skip
    for name in sets:
        for lib in [*read_libs, "floor"]:
            recs = [run_cell("first_call", code_dir, lib=lib, dataset=name, data_dir=str(data_dir)) for _ in range(samples)]  # fmt: skip
            records[f"first_call/{name}/{lib}"] = recs
            m = {f: _median(recs, f) for f in ("import_s", "open_s", "first_s", "second_s")}
            lines.append(f"| {name} | {lib} | " + " | ".join(_ms(v) for v in m.values()) + " |")
    lines.append("")

    log("sliding windows")
    sliding_set = "smoke" if smoke else "zstd"
    lines += [f"### Sliding window over {sliding_set} (64-plane windows, step 16)", ""]
    lines += ["| library | time | windows |", "|---|---|---|"]
    for lib in [*read_libs[:1], "simplezarr-cache", *read_libs[1:]]:
        recs = [run_cell("sliding", code_dir, lib=lib, dataset=sliding_set, data_dir=str(data_dir)) for _ in range(samples)]  # fmt: skip
        records[f"sliding/{lib}"] = recs
        n = next((r["windows"] for r in recs if "windows" in r), 0)
        lines.append(f"| {lib} | {_ms(_median(recs, 's'))} | {n} |")
    lines.append("")

    log("scaling")
    lines += ["### Scaling: whole reads (per MiB and per chunk)", ""]
    lines += ["| array | library | time | per MiB | per chunk |", "|---|---|---|---|---|"]
    for name, shape, edge in scaling_layouts(large, smoke):
        path = ensure_scaling(work, name, shape, edge)
        nbytes = shape[0] * shape[1] * shape[2] * 2
        nchunks = (shape[0] // edge) * (shape[1] // edge) * (shape[2] // edge)
        for lib in read_libs:
            recs = [run_cell("scaling", code_dir, lib=lib, path=str(path), shape=list(shape), edge=edge) for _ in range(samples)]  # fmt: skip
            records[f"scaling/{name}/{lib}"] = recs
            s = _median(recs, "s")
            per_mib = "FAIL" if s is None else f"{s / (nbytes / 2**20) * 1e3:.2f} ms"
            per_chunk = "FAIL" if s is None else f"{s / nchunks * 1e6:.1f} µs"
            lines.append(f"| {name} ({nchunks} chunks) | {lib} | {_ms(s)} | {per_mib} | {per_chunk} |")  # fmt: skip
    lines.append("")

    n_arrays = 20 if smoke else 1000
    n_chunks = 20 if smoke else 1000
    group_libs = [lib for lib in read_libs if lib in ("simplezarr", "zarr-python")]
    remote_libs = ["simplezarr-fsspec", "simplezarr-obstore"]
    if "zarr-python" in libs:
        remote_libs += ["zarr-python-fsspec", "zarr-python-obstore"]
    url, stop = serve(work, LATENCY)
    try:
        log("opening groups")
        lines += [f"### Opening a group of {n_arrays} arrays and reading every array's metadata", ""]  # fmt: skip
        lines += ["| where | consolidated | library | time |", "|---|---|---|---|"]
        for consolidated in (False, True):
            path = ensure_group(work, consolidated, n_arrays)
            for where in ("local", f"HTTP +{LATENCY * 1000:.0f} ms"):
                target = str(path) if where == "local" else f"{url}/{path.name}"
                for lib in group_libs:
                    recs = [run_cell("open_group", code_dir, lib=lib, where=target, consolidated=consolidated, n=n_arrays) for _ in range(samples)]  # fmt: skip
                    records[f"open_group/{where}/{consolidated}/{lib}"] = recs
                    lines.append(f"| {where} | {consolidated} | {lib} | {_ms(_median(recs, 's'))} |")  # fmt: skip
        lines.append("")
        log("remote reads")
        path = ensure_remote_array(work, n_chunks)
        lines += [f"### Remote: {n_chunks} chunks of 8 KiB over HTTP, {LATENCY * 1000:.0f} ms per request", ""]  # fmt: skip
        lines += ["| library and store | time |", "|---|---|"]
        for lib in remote_libs:
            recs = [run_cell("remote", code_dir, lib=lib, url=f"{url}/{path.name}", chunks=n_chunks) for _ in range(samples)]  # fmt: skip
            records[f"remote/{lib}"] = recs
            lines.append(f"| {lib} | {_ms(_median(recs, 's'))} |")
        lines.append("")
    finally:
        stop()
    return "\n".join(lines), records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=sorted(CELLS), help="run one sample (worker mode)")
    parser.add_argument("--args", default="{}", help="the cell's keywords, as JSON")
    parser.add_argument("--smoke", action="store_true", help="tiny data, 1 sample")
    parser.add_argument("--large", action="store_true", help="add the 1 GiB, 4 GiB and 262,144-chunk arrays")  # fmt: skip
    parser.add_argument("--only", default="simplezarr,zarr-python,zarrs-python,tensorstore")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    if args.cell:
        try:
            record = CELLS[args.cell](**json.loads(args.args))
        except Exception as e:  # reported as the cell's failure
            record = {"error": f"{type(e).__name__}: {e}", "verified": False}
        print(json.dumps(record), flush=True)
        return 0
    from bench import data
    from bench.peers import LIBS

    libs = [lib for lib in args.only.split(",") if lib in LIBS and LIBS[lib].available()]
    data.ensure(args.data_dir, data.SMOKE_DATASETS if args.smoke else data.FULL_DATASETS)
    text, _ = run_all(args.data_dir, libs, smoke=args.smoke, large=args.large)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
