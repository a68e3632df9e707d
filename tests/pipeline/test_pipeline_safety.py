"""The pipeline under threads, fork, a running event loop, pickling, stores served through
their async API, and codecs simplezarr does not know."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from tests.pipeline.pipelines import DEFAULT, OURS, pipeline, stored

zarr = pytest.importorskip("zarr")


def _ours(a: Any) -> None:
    assert type(a._async_array.codec_pipeline).__name__ == "ZarrCodecPipeline"


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_concurrent_sub_shard_writes_lose_nothing(kind: str, tmp_path: Any) -> None:
    store = zarr.storage.MemoryStore() if kind == "memory" else zarr.storage.LocalStore(tmp_path)
    with pipeline(OURS):
        a = zarr.create_array(store, shape=(64, 64), chunks=(8, 8), shards=(64, 64), dtype="i4")
        _ours(a)
        blocks = [(i, j) for i in range(8) for j in range(8)]  # 64 inner chunks, one shard

        def write(mine: list[tuple[int, int]]) -> None:
            for i, j in mine:
                a[i * 8 : i * 8 + 8, j * 8 : j * 8 + 8] = i * 8 + j + 1

        threads = [threading.Thread(target=write, args=(blocks[t::4],)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = np.repeat(np.repeat(np.arange(1, 65).reshape(8, 8), 8, 0), 8, 1)
        np.testing.assert_array_equal(a[...], expected)


def test_concurrent_writes_into_one_chunk() -> None:
    with pipeline(OURS):
        a = zarr.create_array({}, shape=(400,), chunks=(400,), dtype="i4")

        def write(t: int) -> None:
            for k in range(t, 400, 4):
                a[k] = k

        threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert a[...].tolist() == list(range(400))


def _child(path: str, conn: Any) -> None:
    with pipeline(OURS):
        a = zarr.open_array(zarr.storage.LocalStore(path), mode="r+")
        a[4:8] = 9
        conn.send(a[...].tolist())


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")  # what is tested
def test_after_fork(tmp_path: Any) -> None:
    with pipeline(OURS):
        a = zarr.create_array(
            zarr.storage.LocalStore(tmp_path), shape=(8,), chunks=(2,), dtype="i2"
        )
        a[...] = np.arange(8)
        assert a[...].tolist() == list(range(8))  # pools and loop exist before the fork
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    # A daemon, killed if it hangs: a stuck child fails this test instead of hanging the
    # interpreter's exit (multiprocessing joins non-daemon children there).
    p = ctx.Process(target=_child, args=(str(tmp_path), child), daemon=True)
    p.start()
    got = parent.recv() if parent.poll(60) else None
    p.join(10)
    if p.is_alive():
        p.kill()
    assert got == [0, 1, 2, 3, 9, 9, 9, 9]
    with pipeline(OURS):
        assert zarr.open_array(zarr.storage.LocalStore(tmp_path))[...].tolist() == got


def test_inside_a_running_event_loop() -> None:
    async def main() -> list[int]:
        with pipeline(OURS):
            a = await zarr.api.asynchronous.create_array(
                zarr.storage.MemoryStore(), shape=(10,), chunks=(3,), dtype="i8"
            )
            await a.setitem(slice(None), np.arange(10))
            # Another task runs while the pipeline works: the loop is not blocked.
            ticks = asyncio.create_task(asyncio.sleep(0))
            got = await a.getitem(slice(2, 9))
            await ticks
            return list(got)

    assert asyncio.run(main()) == list(range(2, 9))


def test_pickles_with_its_array() -> None:
    with pipeline(OURS):
        a = zarr.create_array(zarr.storage.MemoryStore(), shape=(4,), chunks=(2,), dtype="u1")
        a[...] = [1, 2, 3, 4]
        pipe = a._async_array.codec_pipeline
        again = pickle.loads(pickle.dumps(pipe))
        assert again == pipe and type(again) is type(pipe)
        b = pickle.loads(pickle.dumps(a))
        _ours(b)


def test_import_does_not_need_zarr() -> None:
    code = (
        "import sys; sys.modules['zarr'] = None\n"
        "import simplezarr\n"
        "assert 'simplezarr.pipeline' not in sys.modules\n"
        "try:\n    simplezarr.ZarrCodecPipeline\nexcept ImportError:\n    print('lazy')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "lazy"


def test_environment_variable_selects_it() -> None:
    code = (
        "import zarr\n"
        "a = zarr.create_array({}, shape=(3,), dtype='i1')\n"
        "print(type(a._async_array.codec_pipeline).__name__)\n"
    )
    env = {"ZARR_CODEC_PIPELINE__PATH": OURS, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "ZarrCodecPipeline"


def _both(make_store: Any, **kwargs: Any) -> list[tuple[Any, np.ndarray]]:
    results = []
    for path in (OURS, DEFAULT):
        with pipeline(path):
            inner = zarr.storage.MemoryStore()
            store = make_store(inner)
            a = zarr.create_array(store, shape=(9, 7), chunks=(2, 3), dtype="f8", **kwargs)
            a[...] = np.arange(63).reshape(9, 7)
            a[1:4, 2:6] = -1
            results.append((stored(inner), a[...]))
    return results


@pytest.mark.parametrize("shards", [None, (4, 6)])
def test_a_store_served_through_its_async_api(shards: Any) -> None:
    (ours, ours_read), (ref, ref_read) = _both(zarr.storage.LoggingStore, shards=shards)
    assert ours == ref
    np.testing.assert_array_equal(ours_read, ref_read)


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zarr-python ZipStore rewrites append
def test_zip_store(tmp_path: Any) -> None:
    results = []
    for i, path in enumerate((OURS, DEFAULT)):
        with pipeline(path):
            store = zarr.storage.ZipStore(tmp_path / f"{i}.zip", mode="w")
            a = zarr.create_array(store, shape=(6, 6), chunks=(3, 3), dtype="i2")
            a[...] = np.arange(36).reshape(6, 6)
            a[0:2, 1:5] = 7
            results.append(a[...])
            store.close()
            reopened = zarr.open_array(zarr.storage.ZipStore(tmp_path / f"{i}.zip", mode="r"))
            np.testing.assert_array_equal(reopened[...], results[-1])
    np.testing.assert_array_equal(results[0], results[1])


def _xor_codec() -> Any:
    """A zarr-python bytes->bytes codec simplezarr has never heard of."""
    from zarr.abc.codec import BytesBytesCodec

    @dataclass(frozen=True)
    class XorCodec(BytesBytesCodec):  # type: ignore[misc]
        is_fixed_size = True

        @classmethod
        def from_dict(cls, data: Any) -> XorCodec:
            return cls()

        def to_dict(self) -> dict[str, Any]:
            return {"name": "test.xor"}

        async def _decode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
            data = np.frombuffer(chunk_bytes.to_bytes(), dtype="u1") ^ 0x5A
            return chunk_spec.prototype.buffer.from_bytes(data.tobytes())

        async def _encode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
            return await self._decode_single(chunk_bytes, chunk_spec)

        def compute_encoded_size(self, input_byte_length: int, chunk_spec: Any) -> int:
            return input_byte_length

    zarr.registry.register_codec("test.xor", XorCodec)
    return XorCodec()


def test_a_codec_simplezarr_does_not_know_runs_through_zarr_python() -> None:
    codec = _xor_codec()

    def workload(store: Any) -> list[Any]:
        a = zarr.create_array(store, shape=(10,), chunks=(4,), dtype="i4", compressors=[codec])
        a[...] = np.arange(10)
        a[3:6] = 0
        return [a[...]]

    _same_through_both(workload)


def test_an_unknown_codec_inside_shards() -> None:
    codec = _xor_codec()

    def workload(store: Any) -> list[Any]:
        a = zarr.create_array(
            store, shape=(16,), chunks=(2,), shards=(8,), dtype="i4", compressors=[codec]
        )
        a[...] = np.arange(16)
        a[3:11] = -5
        return [a[...], a[5:9]]

    _same_through_both(workload)


def test_many_shards_with_an_unknown_codec_inside_do_not_deadlock() -> None:
    """zarr-python's sharding codec (it runs the shards holding a codec simplezarr does not
    know) writes its inner chunks through the pipeline again, in another thread, while the
    outer write holds the shard's key lock: the nested write must not wait for key locks
    (it once did, and hung when the locks' hashes met)."""
    import threading

    codec = _xor_codec()
    expected = np.arange(256 * 64, dtype="i4").reshape(256, 64)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with pipeline(OURS), zarr.config.set({"async.concurrency": 64}):
                for _ in range(3):
                    store = zarr.storage.MemoryStore()
                    a = zarr.create_array(
                        store, shape=(256, 64), chunks=(4, 64), shards=(16, 64), dtype="i4",
                        compressors=[codec],
                    )  # fmt: skip
                    a[...] = expected
                    a[5:40, :10] = -1
                    got = a[...]
                    want = expected.copy()
                    want[5:40, :10] = -1
                    np.testing.assert_array_equal(got, want)
        except BaseException as e:
            failures.append(e)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the writes through nested pipelines hung"
    if failures:
        raise failures[0]


def _same_through_both(workload: Any) -> None:
    """``workload(store)`` through our pipeline and zarr-python's default: the same stored
    bytes and the same values read."""
    results = []
    for path in (OURS, DEFAULT):
        with pipeline(path):
            store = zarr.storage.MemoryStore()
            values = workload(store)
            results.append((stored(store), values))
    assert results[0][0] == results[1][0]
    for ours, ref in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_array_equal(ours, ref)


def test_read_missing_chunks_false_names_the_missing_chunks() -> None:
    errors = pytest.importorskip("zarr.errors")
    if not hasattr(errors, "ChunkNotFoundError"):
        pytest.skip("zarr-python < 3.4 has no read_missing_chunks")
    with pipeline(OURS):
        a = zarr.create_array(
            {}, shape=(6,), chunks=(2,), dtype="i1", config={"read_missing_chunks": False}
        )
        a[0:2] = 1
        assert a[0:2].tolist() == [1, 1]
        with pytest.raises(errors.ChunkNotFoundError, match="c/1"):
            a[...]
