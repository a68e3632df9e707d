"""The lost-update figures of docs/guarantees.md: threads that open one path separately,
and 2 and 4 processes, incrementing their own elements of one chunk and of one shard, with
simplezarr's locks and without them (the locks switched off).

Run: ``.venv/bin/python bench/reliability_figures.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))


def main() -> None:
    threads = importlib.import_module("test_lost_updates")
    processes = importlib.import_module("test_process_locks")
    write = importlib.import_module("simplezarr.engine.write")
    threads.INCREMENTS = 400
    processes.INCREMENTS = 200
    for sharded in (False, True):
        what = "shard" if sharded else "chunk"
        for locks in (False, True):
            saved = write.key_locks
            if not locks:
                write.key_locks = lambda scope, keys: []
            try:
                path = tempfile.mkdtemp() + "/a.zarr"
                lost = threads.lost_updates(lambda p=path: p, sharded)
            finally:
                write.key_locks = saved
            total = threads.THREADS * threads.INCREMENTS
            print(f"{threads.THREADS} threads, one {what}, locks={locks}: lost {lost} of {total}")
    for n in (2, 4):
        for sharded in (False, True):
            what = "shard" if sharded else "chunk"
            for locks in (False, True):
                path = tempfile.mkdtemp() + "/a.zarr"
                lost = processes.lost_updates(path, n, sharded, locks)
                total = n * processes.INCREMENTS
                print(f"{n} processes, one {what}, locks={locks}: lost {lost} of {total}")


if __name__ == "__main__":
    main()
