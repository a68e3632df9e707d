"""One measurement, in a fresh process; prints one JSON line.

    python -m bench.worker --lib simplezarr --dataset zstd --op all --repeats 3

The worker imports only the library it measures and opens the array (not timed). It makes one
untimed warm-up call (for the 1,000 boxes: the first 1% of them; a write: the whole write,
see :func:`measure`), then times ``--repeats`` calls. Around each call it records the peak resident memory above the memory in use just
before the call; for the first call that is the baseline after imports and opening (and, for
writes, the input array). The reported peak is the largest over the process's verified calls.

Each call's result is verified *after* its time and peak are taken, so the verification source
(memory-mapped, unmapped again afterwards) never counts: a read against the same region of the
source ``.npy`` (all of the boxes); a timed write by reading the written array back with the
writing library, and for simplezarr's last write also with zarr-python when installed. A call that
fails verification is discarded and the run is marked unverified.

Writes go into a fresh array whose metadata files are copies of the dataset's; before each
call ``os.sync()`` flushes the disk, the chunk files are deleted and ``os.sync()`` runs again
(all untimed).

``--lib floor`` measures :mod:`bench.floor` instead (``--op all``: decode, ``write``: encode).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from bench import floor
from bench.data import (
    DATASETS,
    OPS,
    clear_chunks,
    default_data_dir,
    selections,
    write_target,
)
from bench.measure import PeakRss, machine_busy_s, self_cpu_s
from bench.peers import LIBS, OURS, source_digest


def _compare(got: Any, want: np.ndarray, what: str) -> str | None:
    got = np.asarray(got)
    if got.dtype != want.dtype or got.shape != want.shape:
        return f"{what}: got {got.dtype}{got.shape}, expected {want.dtype}{want.shape}"
    if not np.array_equal(got, want):
        bad = int(np.count_nonzero(got != want))
        return f"{what}: {bad} of {want.size} elements differ"
    return None


def verify_reads(results: list[Any], sels: list[Any], source_path: Path) -> str | None:
    """Compare every result with the same region of the source; None when all match."""
    source = np.load(source_path, mmap_mode="r")  # unmapped on return: out of later baselines
    for k, (got, sel) in enumerate(zip(results, sels, strict=True)):
        problem = _compare(got, source[sel], f"selection {k} {sel}")
        if problem:
            return problem
    return None


def verify_write(
    lib: str, target: Path, zarr_format: int, data: np.ndarray, cross_check: bool
) -> str | None:
    """Read the written array back (fresh handle, no cache) and compare with the input.

    With ``cross_check``, simplezarr's output is also read with zarr-python (when installed):
    its files must be readable by others, not only by itself.
    """
    readers = [lib.replace("-nofsync", "")]
    if cross_check and lib == "simplezarr" and LIBS["zarr-python"].available():
        readers.append("zarr-python")
    for reader in readers:
        adapter = LIBS[reader]
        got = adapter.read(adapter.open_read(target, zarr_format), (slice(None),) * 3)
        problem = _compare(got, data, f"written array read back with {reader}")
        if problem:
            return problem
    return None


def measure(
    lib: str, dataset: str, op: str, repeats: int, warmup: int, data_dir: Path
) -> dict[str, Any]:
    """Open, warm up, then time ``repeats`` calls of ``op``; see the module docstring."""
    ds = DATASETS[dataset]
    if lib == "floor":
        return floor.measure(ds, op, repeats, warmup, data_dir)
    adapter = LIBS[lib]
    sels = selections(ds, op)
    writing = OPS[op].kind == "write"
    # Warming up on 1% of the work primes the same paths at 1% of the cost: a few of many
    # small selections. A write warms up with the whole write: on a VM that hands memory
    # back to its host (free page reporting), page cache the guest has not used for a few
    # seconds costs ~1-2 ms per MiB on first touch, for every library alike; the timed
    # write reuses the pages the warm-up's files held, so it measures the library.
    warm_sels = sels if writing else sels[: max(1, len(sels) // 100)]
    t0 = perf_counter()
    if writing:
        target = write_target(ds, data_dir, lib)
        data = np.load(ds.source_path(data_dir))  # in memory, part of the baseline
        handle = adapter.open_write(target, ds.zarr_format)
    else:
        handle = adapter.open_read(ds.path(data_dir), ds.zarr_format)
    open_s = perf_counter() - t0
    rss = PeakRss()
    times: list[float] = []
    peaks: list[int] = []
    warmup_times: list[float] = []
    failures: list[str] = []
    baselines: list[int] = []
    foreign_s = 0.0  # CPU time other processes used during the timed calls
    plan = ["warm-up"] * warmup + ["timed"] * repeats
    try:
        i = 0
        while i < len(plan):
            timed = plan[i] == "timed"
            call_sels = sels if timed else warm_sels
            if writing:
                # Earlier writes' dirty pages are flushed now, not during the call; then
                # their files go, and the deletions are flushed too (quick: metadata only).
                os.sync()
                clear_chunks(target)
                os.sync()
            gc.collect()
            fallback_before = adapter.fallback
            baselines.append(rss.start())
            busy0, self0 = machine_busy_s(), self_cpu_s()
            t0 = perf_counter()
            if writing:
                for sel in call_sels:
                    adapter.write(handle, sel, data[sel])
                results: list[Any] = []
            else:
                results = [adapter.read(handle, s) for s in call_sels]
            elapsed = perf_counter() - t0
            foreign = (machine_busy_s() - busy0) - (self_cpu_s() - self0)
            peak = rss.stop()
            if writing:
                # A warm-up write is not verified: the files it leaves are deleted unread.
                last = i == len(plan) - 1
                problem = (
                    verify_write(lib, target, ds.zarr_format, data, cross_check=last)
                    if timed
                    else None
                )
            else:
                problem = verify_reads(results, call_sels, ds.source_path(data_dir))
            del results
            if adapter.fallback != fallback_before:
                plan.insert(i + 1, plan[i])  # this call switched paths midway: run it again
            elif problem:
                failures.append(f"{plan[i]} call: {problem}")
            elif timed:
                times.append(elapsed)
                peaks.append(peak)
                foreign_s += foreign
            else:
                warmup_times.append(elapsed)
                peaks.append(peak)
            i += 1
    finally:
        if writing:
            shutil.rmtree(target, ignore_errors=True)
    return {
        "times": times,
        # The largest peak of any verified call, warm-up included: a first call's one-time
        # allocations (pools, buffers) are memory the operation needs.
        "peak_rss": max(peaks) if peaks else None,
        "peak_rss_calls": peaks,
        "baseline_rss": baselines[0] if baselines else None,
        "warmup_times": warmup_times,
        "open_s": open_s,
        "foreign_cpu_s": max(0.0, foreign_s),
        "cpus": os.cpu_count(),
        "rss_method": rss.method,
        "fallback": adapter.fallback,
        "verified": not failures,
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", required=True, choices=[*LIBS, "floor"])
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    parser.add_argument("--op", required=True, choices=sorted(OPS))
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (default: per op)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls first (default 1)")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else OPS[args.op].repeats
    record: dict[str, Any] = {
        "lib": args.lib,
        "dataset": args.dataset,
        "op": args.op,
        "pid": os.getpid(),
        "started": time.time(),
    }
    if args.lib in OURS:
        record["source_digest"] = source_digest()  # the code about to be imported
    try:
        record.update(measure(args.lib, args.dataset, args.op, repeats, args.warmup, args.data_dir))
        status = 0
    except Exception as e:
        record.update(
            verified=False,
            times=[],
            error=f"{type(e).__name__}: {e}",
            traceback=traceback.format_exc(limit=8),
        )
        status = 1
    sys.stdout.flush()
    print(json.dumps(record), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
