"""Named cases: what other implementations leave out, rank 0, out=, values, errors."""

from __future__ import annotations

import inspect
import logging
import typing
from typing import Any

import numpy as np
import pytest
from indexing_helpers import arange_of, assert_same, make_array

from simplezarr import MemoryStore, ZarrArray, engine
from simplezarr.errors import BoundsCheckError, InvalidArgument, SelectionError, ZarrError
from simplezarr.indexing import items
from simplezarr.stores import LoggingStore

LAYOUTS = pytest.mark.parametrize(
    ("zarr_format", "shard_factor"),
    [(3, None), (3, "sharded"), (2, None)],
    ids=["v3", "v3-sharded", "v2"],
)


def layout_array(
    data: np.ndarray, chunks: tuple[int, ...], zarr_format: int, shard_factor: Any
) -> ZarrArray:
    factor = (2,) * data.ndim if shard_factor == "sharded" else None
    return make_array(data, chunks, zarr_format=zarr_format, shard_factor=factor)


def data_of(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(1, int(np.prod(shape)) + 1, dtype=np.int32).reshape(shape)


# -- what zarrs-python lists as unsupported ----------------------------------------------

D3 = data_of((6, 7, 8))
D4 = data_of((4, 5, 3, 6))


@LAYOUTS
@pytest.mark.parametrize(
    "sel",
    [
        ([5, 0, 3, 3], [6, 1, 0, 2], [7, 0, 4, 4]),  # points in 3-d
        (np.array([[0, 5], [2, 2]]), slice(None), np.array([[7], [1]])),  # 2-d arrays, split
        (slice(1, None, 2), [6, 0, -1], 3),  # integer array with an int and a slice
        ([1, 4], Ellipsis, [0, 7]),  # arrays around an Ellipsis
        (np.array([True, False, False, False, True, False]), [2, 3], slice(None, None, -3)),
        (np.arange(6 * 7).reshape(6, 7) % 5 == 0, [1]),  # a 2-d mask then an array
    ],
)
def test_integer_arrays_in_three_dimensions(sel: Any, zarr_format: int, shard_factor: Any) -> None:
    a = layout_array(D3, (4, 3, 3), zarr_format, shard_factor)
    assert_same(a.vindex[sel], D3[sel])
    expected = D3.copy()
    value = -np.arange(expected[sel].size, dtype=np.int32).reshape(expected[sel].shape) - 1
    expected[sel] = value
    a.vindex[sel] = value
    assert np.array_equal(a[...], expected)


@LAYOUTS
def test_orthogonal_in_four_dimensions(zarr_format: int, shard_factor: Any) -> None:
    a = layout_array(D4, (3, 2, 2, 4), zarr_format, shard_factor)
    idx = ([3, 0], [4, 1, 2], [True, False, True], [5, 0, 2, 3])
    expected = D4[np.ix_(*[np.flatnonzero(i) if np.asarray(i).dtype == bool else i for i in idx])]
    assert_same(a.oindex[idx], expected)
    a.oindex[idx] = 0
    copy = D4.copy()
    copy[np.ix_([3, 0], [4, 1, 2], [0, 2], [5, 0, 2, 3])] = 0
    assert np.array_equal(a[...], copy)


@LAYOUTS
def test_discontiguous_integer_writes_in_two_dimensions(
    zarr_format: int, shard_factor: Any
) -> None:
    data = data_of((9, 10))
    a = layout_array(data, (4, 3), zarr_format, shard_factor)
    expected = data.copy()
    a[[8, 0, 4]] = -1
    expected[[8, 0, 4]] = -1
    a[:, [9, 1, 5]] = np.array([-2, -3, -4], dtype=np.int32)
    expected[:, [9, 1, 5]] = [-2, -3, -4]
    a.oindex[[7, 2], [6, 0, 3]] = [[-5, -6, -7], [-8, -9, -10]]
    expected[np.ix_([7, 2], [6, 0, 3])] = [[-5, -6, -7], [-8, -9, -10]]
    a[[1, 3, 5], 2] = 11
    expected[[1, 3, 5], 2] = 11
    assert np.array_equal(a[...], expected)


@LAYOUTS
def test_vindex_writes_with_two_integer_arrays(zarr_format: int, shard_factor: Any) -> None:
    data = data_of((9, 10))
    a = layout_array(data, (4, 3), zarr_format, shard_factor)
    expected = data.copy()
    rows, cols = np.array([[8, 0], [4, 4]]), np.array([[9, 0], [1, 2]])
    a.vindex[rows, cols] = [[1, 2], [3, 4]]
    expected[rows, cols] = [[1, 2], [3, 4]]
    a[[5, 6, 7], [3, 3, 3]] = [5, 6, 7]
    expected[[5, 6, 7], [3, 3, 3]] = [5, 6, 7]
    a.set_coordinate_selection(([0, 1], 9), 8)
    expected[[0, 1], 9] = 8
    assert np.array_equal(a[...], expected)


ELLIPSIS_CASES = [
    (Ellipsis,),
    (Ellipsis, 0),
    (0, Ellipsis),
    (Ellipsis, 1, 2, 3),  # Ellipsis of width 0 with only integers: a 0-d array
    (1, Ellipsis, 2, 3),
    (Ellipsis, [0, 2]),
    ([0, 2], Ellipsis),
    ([1, 3], Ellipsis, [0, 5]),  # width 0 between arrays: the broadcast axis goes first
    (Ellipsis, [1, 3], 0),
    (slice(None), Ellipsis, [4, 0], slice(1, 3)),
    (Ellipsis, np.ones(8, bool)),
]


@LAYOUTS
@pytest.mark.parametrize("sel", ELLIPSIS_CASES)
def test_ellipsis_edge_cases(sel: Any, zarr_format: int, shard_factor: Any) -> None:
    a = layout_array(D3, (4, 3, 3), zarr_format, shard_factor)
    assert_same(a.vindex[sel], D3[sel])
    expected = D3.copy()
    expected[sel] = -3
    a.vindex[sel] = -3
    assert np.array_equal(a[...], expected)


@pytest.mark.parametrize(
    ("sel", "expected"),
    [
        ((Ellipsis, [1, 0]), D3[:, :, [1, 0]]),
        ((0, Ellipsis, [7]), D3[0][:, [7]]),
        (([2], Ellipsis), D3[[2]]),
        ((Ellipsis, 1, [3, 2]), D3[:, 1][:, [3, 2]]),
    ],
)
def test_orthogonal_with_ellipsis(sel: Any, expected: np.ndarray) -> None:
    a = make_array(D3, (4, 3, 3))
    assert_same(a.oindex[sel], expected)


# -- the plain a[...] dispatch -----------------------------------------------------------


def test_getitem_dispatch_follows_zarr_python() -> None:
    data = data_of((4, 5))
    a = make_array(data, (3, 2))
    assert_same(a[[0, 3], [1, 4]], data[[0, 3], [1, 4]])  # pure fancy: points
    assert_same(a[[3, 0]], data[[3, 0]])
    assert_same(a[data > 10], data[data > 10])  # a boolean array: a mask
    rows, cols = np.array([True, False, True, True]), np.array([False, True, True, False, True])
    # 1-d arrays on every axis are orthogonal (zarr-python), not numpy's points
    assert_same(a[rows, cols], data[np.ix_(rows, cols)])
    assert_same(a[[2, 0], 1:4], data[[2, 0], 1:4])
    assert_same(a[1, ::-2], data[1, ::-2])  # basic (any step)


# -- rank 0 ------------------------------------------------------------------------------


@LAYOUTS
def test_rank_zero(zarr_format: int, shard_factor: Any) -> None:
    a = layout_array(np.array(5, dtype=np.int32), (), zarr_format, shard_factor)
    d = np.array(5, dtype=np.int32)
    assert_same(a[()], d[()])
    assert_same(a[...], d[...])
    assert_same(a.vindex[()], d[()])
    assert_same(a.vindex[...], d[...])
    assert_same(a.vindex[True], d[True])
    assert_same(a.vindex[np.False_], d[np.False_])
    assert_same(a.oindex[()], d[()])
    assert_same(a.blocks[()], d[...])
    assert_same(a.blocks[...], d[...])
    assert_same(a.get_basic_selection(), d[...])
    a.vindex[True] = 6
    assert a[()] == 6
    a.blocks[...] = 7
    assert a[()] == 7
    a.vindex[False] = 8  # selects nothing
    assert a[()] == 7
    with pytest.raises(IndexError, match="too many indices"):
        a[0]
    with pytest.raises(IndexError, match="too many indices"):
        a.vindex[[0]]


# -- out= and values ---------------------------------------------------------------------


def test_out_is_filled_and_returned() -> None:
    data = data_of((6, 7))
    a = make_array(data, (4, 3))
    out = np.zeros((2, 3), dtype=np.int32)
    assert a.get_orthogonal_selection(([5, 1], [0, 6, 3]), out=out) is out
    assert np.array_equal(out, data[np.ix_([5, 1], [0, 6, 3])])
    out = np.zeros(3, dtype=np.int32)
    a.get_coordinate_selection(([5, 1, 0], [0, 6, 3]), out=out)
    assert np.array_equal(out, data[[5, 1, 0], [0, 6, 3]])
    mask = data % 4 == 0
    out = np.zeros(int(mask.sum()), dtype=np.int32)
    a.get_mask_selection(mask, out=out)
    assert np.array_equal(out, data[mask])
    big = np.zeros((4, 8), dtype=np.int32, order="F")
    a.get_block_selection((1, slice(0, 2)), out=big[:2, :6])  # a strided view
    assert np.array_equal(big[:2, :6], data[4:, :6])
    out = np.zeros((6, 3), dtype=np.int32)[:, ::-1]
    a.get_basic_selection((slice(None), slice(0, 3)), out=out)
    assert np.array_equal(out, data[:, :3])


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (np.zeros(3, dtype=np.int32), "shape"),
        (np.zeros((2, 3), dtype=np.int64), "dtype"),
        ([[0, 0, 0], [0, 0, 0]], "numpy array"),
        (np.broadcast_to(np.zeros(1, np.int32), (2, 3)), "read-only"),
    ],
)
def test_bad_out(out: Any, message: str) -> None:
    a = make_array(data_of((6, 7)), (4, 3))
    with pytest.raises(InvalidArgument, match=message):
        a.get_orthogonal_selection(([5, 1], [0, 6, 3]), out=out)


