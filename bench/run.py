"""Run the benchmark suite and write the report.

    python -m bench.run [--quick | --smoke] [--only LIBS] [--ops OPS] [--datasets NAMES]

Steps: create (or reuse) the datasets; then, for each workload (a dataset and an operation),
run ``rounds`` rounds, each round starting every library's :mod:`bench.worker` in a fresh
process, one after the other, in an order rotated by one place per round; then take, per
library, the median of every timed call of every round. The floor (:mod:`bench.floor`) runs as
one more "library" of the whole-array read and write workloads. The report is printed and
written to ``<results-dir>/<name>.md`` and ``.json``.

A library that is not installed is reported as "n/a" and never fails the run. The exit status
is 1 when a simplezarr measurement errs or fails verification, else 0.

Example:
    >>> rotate(["a", "b", "c"], 1)
    ['b', 'c', 'a']
    >>> fmt_time(0.00042), fmt_time(0.25), fmt_time(12.5)
    ('0.42 ms', '250 ms', '12.5 s')
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data, workloads
from bench.data import DATASETS, FULL_DATASETS, OPS, SMOKE_DATASETS, Dataset
from bench.peers import LIBS, ORDER, OURS, PEERS, ZARR_PEERS, source_digest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "bench" / "results"
WORKER_TIMEOUT_S = 900


@dataclass(frozen=True)
class Mode:
    """How much to measure."""

    name: str
    rounds: int
    warmup: int
    repeats: dict[str, int] | None  # per op; None: the op's default (bench.data.OPS)


MODES = {
    "full": Mode("full", rounds=3, warmup=1, repeats=None),
    "quick": Mode("quick", rounds=1, warmup=1, repeats=None),
    "smoke": Mode("smoke", rounds=1, warmup=0, repeats=dict.fromkeys(OPS, 1)),
}


@dataclass
class Workload:
    dataset: Dataset
    op: str
    libs: list[str]  # in column order; "floor" last when measured
    nbytes: int = 0
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.dataset.name}: {data.op_label(self.dataset, self.op)}"


def rotate(items: list[str], k: int) -> list[str]:
    """``items`` rotated left by ``k`` places: the round-``k`` running order."""
    k %= max(1, len(items))
    return items[k:] + items[:k]


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 0.001:
        return f"{seconds * 1e3:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_mib(nbytes: float | None) -> str:
    return "n/a" if nbytes is None else f"{nbytes / 2**20:.1f} MiB"


# -- running workers -----------------------------------------------------------------------


def snapshot(rev: str | None) -> Path:
    """Copy the code to measure into a new temporary directory, and return it.

    simplezarr's sources (the working tree as it is now, or git revision ``rev``) and this
    benchmark: workers run from the copy, so edits made to the repository during a run cannot
    mix versions into its results, and a past revision can be measured the same way.
    """
    dest = Path(tempfile.mkdtemp(prefix="simplezarr-bench-code-"))
    skip = shutil.ignore_patterns("__pycache__", "results")
    if rev:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev, "simplezarr"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        _build_native(dest)
    else:
        shutil.copytree(ROOT / "simplezarr", dest / "simplezarr", ignore=skip)
    shutil.copytree(ROOT / "bench", dest / "bench", ignore=skip)
    # Byte-compile the copy as pip does when it installs a package: the peers run from
    # site-packages with their .pyc files, and without these every worker (PYTHONDONTWRITEBYTECODE
    # set, or a read-only copy) compiled simplezarr from source, about 110 ms of each first call.
    compileall.compile_dir(dest, quiet=1, workers=1)
    return dest


def _build_native(dest: Path) -> None:
    """Compile a revision's native extension (simplezarr/_native.c) into its snapshot, as
    its install would; without it that revision is measured on its pure-Python path."""
    if not (dest / "simplezarr" / "_native.c").exists():
        return
    code = (
        "from setuptools import Extension, setup; setup(name='simplezarr-snapshot', "
        "ext_modules=[Extension('simplezarr._native', ['simplezarr/_native.c'])])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "build_ext", "--inplace"],
        cwd=dest,
        capture_output=True,
        check=False,
    )
    if done.returncode:
        print("  simplezarr._native not built: the pure-Python path is measured", flush=True)


def run_worker(
    lib: str, w: Workload, repeats: int, warmup: int, data_dir: Path, code_dir: Path
) -> dict[str, Any]:
    """Run one worker process from ``code_dir``; its JSON record (or why there is none)."""
    cmd = [
        sys.executable,
        "-m",
        "bench.worker",
        "--lib",
        lib,
        "--dataset",
        w.dataset.name,
        "--op",
        w.op,
        "--repeats",
        str(repeats),
        "--warmup",
        str(warmup),
        "--data-dir",
        str(data_dir),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_dir), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=code_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {
            "lib": lib,
            "times": [],
            "verified": False,
            "error": f"timed out after {WORKER_TIMEOUT_S} s",
        }
    record: dict[str, Any] | None = None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            try:
                record = json.loads(line)
                break
            except ValueError:
                continue
    if record is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        record = {
            "lib": lib,
            "times": [],
            "verified": False,
            "error": f"worker exited with status {proc.returncode}: {' | '.join(tail)}",
        }
    record["wall_s"] = time.perf_counter() - t0
    return record


def wait_idle(max_s: float, threshold: float = 0.10) -> float:
    """Wait (at most ``max_s``) until other processes use under ``threshold`` of the CPUs over
    a quarter second; returns the seconds waited."""
    from bench.measure import machine_busy_s

    t0 = time.perf_counter()
    cpus = os.cpu_count() or 1
    while time.perf_counter() - t0 < max_s:
        b0, w0 = machine_busy_s(), time.perf_counter()
        time.sleep(0.25)
        if (machine_busy_s() - b0) / ((time.perf_counter() - w0) * cpus) < threshold:
            break
    return time.perf_counter() - t0


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One table cell: the median over all timed calls of all rounds, and what went wrong."""
    times = [t for r in records for t in r.get("times", [])]
    peaks = [r["peak_rss"] for r in records if r.get("peak_rss") is not None]
    errors = sorted({r["error"] for r in records if r.get("error")})
    failures = [f for r in records for f in r.get("failures", [])]
    fallbacks = sorted({r["fallback"] for r in records if r.get("fallback")})
    return {
        "median": statistics.median(times) if times else None,
        "min": min(times) if times else None,
        "samples": len(times),
        "processes": len(records),
        "peak_rss": statistics.median(peaks) if peaks else None,
        "verified": bool(records) and not errors and all(r.get("verified") for r in records),
        "errors": errors,
        "failures": failures,
        "fallback": fallbacks[0] if fallbacks else None,
        "foreign_load": _foreign_load(records),
        "codec_median": _median_of(records, "codec_times"),
        "copy_median": _median_of(records, "copy_times"),
        "file_median": _median_of(records, "file_times"),
    }


