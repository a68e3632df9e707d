"""zarr-python 3.4's rectilinear chunk grids, written as a zarr-python user writes them and
run unchanged against zarr-python and ``import simplezarr as zarr``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest

from tests.dropin.conftest import both, raised

zarr = pytest.importorskip("zarr")
if "rectilinear_chunks" not in zarr.config.get("array"):
    pytest.skip("zarr-python has no rectilinear chunk grids (3.4+)", allow_module_level=True)


@pytest.fixture
def flag(lib: ModuleType) -> Iterator[ModuleType]:
    with lib.config.set({"array.rectilinear_chunks": True}):
        yield lib


def test_user_guide_style_session(flag: ModuleType) -> None:
    zarr = flag
    z = zarr.create_array(
        store=zarr.storage.MemoryStore(),
        shape=(60, 100),
        chunks=[[10, 20, 30], [25, 75]],
        dtype="int32",
    )
    data = np.arange(6000, dtype="int32").reshape(60, 100)
    z[:] = data
    assert z.read_chunk_sizes == ((10, 20, 30), (25, 75))
    assert z.write_chunk_sizes == ((10, 20, 30), (25, 75))
    assert z.nchunks == 6 and z.nchunks_initialized == 6
    np.testing.assert_array_equal(z[15:45, 20:30], data[15:45, 20:30])
    np.testing.assert_array_equal(z.blocks[2, 1], data[30:, 25:])
    np.testing.assert_array_equal(z.oindex[[0, 59], :3], data[[0, 59], :3])
    np.testing.assert_array_equal(z.vindex[[0, 59], [99, 0]], data[[0, 59], [99, 0]])
    with pytest.raises(NotImplementedError):
        _ = z.chunks
    assert "<variable>" in repr(z.info)
    z.append(np.ones((5, 100), dtype="int32"))
    assert z.shape == (65, 100)
    assert z.read_chunk_sizes == ((10, 20, 30, 5), (25, 75))
    assert z.metadata.chunk_grid.chunk_shapes == ((10, 20, 30, 5), (25, 75))


def test_mixed_shorthand_and_sharded_grids(flag: ModuleType) -> None:
    zarr = flag
    a = zarr.create_array({}, shape=(30, 100), chunks=(5, [10, 20, 70]), dtype="uint8")
    assert a.metadata.chunk_grid.chunk_shapes == (5, (10, 20, 70))
    assert a.metadata.chunk_grid.to_dict()["name"] == "rectilinear"
    s = zarr.create_array({}, shape=(100,), chunks=(10,), shards=[[60, 40]], dtype="int32")
    s[:] = np.arange(100)
    assert s.chunks == (10,)
    with pytest.raises(NotImplementedError):
        _ = s.shards
    assert s.nchunks_initialized == 10
    assert "Shard shape        : <variable>" in repr(s.info)
    np.testing.assert_array_equal(s[55:65], np.arange(55, 65))


def test_same_documents() -> None:
    def run(lib: ModuleType) -> object:
        with lib.config.set({"array.rectilinear_chunks": True}):
            a = lib.create_array({}, shape=(30, 7), chunks=[[10, 10, 10], 7], dtype="f8")
            a.resize((45, 7))
            return a.metadata.to_dict()["chunk_grid"]

    theirs, ours = both(run)
    assert json.loads(json.dumps(theirs)) == ours  # zarr-python's to_dict holds tuples
    assert ours["configuration"]["chunk_shapes"] == [[[10, 3], 15], 7]


@pytest.mark.parametrize(
    "call",
    [
        lambda z: z.create_array({}, shape=(30,), chunks=[[10, 20]], dtype="i4"),
        lambda z: z.create_array({}, shape=(30,), chunks=[[10, 21]], dtype="i4"),
        lambda z: z.create_array({}, shape=(30,), chunks=[[10, 20]], shards=(10,), dtype="i4"),
        lambda z: z.create_array({}, shape=(30,), chunks=[[10, 20]], zarr_format=2, dtype="i4"),
        lambda z: z.create_array({}, shape=(30,), chunks=(10,), shards=[[20, 7, 3]], dtype="i4"),
    ],
    ids=["ok", "sum", "with-shards", "v2", "shard-not-divisible"],
)
@pytest.mark.parametrize("on", [False, True])
def test_same_refusals(call: object, on: bool) -> None:
    def run(lib: ModuleType) -> type[BaseException] | None:
        with lib.config.set({"array.rectilinear_chunks": on}):
            return raised(lambda: call(lib))  # type: ignore[operator]

    theirs, ours = both(run)
    assert (theirs is None) == (ours is None)
    if theirs is not None:
        assert ours is not None and issubclass(ours, ValueError) and issubclass(theirs, ValueError)


def test_reading_with_the_flag_off_names_it() -> None:
    def run(lib: ModuleType) -> str:
        store: dict[str, object] = {}
        with lib.config.set({"array.rectilinear_chunks": True}):
            lib.create_array(store, shape=(30,), chunks=[[10, 20]], dtype="i4")
        with pytest.raises(ValueError, match="experimental and disabled by default") as info:
            lib.open_array(store, mode="r")
        return str(info.value)

    theirs, ours = both(run)
    assert "rectilinear_chunks" in theirs and "rectilinear_chunks" in ours
