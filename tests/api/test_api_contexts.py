"""The synchronous API needs no event loop: it works inside a running loop (as in Jupyter)
and in forked worker processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from pathlib import Path

import numpy as np
import pytest

import simplezarr


def test_sync_api_inside_a_running_event_loop(tmp_path: Path) -> None:
    async def main() -> list[int]:
        a = simplezarr.create_array(str(tmp_path), name="x", shape=(6,), dtype="i4", chunks=(2,))
        a[:] = np.arange(6)
        simplezarr.consolidate_metadata(str(tmp_path))
        g = simplezarr.open_consolidated(str(tmp_path), mode="r")
        await asyncio.sleep(0)
        return g["x"][1:4].tolist()  # type: ignore[no-any-return]

    assert asyncio.run(main()) == [1, 2, 3]


def _child(path: str, queue: multiprocessing.Queue[object]) -> None:
    try:
        a = simplezarr.open_array(path, path="x", mode="r+")
        a[4:] = [40, 41]
        queue.put(simplezarr.load(path, path="x").tolist())
    except BaseException as e:
        queue.put(repr(e))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_sync_api_in_forked_processes(tmp_path: Path) -> None:
    a = simplezarr.create_array(str(tmp_path), name="x", shape=(6,), dtype="i4", chunks=(2,))
    a[:] = np.arange(6)  # the parent's pools are started before forking
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(str(tmp_path), queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == [[0, 1, 2, 3, 40, 41]] * 2
    assert simplezarr.load(str(tmp_path), path="x").tolist() == [0, 1, 2, 3, 40, 41]


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_async_api_in_a_forked_process(tmp_path: Path) -> None:
    import simplezarr.api.asynchronous as zasync

    asyncio.run(zasync.save_array(str(tmp_path), np.arange(3)))  # starts the async executor
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        queue.put(asyncio.run(zasync.load(str(tmp_path))).tolist())

    p = ctx.Process(target=child)
    p.start()
    assert queue.get(timeout=60) == [0, 1, 2]
    p.join(timeout=60)