def test_values_broadcast_like_numpy() -> None:
    data = data_of((6, 7))
    a = make_array(data, (4, 3))
    expected = data.copy()
    a.oindex[[5, 0], :] = np.arange(7, dtype=np.int32)  # a row for every selected row
    expected[[5, 0], :] = np.arange(7)
    a.vindex[[[1], [2]], [0, 6]] = [[10], [20]]  # (2, 1) broadcast to (2, 2)
    expected[[[1], [2]], [0, 6]] = [[10], [20]]
    a.blocks[1, :] = 3
    expected[4:, :] = 3
    assert np.array_equal(a[...], expected)
    with pytest.raises(ValueError, match="broadcast"):
        a.oindex[[5, 0], :] = np.arange(6)
    with pytest.raises(ValueError, match="broadcast"):
        a.vindex[[0, 1], [0, 1]] = [1, 2, 3]


def test_repeated_points_last_one_wins_like_numpy() -> None:
    data = data_of((5, 5))
    a = make_array(data, (2, 2))
    expected = data.copy()
    sel = ([4, 1, 4, 0, 1], [3, 2, 3, 0, 2])
    value = np.array([1, 2, 3, 4, 5], dtype=np.int32)
    a.vindex[sel] = value
    expected[sel] = value
    assert np.array_equal(a[...], expected)
    assert_same(a.vindex[sel], expected[sel])
    assert_same(a.oindex[[1, 1, 0], [4, 4]], expected[np.ix_([1, 1, 0], [4, 4])])


