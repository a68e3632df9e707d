"""Property tests: every selection mode reads and writes what numpy would, on random shapes,
chunkings, shardings and Zarr formats."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from indexing_helpers import (
    arrays,
    assert_same,
    build,
    int_array,
    orthogonal_reference,
    slices,
)

#: More examples for a deep run: SIMPLEZARR_SELECTION_EXAMPLES=5000 pytest tests/indexing
EXAMPLES = int(os.environ.get("SIMPLEZARR_SELECTION_EXAMPLES", "120"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# -- strategies ------------------------------------------------------------------------


Case = tuple[dict[str, Any], tuple[Any, ...]]


@st.composite
def orthogonal_case(draw: st.DrawFn, unique: bool = False) -> Case:
    desc = draw(arrays(min_ndim=1))
    sel: list[Any] = []
    for n in desc["data"].shape:
        kind = draw(st.sampled_from(["int", "slice", "array", "list", "mask"]))
        if kind == "int" and n:
            sel.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            s = draw(slices(n))
            if unique and s.step is not None and s.step < 0 and draw(st.booleans()):
                s = slice(s.start, s.stop, 1)
            sel.append(s)
        elif kind == "mask":
            sel.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool))
        else:
            arr = int_array(draw, n, 6, unique=unique)
            sel.append(arr.tolist() if kind == "list" else arr)
    return desc, tuple(sel)


@st.composite
def vectorized_case(draw: st.DrawFn) -> Case:
    """numpy advanced selections: integer arrays broadcast together (with shapes drawn from
    one base shape), integers, slices, masks over some axes, an Ellipsis, boolean scalars."""
    desc = draw(arrays(min_ndim=0))
    shape = desc["data"].shape
    base = tuple(draw(st.sampled_from([1, 2, 3, 3, 0])) for _ in range(draw(st.integers(1, 2))))
    sel: list[Any] = []
    axis = 0
    while axis < len(shape):
        n = shape[axis]
        kind = draw(st.sampled_from(["array", "array", "int", "slice", "mask", "ellipsis"]))
        if kind == "ellipsis" and Ellipsis not in [s for s in sel if s is Ellipsis]:
            sel.append(Ellipsis)
            axis += draw(st.integers(0, len(shape) - axis))
            continue
        if kind == "mask":
            k = draw(st.integers(1, len(shape) - axis))
            sel.append(
                draw(
                    st.lists(
                        st.booleans(),
                        min_size=int(np.prod(shape[axis : axis + k])),
                        max_size=int(np.prod(shape[axis : axis + k])),
                    )
                )
            )
            sel[-1] = np.array(sel[-1], dtype=bool).reshape(shape[axis : axis + k])
            axis += k
            continue
        if kind == "int" and n:
            sel.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice" or n == 0:
            sel.append(draw(slices(n)))
        else:
            # a shape broadcastable to base: drop leading axes, set some to 1
            dims = list(base[draw(st.integers(0, len(base))) :])
            if draw(st.booleans()):
                dims = [1 if draw(st.booleans()) and d else d for d in dims]
            count = int(np.prod(dims))
            values = draw(st.lists(st.integers(-n, n - 1), min_size=count, max_size=count))
            sel.append(np.array(values, dtype=np.int64).reshape(dims))
        axis += 1
    if draw(st.integers(0, 9)) == 0:  # a boolean scalar somewhere
        sel.insert(draw(st.integers(0, len(sel))), draw(st.booleans()))
    return desc, tuple(sel)


def block_bounds(desc: dict[str, Any]) -> list[list[int]]:
    """Per axis, where the blocks (chunks, or shards) start, and the axis' end."""
    out = []
    factors = desc["shard_factor"] or [1] * 9
    shards = desc.get("shards") or [None] * 9
    for n, c, f, sh in zip(desc["data"].shape, desc["chunks"], factors, shards):
        block = sh if sh is not None else c if isinstance(c, list) else c * f
        edges = block if isinstance(block, list) else [block] * (-(-n // block))
        starts = [0]
        for e in edges:
            if starts[-1] + e >= n:
                break
            starts.append(starts[-1] + e)
        out.append(starts + [n] if n else [0])
    return out


@st.composite
def block_case(draw: st.DrawFn) -> Case:
    desc = draw(arrays(min_ndim=0))
    sel: list[Any] = []
    for bounds in block_bounds(desc):
        nblocks = len(bounds) - 1
        if nblocks and draw(st.booleans()):
            sel.append(draw(st.integers(-nblocks, nblocks - 1)))
        else:
            bound = st.none() | st.integers(-nblocks - 1, nblocks + 1)
            sel.append(slice(draw(bound), draw(bound)))
    return desc, tuple(sel)


def block_reference(desc: dict[str, Any], sel: tuple[Any, ...]) -> np.ndarray:
    data = desc["data"]
    region = []
    for s, bounds in zip(sel, block_bounds(desc), strict=True):
        nblocks = len(bounds) - 1
        if isinstance(s, int):
            s = slice(s % nblocks, s % nblocks + 1)
        start, stop, _ = s.indices(nblocks)
        region.append(slice(bounds[start], bounds[max(start, stop)]))
    return data[(*region, Ellipsis)]


# -- reads -----------------------------------------------------------------------------


@SETTINGS
@given(orthogonal_case())
def test_orthogonal_read(case: Case) -> None:
    desc, sel = case
    a = build(desc)
    expected = orthogonal_reference(desc["data"], sel)
    assert_same(a.oindex[sel], expected)
    assert_same(a.get_orthogonal_selection(sel), expected)


@SETTINGS
@given(vectorized_case())
def test_vectorized_read_is_numpy(case: Case) -> None:
    desc, sel = case
    a = build(desc)
    try:
        expected = desc["data"][sel]
    except IndexError as e:
        event("numpy rejects the selection")
        with pytest.raises(IndexError) as info:
            a.vindex[sel]
        assert str(info.value).strip() == str(e).strip()
        return
    some = "some" if np.size(expected) else "no"
    event(f"result of {np.ndim(expected)} dimensions, {some} elements")
    assert_same(a.vindex[sel], expected)


@SETTINGS
@given(block_case())
def test_block_read(case: Case) -> None:
    desc, sel = case
    a = build(desc)
    expected = block_reference(desc, sel)
    assert_same(a.blocks[sel], expected)
    assert_same(a.get_block_selection(sel), expected)


# -- writes ----------------------------------------------------------------------------


def values_for(draw: st.DrawFn, target: np.ndarray, unique: bool) -> Any:
    """A value to write where ``target`` (the flat positions selected, in result shape)
    points: a scalar, the full result (derived from the position, so repeated points get
    equal values), or, without repeats, a value broadcast along leading axes."""
    kind = draw(st.sampled_from(["scalar", "full", "broadcast"]))
    if kind == "scalar":
        return -7
    full = (-(target + 1) * 3).astype(np.int32)
    if kind == "broadcast" and unique and target.ndim:
        k = draw(st.integers(0, target.ndim))
        return full[(0,) * k] if full.size else full
    return full


def check_write(
    desc: dict[str, Any], write: Any, sel: Any, draw: st.DrawFn, unique: bool, reference_index: Any
) -> None:
    data = desc["data"].copy()
    flat = np.arange(data.size).reshape(data.shape)
    target = np.asarray(reference_index(flat, sel))
    value = values_for(draw, target, unique)
    a = build(desc)
    write(a, sel, value)
    expected = data.reshape(-1)
    expected[target.reshape(-1)] = np.broadcast_to(value, target.shape).reshape(-1)
    assert np.array_equal(a[...], expected.reshape(data.shape))


@SETTINGS
@given(orthogonal_case(unique=True), st.data())
def test_orthogonal_write(case: Case, data: st.DataObject) -> None:
    desc, sel = case

    def write(a: Any, s: Any, v: Any) -> None:
        if data.draw(st.booleans()):
            a.oindex[s] = v
        else:
            a.set_orthogonal_selection(s, v)

    check_write(desc, write, sel, data.draw, True, orthogonal_reference)


@SETTINGS
@given(vectorized_case(), st.data())
def test_vectorized_write(case: Case, data: st.DataObject) -> None:
    desc, sel = case
    flat = np.arange(desc["data"].size).reshape(desc["data"].shape)
    try:
        target = flat[sel]
    except IndexError:
        return  # invalid selections are covered by the read test
    unique = np.unique(np.asarray(target)).size == np.asarray(target).size

    def write(a: Any, s: Any, v: Any) -> None:
        a.vindex[s] = v

    check_write(desc, write, sel, data.draw, unique, lambda f, s: f[s])


@SETTINGS
@given(block_case(), st.data())
def test_block_write(case: Case, data: st.DataObject) -> None:
    desc, sel = case

    def write(a: Any, s: Any, v: Any) -> None:
        a.blocks[s] = v

    def reference(flat: np.ndarray, s: Any) -> np.ndarray:
        return block_reference({**desc, "data": flat}, s)

    check_write(desc, write, sel, data.draw, True, reference)
