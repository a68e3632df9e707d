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
