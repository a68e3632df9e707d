"""Short targeted write timings for LocalStore work (issue 14, writes): not the full bench.

Each workload writes a whole array into a fresh, empty LocalStore array (made before the
timing; ``os.sync()`` runs before every call, untimed, as in ``bench.worker``) and reports
the minimum wall time and the minimum process CPU time (user + system, all threads) of
``--reps`` calls, so before/after runs in one session can be compared on a shared machine.

    python -m bench.writes_micro                      # every workload, 7 repetitions each
    python -m bench.writes_micro --workloads tiny --reps 15 --dir /dev/shm/w
    python -m bench.writes_micro --workloads c64k --syscalls   # system calls per chunk
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from bench.data import _compressors, generate


@dataclass(frozen=True)
class Workload:
    name: str
    n: int
    chunks: tuple[int, ...]
    codec: str
    shards: tuple[int, ...] | None = None
    zarr_format: int = 3

    def describe(self) -> str:
        nchunks = (self.n // (self.shards or self.chunks)[0]) ** 3
        what = "shards" if self.shards else "chunks"
        return f"{self.n}^3 u2, {nchunks} {what} of {self.chunks}, {self.codec}"


WORKLOADS = {
    w.name: w
    for w in [
        Workload("c64k", 256, (32, 32, 32), "none"),  # 512 chunks of 64 KiB
        Workload("tiny", 256, (16, 16, 16), "zstd"),  # the bench's tiny: 4,096 chunks
        Workload("tiny_raw", 256, (16, 16, 16), "none"),  # the same without the codec
        Workload("none", 512, (64, 64, 64), "none"),  # the bench's none: 512 of 512 KiB
        Workload("blosc", 512, (64, 64, 64), "blosc"),
        Workload("v2", 512, (64, 64, 64), "blosc", zarr_format=2),
        Workload("sharded", 512, (32, 32, 32), "zstd", shards=(256, 256, 256)),
        # the bench's sharded layout at 1/8 of the size: 8 shards of 64 inner chunks
        Workload("sharded_s", 256, (32, 32, 32), "zstd", shards=(128, 128, 128)),
    ]
}


def run(w: Workload, root: Path, reps: int, threads: int | None) -> dict[str, Any]:
    import simplezarr
    from simplezarr import ZarrArray
    from simplezarr.stores import LocalStore

    data = generate(w.n)
    kwargs: dict[str, Any] = {
        "shape": (w.n,) * 3,
        "dtype": "uint16",
        "chunks": w.chunks,
        "shards": w.shards,
        "compressors": _compressors(w.codec, w.zarr_format),
        "zarr_format": w.zarr_format,
        "fill_value": 0,
    }
    # A fresh array per call (made before the timing): no clearing in between, so that
    # `strace -c` of a run counts the writes' system calls only (diff two --reps counts).
    arrays = []
    for i in range(reps + 1):
        path = root / f"{w.name}-{i}.zarr"
        if path.exists():
            shutil.rmtree(path)
        arrays.append(ZarrArray.create(LocalStore(str(path)), **kwargs))
    settings = {} if threads is None else {"threads": threads}
    times, cpu = [], []
    with simplezarr.config.set(**settings):
        warm = arrays.pop()
        warm[tuple(slice(0, c) for c in (w.shards or w.chunks))] = 1  # warm-up: one chunk
        for array in arrays:
            os.sync()
            gc.collect()
            c0, t0 = os.times(), perf_counter()
            array[...] = data
            t1, c1 = perf_counter(), os.times()
            times.append(t1 - t0)
            cpu.append((c1.user + c1.system) - (c0.user + c0.system))
    array = arrays[-1]
    if not np.array_equal(array[...], data):
        raise SystemExit(f"{w.name}: the written array reads back wrong")
    return {
        "workload": w.name,
        "min_ms": 1e3 * min(times),
        "times_ms": [1e3 * t for t in times],
        "min_cpu_ms": 1e3 * min(cpu),
    }


def _strace_counts(w: Workload, root: Path, reps: int, threads: int | None) -> dict[str, int]:
    for path in root.glob(f"{w.name}-*.zarr"):
        shutil.rmtree(path)
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        cmd = ["strace", "-c", "-f", "-o", out.name, sys.executable, "-m", "bench.writes_micro"]
        cmd += ["--workloads", w.name, "--reps", str(reps), "--dir", str(root), "--keep"]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        counts = {}
        for line in out.read().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                counts[parts[-1]] = int(parts[3])
        return counts


def print_syscalls(w: Workload, root: Path, threads: int | None) -> None:
    """System calls of one whole write per stored object: the difference between the
    counts of a run with 3 calls and one with 1, halved (start-up and the rest cancel)."""
    one, three = _strace_counts(w, root, 1, threads), _strace_counts(w, root, 3, threads)
    objects = (w.n // (w.shards or w.chunks)[0]) ** 3
    diff = {k: (three.get(k, 0) - one.get(k, 0)) / 2 for k in set(one) | set(three)}
    print(f"{w.name}: {w.describe()}, threads={threads or 'default'}")
    for k, v in sorted(diff.items(), key=lambda kv: -kv[1]):
        if v >= 1:
            print(f"  {k:16s} {v / objects:6.2f} per object ({v:.0f} per write)")
    total = sum(v for v in diff.values() if v > 0)
    print(f"  {'total':16s} {total / objects:6.2f} per object")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="c64k,tiny,tiny_raw,none")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    parser.add_argument(
        "--syscalls",
        action="store_true",
        help="count system calls per written chunk instead (strace -c -f of 1 and 3 calls)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the written arrays")
    args = parser.parse_args(argv)
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="sz-writes-"))
    root.mkdir(parents=True, exist_ok=True)
    for name in args.workloads.split(","):
        w = WORKLOADS[name]
        if args.syscalls:
            print_syscalls(w, root, args.threads)
            continue
        result = run(w, root, args.reps, args.threads)
        if args.json:
            print(json.dumps(result))
        else:
            spread = ", ".join(f"{t:.1f}" for t in sorted(result["times_ms"]))
            print(
                f"{w.name:9s} {w.describe():45s} min {result['min_ms']:7.1f} ms, cpu "
                f"{result['min_cpu_ms']:7.1f} ms  ({spread})"
            )
        sys.stdout.flush()
    if not args.keep:
        for name in args.workloads.split(","):
            for path in root.glob(f"{name}-*.zarr"):
                shutil.rmtree(path, ignore_errors=True)
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
