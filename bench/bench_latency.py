"""How much concurrency buys when every request has latency: reading an array over HTTP.

A threaded HTTP server on 127.0.0.1 serves an array written with LocalStore and waits
``--latency`` seconds (20 ms by default) before answering each request, like a remote object
store. The array is read whole through FsspecStore (fsspec's HTTP file system, requests
as coroutines) and ObjectStore (obstore, requests on the I/O thread pool), with
``config.io_concurrency`` = 1, the default, and higher. Every read is checked against the
data. Prints a markdown table: seconds per read and the speed-up over concurrency 1.

Run from the repository root::

    .venv/bin/python bench/bench_latency.py            # 1,000 chunks, ~1 minute
    .venv/bin/python bench/bench_latency.py --smoke    # 100 chunks, a few seconds
"""

from __future__ import annotations

import argparse
import functools
import http.server
import importlib.util
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simplezarr.config import config
from simplezarr.nodes import ZarrArray, open_zarr
from simplezarr.stores import FsspecStore, LocalStore, ObjectStore


class _Handler(http.server.SimpleHTTPRequestHandler):
    latency = 0.0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.latency)
        super().do_GET()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


def serve(directory: Path, latency: float) -> tuple[str, Callable[[], None]]:
    """Serve ``directory`` on a free port, ``latency`` seconds per request."""
    handler = type("Handler", (_Handler,), {"latency": latency})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


def time_read(store: Any, expected: np.ndarray, repeats: int) -> float:
    """Best of ``repeats`` whole-array reads, checked against ``expected``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        values = open_zarr(store, "a")[...]
        best = min(best, time.perf_counter() - start)
        if not np.array_equal(values, expected):
            raise SystemExit(f"wrong data read through {store!r}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="100 chunks, 1 read each")
    parser.add_argument("--chunks", type=int, default=None, help="number of chunks")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    args = parser.parse_args()
    n_chunks = args.chunks or (100 if args.smoke else 1000)
    repeats = 1 if args.smoke else 3
    levels = [1, config.io_concurrency, 4 * config.io_concurrency]

    with tempfile.TemporaryDirectory(prefix="simplezarr-bench-latency-") as tmp:
        data = np.arange(n_chunks * 1024, dtype="<f8")
        ZarrArray.create(
            LocalStore(Path(tmp) / "data.zarr"), "a", shape=data.shape, dtype="f8", chunks=(1024,)
        )[...] = data  # 8 KiB chunks, zstd
        url, stop = serve(Path(tmp), args.latency)
        try:
            stores: dict[str, Callable[[], Any]] = {
                "FsspecStore (fsspec HTTP)": lambda: FsspecStore.from_url(url + "/data.zarr")
            }
            if importlib.util.find_spec("obstore") is not None:
                stores["ObjectStore (obstore HTTP)"] = lambda: ObjectStore.from_url(
                    url + "/data.zarr", {"client_options": {"allow_http": True}}, read_only=True
                )
            rows = []
            for name, make in stores.items():
                times = {}
                for level in levels:
                    with config.set(io_concurrency=level):
                        times[level] = time_read(make(), data, 1 if level == 1 else repeats)
                rows.append((name, times))
        finally:
            stop()

    serial = n_chunks * args.latency
    print(
        f"\nReading {n_chunks} chunks ({n_chunks * 8} KiB) over HTTP, "
        f"{args.latency * 1000:.0f} ms per request (serial lower bound {serial:.1f} s); "
        f"config.threads = {config.threads}\n"
    )
    header = " | ".join(f"io_concurrency={lv}" for lv in levels)
    print(f"| store | {header} |")
    print("|---|" + "---|" * len(levels))
    for name, times in rows:
        cells = " | ".join(
            f"{times[lv]:.2f} s (x{times[levels[0]] / times[lv]:.1f})" for lv in levels
        )
        print(f"| {name} | {cells} |")
    print(f"\n(io_concurrency={levels[1]} is the default; x = speed-up over io_concurrency=1)")


if __name__ == "__main__":
    main()
