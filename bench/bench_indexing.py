"""Advanced indexing benchmark: random point reads and orthogonal reads.

Reads from the suite's ``zstd`` dataset (512³ uint16 in 64³ chunks, zstd level 1; created
once in the data directory, see ``bench/data.py``) with every installed library:

- ``points``: 10,000 random coordinates (seeded), ``a.vindex[z, y, x]`` (tensorstore:
  ``vindex`` too);
- ``orthogonal``: 100 random unsorted indices per axis, ``a.oindex[z, y, x]``
  (1,000,000 elements from every chunk);
- ``orthogonal-plane``: 200 random rows and 200 random columns of one plane,
  ``a.oindex[256, rows, cols]``.

Each library runs in this process, one after the other, with its defaults; each operation
is called once untimed, then ``--repeats`` times; the table shows the median seconds. Every
result is checked against numpy on the source array. This is a small script, not the
suite: no fresh process per cell, no idle-machine checks.

Usage:
    .venv/bin/python -m bench.bench_indexing            # full size (needs the 256 MiB source)
    .venv/bin/python -m bench.bench_indexing --smoke    # 64³ array, seconds

Example:
    >>> sorted(OPERATIONS)
    ['orthogonal', 'orthogonal-plane', 'points']
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import DATASETS, default_data_dir, ensure
from bench.peers import LIBS

SEED = 11
LIBRARIES = ("simplezarr", "zarr-python", "tensorstore")


def selections(n: int, smoke: bool) -> dict[str, tuple[str, tuple[np.ndarray | int, ...]]]:
    """Per operation: the indexing mode (``vindex`` or ``oindex``) and the selection."""
    rng = np.random.default_rng(SEED)
    points = 1_000 if smoke else 10_000
    per_axis = 16 if smoke else 100
    plane = 32 if smoke else 200
    return {
        "points": ("vindex", tuple(rng.integers(0, n, points) for _ in range(3))),
        "orthogonal": ("oindex", tuple(rng.permutation(n)[:per_axis] for _ in range(3))),
        "orthogonal-plane": (
            "oindex",
            (n // 2, rng.permutation(n)[:plane], rng.permutation(n)[:plane]),
        ),
    }


OPERATIONS = ("points", "orthogonal", "orthogonal-plane")


def expected(source: np.ndarray, mode: str, sel: tuple[Any, ...]) -> np.ndarray:
    if mode == "vindex":
        return source[sel]
    index = [np.array([s]) if isinstance(s, int) else s for s in sel]
    out = source[np.ix_(*index)]
    kept = (n for s, n in zip(sel, out.shape, strict=True) if not isinstance(s, int))
    return out.reshape(tuple(kept))


def reader(lib: str, handle: Any, mode: str) -> Callable[[tuple[Any, ...]], np.ndarray]:
    """How ``lib`` reads a vectorized or orthogonal selection."""
    if lib == "tensorstore":
        return lambda sel: getattr(handle, mode)[sel].read().result()
    return lambda sel: np.asarray(getattr(handle, mode)[sel])


def measure(fn: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    result = fn()  # warm-up, untimed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(
    data_dir: Path, smoke: bool, repeats: int, only: list[str]
) -> tuple[str, dict[str, dict[str, str]]]:
    """Measure, verify, and return the markdown table and its cells (operation -> library)."""
    name = "smoke" if smoke else "zstd"
    ds = DATASETS[name]
    ensure(data_dir, [name], log=lambda msg: print(msg, file=sys.stderr))
    source = np.load(ds.source_path(data_dir), mmap_mode="r")
    sels = selections(ds.n, smoke)
    rows: dict[str, dict[str, str]] = {op: {} for op in OPERATIONS}
    libs = [lib for lib in LIBRARIES if lib in only]
    for lib in libs:
        adapter = LIBS[lib]
        if not adapter.available():
            for op in OPERATIONS:
                rows[op][lib] = "n/a"
            continue
        handle = adapter.open_read(ds.path(data_dir), ds.zarr_format)
        for op in OPERATIONS:
            mode, sel = sels[op]
            read = reader(lib, handle, mode)
            try:
                seconds, got = measure(lambda: read(sel), repeats)  # noqa: B023 - called now
            except Exception as e:
                rows[op][lib] = f"FAIL ({type(e).__name__})"
                continue
            ok = np.array_equal(np.asarray(got), expected(source, mode, sel))
            rows[op][lib] = f"{seconds:.3f}" if ok else "WRONG"
    lines = [
        f"Advanced indexing, {ds.describe()} (median seconds of {repeats}, lower is better)",
        "",
        "| operation | " + " | ".join(libs) + " |",
        "|---|" + "---:|" * len(libs),
    ]
    labels = {
        "points": f"{len(sels['points'][1][0]):,} random points (vindex)",
        "orthogonal": f"{len(sels['orthogonal'][1][0])}³ orthogonal (oindex)",
        "orthogonal-plane": "plane, {0} × {0} orthogonal (oindex)".format(
            len(sels["orthogonal-plane"][1][1])
        ),
    }
    for op in OPERATIONS:
        lines.append(f"| {labels[op]} | " + " | ".join(rows[op][lib] for lib in libs) + " |")
    return "\n".join(lines), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a 64³ array, one repeat")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (default 5)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--only", default=",".join(LIBRARIES), help="comma-separated libraries")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 5)
    data_dir = args.data_dir or default_data_dir()
    table, rows = run(data_dir, args.smoke, repeats, args.only.split(","))
    print(table)
    cells = [
        c for row in rows.values() for lib, c in row.items() if lib == "simplezarr" or c == "WRONG"
    ]
    return 1 if any(c.startswith(("WRONG", "FAIL")) for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
