"""Review fixes: memory of mask and point selections, lists checked once, numpy's exception
types and inputs, ``out=`` always returned, empty selections, one home for shared checks."""

from __future__ import annotations

import inspect
import tracemalloc
import typing
from typing import Any

import numpy as np
import pytest
from indexing_helpers import make_array

from simplezarr import MemoryStore, ZarrArray, engine
from simplezarr.errors import ZarrError
from simplezarr.indexing import items


class Index:
    """Not an int, but usable as one (``__index__``), as numpy accepts."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def data_of(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)


# -- 1. memory: a few bytes of temporaries per selected point ----------------------------

#: Bytes of temporaries allowed per selected point, on top of the result itself.
BYTES_PER_POINT = 24


def _peak(call: Any) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("sharded", [False, True])
def test_mask_and_point_selections_cost_a_few_bytes_per_point(sharded: bool) -> None:
    n = 1024
    a = ZarrArray.create(
        MemoryStore(),
        shape=(n, n),
        dtype="uint8",
        chunks=(128, 128),
        shards=(256, 256) if sharded else None,
        compressors=None,
    )
    a[...] = 1
    mask = np.ones((n, n), dtype=bool)
    mask[::7, ::3] = False  # not all True: no run covers a whole chunk
    points = np.nonzero(mask)
    npoints = points[0].shape[0]
    result_bytes = npoints  # uint8
    a.vindex[points[0][:10], points[1][:10]]  # warm up (imports, pool threads)
    bound = BYTES_PER_POINT * npoints + result_bytes + (1 << 20)
    cases = {
        "vindex[mask]": lambda: a.vindex[mask],
        "a[mask]": lambda: a[mask],
        "get_mask_selection": lambda: a.get_mask_selection(mask),
        "vindex[mask] = v": lambda: a.vindex.__setitem__(mask, 2),
        "vindex[nonzero(mask)]": lambda: a.vindex[points],
        "vindex[nonzero(mask)] = v": lambda: a.vindex.__setitem__(points, 3),
    }
    peaks = {name: _peak(call) for name, call in cases.items()}
    too_big = {
        k: f"{(v - result_bytes) / npoints:.1f} B/point" for k, v in peaks.items() if v > bound
    }
    assert not too_big, too_big
    assert (a.vindex[mask] == 3).all()


def test_whole_mask_is_projected_chunk_by_chunk_without_nonzero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = make_array(data_of((9, 7)), (4, 3))
    mask = data_of((9, 7)) % 3 == 0

    def no_nonzero_of_the_whole_mask(arr: Any, *args: Any, **kwargs: Any) -> Any:
        assert np.shape(arr) != mask.shape, "np.nonzero of the whole mask"
        return real(arr, *args, **kwargs)

    real = np.nonzero
    monkeypatch.setattr(np, "nonzero", no_nonzero_of_the_whole_mask)
    assert np.array_equal(a.vindex[mask], data_of((9, 7))[mask])
    assert np.array_equal(a[mask], data_of((9, 7))[mask])


@pytest.mark.parametrize("layout", [(3, None), (3, (2, 1)), (2, None)])
@pytest.mark.parametrize(
    "shape,chunks",
    [
        ((9, 7), (4, 3)),
        ((5,), (2,)),
        ((4, 5, 6), (3, 2, 4)),
        ((6, 4), (6, 4)),
        ((6, 4), (2, 4)),
        ((0, 3), (2, 2)),
    ],
)
def test_whole_masks_read_and_write_like_numpy(
    shape: tuple[int, ...], chunks: tuple[int, ...], layout: Any
) -> None:
    zarr_format, factor = layout
    factor = factor[: len(shape)] + (1,) * (len(shape) - len(factor)) if factor else None
    rng = np.random.default_rng(len(shape))
    data = data_of(shape)
    for density in (0.0, 0.3, 1.0):
        mask = rng.random(shape) < density
        a = make_array(data, chunks, zarr_format=zarr_format, shard_factor=factor)
        assert np.array_equal(a.vindex[mask], data[mask])
        assert np.array_equal(a.vindex[..., mask], data[mask])
        value = np.arange(int(mask.sum()), dtype=np.int32) + 1000
        a.vindex[mask] = value
        expected = data.copy()
        expected[mask] = value
        assert np.array_equal(a[...], expected)


# -- 2. plain a[list]: the list is converted once, never checked element by element -------


def test_plain_list_selection_is_not_checked_element_by_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = items.as_index

    def counting(value: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(value)

    monkeypatch.setattr(items, "as_index", counting)
    big = list(range(0, 100_000, 3))
    for sel, ndim in [
        (big, 1),
        ((big, big), 2),
        ((big, slice(None)), 2),
        ([True] * 1000, 1),
        ((big, 5), 2),
    ]:
        calls = 0
        items.classify(sel, ndim)
        assert calls < 10, (ndim, calls)
    a = make_array(np.arange(100_000, dtype=np.int32), (1000,))
    assert np.array_equal(a[big], np.arange(100_000)[big])


@pytest.mark.parametrize(
    "sel",
    [[True, 1], [np.int8(1), 2], [], [[0, 1], [1, 0]], [True, False] * 5, [[0], [1]], range(0)],
    ids=repr,
)
def test_lists_keep_numpy_semantics(sel: Any) -> None:
    data = data_of((10,))
    a = make_array(data, (3,))
    assert np.array_equal(a[sel], data[sel])
    assert a[sel].shape == data[sel].shape


# -- 3. numpy's exception types and inputs -----------------------------------------------


@pytest.mark.parametrize(
    "sel",
    [
        slice(1.5, None),
        slice(None, None, 0),
        [0, [1]],
        (slice(None), slice("a", None)),
        [slice(1, 2)],
        [0, None],
        slice(np.True_, None),
    ],
    ids=repr,
)
@pytest.mark.parametrize("how", ["getitem", "vindex", "oindex", "blocks"])
def test_exception_types_match_numpy(sel: Any, how: str) -> None:
    if how == "blocks" and isinstance(sel, list):
        pytest.skip("block selections take no lists")
    data = data_of((6, 6))
    a = make_array(data, (4, 4))
    try:
        data[sel]
    except Exception as e:
        expected = e
    else:
        pytest.skip(f"numpy {np.__version__} accepts {sel!r}")
    call = {
        "getitem": lambda: a[sel],
        "vindex": lambda: a.vindex[sel],
        "oindex": lambda: a.oindex[sel],
        "blocks": lambda: a.blocks[sel],
    }[how]
    with pytest.raises(Exception) as actual:
        call()
    assert isinstance(actual.value, ZarrError)
    assert isinstance(actual.value, type(expected)), (actual.value, expected)


def test_index_objects_and_ranges_are_accepted_like_numpy() -> None:
    data = data_of((6, 6))
    a = make_array(data, (4, 4))
    i = Index(1)
    assert a[i, Index(2)] == data[1, 2]
    np.testing.assert_array_equal(a[i], data[1])
    np.testing.assert_array_equal(a[i:], data[1:])
    np.testing.assert_array_equal(a[:, Index(-1) : Index(2) : Index(-1)], data[:, -1:2:-1])
    np.testing.assert_array_equal(a.oindex[i, [0, 2]], data[1, [0, 2]])
    np.testing.assert_array_equal(a.vindex[i, [0, 2]], data[1, [0, 2]])
    np.testing.assert_array_equal(a.blocks[i, Index(0) :], data[4:, :])
    np.testing.assert_array_equal(a[range(2)], data[range(2)])
    np.testing.assert_array_equal(a[range(5, 0, -2), 1], data[range(5, 0, -2), 1])
    np.testing.assert_array_equal(a.vindex[range(2), range(2)], data[range(2), range(2)])
    np.testing.assert_array_equal(a.oindex[range(2)], data[range(2)])
    np.testing.assert_array_equal(
        a.oindex[range(3), range(1, 3)], data[np.ix_(range(3), range(1, 3))]
    )
    a.oindex[range(2), i] = [7, 8]
    assert a[0, 1] == 7 and a[1, 1] == 8


# -- 4. out= is returned ------------------------------------------------------------------


def test_out_is_returned_even_for_scalar_selections() -> None:
    data = data_of((4, 4))
    a = make_array(data, (3, 3))
    out = np.empty((), dtype=np.int32)
    assert a.get_basic_selection((1, 1), out=out) is out
    assert out[()] == data[1, 1]
    out = np.empty((), dtype=np.int32)
    assert a.get_orthogonal_selection((2, 3), out=out) is out and out[()] == data[2, 3]
    out = np.empty((), dtype=np.int32)
    assert a.get_coordinate_selection((3, 0), out=out) is out and out[()] == data[3, 0]
    out = np.empty(2, dtype=np.int32)
    assert a.get_mask_selection(data < 2, out=out) is out
    out = np.empty((3, 3), dtype=np.int32)
    assert a.get_block_selection((0, 0), out=out) is out


# -- 5. empty selections as permissive as numpy's ------------------------------------------


@pytest.mark.parametrize(
    "shape,sel",
    [
        ((2, 5, 3, 1), ([4], [])),
        ((2, 5, 3, 1), ([], [7])),
        ((4, 0, 3), (np.array([], bool), [1])),
        ((4, 0, 3), (np.zeros((4, 0), bool), [1])),
        ((4, 2), np.zeros(0, bool)),
        ((4, 2), (np.zeros(0, bool), [5])),
        ((4, 2), np.zeros((0, 2), bool)),
        ((4, 2, 3), (slice(None), np.zeros((2, 0), bool))),
        ((2, 3), (np.zeros((0, 2), int), [4, 4])),
        ((4, 0, 3), (slice(None), [], [5])),
    ],
    ids=repr,
)
def test_empty_selections_are_as_permissive_as_numpy(shape: tuple[int, ...], sel: Any) -> None:
    data = data_of(shape)
    a = make_array(data, tuple(max(1, n // 2) for n in shape))
    expected = data[sel]
    assert a.vindex[sel].shape == expected.shape
    if items.classify(sel, len(shape)) == "vectorized":  # else zarr-python's orthogonal a[]
        assert a[sel].shape == expected.shape
    a.vindex[sel] = 5  # writes nothing
    assert np.array_equal(a[...], data)


# -- 6. shared checks written once, the Indexer protocol at the seam ----------------------


def test_shared_checks_give_one_message_everywhere() -> None:
    a = make_array(data_of((4, 4)), (2, 2))
    for sel in [(0, 0, 0), (..., ..., 0), (0, ..., 0, 0), (None,)]:
        messages = set()
        for call in (
            lambda sel=sel: a[sel],
            lambda sel=sel: a.oindex[sel],
            lambda sel=sel: a.vindex[sel],
            lambda sel=sel: a.blocks[sel],
            lambda sel=sel: a.get_basic_selection(sel),
        ):
            with pytest.raises(IndexError) as e:
                call()
            messages.add(str(e.value))
        assert len(messages) == 1, messages


def test_indexer_protocol_lives_at_the_seam() -> None:
    from simplezarr import indexing

    assert indexing.Indexer.__module__ == "simplezarr.indexing.projection"
    for function in (engine.read, engine.write):
        hints = typing.get_type_hints(function)
        assert hints["indexer"] is indexing.Indexer
    source = inspect.getsource(engine.read) + inspect.getsource(engine.write)
    assert "attr-defined" not in source


def test_array_docstring_names_the_selection_api() -> None:
    doc = ZarrArray.__doc__ or ""
    for name in [
        "oindex",
        "vindex",
        "blocks",
        "get_basic_selection",
        "set_orthogonal_selection",
        "get_coordinate_selection",
        "get_mask_selection",
        "set_block_selection",
    ]:
        assert name in doc, name


def test_getitem_allocates_through_the_selection_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    a = make_array(data_of((4, 4)), (2, 2))
    seen = []
    real = type(a)._read

    def spy(self: Any, indexer: Any, out: Any) -> Any:
        seen.append(indexer)
        return real(self, indexer, out)

    monkeypatch.setattr(type(a), "_read", spy)
    a[1:3, [0, 2]]
    assert len(seen) == 1
