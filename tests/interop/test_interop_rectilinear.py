"""Rectilinear (variable) chunk grids against zarr-python 3.4.2, in both directions.

Each case is one ``create_array`` call given to both libraries (``config.rectilinear_chunks``
on in both), each writing into its own LocalStore directory, then the same writes: whole,
partial (so some chunks stay unwritten or hold the fill value), orthogonal and points. The
checks: the stored files are the same (same keys, byte-identical ``zarr.json`` and chunks),
each library reads what the other wrote with every selection kind, and resizing (growing past
the explicit edges, shrinking, growing back) changes the documents and chunks alike. Needs
zarr-python >= 3.4 (skipped with older versions, which have no rectilinear grids).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import RectilinearChunksDisabledError

zarr = pytest.importorskip("zarr")
if "rectilinear_chunks" not in zarr.config.get("array"):
    pytest.skip("zarr-python has no rectilinear chunk grids (3.4+)", allow_module_level=True)

#: id -> create_array keywords (shape, dtype, chunks, and more).
CASES: dict[str, dict[str, Any]] = {
    "2d-explicit": dict(shape=(60, 100), dtype="int32", chunks=[[10, 20, 30], [50, 50]]),
    "mixed-bare-int": dict(shape=(30, 100), dtype="float64", chunks=(7, [10, 20, 70])),
    "run-length": dict(shape=(2208,), dtype="int16", chunks=[[168] * 13 + [24]]),
    "uniform-list": dict(shape=(30,), dtype="uint8", chunks=[[10, 10, 10]]),
    "3d": dict(shape=(9, 8, 7), dtype="float32", chunks=[[2, 7], 3, [1, 5, 1]]),
    "fill-value": dict(shape=(20, 9), dtype="int64", chunks=[[3, 17], [4, 5]], fill_value=-7),
    "no-compression": dict(
        shape=(25, 13), dtype="uint16", chunks=[[5, 20], [13]], compressors=None
    ),
    "gzip": dict(
        shape=(25, 13),
        dtype="int32",
        chunks=[[12, 13], 4],
        compressors=[{"name": "gzip", "configuration": {"level": 1}}],
    ),
    "sharded": dict(shape=(100,), dtype="int32", chunks=(10,), shards=[[50, 30, 20]]),
    "sharded-2d": dict(shape=(90, 20), dtype="int32", chunks=(10, 5), shards=[[60, 30], 10]),
    "sharded-index-start": dict(
        shape=(40, 12),
        dtype="int32",
        chunks=(4, 6),
        shards={"shape": [[8, 32], 12], "index_location": "start"},
    ),
    "empty-dimension": dict(shape=(0, 6), dtype="int32", chunks=[[5, 5], 3]),
}


@pytest.fixture(autouse=True)
def _flag_on() -> Iterator[None]:
    on = {"array.rectilinear_chunks": True}
    with zarr.config.set(on), simplezarr.config.set(on):
        yield


def _data(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    n = int(np.prod(shape))
    return (np.arange(n) % 97 + 1).astype(dtype).reshape(shape)


def _writes(a: Any, shape: tuple[int, ...], dtype: str) -> None:
    """The same writes through either library's array: partial, orthogonal, points."""
    data = _data(shape, dtype)
    if 0 in shape:
        return
    half = tuple(slice(0, max(1, n // 2)) for n in shape)
    a[half] = data[half]
    last = tuple(slice(n - 1, n) for n in shape)
    a[last] = data[last]
    a.oindex[([0, shape[0] - 1], *([slice(None)] * (len(shape) - 1)))] = data[[0, shape[0] - 1]]
    pts = tuple(np.array([0, n - 1, n // 2]) for n in shape)
    a.vindex[pts] = data[pts] + 1


def _comparable(value: bytes) -> bytes:
    # zarr-python's gzip stamps the time into the header (bytes 4-8); simplezarr writes 0
    return value[:4] + b"\0\0\0\0" + value[8:] if value[:2] == b"\x1f\x8b" else value


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): _comparable(p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".simplezarr")
    }


def _quiet(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def _make(tmp_path: Path, case: str) -> tuple[Path, Path]:
    kwargs = CASES[case]
    shape, dtype = kwargs["shape"], kwargs["dtype"]
    theirs, ours = tmp_path / "zarr", tmp_path / "simplezarr"
    za = _quiet(lambda: zarr.create_array(zarr.storage.LocalStore(theirs), **kwargs))
    _quiet(lambda: _writes(za, shape, dtype))
    sa = simplezarr.create_array(simplezarr.storage.LocalStore(ours), **kwargs)
    _writes(sa, shape, dtype)
    return theirs, ours


def _selections(shape: tuple[int, ...]) -> list[tuple[str, Any]]:
    if 0 in shape:
        return [("basic", (slice(None),) * len(shape))]
    n0 = shape[0]
    rest = (slice(None),) * (len(shape) - 1)
    return [
        ("basic", (slice(None),) * len(shape)),
        ("basic", (n0 - 1, *rest)),
        ("basic", (slice(1, n0, 3), *(slice(1, None, 2) for _ in rest))),
        ("oindex", ([n0 - 1, 0, n0 // 2], *rest)),
        ("vindex", tuple(np.array([n - 1, 0, n // 3]) for n in shape)),
        ("mask", None),
        ("blocks", (-1, *rest)),
        ("blocks", (slice(0, 2), *rest)),
    ]


def _read(a: Any, kind: str, sel: Any) -> np.ndarray:
    if kind == "basic":
        return np.asarray(a[sel])
    if kind == "oindex":
        return np.asarray(a.oindex[sel])
    if kind == "vindex":
        return np.asarray(a.vindex[sel])
    if kind == "mask":
        mask = (np.arange(int(np.prod(a.shape))) % 3 == 0).reshape(a.shape)
        return np.asarray(a.vindex[mask])
    return np.asarray(a.blocks[sel])


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_files(tmp_path: Path, case: str) -> None:
    theirs, ours = _make(tmp_path, case)
    mine, zarrs = _files(ours), _files(theirs)
    assert sorted(mine) == sorted(zarrs)
    for key in zarrs:
        assert mine[key] == zarrs[key], key


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_reads_the_other(tmp_path: Path, case: str) -> None:
    theirs, ours = _make(tmp_path, case)
    shape = CASES[case]["shape"]
    mine = simplezarr.open_array(simplezarr.storage.LocalStore(theirs), mode="r")
    zr = _quiet(lambda: zarr.open_array(zarr.storage.LocalStore(ours), mode="r"))
    as_json = json.loads(json.dumps(zr.metadata.chunk_grid.to_dict()))
    assert mine.metadata.chunk_grid.to_dict() == as_json
    assert mine.read_chunk_sizes == zr.read_chunk_sizes
    assert mine.write_chunk_sizes == zr.write_chunk_sizes
    assert mine.nchunks == zr.nchunks
    assert mine.nchunks_initialized == zr.nchunks_initialized
    for kind, sel in _selections(shape):
        expected = _quiet(lambda kind=kind, sel=sel: _read(zr, kind, sel))
        got = _read(mine, kind, sel)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"{kind} {sel!r}")


RESIZES = [
    ("2d-explicit", [(75, 100), (25, 60), (60, 120)]),
    ("mixed-bare-int", [(31, 100), (31, 101), (8, 5), (40, 100)]),
    ("sharded", [(130,), (45,), (100,)]),
]


@pytest.mark.parametrize(("case", "shapes"), RESIZES, ids=[c for c, _ in RESIZES])
def test_resize_and_append_alike(tmp_path: Path, case: str, shapes: list[tuple[int, ...]]) -> None:
    theirs, ours = _make(tmp_path, case)
    za = _quiet(lambda: zarr.open_array(zarr.storage.LocalStore(theirs)))
    sa = simplezarr.open_array(simplezarr.storage.LocalStore(ours))
    dtype = CASES[case]["dtype"]
    for shape in shapes:
        _quiet(lambda shape=shape: za.resize(shape))
        sa.resize(shape)
        # the same grid and the same chunks left (a shrink deletes the chunks wholly past
        # the new edge; simplezarr also fills the part past it of those straddling it)
        assert _files(ours)["zarr.json"] == _files(theirs)["zarr.json"], shape
        assert sorted(_files(ours)) == sorted(_files(theirs)), shape
        assert sa.read_chunk_sizes == za.read_chunk_sizes
        data = _data(shape, dtype) * 2
        for a in (za, sa):
            _quiet(lambda a=a, data=data: a.__setitem__(Ellipsis, data))
        if "shards" not in CASES[case]:
            # (a shard's inner chunk straddling the edge keeps, in zarr-python, what the
            # shrink left past the edge: simplezarr filled it, so only values compare)
            assert _files(ours) == _files(theirs), shape
        np.testing.assert_array_equal(sa[...], _quiet(lambda: za[...]))
    extra = _data((3, *sa.shape[1:]), dtype)
    _quiet(lambda: za.append(extra))
    sa.append(extra)
    assert _files(ours)["zarr.json"] == _files(theirs)["zarr.json"]
    assert sorted(_files(ours)) == sorted(_files(theirs))
    np.testing.assert_array_equal(sa[...], _quiet(lambda: za[...]))


@pytest.mark.parametrize("write_empty_chunks", [False, True])
def test_write_empty_chunks_alike(tmp_path: Path, write_empty_chunks: bool) -> None:
    kwargs = dict(shape=(30, 10), dtype="int32", chunks=[[5, 25], [4, 6]])
    cfg = {"write_empty_chunks": write_empty_chunks}
    za = _quiet(
        lambda: zarr.create_array(zarr.storage.LocalStore(tmp_path / "z"), config=cfg, **kwargs)
    )
    sa = simplezarr.create_array(
        simplezarr.storage.LocalStore(tmp_path / "s"), config=cfg, **kwargs
    )
    for a in (za, sa):
        a[...] = 0
        a[6:7, 5] = 3
    assert _files(tmp_path / "s") == _files(tmp_path / "z")


def test_flag_off_refuses_what_zarr_refuses(tmp_path: Path) -> None:
    """Off, neither library creates or opens a rectilinear array; both raise ValueError."""
    root = tmp_path / "r"
    simplezarr.create_array(
        simplezarr.storage.LocalStore(root), shape=(30,), chunks=[[10, 20]], dtype="i4"
    )
    off = {"array.rectilinear_chunks": False}
    with zarr.config.set(off), simplezarr.config.set(off):
        with pytest.raises(ValueError, match="experimental and disabled by default"):
            zarr.open_array(zarr.storage.LocalStore(root), mode="r")
        with pytest.raises(RectilinearChunksDisabledError, match="disabled by default"):
            simplezarr.open_array(simplezarr.storage.LocalStore(root), mode="r")
        with pytest.raises(ValueError, match="experimental and disabled by default"):
            zarr.create_array({}, shape=(30,), chunks=[[10, 20]], dtype="i4")
        with pytest.raises(RectilinearChunksDisabledError):
            simplezarr.create_array({}, shape=(30,), chunks=[[10, 20]], dtype="i4")
    # control: on, both open it
    assert zarr.open_array(zarr.storage.LocalStore(root), mode="r").shape == (30,)
    assert simplezarr.open_array(simplezarr.storage.LocalStore(root), mode="r").shape == (30,)


def test_regrown_region_reads_the_fill_value(tmp_path: Path) -> None:
    """Shrinking then growing a rectilinear array shows the fill value in the regrown part,
    as for regular grids in simplezarr (zarr-python 3.4.2 shows the values stored there
    before the shrink: a deliberate difference, docs/api.md)."""
    a = simplezarr.create_array(
        simplezarr.storage.LocalStore(tmp_path), shape=(30,), chunks=[[10, 20]], dtype="i4"
    )
    a[...] = np.arange(1, 31)
    a.resize((15,))
    a.resize((30,))
    np.testing.assert_array_equal(a[...], np.r_[np.arange(1, 16), np.zeros(15, "i4")])
