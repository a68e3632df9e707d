"""The cast_value codec against its peers: simplezarr's numpy conversions against
cast-value-rs (the reference implementation zarr-python 3.4 calls), and arrays written by
zarr-python 3.4.2 read by simplezarr and the reverse, with the same zarr.json and chunk
bytes. Runs where zarr-python >= 3.4 and cast-value-rs >= 0.5 are installed (.venv312)."""

from __future__ import annotations

import itertools
import json
from importlib.metadata import version
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simplezarr
from simplezarr.codecs.value_cast import cast_values

zarr = pytest.importorskip("zarr")
cast_value_rs = pytest.importorskip("cast_value_rs")
if not hasattr(zarr.codecs, "CastValue"):
    pytest.skip("zarr-python < 3.4 has no CastValue", allow_module_level=True)
if tuple(int(p) for p in version("cast-value-rs").split(".")[:2]) < (0, 5):
    # 0.4 computed some edge cases differently (infinities clamped to integers, integers
    # overflowing float16 silently); simplezarr follows 0.5
    pytest.skip("cast-value-rs < 0.5 (simplezarr follows 0.5)", allow_module_level=True)

NAMES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
NAMES += ["float16", "float32", "float64"]
MODES = ["nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away"]
CONFIGS = [
    (s, t, r, o)
    for s, t, r, o in itertools.product(NAMES, NAMES, MODES, [None, "clamp", "wrap"])
    if not (o == "wrap" and t.startswith("float"))
]

# values near every edge the conversions have: bounds of each type, halves, payload NaNs
_EDGES = [0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 127.5, 128.0, -128.5, 255.5, 256.0, 32767.5]
_EDGES += [65504.0, 65519.0, 65520.0, 2.0**31, -(2.0**31), 2.0**32, 2.0**53 + 1, 2.0**63]
_EDGES += [-(2.0**63), 2.0**64, 3.4028235e38, 3.5e38, 1e300, np.inf, -np.inf, np.nan]


def _values(dtype: np.dtype) -> st.SearchStrategy[np.ndarray]:
    size = dtype.itemsize
    raw = st.lists(st.integers(0, 2 ** (8 * size) - 1), max_size=12).map(
        lambda v: np.array(v, dtype=f"u{size}").view(dtype)
    )
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        edges = [info.min, info.max, 0, 1, 127, 128, 255, 256, 65504, 65520, 2**24 + 1]
        edges = [e for e in edges if info.min <= e <= info.max]
        pick = st.lists(st.sampled_from(edges), max_size=6).map(lambda v: np.array(v, dtype))
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            cast = np.array(_EDGES).astype(dtype)
        pick = st.lists(st.sampled_from(list(cast)), max_size=6).map(lambda v: np.array(v, dtype))
    return st.tuples(raw, pick).map(lambda p: np.concatenate(p))


def _both(x: np.ndarray, target: str, rounding: str, oor: Any, entries: Any) -> Any:
    try:
        theirs = cast_value_rs.cast_array(
            x,
            target_dtype=target,
            rounding_mode=rounding,
            out_of_range_mode=oor,
            scalar_map_entries=entries or None,
        )
    except ValueError:
        theirs = ValueError
    typed = [(x.dtype.type(k), np.dtype(target).type(v)) for k, v in entries]
    try:
        ours = cast_values(x, np.dtype(target), rounding, oor, typed)
    except ValueError:
        ours = ValueError
    return theirs, ours


def _same(theirs: Any, ours: Any) -> bool:
    if theirs is ValueError or ours is ValueError:
        return theirs is ours
    return bool(theirs.dtype == ours.dtype and theirs.tobytes() == ours.tobytes())


@settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # fmt: skip
@given(st.sampled_from(CONFIGS), st.data())
def test_conversions_match_cast_value_rs(config: tuple[Any, ...], data: st.DataObject) -> None:
    src, target, rounding, oor = config
    x = data.draw(_values(np.dtype(src)))
    theirs, ours = _both(x, target, rounding, oor, [])
    assert _same(theirs, ours), (x, x.view(f"u{x.itemsize}"), theirs, ours)
    for i in range(x.size):  # each element alone: which ones fail, and how
        one = x[i : i + 1]
        assert _same(*_both(one, target, rounding, oor, [])), (one, one.view(f"u{x.itemsize}"))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CONFIGS), st.data())
def test_scalar_maps_match_cast_value_rs(config: tuple[Any, ...], data: st.DataObject) -> None:
    src, target, rounding, oor = config
    x = data.draw(_values(np.dtype(src)))
    if x.size == 0:
        return
    keys = data.draw(st.lists(st.sampled_from(list(x)), min_size=1, max_size=3))
    tgt = np.dtype(target)
    lo, hi = (np.iinfo(tgt).min, np.iinfo(tgt).max) if tgt.kind in "iu" else (-1000, 1000)
    vals = data.draw(
        st.lists(st.integers(int(lo), int(hi)), min_size=len(keys), max_size=len(keys))
    )
    # Python numbers, as zarr-python hands its map over
    py = int if x.dtype.kind in "iu" else float
    entries = [(py(k), int(v) if tgt.kind in "iu" else float(v)) for k, v in zip(keys, vals)]
    assert _same(*_both(x, target, rounding, oor, entries))


# -- arrays written by one library, read by the other ---------------------------------

_ARRAYS: list[tuple[str, str, dict[str, Any], list[Any], Any]] = [
    (
        "nan-sentinel",
        "float64",
        {
            "data_type": "uint8",
            "rounding": "towards-zero",
            "out_of_range": "clamp",
            "scalar_map": {"encode": [("NaN", 255)], "decode": [(255, "NaN")]},
        },
        [np.nan, 1.9, -3.0, 300.0, 254.99, 0.5],
        "NaN",
    ),
    ("wrap", "float32", {"data_type": "int16", "rounding": "nearest-away", "out_of_range": "wrap"},
     [32768.0, -32769.5, 2.5e9, -0.5, 1.5], 0.0),
    ("int-to-float", "int64", {"data_type": "float32", "rounding": "towards-positive"},
     [2**62 + 1, -(2**40) - 3, 16777217, 0, -1], 0),
    ("narrow-float", "float64",
     {"data_type": "float16", "rounding": "towards-negative", "out_of_range": "clamp"},
     [1e6, -1e6, -0.0, np.inf, 0.1, 65519.0], -0.0),
    ("int-wrap", "uint16", {"data_type": "int8", "out_of_range": "wrap"}, [65535, 128, 7, 300], 1),
    ("int-to-half", "int32", {"data_type": "float16", "out_of_range": "clamp"},
     [65519, -65519, 2049, 2051, 3], 65519),
    (
        "half-infinities",
        "float16",
        {
            "data_type": "uint64",
            "out_of_range": "clamp",
            "scalar_map": {
                "encode": [("Infinity", 7), ("-Infinity", 8), ("NaN", 9)],
                "decode": [(9, "NaN"), (7, "Infinity")],
            },
        },
        [np.inf, -np.inf, np.nan, 65504.0, -3.5],
        "Infinity",
    ),
]  # fmt: skip


def _write(lib: Any, dtype: str, cfg: dict[str, Any], values: list[Any], fill: Any) -> Any:
    store: dict[str, Any] = {}
    codec = lib.codecs.CastValue(**cfg)
    a = lib.create_array(
        store=store,
        shape=(len(values) + 3,),
        chunks=(4,),
        dtype=dtype,
        fill_value=fill,
        filters=[codec],
        compressors=None,
    )
    with np.errstate(over="ignore", invalid="ignore"):
        a[: len(values)] = np.array(values).astype(dtype)
    return store


