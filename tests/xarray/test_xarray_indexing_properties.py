"""The backend array answers every explicit key xarray can send as numpy indexing does
(hypothesis: random shapes, chunks and basic / outer / vectorized keys)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("xarray")
from hypothesis import given, settings
from hypothesis import strategies as st
from xarray.core import indexing

from simplezarr.nodes import ZarrArray
from simplezarr.stores import MemoryStore
from simplezarr.xarray import SimplezarrBackendArray


@st.composite
def arrays(draw: Any) -> tuple[np.ndarray, SimplezarrBackendArray]:
    shape = tuple(draw(st.lists(st.integers(1, 7), min_size=1, max_size=3)))
    chunks = tuple(draw(st.integers(1, n)) for n in shape)
    data = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape)
    a = ZarrArray.create(MemoryStore(), shape=shape, dtype="i4", chunks=chunks)
    a[...] = data
    return data, SimplezarrBackendArray(a)


def slices(n: int) -> st.SearchStrategy[slice]:
    bound = st.one_of(st.none(), st.integers(-n - 1, n + 1))
    step = st.one_of(st.none(), st.integers(1, 3))  # xarray sends positive steps
    return st.builds(slice, bound, bound, step)


@given(arrays(), st.data())
@settings(max_examples=40, deadline=None)
def test_basic_and_outer_keys(case: Any, draw: Any) -> None:
    data, lazy = case
    basic = tuple(
        draw.draw(st.one_of(slices(n), st.integers(0, n - 1)), label=f"axis {i}")
        for i, n in enumerate(data.shape)
    )
    np.testing.assert_array_equal(lazy[indexing.BasicIndexer(basic)], data[basic])
    outer = tuple(
        draw.draw(
            st.one_of(
                slices(n),
                st.integers(0, n - 1),
                st.lists(st.integers(0, n - 1), max_size=4).map(lambda v: np.array(v, int)),
            ),
            label=f"outer axis {i}",
        )
        for i, n in enumerate(data.shape)
    )
    expected = data
    for axis, k in reversed(list(enumerate(outer))):  # each axis on its own, like np.ix_
        expected = expected[(slice(None),) * axis + (k,)]
    np.testing.assert_array_equal(lazy[indexing.OuterIndexer(outer)], expected)


@given(arrays(), st.data())
@settings(max_examples=40, deadline=None)
def test_vectorized_keys(case: Any, draw: Any) -> None:
    data, lazy = case
    points = draw.draw(st.integers(0, 5), label="points")
    kinds = draw.draw(st.lists(st.booleans(), min_size=data.ndim, max_size=data.ndim))
    if not any(kinds):
        kinds[0] = True
    key: list[Any] = []
    for n, is_array in zip(data.shape, kinds, strict=True):
        if is_array:
            key.append(np.array(draw.draw(st.lists(st.integers(0, n - 1), min_size=points,
                                                   max_size=points)), int))  # fmt: skip
        else:
            key.append(draw.draw(slices(n)))
    vectorized = indexing.VectorizedIndexer(tuple(key))
    # numpy's meaning of xarray's vectorized key: the arrays broadcast first, slices after
    n_slices = sum(isinstance(k, slice) for k in key)
    expected_key = []
    i = 0
    for k, n in zip(key, data.shape, strict=True):
        if isinstance(k, slice):
            r = np.arange(n)[k]
            expected_key.append(r.reshape((1,) + (1,) * i + (-1,) + (1,) * (n_slices - i - 1)))
            i += 1
        else:
            expected_key.append(k.reshape((-1,) + (1,) * n_slices))
    np.testing.assert_array_equal(lazy[vectorized], data[tuple(expected_key)])