@pytest.mark.parametrize(
    "dtype", ["float32", "bool", "complex128", "datetime64[s]", "uint64", "S3"]
)
def test_other_data_types(dtype: str) -> None:
    data = (np.arange(30) % 7).astype(dtype).reshape(5, 6)
    a = ZarrArray.create(MemoryStore(), shape=data.shape, dtype=data.dtype, chunks=(2, 4))
    a[...] = data
    assert_same(a.vindex[[4, 0], [5, 1]], data[[4, 0], [5, 1]])
    assert_same(a.oindex[[4, 0], [True] * 3 + [False] * 3], data[np.ix_([4, 0], [0, 1, 2])])
    a.vindex[[1, 2], [3, 3]] = data[0, :2]
    data[[1, 2], [3, 3]] = data[0, :2]
    assert np.array_equal(a[...], data)


def test_missing_chunks_read_as_fill_value() -> None:
    a = ZarrArray.create(
        MemoryStore(), shape=(10, 10), dtype="f8", chunks=(3, 3), fill_value=np.nan
    )
    a.vindex[[0], [0]] = 1.0
    result = a.vindex[[0, 9, 5], [0, 9, 1]]
    assert result[0] == 1.0 and np.isnan(result[1:]).all()
    assert np.isnan(a.oindex[[9, 4], [8, 2]]).all()