def _foreign_load(records: list[dict[str, Any]]) -> float | None:
    """Share of the machine's CPUs other processes used during the timed calls (None when
    the calls were too short for the kernel's 10 ms accounting to say)."""
    timed = sum(sum(r.get("times", [])) * (r.get("cpus") or 1) for r in records)
    foreign = sum(r.get("foreign_cpu_s", 0.0) for r in records)
    return foreign / timed if timed >= 0.5 else None


def _median_of(records: list[dict[str, Any]], key: str) -> float | None:
    values = [t for r in records for t in r.get(key, [])]
    return statistics.median(values) if values else None


# -- the machine ---------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (longest mount point prefix)."""
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                mount, fstype = parts[1], parts[2]
                target = str(path.resolve())
                if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(
                    mount
                ) > len(best):
                    best, kind = mount, fstype
    except OSError:
        pass
    return kind


def _git_revision(rev: str | None = None) -> str:
    """``rev`` (default: HEAD plus whether the working tree has uncommitted changes)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", rev or "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if rev:
            return commit or "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not commit:
        return "unknown"
    return f"{commit} (working tree{' with uncommitted changes' if dirty else ''})"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _compact(value: Any) -> Any:
    """A worker record for the JSON report: floats to microseconds, bookkeeping dropped."""
    if isinstance(value, dict):
        drop = {"pid", "started", "cpus", "rss_method", "lib", "dataset", "op"}
        return {k: _compact(v) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine(data_dir: Path, revision: str) -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    env = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("SIMPLEZARR_", "ZARR_", "TENSORSTORE_", "RAYON_", "OMP_"))
    }
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "data_dir": str(data_dir),
        "filesystem": _filesystem(data_dir),
        "simplezarr_revision": revision,
        "versions": {
            d: _version(d)
            for d in [
                "simplezarr",
                "zarr",
                "zarrs",
                "tensorstore",
                "numpy",
                "numcodecs",
                "zstandard",
            ]
        },
        "environment": env,
    }


# -- the report ----------------------------------------------------------------------------

COLUMN = {
    "simplezarr": "simplezarr",
    "zarr-python+simplezarr": "zarr-python + simplezarr pipeline",
    "zarr-python": "zarr-python",
    "zarr-python-fused": "zarr-python (FusedCodecPipeline)",
    "zarrs-python": "zarrs-python",
    "tensorstore": "tensorstore",
    "tensorstore-nofsync": "tensorstore (no fsync)",
}


def _cell(cell: dict[str, Any] | None, marks: dict[str, str]) -> str:
    if cell is None:
        return "n/a"
    if cell["errors"]:
        return "error"
    if not cell["verified"]:
        return "FAIL"
    text = fmt_time(cell["median"])
    if cell["fallback"]:
        text += marks.setdefault(cell["fallback"], "\u2020" * (len(marks) + 1))
    return text


def fastest_peer(
    cells: dict[str, dict[str, Any]], among: list[str] = PEERS
) -> tuple[str, float] | None:
    ok = [
        (lib, c["median"])
        for lib, c in cells.items()
        if lib in among and c["verified"] and c["median"] is not None
    ]
    return min(ok, key=lambda x: x[1]) if ok else None


def _ratio(cells: dict[str, dict[str, Any]], lib: str, among: list[str]) -> str:
    """``lib``'s median over the fastest of ``among``'s, as a report cell."""
    cell = cells.get(lib)
    mine = cell["median"] if cell is not None and cell["verified"] else None
    peer = fastest_peer(cells, among)
    return f"{mine / peer[1]:.2f}x ({COLUMN[peer[0]]})" if mine and peer else "n/a"


def _lib_cell(w: dict[str, Any], lib: str, show: Any) -> str:
    """What a (workload, library) cell says: ``show(cell)``, or why there is no cell."""
    cell = w["cells"].get(lib)
    if cell is not None:
        return show(cell)
    return "\u2014" if LIBS[lib].writes_only and w["op"] != "write" else "n/a"


def _header(report: dict[str, Any]) -> list[str]:
    m, s = report["machine"], report["settings"]
    day = time.strftime("%Y-%m-%d", time.gmtime(report["started"]))
    lines = [
        f"# simplezarr benchmark ({report['mode']})",
        "",
        (
            f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
            f"{m['ram_gib']:.1f} GiB RAM, {m['os']}; data on {m['filesystem']} "
            f"({m['data_dir']})"
        ),
        f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        (
            f"- simplezarr revision {m['simplezarr_revision']}; the run took "
            f"{report['elapsed_s'] / 60:.1f} min on {day}"
        ),
    ]
    loads = [
        c["foreign_load"]
        for w in report["workloads"]
        for c in w["cells"].values()
        if c["foreign_load"] is not None
    ]
    if loads:
        lines.append(
            f"- Other processes' CPU use during timed calls: median "
            f"{statistics.median(loads):.0%}, max {max(loads):.0%} of the machine (load "
            f"average {report['loadavg_start']} at the start, {report['loadavg_end']} at the "
            "end); per workload in the last table."
        )
    d = report["source_digests"]
    if set(d["measured"]) - {d["snapshot"]}:
        lines.append(
            f"- **Warning: workers ran simplezarr sources {', '.join(d['measured'])}, not the "
            f"snapshot {d['snapshot']}**: rows may mix versions."
        )
    else:
        lines.append(
            f"- simplezarr measured from a snapshot of its sources taken at the start (digest "
            f"{d['snapshot']}); every worker ran it."
        )
    if m["environment"]:
        lines.append(f"- Environment: {m['environment']}")
    repeats = ", ".join(f"{op} {n}" for op, n in s["repeats"].items())
    lines += [
        (
            f"- {s['rounds']} round(s); each (library, workload) in a fresh process per round, "
            f"libraries in an order rotated each round; {s['warmup']} untimed warm-up call(s) "
            "(boxes: 1% of them; writes: the whole write), "
            f"then timed calls per process: {repeats}. Cells: median of all timed calls of all "
            "rounds."
        ),
        "",
        "## Datasets",
        "",
        "| dataset | layout | stored objects | stored | compression ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for name, info in report["datasets"].items():
        lines.append(
            f"| {name} | {DATASETS[name].describe()} | {info['files']} | "
            f"{info['stored_bytes'] / 2**20:.1f} MiB | {info['ratio']:.2f}x |"
        )
    return [*lines, ""]


def _results(report: dict[str, Any]) -> list[str]:
    marks: dict[str, str] = {}
    header = [
        "workload",
        *(COLUMN[lib] for lib in ORDER),
        "simplezarr / fastest peer",
        "pipeline / fastest zarr-python pipeline",
        "simplezarr GB/s",
        "simplezarr peak RSS",
    ]
    lines = [
        "## Results",
        "",
        "| " + " | ".join(header) + " |",
        "|---|" + "---:|" * (len(header) - 1),
    ]
    for w in report["workloads"]:
        row = [w["label"], *(_lib_cell(w, lib, lambda c: _cell(c, marks)) for lib in ORDER)]
        sz = w["cells"].get("simplezarr")
        sz_time = sz["median"] if sz is not None and sz["verified"] else None
        peer = fastest_peer(w["cells"])
        row += [
            f"{sz_time / peer[1]:.2f}x ({COLUMN[peer[0]]})" if sz_time and peer else "n/a",
            _ratio(w["cells"], "zarr-python+simplezarr", ZARR_PEERS),
            f"{w['nbytes'] / sz_time / 1e9:.3g}" if sz_time else "n/a",
            fmt_mib(sz["peak_rss"]) if sz_time else "n/a",
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        (
            "Ratio < 1: simplezarr is faster than the fastest peer, > 1: slower; the pipeline "
            "ratio compares zarr-python with simplezarr's codec pipeline against zarr-python "
            "with its own pipelines (default, fused) and with zarrs-python's. GB/s: "
            "uncompressed bytes selected (or written) / median time. Peak RSS: above the "
            "process's memory just before the call (after imports, opening and, for writes, "
            "loading the input), largest over a process's calls, median over rounds; a "
            "whole-array read must hold its result (256 MiB for 512\u00b3)."
        ),
    ]
    for text, mark in marks.items():
        lines.append(f"{mark} {text}: a zarrs-python user gets this; counted as zarrs-python.")
    return [*lines, ""]


def _floors(report: dict[str, Any]) -> list[str]:
    floors = [w for w in report["workloads"] if "floor" in w["cells"]]
    if not floors:
        return []
    lines = [
        "## Floor (same run)",
        "",
        (
            "Raw codec on every chunk already in memory, on all cores (a ThreadPoolExecutor of "
            "os.cpu_count() threads), plus one memcpy of the output (reads) or input (writes) "
            "into memory touched before (a new output array's page faults come on top: the "
            "first-call section's floor rows); "
            "for writes also the files: the stored objects (chunks, or whole shards), already "
            "encoded, written in place (open with O_TRUNC, write, close) by the same pool into "
            "a directory cleared and flushed before each call as the libraries' are. No "
            "indexing, no metadata, no atomic replacement. Ratio: simplezarr / floor."
        ),
        "",
        "| workload | codec, all chunks | memcpy | files | floor | floor GB/s | simplezarr "
        "| ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in floors:
        f = w["cells"]["floor"]
        if not f["verified"] or not f["median"]:
            lines.append(f"| {w['label']} | error | | | | | | |")
            continue
        sz = w["cells"].get("simplezarr")
        sz_time = sz["median"] if sz is not None and sz["verified"] else None
        ratio = f"{sz_time / f['median']:.2f}x" if sz_time else "n/a"
        lines.append(
            f"| {w['label']} | {fmt_time(f['codec_median'])} | {fmt_time(f['copy_median'])} "
            f"| {fmt_time(f.get('file_median')) if f.get('file_median') else ''} "
            f"| {fmt_time(f['median'])} | {w['nbytes'] / f['median'] / 1e9:.3g} "
            f"| {fmt_time(sz_time)} | {ratio} |"
        )
    return [*lines, ""]


#: The two datasets the per-chunk overhead is fitted from: same data, codec and level,
#: chunks of 64^3 (512 of them, 256 MiB) and 16^3 (4,096 of them, 32 MiB).
OVERHEAD_FIT = ("zstd", "tiny")


def fit_per_chunk(t_big: float, t_small: float, big: Any, small: Any) -> tuple[float, float]:
    """Solve ``t = per_byte * bytes + per_chunk * chunks`` for two whole-array reads.

    Returns (seconds per byte, seconds per chunk).

    Example:
        >>> from types import SimpleNamespace as NS
        >>> b, c = fit_per_chunk(1e-9 * 2**28 + 1e-5 * 512, 1e-9 * 2**25 + 1e-5 * 4096,
        ...                      NS(nbytes=2**28, nchunks=512), NS(nbytes=2**25, nchunks=4096))
        >>> round(b * 1e9, 6), round(c * 1e6, 6)
        (1.0, 10.0)
    """
    det = big.nbytes * small.nchunks - small.nbytes * big.nchunks
    per_byte = (t_big * small.nchunks - t_small * big.nchunks) / det
    per_chunk = (big.nbytes * t_small - small.nbytes * t_big) / det
    return per_byte, per_chunk


def _overhead(report: dict[str, Any]) -> list[str]:
    by_key = {(w["dataset"], w["op"]): w for w in report["workloads"]}
    pair = [by_key.get((name, "all")) for name in OVERHEAD_FIT]
    if any(w is None for w in pair):
        return []

    class _Shape:  # bytes and chunk count of one dataset's whole-array read
        def __init__(self, name: str) -> None:
            ds = DATASETS[name]
            self.nbytes = ds.nbytes
            self.nchunks = 1
            for n, c in zip(ds.shape, ds.read_chunks, strict=True):
                self.nchunks *= -(-n // c)

    big, small = _Shape(OVERHEAD_FIT[0]), _Shape(OVERHEAD_FIT[1])
    lines = [
        "## Fixed cost per chunk (fit)",
        "",
        (
            f"Whole-array reads of `{OVERHEAD_FIT[0]}` ({big.nchunks} chunks, "
            f"{big.nbytes / 2**20:.0f} MiB) and `{OVERHEAD_FIT[1]}` ({small.nchunks} chunks, "
            f"{small.nbytes / 2**20:.0f} MiB), same data and codec, fitted as time = per byte "
            "x bytes + per chunk x chunks. The floor's per-chunk cost is the codec's own."
        ),
        "",
        "| library | per chunk | above the floor's | per MiB |",
        "|---|---:|---:|---:|",
    ]
    fits = {}
    for lib in ["floor", *ORDER]:
        cells = [w["cells"].get(lib) for w in pair]
        if any(c is None or not c["verified"] or not c["median"] for c in cells):
            continue
        fits[lib] = fit_per_chunk(cells[0]["median"], cells[1]["median"], big, small)
    floor = fits.get("floor")
    for lib, (per_byte, per_chunk) in [*list(fits.items())[1:], *list(fits.items())[:1]]:
        above = f"{(per_chunk - floor[1]) * 1e6:.1f} \u00b5s" if floor and lib != "floor" else ""
        lines.append(
            f"| {COLUMN.get(lib, lib)} | {per_chunk * 1e6:.1f} \u00b5s | {above} "
            f"| {per_byte * 2**20 * 1e3:.3f} ms |"
        )
    return [*lines, ""]


def _memory_and_load(report: dict[str, Any]) -> list[str]:
    lines = [
        "## Peak RSS of every library, and other processes' CPU use",
        "",
        (
            "Other load: the largest share of the machine's CPUs that other processes used "
            "during one library's timed calls of the workload (from /proc/stat; blank when the "
            "calls were too short to tell). Rows with a high share are noisy."
        ),
        "",
        "| workload | " + " | ".join(COLUMN[lib] for lib in ORDER) + " | other load |",
        "|---|" + "---:|" * (len(ORDER) + 1),
    ]
    for w in report["workloads"]:
        row = [w["label"]]
        for lib in ORDER:
            row.append(
                _lib_cell(w, lib, lambda c: fmt_mib(c["peak_rss"]) if c["verified"] else "n/a")
            )
        loads = [c["foreign_load"] for c in w["cells"].values() if c["foreign_load"] is not None]
        row.append(f"{max(loads):.0%}" if loads else "")
        lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def _notes(report: dict[str, Any]) -> list[str]:
    lines = ["## Method notes", "", *(f"- {note}" for note in NOTES)]
    if report["missing"]:
        lines.append(f"- Not installed (columns say n/a): {', '.join(report['missing'])}.")
    if report["not_selected"]:
        lines.append(f"- Not selected with --only (n/a): {', '.join(report['not_selected'])}.")
    problems = [
        f"{w['label']} / {lib}: {'; '.join(c['errors'] + c['failures'][:3])}"
        for w in report["workloads"]
        for lib, c in w["cells"].items()
        if c["errors"] or c["failures"]
    ]
    if problems:
        lines += ["", "## Problems", "", *(f"- {p}" for p in problems)]
    return lines


def render(report: dict[str, Any]) -> str:
    """The report as markdown."""
    parts = [_header, _results, _floors, _overhead, _memory_and_load, _notes]
    return "\n".join(line for part in parts for line in part(report)) + "\n"


NOTES = [
    (
        "Reads are served from the page cache: every dataset fits in RAM and caches are not "
        "dropped (that needs root and would measure the disk, not the libraries)."
    ),
    "Each library uses its default threading and concurrency; none is given a cache.",
    (
        "Who fsyncs: tensorstore fsyncs every written file by default (file_io_sync); the "
        '"tensorstore (no fsync)" column turns it off. simplezarr (LocalStore fsync=False, '
        "its default), zarr-python and zarrs-python do not fsync (checked with strace). Before "
        "every write call, untimed: the chunk files are deleted and os.sync() runs."
    ),
    (
        "Writes go into an array whose metadata files are byte copies of the dataset's, so "
        "every library writes the same metadata; each timed write is read back and compared "
        "(simplezarr's also with zarr-python)."
    ),
    (
        "zarrs-python is zarr-python with codec_pipeline.path = zarrs.ZarrsCodecPipeline, "
        "opened strict so it cannot silently fall back to zarr-python's pipeline (a fallback "
        "is marked)."
    ),
    "Boxes: one `a[box]` call per box, in a loop, for every library; all boxes are verified.",
    (
        "Every read result is compared with the source .npy (memory-mapped) after its time and "
        "memory are taken; a failing call is dropped and its cell says FAIL."
    ),
]


# -- orchestration -------------------------------------------------------------------------


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="1 round instead of 3")
    size.add_argument(
        "--smoke", action="store_true", help="tiny datasets, every op, 1 round, 1 call: seconds"
    )
    p.add_argument("--only", help=f"comma-separated libraries, of: {', '.join(ORDER)}")
    p.add_argument("--ops", help=f"comma-separated operations, of: {', '.join(OPS)}")
    p.add_argument("--datasets", help=f"comma-separated datasets, of: {', '.join(DATASETS)}")
    p.add_argument("--rounds", type=int, help="override the mode's number of rounds")
    p.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each worker, wait up to SECONDS for the machine to be idle "
        "(other processes under 10%% of the CPUs); for shared machines",
    )
    p.add_argument(
        "--rev",
        help="measure this git revision of simplezarr (default: the "
        "working tree as it is when the run starts)",
    )
    p.add_argument("--no-floor", action="store_true", help="skip the floor measurements")
    p.add_argument(
        "--no-workloads",
        action="store_true",
        help="skip issue 14's workloads (first calls, scaling, groups, sliding, remote)",
    )
    p.add_argument(
        "--large",
        action="store_true",
        help="add the 1 GiB, 4 GiB and 262,144-chunk scaling arrays (about 10 GiB of data)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=data.default_data_dir(),
        help="where datasets live ($SIMPLEZARR_BENCH_DIR, default /tmp/simplezarr-bench)",
    )
    p.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS)
    p.add_argument(
        "--name",
        help="report file name (default: latest for a full unfiltered run, "
        "else quick, smoke or partial)",
    )
    return p.parse_args(argv)


@dataclass
class Plan:
    """What one run measures, from the command line."""

    mode: Mode
    rounds: int
    datasets: list[str]
    ops: list[str] | None
    libs: list[str]  # selected and installed
    missing: list[str]  # selected, not installed
    not_selected: list[str]
    workloads: list[Workload] = field(default_factory=list)

    def repeats(self, op: str) -> int:
        return self.mode.repeats[op] if self.mode.repeats else OPS[op].repeats


def make_plan(args: argparse.Namespace) -> Plan:
    """The plan for ``args``; raises ValueError naming an unknown dataset, op or library."""
    mode = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    names = _csv(args.datasets) or (SMOKE_DATASETS if args.smoke else FULL_DATASETS)
    ops = _csv(args.ops)
    selected = _csv(args.only) or ORDER
    for value, known, what in [
        (names, DATASETS, "dataset"),
        (ops or [], OPS, "operation"),
        (selected, LIBS, "library"),
    ]:
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown {what} {unknown}; known: {', '.join(known)}")
    missing = [lib for lib in ORDER if lib in selected and not LIBS[lib].available()]
    return Plan(
        mode=mode,
        rounds=args.rounds or mode.rounds,
        datasets=names,
        ops=ops,
        libs=[lib for lib in ORDER if lib in selected and lib not in missing],
        missing=missing,
        not_selected=[lib for lib in ORDER if lib not in selected],
    )


def add_workloads(plan: Plan, floor: bool) -> None:
    for name in plan.datasets:
        ds = DATASETS[name]
        for op in data.ops_for(ds):
            if plan.ops and op not in plan.ops:
                continue
            libs = [
                lib for lib in plan.libs if OPS[op].kind == "write" or not LIBS[lib].writes_only
            ]
            if floor and op in ("all", "write"):
                libs.append("floor")
            plan.workloads.append(Workload(ds, op, libs, data.selection_nbytes(ds, op)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        plan = make_plan(args)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    started, t_start, loadavg_start = time.time(), time.perf_counter(), _loadavg()
    revision = _git_revision(args.rev)
    code_dir = snapshot(args.rev)
    sys.path.insert(0, str(code_dir))  # the datasets are written by the snapshot too
    try:
        print(f"simplezarr {revision}, measured from a snapshot in {code_dir}", flush=True)
        print(f"datasets in {args.data_dir}", flush=True)
        infos = data.ensure(args.data_dir, plan.datasets, log=lambda s: print("  " + s))
        for name, info in infos.items():
            print(
                f"  {name}: {DATASETS[name].describe()}: "
                f"{info['stored_bytes'] / 2**20:.1f} MiB stored, compression ratio "
                f"{info['ratio']:.3f}",
                flush=True,
            )
        add_workloads(plan, floor=not args.no_floor)
        measure_all(plan, args, code_dir)
        extra_text, extra = "", {}
        if not args.no_workloads and not args.ops and not args.datasets:
            extra_text, extra = workloads.run_all(
                args.data_dir,
                plan.libs,
                smoke=plan.mode.name == "smoke",
                large=args.large,
                samples=plan.rounds,
                code_dir=code_dir,
                log=lambda s: print("  " + s, flush=True),
            )
        digest = source_digest()
    finally:
        sys.path.remove(str(code_dir))
        shutil.rmtree(code_dir, ignore_errors=True)

    measured = sorted(
        {
            r["source_digest"]
            for w in plan.workloads
            for lib in OURS
            for r in w.records.get(lib, [])
            if r.get("source_digest")
        }
    )
    all_records = [r for w in plan.workloads for recs in w.records.values() for r in recs]
    report: dict[str, Any] = {
        "mode": plan.mode.name,
        "source_digests": {"snapshot": digest, "measured": measured},
        "loadavg_start": loadavg_start,
        "loadavg_end": _loadavg(),
        "started": started,
        "elapsed_s": time.perf_counter() - t_start,
        "machine": machine(args.data_dir, revision),
        "settings": {
            "rounds": plan.rounds,
            "warmup": plan.mode.warmup,
            "wait_idle_s": args.wait_idle,
            "repeats": {op: plan.repeats(op) for op in OPS},
            "rss_method": next((r["rss_method"] for r in all_records if "rss_method" in r), None),
            "only": plan.libs + plan.missing,
            "datasets": plan.datasets,
            "ops": plan.ops,
        },
        "missing": plan.missing,
        "not_selected": plan.not_selected,
        "datasets": infos,
        "workloads": [
            {
                "dataset": w.dataset.name,
                "op": w.op,
                "label": w.label,
                "nbytes": w.nbytes,
                "cells": {lib: summarize(recs) for lib, recs in w.records.items()},
                "records": {lib: [_compact(r) for r in recs] for lib, recs in w.records.items()},
            }
            for w in plan.workloads
        ],
    }
    report["issue14_workloads"] = extra
    text = render(report) + ("\n\n" + extra_text if extra_text else "")
    print()
    print(text)
    filtered = args.only or args.ops or args.datasets or args.rounds or args.no_floor or args.rev
    name = args.name or (
        "partial"
        if filtered and plan.mode.name == "full"
        else "latest"
        if plan.mode.name == "full"
        else plan.mode.name
    )
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / f"{name}.md").write_text(text)
    (args.results_dir / f"{name}.json").write_text(json.dumps(report, indent=1, default=str))
    print(f"wrote {args.results_dir / (name + '.md')} and .json", flush=True)

    sz_bad = [
        f"{w['label']} ({lib})"
        for w in report["workloads"]
        for lib in OURS
        if lib in w["cells"] and not w["cells"][lib]["verified"]
    ]
    if sz_bad:
        print(f"simplezarr failed or erred on: {', '.join(sz_bad)}", file=sys.stderr)
        return 1
    return 0


def measure_all(plan: Plan, args: argparse.Namespace, code_dir: Path) -> None:
    """Every workload, round after round, each library in a fresh worker process."""
    print(
        f"{len(plan.workloads)} workloads x {plan.rounds} round(s); libraries: "
        f"{', '.join(plan.libs)}"
        + (f" (not installed: {', '.join(plan.missing)})" if plan.missing else ""),
        flush=True,
    )
    for k, w in enumerate(plan.workloads, 1):
        w.records = {lib: [] for lib in w.libs}
        for r in range(plan.rounds):
            for lib in rotate(w.libs, r):
                waited = wait_idle(args.wait_idle) if args.wait_idle else 0.0
                record = run_worker(
                    lib, w, plan.repeats(w.op), plan.mode.warmup, args.data_dir, code_dir
                )
                record["waited_s"] = waited
                w.records[lib].append(record)
        cells = {lib: summarize(recs) for lib, recs in w.records.items()}
        shown = "  ".join(f"{lib} {_cell(c, {})}" for lib, c in cells.items())
        spent = sum(r["wall_s"] for recs in w.records.values() for r in recs)
        print(f"[{k}/{len(plan.workloads)}] {w.label}: {shown}  ({spent:.0f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
