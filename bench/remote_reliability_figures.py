"""The object-store and SIGKILL figures of docs/guarantees.md: unlocked partial writers on
moto S3 with and without conditional writes, readers racing a shard rewriter with and
without a pinned ETag, the cost of the stale-metadata check, and the SIGKILL torture.

Run: ``.venv/bin/python bench/remote_reliability_figures.py`` (a few minutes on 2 cores;
starts its own moto server).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _lost_updates(s3: Any) -> None:
    from tests.reliability import test_remote_lost_updates as lu

    for client, make in lu.MAKERS.items():
        for sharded in (False, True):
            runs: dict[bool | None, list[int]] = {}
            for conditional in (None, False):
                runs[conditional] = []
                for _ in range(2):
                    prefix = s3.new_prefix()
                    runs[conditional].append(
                        lu.lost_updates(
                            lambda m=make, p=prefix, c=conditional: m(s3, p, c), sharded
                        )
                    )
            what = "shard" if sharded else "chunk"
            total = lu.WORKERS * lu.INCREMENTS
            print(f"lost of {total}: {client} {what}: off {runs[False]}, on {runs[None]}")


def _races(s3: Any) -> None:
    from tests.reliability import test_remote_shard_reads as sr

    for client, make in sr.MAKERS.items():
        prefix = s3.new_prefix()
        pinned = sr.race(lambda m=make, p=prefix: m(s3, p))
        cls = type(make(s3, prefix))
        saved = cls.pins_versions
        cls.pins_versions = property(lambda self: False)  # type: ignore[assignment]
        try:
            prefix = s3.new_prefix()
            unpinned = sr.race(lambda m=make, p=prefix: m(s3, p))
        finally:
            cls.pins_versions = saved  # type: ignore[method-assign]
        print(f"(wrong, reads) {client}: pinned {pinned}, unpinned {unpinned}")


def _stale_check_cost(s3: Any) -> None:
    import simplezarr as sz
    from simplezarr.config import config
    from tests.reliability import test_remote_shard_reads as sr

    stores: dict[str, Any] = {
        "local": tempfile.mkdtemp() + "/a.zarr",
        "memory": sz.storage.MemoryStore(),
        **{c: sr.MAKERS[c](s3, s3.new_prefix()) for c in sr.MAKERS},
    }
    for name, store in stores.items():
        a = sz.create_array(store, shape=(1000,), chunks=(10,), dtype="i4")
        n = 1000 if name in ("local", "memory") else 50
        best: dict[bool, float] = {}
        for on in (True, False) * 3:
            with config.set(check_metadata_on_write=on):
                t = time.perf_counter()
                for i in range(n):
                    a[i] = i
                per = (time.perf_counter() - t) / n * 1e6
            best[on] = min(best.get(on, per), per)
        print(f"a[i] = x, us per call, {name}: check on {best[True]:.0f}, off {best[False]:.0f}")


def _torture() -> None:
    from tests.reliability.test_sigkill_torture import torn_after_kills

    for sharded in (False, True):
        counts = torn_after_kills(Path(tempfile.mkdtemp()), 150, sharded)
        print("SIGKILL", "shards" if sharded else "chunks", counts)
    print("SIGKILL control", torn_after_kills(Path(tempfile.mkdtemp()), 12, False, True))


def main() -> None:
    from tests.stores.store_servers import moto_server

    s3 = moto_server()
    try:
        _lost_updates(s3)
        _races(s3)
        _stale_check_cost(s3)
    finally:
        s3.stop()
    _torture()


if __name__ == "__main__":
    main()