def _bytes(store: dict[str, Any]) -> dict[str, bytes]:
    return {k: v.to_bytes() if hasattr(v, "to_bytes") else bytes(v) for k, v in store.items()}


@pytest.mark.parametrize("case", _ARRAYS, ids=[c[0] for c in _ARRAYS])
def test_same_metadata_and_chunks_read_both_ways(case: tuple[Any, ...]) -> None:
    _, dtype, cfg, values, fill = case
    theirs = _write(zarr, dtype, cfg, values, fill)
    ours = _write(simplezarr, dtype, cfg, values, fill)
    assert _bytes(ours) == _bytes(theirs)  # zarr.json and every chunk, byte for byte
    assert json.loads(_bytes(ours)["zarr.json"])["codecs"][0]["name"] == "cast_value"
    want = zarr.open_array(store=theirs)[:]
    for read in (simplezarr.open_array(store=theirs)[:], zarr.open_array(store=ours)[:]):
        assert read.dtype == want.dtype and read.tobytes() == want.tobytes()


def test_sharded_and_transposed_array_read_both_ways() -> None:
    def write(lib: Any) -> Any:
        store: dict[str, Any] = {}
        a = lib.create_array(
            store=store,
            shape=(6, 8),
            chunks=(3, 2),
            shards=(6, 4),
            dtype="float32",
            fill_value=0.5,
            filters=[
                lib.codecs.TransposeCodec(order=(1, 0)),
                lib.codecs.CastValue(data_type="int8", out_of_range="clamp"),
            ],
            compressors=None,
        )
        a[:5, :7] = np.arange(35, dtype="f4").reshape(5, 7) * 7.3 - 100
        return store

    theirs, ours = write(zarr), write(simplezarr)
    assert _bytes(ours) == _bytes(theirs)
    assert (
        simplezarr.open_array(store=theirs)[:].tobytes() == zarr.open_array(store=ours)[:].tobytes()
    )


def test_zarr_codec_and_simplezarr_codec_agree_on_their_json() -> None:
    cfg = {"data_type": "int32", "out_of_range": "clamp", "scalar_map": {"encode": [("NaN", 0)]}}
    assert simplezarr.codecs.CastValue(**cfg).to_dict() == zarr.codecs.CastValue(**cfg).to_dict()
    ours = simplezarr.codecs.codec_from_json(zarr.codecs.CastValue(**cfg).to_dict())
    assert ours == simplezarr.codecs.CastValue(**cfg)


@pytest.mark.parametrize(
    ("dtype", "cfg", "fill"),
    [
        ("complex128", {"data_type": "float64"}, 0),
        ("int32", {"data_type": "float64", "out_of_range": "wrap"}, 0),
        ("int32", {"data_type": "int8", "scalar_map": {"encode": [("NaN", 0)]}}, 0),
        ("float64", {"data_type": "int8", "scalar_map": {"encode": [("NaN", 999)]}}, 0),
        ("float64", {"data_type": "uint8"}, "NaN"),
        ("float64", {"data_type": "uint8"}, 300),
        ("int32", {"data_type": "float16"}, 70000),
    ],
)
def test_both_refuse_the_same_arrays(dtype: str, cfg: dict[str, Any], fill: Any) -> None:
    for lib in (zarr, simplezarr):
        with pytest.raises(ValueError):
            lib.create_array(
                store={},
                shape=(4,),
                dtype=dtype,
                filters=[lib.codecs.CastValue(**cfg)],
                compressors=None,
                fill_value=fill,
            )


def test_both_refuse_the_same_values() -> None:
    for lib in (zarr, simplezarr):
        a = lib.create_array(
            store={},
            shape=(3,),
            dtype="float64",
            filters=[lib.codecs.CastValue(data_type="uint8", out_of_range="clamp")],
            compressors=None,
        )
        with pytest.raises(ValueError):
            a[:] = [1.0, np.inf, 2.0]  # clamping does not give an infinity an integer
