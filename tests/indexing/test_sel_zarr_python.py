"""A plain ``a[...]`` is dispatched as zarr-python 3.1.6 dispatches it: where zarr-python
answers, the answers agree; where it fails, the result is numpy's."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indexing_helpers import assert_same, make_array

zarr = pytest.importorskip("zarr")

SHAPE = (7, 6, 5)
CHUNKS = (3, 2, 4)
DATA = np.arange(np.prod(SHAPE), dtype=np.int32).reshape(SHAPE)


def zarr_python_array(data: np.ndarray, chunks: tuple[int, ...], shards: Any = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(
            zarr.storage.MemoryStore(),
            shape=data.shape,
            chunks=chunks,
            shards=shards,
            dtype=data.dtype,
            fill_value=0,
        )
    z[...] = data
    return z


def assert_like_zarr(actual: Any, expected: Any) -> None:
    """As zarr-python, except whether one element comes as a numpy scalar or a 0-d array:
    here numpy decides (``a[0, 0, 0]`` is a scalar, ``a[..., 0, 0, 0]`` a 0-d array), where
    zarr-python answers the other way round; the property tests check numpy's rule."""
    if np.ndim(expected) == 0:
        assert np.ndim(actual) == 0 and actual == expected
        return
    assert_same(actual, expected)


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    return zarr_python_array(DATA, CHUNKS), make_array(DATA, CHUNKS)


@st.composite
def item(draw: st.DrawFn, n: int) -> Any:
    kind = draw(st.sampled_from(["int", "slice", "list", "array", "mask", "masklist"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        return slice(
            draw(st.none() | st.integers(-n, n)),
            draw(st.none() | st.integers(-n, n)),
            draw(st.none() | st.integers(1, 3)),
        )
    if kind in ("mask", "masklist"):
        mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        return mask if kind == "masklist" else np.array(mask)
    values = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
    return values if kind == "list" else np.array(values)


@st.composite
def selections(draw: st.DrawFn) -> Any:
    items = [draw(item(n)) for n in SHAPE[: draw(st.integers(1, 3))]]
    if draw(st.booleans()) and len(items) > 1:
        cut = draw(st.integers(0, len(items)))
        items = items[:cut] + [Ellipsis] + items[cut:]
    return items[0] if len(items) == 1 and draw(st.booleans()) else tuple(items)


def check_getitem(z: Any, a: Any, data: np.ndarray, sel: Any) -> None:
    try:
        expected = z[sel]
    except Exception:
        try:
            expected = data[sel]
        except IndexError as e:
            with pytest.raises(IndexError, match=str(e)[:20]):
                a[sel]
            return
    assert_like_zarr(a[sel], expected)


@settings(max_examples=150, deadline=None)
@given(selections())
def test_getitem_agrees_with_zarr_python(pair: tuple[Any, Any], sel: Any) -> None:
    check_getitem(*pair, DATA, sel)


@pytest.mark.parametrize(
    "sel",
    [
        ([0, 6, 2], slice(None), 1),
        (slice(1, 5), [4, 0], [True, False, True, False, True]),
        ([1, 1, 2], [0, 5, 5], [4, 3, 0]),
        (np.array([[0, 1], [2, 3]]), np.array([[5, 4], [3, 2]]), 0),
        (np.ones(SHAPE[0], bool), np.ones(SHAPE[1], bool), [0]),
    ],
)
@pytest.mark.parametrize("shards", [None, (6, 4, 4)])
def test_named_selections_agree_with_zarr_python(sel: Any, shards: Any) -> None:
    z = zarr_python_array(DATA, CHUNKS if shards is None else (3, 2, 2), shards)
    a = make_array(
        DATA,
        CHUNKS if shards is None else (3, 2, 2),
        shard_factor=None if shards is None else (2, 2, 2),
    )
    try:
        expected = z.oindex[sel]
    except IndexError:
        with pytest.raises(IndexError):
            a.oindex[sel]
    else:
        assert_like_zarr(a.oindex[sel], expected)
    if all(not isinstance(s, slice) and np.asarray(s).dtype != bool for s in sel):
        assert_same(a.vindex[sel], z.vindex[sel])
    check_getitem(z, a, DATA, sel)
    mask = DATA % 3 == 0
    assert_same(a.vindex[mask], z.vindex[mask])
    assert_same(a.get_mask_selection(mask), z.get_mask_selection(mask))
    assert_same(a.blocks[1, -1], z.blocks[1, -1])
    assert_same(a.get_block_selection((slice(0, 2), 0)), z.get_block_selection((slice(0, 2), 0)))


def test_writes_agree_with_zarr_python() -> None:
    z = zarr_python_array(DATA, CHUNKS)
    a = make_array(DATA, CHUNKS)
    for target in (z, a):
        target.oindex[[6, 0], :, [True, False, False, True, True]] = -1
        target.vindex[[1, 2, 3], [5, 0, 2], [4, 4, 0]] = [-2, -3, -4]
        target[[0, 3], 1] = -5
        target.blocks[0, 2] = -6
        target.set_mask_selection(DATA == 17, -7)
    assert np.array_equal(a[...], z[...])


def test_sharded_orthogonal_write_is_right() -> None:
    """zarr-python 3.1.6 gets some orthogonal writes to sharded arrays wrong; here the
    result is numpy's."""
    data = np.zeros((8, 8), dtype=np.int32)
    a = make_array(data, (2, 2), shard_factor=(2, 2))
    rows, cols = [7, 0, 3, 4], [6, 1, 2]
    value = np.arange(12, dtype=np.int32).reshape(4, 3) + 1
    a.oindex[rows, cols] = value
    data[np.ix_(rows, cols)] = value
    assert np.array_equal(a[...], data)
