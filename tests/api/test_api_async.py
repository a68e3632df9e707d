"""simplezarr.api.asynchronous: every function agrees with its synchronous twin, returns
thin async wrappers, and never blocks the event loop."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any

import numpy as np
import pytest

import simplezarr
import simplezarr.api.asynchronous as zasync
from simplezarr.api import synchronous
from simplezarr.stores import MemoryStore, SlowStore
from tests.api.conftest import metadata_docs

NAMES = sorted(synchronous.__all__)


def test_every_function_has_an_async_twin_with_the_same_signature() -> None:
    for name in NAMES:
        if name == "DEFAULT_FILL_VALUE":
            continue
        twin = getattr(zasync, name)
        assert inspect.iscoroutinefunction(twin) or inspect.isasyncgenfunction(twin), name
        if name != "create_hierarchy":
            assert inspect.signature(twin) == inspect.signature(getattr(synchronous, name))


CALLS: list[tuple[str, Any]] = [
    (
        "create_array",
        lambda m, s: m.create_array(
            s, name="a", shape=(10,), dtype="i2", chunks=(3,), attributes={"x": 1}
        ),
    ),
    ("create", lambda m, s: m.create((5, 5), chunks=2, store=s, zarr_format=2)),
    ("zeros", lambda m, s: m.zeros((4,), store=s, path="z")),
    ("full", lambda m, s: m.full((4,), 2.5, store=s)),
    ("array", lambda m, s: m.array(np.arange(6), store=s)),
    ("group", lambda m, s: m.group(s, attributes={"g": 1})),
    ("create_group", lambda m, s: m.create_group(s, path="x/y")),
    ("save", lambda m, s: m.save(s, a=np.arange(3), b=np.zeros(2))),
    ("from_array", lambda m, s: m.from_array(s, data=np.eye(2))),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_async_agrees_with_sync(name: str, call: Any) -> None:
    sync_store: dict[str, Any] = {}
    async_store: dict[str, Any] = {}
    s = call(synchronous, sync_store)
    a = asyncio.run(call(zasync, async_store))
    assert metadata_docs(async_store) == metadata_docs(sync_store)
    assert async_store.keys() == sync_store.keys()
    if s is None:
        assert a is None
    else:
        assert type(a).__name__ == "Async" + type(s).__name__.removeprefix("Zarr")
        assert a.path == s.path and a.attrs == dict(s.attrs)


def test_async_array_and_group_methods() -> None:
    async def main() -> None:
        store: dict[str, Any] = {}
        g = await zasync.group(store)
        a = await g.create_array("x", shape=(6,), dtype="i4", chunks=(2,))
        await a.setitem(slice(None), np.arange(6))
        assert (await a.getitem(slice(2, 4))).tolist() == [2, 3]
        await a.resize((8,))
        assert a.shape == (8,)
        assert await a.append(np.ones(2, "i4")) == (10,)
        assert await a.nchunks_initialized() == 4
        assert await a.nbytes_stored() > 0
        await a.update_attributes({"u": 1})
        assert a.attrs == {"u": 1}
        sub = await g.require_group("sub")
        await sub.create_group("deep")
        assert [k async for k in g.keys()] == ["sub", "x"]  # noqa: SIM118 (AsyncGroup.keys)
        assert [k async for k, _ in g.members(max_depth=None)] == ["sub", "sub/deep", "x"]
        assert [k async for k in g.array_keys()] == ["x"]
        assert await g.contains("sub/deep") and not await g.contains("nope")
        node = await g.getitem("x")
        assert (await node.getitem(...)).tolist()[:2] == [0, 1]
        assert await g.get("nope", 5) == 5
        await g.delitem("sub")
        assert await g.nmembers() == 1
        z = await g.zeros(name="zz", shape=(3,))
        assert (await z.getitem(...)).tolist() == [0, 0, 0]
        assert "zz" in str(await g.tree())
        loaded = await zasync.load(store, path="x")
        assert loaded[:6].tolist() == list(range(6))
        out = [
            k
            async for k, _ in zasync.create_hierarchy(
                store=store, nodes={"h/i": {"zarr_format": 3, "node_type": "group"}}
            )
        ]
        assert out == ["h", "h/i"]
        assert await zasync.copy_all(g, await zasync.group({})) == (4, 0, 64)  # x zz h h/i

    asyncio.run(main())


def test_the_event_loop_keeps_running_during_slow_io() -> None:
    """A read through a slow store runs in a worker thread while the loop serves others."""
    base = MemoryStore()
    a = simplezarr.create_array(base, shape=(8,), dtype="u1", chunks=(1,))
    a[:] = 1
    slow = SlowStore(base, base_delay=0.05)  # every store call waits 50 ms

    async def main() -> tuple[int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        task = asyncio.create_task(ticker())
        start = time.perf_counter()
        arr = await zasync.open_array(slow, mode="r")
        assert (await arr.getitem(...)).sum() == 8
        elapsed = time.perf_counter() - start
        task.cancel()
        return ticks, elapsed

    ticks, elapsed = asyncio.run(main())
    assert elapsed > 0.05
    assert ticks >= elapsed / 0.005 / 4  # the ticker ran all along
