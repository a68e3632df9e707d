"""zarr-python's asynchronous store interface (``zarr.abc.store.Store``), run against
zarr-python's stores and simplezarr's alike; and the rule that tells a zarr-python call from
a simplezarr one on the same method names."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import simplezarr
from tests.dropin.conftest import both

zarr = pytest.importorskip("zarr")
from zarr.abc.store import (  # noqa: E402
    OffsetByteRequest,
    RangeByteRequest,
    Store,
    SuffixByteRequest,
)
from zarr.core.buffer import default_buffer_prototype  # noqa: E402

PROTO = default_buffer_prototype()


def buf(data: bytes) -> Any:
    return PROTO.buffer.from_bytes(data)


async def araised(awaitable: Any) -> type[BaseException] | None:
    """The type of the exception awaiting ``awaitable`` raises, or None."""
    try:
        await awaitable
    except Exception as e:
        return type(e)
    return None


def _stores(lib: ModuleType, tmp: Path) -> dict[str, Any]:
    return {
        "memory": lambda: lib.storage.MemoryStore(),
        "local": lambda: lib.storage.LocalStore(str(tmp / lib.__name__)),
    }


async def _session(store: Any) -> dict[str, Any]:
    """What a zarr-python user does with a store, every answer recorded."""
    out: dict[str, Any] = {}
    await store._ensure_open()
    out["empty0"] = await store.is_empty("")
    await store.set("a/b", buf(b"0123456789"))
    await store.set("a/c/d", buf(b"xy"))
    await store.set("e", buf(b""))
    out["whole"] = (await store.get("a/b", PROTO)).to_bytes()
    out["range"] = (await store.get("a/b", PROTO, RangeByteRequest(2, 5))).to_bytes()
    out["offset"] = (await store.get("a/b", PROTO, OffsetByteRequest(7))).to_bytes()
    out["suffix"] = (await store.get("a/b", PROTO, SuffixByteRequest(3))).to_bytes()
    out["kw"] = (await store.get("a/b", prototype=PROTO, byte_range=None)).to_bytes()
    out["missing"] = await store.get("nope", PROTO)
    partial = await store.get_partial_values(
        PROTO, [("a/b", RangeByteRequest(0, 2)), ("a/b", SuffixByteRequest(1)), ("a/c/d", None)]
    )  # (a missing key: None from zarr-python's MemoryStore, FileNotFoundError from its LocalStore)
    out["partial"] = [None if p is None else p.to_bytes() for p in partial]
    out["exists"] = (await store.exists("a/b"), await store.exists("a"), await store.exists("x"))
    out["list"] = sorted([k async for k in store.list()])
    out["prefix"] = sorted([k async for k in store.list_prefix("a/")])
    out["dir_root"] = sorted([k async for k in store.list_dir("")])
    out["dir_a"] = sorted([k async for k in store.list_dir("a")])
    out["dir_a_slash"] = sorted([k async for k in store.list_dir("a/")])
    out["size"] = (await store.getsize("a/b"), await store.getsize("e"))
    out["size_missing"] = await araised(store.getsize("nope"))
    out["size_prefix"] = await store.getsize_prefix("a")
    out["empty"] = (await store.is_empty("a"), await store.is_empty("zz"), await store.is_empty(""))
    await store.set_if_not_exists("a/b", buf(b"other"))
    await store.set_if_not_exists("f", buf(b"new"))
    out["if_not_exists"] = (
        (await store.get("a/b", PROTO)).to_bytes(),
        (await store.get("f", PROTO)).to_bytes(),
    )
    await store.delete("a/b")
    await store.delete("never-there")
    out["after_delete"] = await store.exists("a/b")
    await store.delete_dir("a")
    out["after_delete_dir"] = sorted([k async for k in store.list()])
    await store.clear()
    out["after_clear"] = [k async for k in store.list()]
    out["flags"] = (
        store.supports_writes,
        store.supports_deletes,
        store.supports_listing,
        store.supports_partial_writes,
        store.read_only,
    )
    return out


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_a_zarr_python_session_gives_the_same_answers(kind: str, tmp_path: Path) -> None:
    theirs, ours = both(lambda lib: asyncio.run(_session(_stores(lib, tmp_path)[kind]())))
    assert theirs["whole"] == b"0123456789"  # the session itself is checked, not only equality
    assert ours == theirs


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_open_classmethod_and_read_only(lib: ModuleType, kind: str, tmp_path: Path) -> None:
    async def main() -> tuple[Any, ...]:
        cls = type(_stores(lib, tmp_path)[kind]())
        args = () if kind == "memory" else (str(tmp_path / "ro"),)
        store = await cls.open(*args)
        await store.set("k", buf(b"v"))
        ro = store.with_read_only(True)
        failed = await araised(ro.set("k", buf(b"w")))
        return (
            isinstance(store, cls),
            ro.read_only,
            store.read_only,
            (await ro.get("k", PROTO)).to_bytes(),
            failed,
        )

    ok, ro_flag, rw_flag, value, failed = asyncio.run(main())
    assert ok and ro_flag and not rw_flag and value == b"v"
    assert failed is not None and issubclass(failed, ValueError)


def test_is_a_zarr_store_and_equality(lib: ModuleType) -> None:
    store = lib.storage.MemoryStore()
    assert isinstance(store, Store)
    assert store == store
    assert lib.storage.MemoryStore() != lib.storage.LocalStore("/tmp/x.zarr")


def test_sync_calls_stay_synchronous() -> None:
    # The same names from plain code are simplezarr's synchronous methods.
    store = simplezarr.storage.MemoryStore()
    store.set("a/b", b"123")
    assert store.get("a/b") == b"123" and store.get("a/b", (1, 1)) == b"2"
    assert store.exists("a/b") is True and store.getsize("a/b") == 3
    assert store.list() == ["a/b"] and store.list_dir("") == ["a/"]
    assert store.is_empty("a/") is False
    store.delete("a/b")
    assert store.list() == []


def test_async_calls_are_told_apart_by_argument_or_caller() -> None:
    store = simplezarr.storage.MemoryStore({"k": b"abc"})

    async def from_async() -> list[Any]:
        # From async def code, with no zarr-only argument: still zarr-python's coroutines,
        # also through a generator expression handed to asyncio.gather.
        got = await asyncio.gather(*(store.get(k) for k in ["k", "nope"]))
        sizes = [await store.getsize(k) for k in ["k"]]
        return [got[0].to_bytes(), got[1], sizes, await store.exists("k")]

    assert asyncio.run(from_async()) == [b"abc", None, [3], True]
    # From plain code, a prototype or a ByteRequest still makes it zarr-python's call.
    coro = store.get("k", PROTO, RangeByteRequest(1, 3))
    assert asyncio.iscoroutine(coro)
    assert asyncio.run(coro).to_bytes() == b"bc"
    assert asyncio.run(store.set("j", buf(b"z"))) is None and store.get("j") == b"z"
    # Control: the plain call is not a coroutine.
    assert not asyncio.iscoroutine(store.get("k"))


def test_async_work_runs_off_the_event_loop(tmp_path: Path) -> None:
    import threading

    seen: list[int] = []

    class Recording(simplezarr.stores.WrapperStore):
        def get(self, key: str, byte_range: Any = None) -> Any:
            seen.append(threading.get_ident())
            return super().get(key, byte_range)

    store = Recording(simplezarr.storage.MemoryStore({"k": b"1"}))

    async def main() -> int:
        await store.get("k", PROTO)
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert seen and seen[0] != loop_thread
    seen.clear()
    store.get("k")  # control: a plain call runs where it is made
    assert seen == [threading.get_ident()]


def test_zarr_34_get_ranges() -> None:
    if not hasattr(Store, "get_ranges"):
        pytest.skip("zarr-python < 3.4 has no Store.get_ranges")

    def run(lib: ModuleType) -> list[Any]:
        store = lib.storage.MemoryStore()

        async def main() -> list[Any]:
            await store.set("s", buf(b"0123456789"))
            got: list[tuple[int, bytes]] = []
            reqs = [RangeByteRequest(0, 2), RangeByteRequest(5, 8), SuffixByteRequest(1)]
            async for group in store.get_ranges("s", reqs, prototype=PROTO):
                got.extend((i, b.to_bytes()) for i, b in group)
            try:
                async for _ in store.get_ranges("nope", reqs, prototype=PROTO):
                    pass
                missing = None
            except BaseExceptionGroup as eg:
                missing = {type(e) for e in eg.exceptions}  # one per fetch: counts differ
            return [sorted(got), missing]

        return asyncio.run(main())

    theirs, ours = both(run)
    assert theirs[0] == [(0, b"01"), (1, b"567"), (2, b"9")]
    assert ours == theirs
