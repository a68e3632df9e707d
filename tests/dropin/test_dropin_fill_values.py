"""Writing values that compare equal to the fill value but are not it (-0.0 into a 0.0 fill)
must store the chunk: a chunk that is not stored reads back as the fill value. zarr-python
compares zero fills bit for bit; simplezarr does for every float fill."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

import simplezarr
from simplezarr.fill import is_all_fill
from tests.dropin.conftest import both


def _write_read(lib: ModuleType, dtype: str, fill: object, value: object) -> tuple[bytes, int]:
    store: dict[str, object] = {}
    a = lib.create_array(store, shape=(4,), chunks=(2,), dtype=dtype, fill_value=fill)
    a[:2] = value
    stored = sum(1 for k in store if k.startswith("c/"))
    return a[:].tobytes(), stored


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_negative_zero_into_zero_fill_is_stored(dtype: str) -> None:
    theirs, ours = both(lambda lib: _write_read(lib, dtype, 0.0, -0.0))
    assert theirs[1] == 1  # zarr-python stores the chunk ...
    assert ours == theirs  # ... and both read -0.0 back
    assert np.signbit(np.frombuffer(ours[0], dtype=dtype)[:2]).all()


def test_positive_zero_into_negative_zero_fill_is_stored() -> None:
    theirs, ours = both(lambda lib: _write_read(lib, "float64", -0.0, 0.0))
    assert ours == theirs
    assert not np.signbit(np.frombuffer(ours[0])[:2]).any()


def test_nan_into_nan_fill_is_not_stored() -> None:
    theirs, ours = both(lambda lib: _write_read(lib, "float32", np.nan, np.nan))
    assert theirs[1] == ours[1] == 0


def test_fill_equal_values_are_not_stored() -> None:
    theirs, ours = both(lambda lib: _write_read(lib, "float64", 1.5, 1.5))
    assert ours == theirs
    assert ours[1] == 0


def test_complex_negative_zero_is_kept() -> None:
    # zarr-python 3.1.6 compares complex fills with ==, so it drops the chunk and reads
    # back +0.0: simplezarr keeps the sign (a deliberate difference, docs/api.md).
    data, stored = _write_read(simplezarr, "complex128", 0j, complex(-0.0, -0.0))
    assert stored == 1
    assert np.signbit(np.frombuffer(data, dtype="complex128")[:2].real).all()


def test_structured_negative_zero_is_kept() -> None:
    dt = np.dtype([("x", "f8"), ("n", "i4")])
    store: dict[str, object] = {}
    a = simplezarr.create_array(store, shape=(2,), chunks=(2,), dtype=dt)
    value = np.array([(-0.0, 0)] * 2, dtype=dt)
    a[:] = value
    assert np.signbit(a[:]["x"]).all()


@pytest.mark.parametrize(
    ("chunk", "fill", "expected"),
    [
        (np.zeros(3), 0.0, True),
        (np.array([0.0, -0.0]), 0.0, False),
        (np.array([-0.0, -0.0]), -0.0, True),
        (np.array([-0.0, 0.0]), -0.0, False),
        (np.array([np.nan, -np.nan]), np.nan, True),
        (np.array([np.nan, 0.0]), np.nan, False),
        (np.zeros(4, "f4")[::2], 0.0, True),  # strided views
        (np.array([complex(np.nan, 1.0)]), complex(np.nan, 0.0), False),
        (np.array([complex(0.0, -0.0)]), 0j, False),
        (np.array([-0.0], dtype=np.longdouble), 0.0, False),
        (np.zeros(2, dtype=np.longdouble), 0.0, True),
        (np.array(["NaT", "NaT"], dtype="M8[s]"), np.datetime64("NaT"), True),
        (np.array([0, 0], dtype="i8"), 0, True),
    ],
)
def test_is_all_fill(chunk: np.ndarray, fill: object, expected: bool) -> None:
    assert is_all_fill(chunk, fill) is expected


def test_sharded_inner_chunk_of_negative_zero_is_kept() -> None:
    def run(lib: ModuleType) -> bytes:
        a = lib.create_array({}, shape=(8,), chunks=(2,), shards=(8,), dtype="f8", fill_value=0.0)
        a[:2] = -0.0
        return a[:].tobytes()

    theirs, ours = both(run)
    assert ours == theirs
