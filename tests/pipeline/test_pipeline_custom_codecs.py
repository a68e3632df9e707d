"""A codec class a user selects (zarr's ``codecs.<name>`` config, or any class outside
zarr-python's own codec modules) runs its own code under simplezarr's pipeline; a codec whose
encode returns None stores nothing for that chunk, as zarr-python's codec contract says."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.pipeline.pipelines import OURS, pipeline, stored

zarr = pytest.importorskip("zarr")

from zarr.codecs import BloscCodec  # noqa: E402
from zarr.registry import register_codec  # noqa: E402

CALLS: list[str] = []


class CountingBlosc(BloscCodec):
    """Blosc, counting its encodes (both of zarr-python's entry points)."""

    async def _encode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
        CALLS.append("encode")
        return await super()._encode_single(chunk_bytes, chunk_spec)

    def _encode_sync(self, chunk_bytes: Any, chunk_spec: Any) -> Any:  # zarr-python 3.4
        CALLS.append("encode")
        return super()._encode_sync(chunk_bytes, chunk_spec)  # type: ignore[misc]


class DropEveryChunk(BloscCodec):
    """A codec that stores nothing (encode returns None)."""

    async def _encode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
        return None

    def _encode_sync(self, chunk_bytes: Any, chunk_spec: Any) -> Any:  # zarr-python 3.4
        return None


def _fqn(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@pytest.fixture
def restore_blosc() -> Any:
    yield
    register_codec("blosc", BloscCodec)


def test_a_configured_codec_class_runs_its_own_code(restore_blosc: Any) -> None:
    register_codec("blosc", CountingBlosc)
    CALLS.clear()
    with pipeline(OURS), zarr.config.set({"codecs.blosc": _fqn(CountingBlosc)}):
        a = zarr.create_array(
            zarr.storage.MemoryStore(), shape=(100,), chunks=(10,), dtype="i4",
            compressors=[{"name": "blosc", "configuration": {}}],
        )  # fmt: skip
        a[:] = np.arange(100)
        assert CALLS.count("encode") >= 10  # each chunk through the user's class
        assert a[:].tolist() == list(range(100))
    CALLS.clear()
    with pipeline(OURS):  # the control: zarr's own BloscCodec runs as simplezarr's blosc
        b = zarr.create_array(
            zarr.storage.MemoryStore(), shape=(100,), chunks=(10,), dtype="i4",
            compressors=[BloscCodec()],
        )  # fmt: skip
        b[:] = np.arange(100)
    assert CALLS == []


def test_an_encode_returning_none_stores_nothing(restore_blosc: Any) -> None:
    register_codec("blosc", DropEveryChunk)
    with pipeline(OURS), zarr.config.set({"codecs.blosc": _fqn(DropEveryChunk)}):
        store = zarr.storage.MemoryStore()
        a = zarr.create_array(
            store, shape=(20,), chunks=(10,), dtype="i4", fill_value=-1,
            compressors=[{"name": "blosc", "configuration": {}}],
        )  # fmt: skip
        a[:] = np.arange(20)
        assert sorted(stored(store)) == ["zarr.json"]
        assert a[:].tolist() == [-1] * 20
