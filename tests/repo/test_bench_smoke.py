"""The benchmark suite runs end to end in smoke mode and verifies what it measures.

No timing assertions: only that the run completes, every read is verified, and a table comes
out. simplezarr, zarr-python (a test dependency) and zarr-python with simplezarr's pipeline only,
so it needs no benchmark extra.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

# The bench package lives at the repository root, which pytest puts on sys.path
# (pythonpath = ["."] in pyproject.toml).
from bench import worker
from bench.data import OPS
from bench.measure import PeakRss

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_run_completes_verified_with_a_table(tmp_path: Path) -> None:
    results = tmp_path / "results"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--smoke",
            "--only",
            "simplezarr,zarr-python,zarr-python+simplezarr",
            "--data-dir",
            str(tmp_path / "data"),
            "--results-dir",
            str(results),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    report = json.loads((results / "smoke.json").read_text())
    extra = report["issue14_workloads"]  # first calls, sliding, scaling, groups, remote
    assert {k.split("/")[0] for k in extra} == {
        "first_call",
        "sliding",
        "scaling",
        "open_group",
        "remote",
    }
    have_fsspec = importlib.util.find_spec("fsspec") is not None
    for key, records in extra.items():
        if key.startswith(("remote", "open_group/HTTP")) and not have_fsspec:
            continue  # the remote cells need fsspec (not in the minimum-versions environment)
        if "simplezarr" in key:
            assert records and all(r.get("verified") is not False for r in records), (key, records)
    assert {w["op"] for w in report["workloads"]} == set(OPS)
    have_zarr = importlib.util.find_spec("zarr") is not None
    for w in report["workloads"]:
        cells = w["cells"]
        assert cells["simplezarr"]["verified"], (w["label"], cells["simplezarr"])
        assert cells["simplezarr"]["samples"] >= 1
        if have_zarr:
            for lib in ("zarr-python", "zarr-python+simplezarr"):
                assert cells[lib]["verified"], (w["label"], lib, cells[lib])
        assert "zarrs-python" not in cells and "tensorstore" not in cells
        if w["op"] in ("all", "write"):
            assert cells["floor"]["verified"], (w["label"], cells["floor"])

    table = (results / "smoke.md").read_text()
    header = next(line for line in table.splitlines() if line.startswith("| workload | simplezarr"))
    assert "zarrs-python" in header and "tensorstore" in header
    rows = [
        line
        for line in table.split("## Results")[1].split("##")[0].splitlines()
        if line.startswith("| smoke")
    ]
    assert len(rows) == len(report["workloads"])
    for row in rows:
        cols = [c.strip() for c in row.strip("|").split("|")]
        # Column order: simplezarr, the pipeline, zarr-python, fused, zarrs-python, ...
        assert cols[4] == "n/a" and cols[5] == "n/a"  # peers not run (or not there) say n/a
        assert cols[1].endswith("ms") or cols[1].endswith(" s")  # simplezarr has a time


def test_verification_catches_a_wrong_read(tmp_path: Path) -> None:
    source = np.arange(4 * 4 * 4, dtype="uint16").reshape(4, 4, 4)
    path = tmp_path / "source.npy"
    np.save(path, source)
    sels = [(1, slice(None), slice(None)), (slice(0, 2), slice(0, 2), slice(0, 2))]
    good = [source[s].copy() for s in sels]
    assert worker.verify_reads(good, sels, path) is None
    bad = [good[0], good[1] + 1]
    assert "8 of 8 elements differ" in worker.verify_reads(bad, sels, path)
    assert "expected" in worker.verify_reads([good[0][None], good[1]], sels, path)


def test_peak_rss_sees_an_allocation() -> None:
    rss = PeakRss()
    rss.start()
    block = np.ones(64 * 2**20, dtype=np.uint8)  # touched: resident
    peak = rss.stop()
    del block
    assert peak >= 60 * 2**20


def test_zstd_encode_bench_reports_every_size_and_level() -> None:
    from bench import zstd_encode

    result = zstd_encode.measure(n=64, levels=[1, 3], reps=1, limit_bytes=1 << 16)
    rows = result["rows"]
    assert [(r["level"], r["chunk"].split("³")[0]) for r in rows] == [
        (level, str(edge)) for level in (1, 3) for edge in zstd_encode.EDGES
    ]
    for r in rows:
        assert r["chunks"] >= 1
        assert min(r["numcodecs_us"], r["zstandard_new_us"], r["zstandard_reused_us"]) > 0
    table = zstd_encode.report(result)
    assert table.count("\n| ") == len(rows) + 1  # the header and one line per row