def test_zarr_array_as_index() -> None:
    data = data_of((4, 4))
    a = make_array(data, (2, 2))
    mask = make_array(data % 3 == 0, (2, 2))
    rows = make_array(np.array([3, 0, 2]), (2,))
    assert_same(a.vindex[mask], data[data % 3 == 0])
    assert_same(a.oindex[rows, 1], data[[3, 0, 2], 1])


def test_order_f_config() -> None:
    data = data_of((5, 6))
    a = ZarrArray.create(
        MemoryStore(), shape=data.shape, dtype=data.dtype, chunks=(2, 4), config={"order": "F"}
    )
    a[...] = data
    assert_same(a.oindex[[4, 1], [5, 0, 2]], data[np.ix_([4, 1], [5, 0, 2])])
    assert_same(a.vindex[[4, 1], [5, 0]], data[[4, 1], [5, 0]])


# -- errors ------------------------------------------------------------------------------

D2 = data_of((10, 12))


@pytest.mark.parametrize(
    "sel",
    [
        10,
        (0, -13),
        [10],
        ([9], [12]),
        (slice(None), [12]),
        ([0, 1], [0, 1, 2]),
        ([[0, 1]], [0, 1, 2]),
        np.ones((10, 11), bool),
        np.ones(9, bool),
        [True, False],
        1.5,
        [1.5],
        np.array([1.0]),
        "x",
        (0, 0, 0),
        np.ones((10, 12, 1), bool),
        (Ellipsis, Ellipsis),
        (np.array([2**63 + 1], dtype=np.uint64),),
        ([5], 0, [13]),
        (False, [0, 1]),
        (9, [0], np.ones(13, bool)),
    ],
    ids=repr,
)
def test_errors_match_numpy(sel: Any) -> None:
    a = make_array(D2, (3, 5))
    with pytest.raises(IndexError) as expected:
        D2[sel]
    with pytest.raises(IndexError) as actual:
        a.vindex[sel]
    assert isinstance(actual.value, ZarrError)
    numpy_message = str(expected.value).strip()
    if "-9223372036854775807" in numpy_message:  # numpy wraps huge unsigned indices
        numpy_message = numpy_message.replace("-9223372036854775807", str(2**63 + 1))
    assert str(actual.value).strip() == numpy_message
    with pytest.raises(IndexError):
        a[sel]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda a: a.oindex[np.zeros((2, 2), int)], SelectionError, "1-dimensional"),
        (lambda a: a.oindex[np.ones(3, bool)], SelectionError, "size of axis is 10"),
        (lambda a: a.oindex[True], SelectionError, "boolean scalar"),
        (lambda a: a.oindex[[10], :], BoundsCheckError, "index 10 is out of bounds for axis 0"),
        (lambda a: a.oindex[:, [-13]], BoundsCheckError, "index -13 is out of bounds for axis 1"),
        (lambda a: a.oindex[[1.5]], SelectionError, "only integers"),
        (lambda a: a.oindex[None], SelectionError, "newaxis"),
        (lambda a: a.oindex[0, 0, [0]], SelectionError, "too many indices"),
        (lambda a: a.get_coordinate_selection(([0],)), SelectionError, "one integer array per"),
        (
            lambda a: a.get_coordinate_selection(([0], slice(None))),
            SelectionError,
            "integer arrays",
        ),
        (lambda a: a.get_coordinate_selection(([0], [True])), SelectionError, "integer arrays"),
        (lambda a: a.get_mask_selection(np.ones(10, bool)), SelectionError, "covers every axis"),
        (lambda a: a.get_mask_selection(np.ones((10, 11), bool)), SelectionError, "axis 1"),
        (lambda a: a.get_mask_selection(np.ones((10, 12), int)), SelectionError, "boolean array"),
        (
            lambda a: a.blocks[4],
            BoundsCheckError,
            "block index 4 is out of bounds for axis 0 with 4",
        ),
        (lambda a: a.blocks[-5], BoundsCheckError, "block index -5"),
        (lambda a: a.blocks[::2], SelectionError, "step 1"),
        (lambda a: a.blocks[[0, 1]], SelectionError, "unsupported item"),
        (lambda a: a.blocks[0, 0, 0], SelectionError, "too many indices"),
        (lambda a: a.get_basic_selection([0, 1]), SelectionError, "basic indexing"),
    ],
)
def test_selection_errors(call: Any, error: type, message: str) -> None:
    a = make_array(D2, (3, 5))
    with pytest.raises(error, match=message) as info:
        call(a)
    assert isinstance(info.value, IndexError)


