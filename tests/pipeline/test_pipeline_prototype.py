"""A custom ``BufferPrototype`` given to ``getitem`` / ``setitem`` reaches a store served
through its async API: its values are of the prototype's buffer class, both ways."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from tests.pipeline.pipelines import OURS, pipeline

zarr = pytest.importorskip("zarr")
testing_buffer = pytest.importorskip("zarr.testing.buffer")

from zarr.core.buffer import BufferPrototype  # noqa: E402
from zarr.storage import StorePath  # noqa: E402


def test_a_custom_prototype_reaches_the_store() -> None:
    tb = testing_buffer
    store = tb.StoreExpectingTestBuffer()  # asserts TestBuffer values on every chunk key
    prototype = BufferPrototype(buffer=tb.TestBuffer, nd_buffer=tb.NDBufferUsingTestNDArrayLike)

    async def run() -> object:
        with pipeline(OURS):
            a = await zarr.api.asynchronous.create_array(
                StorePath(store) / "p", shape=(9, 9), chunks=(5, 5), dtype="u2", fill_value=0
            )
            await a.setitem((slice(1, 4), slice(3, 6)), np.ones((3, 3)), prototype=prototype)
            got = await a.getitem((slice(0, 9), slice(0, 9)), prototype=prototype)
            # The control: without the prototype the store is given default buffers, which
            # it refuses.
            with pytest.raises(AssertionError):
                await a.setitem((slice(0, 2), slice(0, 2)), np.ones((2, 2)))
        return got

    got = asyncio.run(run())
    expected = np.zeros((9, 9), "u2")
    expected[1:4, 3:6] = 1
    assert isinstance(got, tb.TestNDArrayLike)
    assert np.array_equal(np.asarray(got), expected)


def test_an_arrays_own_coalescing_limits_reach_get_ranges() -> None:
    # zarr-python 3.4: an array's config={"sharding_coalesce_*": ...} wins over the global
    # setting for the ranges of its shards.
    if not hasattr(zarr.storage.MemoryStore, "get_ranges"):
        pytest.skip("zarr-python < 3.4 has no get_ranges")
    seen: list[dict[str, object]] = []

    class Recording(zarr.storage.MemoryStore):  # not MemoryStore itself: the async path
        def get_ranges(self, key, byte_ranges, *, prototype, **limits):  # type: ignore[no-untyped-def]
            seen.append(limits)
            return super().get_ranges(key, byte_ranges, prototype=prototype, **limits)

    own = {"sharding_coalesce_max_gap_bytes": 99, "sharding_coalesce_max_bytes": 9999}
    with (
        pipeline(OURS),
        zarr.config.set(
            {
                "array.sharding_coalesce_max_gap_bytes": 4242,
                "array.sharding_coalesce_max_bytes": 424242,
            }
        ),
    ):
        store = Recording()
        a = zarr.create_array(store, shape=(64,), chunks=(8,), shards=(64,), dtype="i4", config=own)
        a[:] = np.arange(64)
        assert a[3:20].tolist() == list(range(3, 20))  # a partial shard: ranges of it
        b = zarr.open_array(store, mode="r")  # the control: the global limits
        seen_before = len(seen)
        assert b[3:20].tolist() == list(range(3, 20))
    assert seen and seen[0] == {"max_gap_bytes": 99, "max_coalesced_bytes": 9999}
    assert seen[seen_before:] and seen[seen_before] == {
        "max_gap_bytes": 4242,
        "max_coalesced_bytes": 424242,
    }
