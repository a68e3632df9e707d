"""The heavier runs, marked ``slow`` (``bash scripts/test.sh --slow``; not part of CI):
the property tests with many more examples, and arrays large enough that chunk counts, shard
indexes and the engine's batching run at a realistic scale. Minutes, not seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simplezarr.nodes import ZarrArray
from simplezarr.stores import LocalStore, MemoryStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_property_tests_with_many_more_examples() -> None:
    """The selection and round-trip property tests with 25x their default examples."""
    env = os.environ | {
        "SIMPLEZARR_SELECTION_EXAMPLES": "3000",
        "SIMPLEZARR_ROUNDTRIP_EXAMPLES": "5000",
    }
    files = ["tests/indexing/test_sel_properties.py", "tests/nodes/test_array_roundtrip.py"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


@pytest.mark.parametrize("sharded", [False, True])
def test_large_array_round_trip_on_disk(tmp_path: object, sharded: bool) -> None:
    """512 MiB of float32 through a local store: every chunk written and read back."""
    store = LocalStore(str(tmp_path))
    shape, chunks = (512, 512, 512), (64, 64, 64)
    a = ZarrArray.create(
        store,
        "big",
        shape=shape,
        dtype="f4",
        chunks=chunks,
        shards=(128, 256, 256) if sharded else None,
    )
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape, dtype=np.float32)
    a[...] = data
    np.testing.assert_array_equal(a[...], data)
    np.testing.assert_array_equal(a[100:300, ::7, 5], data[100:300, ::7, 5])
    points = tuple(rng.integers(0, 512, size=(3, 10_000)))
    np.testing.assert_array_equal(a.vindex[points], data[points])


def test_many_small_chunks() -> None:
    """A million chunks of 8 bytes: per-chunk overhead dominates."""
    a = ZarrArray.create(MemoryStore(), "x", shape=(1000, 1000), dtype="i8", chunks=(1, 1))
    data = np.arange(1_000_000, dtype="i8").reshape(1000, 1000)
    a[...] = data
    np.testing.assert_array_equal(a[...], data)