def test_index_arrays_are_not_changed() -> None:
    a = make_array(D2, (3, 5))
    rows = np.array([-1, 2, -3])
    a.oindex[rows, :]
    a.vindex[rows, rows]
    a.vindex[rows, rows] = 0
    assert rows.tolist() == [-1, 2, -3]


class Index:
    """Not an int, but usable as one (``__index__``), as numpy accepts."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


# -- numpy's exception types and inputs --------------------------------------------------


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
    data = arange_of((6, 6))
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
    data = arange_of((6, 6))
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


# -- out= is returned --------------------------------------------------------------------


def test_out_is_returned_even_for_scalar_selections() -> None:
    data = arange_of((4, 4))
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


# -- empty selections as permissive as numpy's -------------------------------------------


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
    data = arange_of(shape)
    a = make_array(data, tuple(max(1, n // 2) for n in shape))
    expected = data[sel]
    assert a.vindex[sel].shape == expected.shape
    if items.classify(sel, len(shape)) == "vectorized":  # else zarr-python's orthogonal a[]
        assert a[sel].shape == expected.shape
    a.vindex[sel] = 5  # writes nothing
    assert np.array_equal(a[...], data)


# -- shared checks written once, the Indexer protocol at the seam ------------------------


def test_shared_checks_give_one_message_everywhere() -> None:
    a = make_array(arange_of((4, 4)), (2, 2))
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


def test_getitem_allocates_through_the_selection_methods() -> None:
    # a[...] goes through the same selection method as its explicit form: one read of the
    # touched chunks (four, in one store request) into one result.
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    data = arange_of((4, 4))
    a = make_array(data, (2, 2), store=store)
    store.counter.clear()
    got = a[1:3, [0, 2]]
    assert dict(store.counter) == {"get_many": 1}
    np.testing.assert_array_equal(got, data[1:3][:, [0, 2]])
    np.testing.assert_array_equal(got, a.get_orthogonal_selection((slice(1, 3), [0, 2])))
