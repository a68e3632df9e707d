"""zstd encode cost per chunk, one thread: what the write of a zstd array pays per chunk.

Three encoders on the benchmark's source cut into chunks of 16³, 32³ and 64³ (uint16: 8 KiB,
64 KiB and 512 KiB), each the minimum over ``--reps`` passes:

- ``numcodecs``: what zarr-python writes (and simplezarr, unless both packages carry the
  same libzstd): a new compression context per chunk, numcodecs' bundled libzstd;
- ``zstandard-new``: a new ``zstandard.ZstdCompressor`` per chunk (a context per chunk,
  zstandard's bundled libzstd);
- ``zstandard-reused``: one compressor for every chunk.

``zstandard-new`` against ``zstandard-reused`` is the cost of a context per chunk;
``numcodecs`` against ``zstandard-new`` is the difference between the two libzstd builds.
The report also says, per level, whether the two libraries' frames are byte-identical on
these chunks (zarr-python's bytes are numcodecs').

    python -m bench.zstd_encode                 # levels 1 and 3, 5 passes
    python -m bench.zstd_encode --levels 1 --reps 3 --n 128 --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Any

import numpy as np

from bench.data import generate

EDGES = (16, 32, 64)


def _chunks(source: np.ndarray, edge: int, limit_bytes: int) -> list[memoryview]:
    n = source.shape[0]
    out: list[memoryview] = []
    total = 0
    for i in range(0, n, edge):
        for j in range(0, n, edge):
            for k in range(0, n, edge):
                c = np.ascontiguousarray(source[i : i + edge, j : j + edge, k : k + edge])
                out.append(c.data.cast("B"))
                total += c.nbytes
                if total >= limit_bytes:
                    return out
    return out


def _best(encode: Callable[[Any], Any], chunks: Sequence[memoryview], reps: int) -> float:
    """The fastest of ``reps`` passes over ``chunks``, in microseconds per chunk."""
    best = float("inf")
    for _ in range(reps):
        t = perf_counter()
        for c in chunks:
            encode(c)
        best = min(best, perf_counter() - t)
    return best / len(chunks) * 1e6


def measure(n: int, levels: Sequence[int], reps: int, limit_bytes: int) -> dict[str, Any]:
    import numcodecs
    import zstandard
    from numcodecs import zstd as nz

    if n < max(EDGES) or n % max(EDGES):
        raise ValueError(f"--n must be a multiple of {max(EDGES)}, got {n}")
    source = generate(n)
    numcodecs_libzstd = (
        f"{nz.MAJOR_VERSION_NUMBER}.{nz.MINOR_VERSION_NUMBER}.{nz.MICRO_VERSION_NUMBER}"
    )
    rows = []
    for level in levels:
        reference = numcodecs.Zstd(level=level)
        reused = zstandard.ZstdCompressor(level=level, write_content_size=True)

        def new_each(c: memoryview, level: int = level) -> bytes:
            return zstandard.ZstdCompressor(level=level, write_content_size=True).compress(c)

        for edge in EDGES:
            chunks = _chunks(source, edge, limit_bytes)
            identical = all(bytes(reference.encode(c)) == reused.compress(c) for c in chunks)
            rows.append(
                {
                    "level": level,
                    "chunk": f"{edge}³ ({chunks[0].nbytes // 1024} KiB)",
                    "chunks": len(chunks),
                    "numcodecs_us": _best(reference.encode, chunks, reps),
                    "zstandard_new_us": _best(new_each, chunks, reps),
                    "zstandard_reused_us": _best(reused.compress, chunks, reps),
                    "identical": identical,
                }
            )
    return {
        "numcodecs": f"{numcodecs.__version__} (libzstd {numcodecs_libzstd})",
        "zstandard": f"{zstandard.__version__} (libzstd {'.'.join(map(str, zstandard.ZSTD_VERSION))})",
        "python": sys.version.split()[0],
        "rows": rows,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"numcodecs {result['numcodecs']}, zstandard {result['zstandard']}, "
        f"Python {result['python']}; µs per chunk, one thread, best pass",
        "",
        "| level | chunk | chunks | numcodecs | zstandard, new context | zstandard, reused "
        "| same bytes |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['level']} | {r['chunk']} | {r['chunks']} | {r['numcodecs_us']:.1f} "
            f"| {r['zstandard_new_us']:.1f} | {r['zstandard_reused_us']:.1f} "
            f"| {'yes' if r['identical'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="source edge (default 256)")
    parser.add_argument("--levels", default="1,3", help="comma-separated levels (default 1,3)")
    parser.add_argument("--reps", type=int, default=5, help="passes per encoder (default 5)")
    parser.add_argument("--mib", type=int, default=16, help="MiB of chunks per size (default 16)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x]
    result = measure(args.n, levels, args.reps, args.mib << 20)
    print(json.dumps(result) if args.json else report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
