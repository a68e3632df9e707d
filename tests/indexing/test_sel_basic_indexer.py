"""BasicIndexer against numpy: projecting a selection chunk by chunk gives numpy's result."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simplezarr.errors import BoundsCheckError, SelectionError, ZarrError
from simplezarr.indexing import BasicIndexer


@st.composite
def array_and_selection(draw):
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.integers(0, 11)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, 6)) for _ in range(ndim))
    sel = []
    for n in shape:
        if n and draw(st.booleans()):
            sel.append(draw(st.integers(-n, n - 1)))
        else:
            bound = st.none() | st.integers(-14, 14)
            step = st.none() | st.integers(-4, 4).filter(lambda s: s != 0)
            sel.append(slice(draw(bound), draw(bound), draw(step)))
    if sel and draw(st.booleans()):
        cut = draw(st.integers(0, len(sel)))
        sel = sel[:cut] + [Ellipsis] + sel[cut + draw(st.integers(0, len(sel) - cut)) :]
    return shape, chunks, tuple(sel)


def project(shape, chunks, sel):
    """Assemble the selection from padded chunks through the projections alone."""
    source = np.arange(int(np.prod(shape))).reshape(shape)
    idx = BasicIndexer(sel, shape, chunks)
    out = np.full(idx.shape, -1)
    seen = set()
    for p in idx:
        assert p.chunk_coords not in seen, "a chunk was visited twice"
        seen.add(p.chunk_coords)
        region = tuple(slice(c * n, (c + 1) * n) for c, n in zip(p.chunk_coords, chunks))
        padded = np.full(chunks, -7)
        part = source[region]
        padded[tuple(slice(0, s) for s in part.shape)] = part
        chunk_view = padded[p.chunk_selection]
        if p.is_complete:  # complete chunks are taken whole and in order
            assert np.array_equal(chunk_view, part.reshape(chunk_view.shape))
        out[p.out_selection] = chunk_view
    return source, out


@settings(max_examples=400, deadline=None)
@given(array_and_selection())
def test_projections_reassemble_numpy_result(case) -> None:
    shape, chunks, sel = case
    source, out = project(shape, chunks, sel)
    expected = source[sel]
    assert out.shape == expected.shape
    assert np.array_equal(out, expected)


def test_only_touched_chunks_are_visited() -> None:
    idx = BasicIndexer((5, slice(0, 3)), shape=(1000, 1000), chunk_shape=(10, 10))
    assert [p.chunk_coords for p in idx] == [(0, 0)]


@pytest.mark.parametrize(
    ("sel", "error"),
    [
        ((10,), BoundsCheckError),
        ((-11,), BoundsCheckError),
        ((slice(None, None, 0),), SelectionError),
        ((0, 0), SelectionError),
        ((Ellipsis, Ellipsis), SelectionError),
        ((None,), SelectionError),
        (([1, 2],), SelectionError),
        ((1.5,), SelectionError),
        ((slice(1.5, 2),), SelectionError),
    ],
)
def test_bad_selections(sel, error) -> None:
    with pytest.raises(error) as info:
        BasicIndexer(sel, shape=(10,), chunk_shape=(3,))
    assert isinstance(info.value, ZarrError) and isinstance(info.value, IndexError)


def test_bounds_message_is_numpy_like() -> None:
    with pytest.raises(IndexError, match="index 10 is out of bounds for axis 0 with size 10"):
        BasicIndexer((10,), shape=(10,), chunk_shape=(3,))
