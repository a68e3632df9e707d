"""zarr-python 3.4's additions: error names, pickle decoding off by default."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numcodecs
import numcodecs.pickles
import numpy as np
import pytest

import simplezarr
from simplezarr.errors import BaseZarrError, PickleCodecDisabledError
from tests.dropin.conftest import both, raised


def _pickled_array() -> dict[str, bytes]:
    meta = {
        "zarr_format": 2,
        "shape": [2],
        "chunks": [2],
        "dtype": "|O",
        "compressor": None,
        "fill_value": None,
        "filters": [{"id": "pickle"}],
        "order": "C",
    }
    chunk = numcodecs.Pickle().encode(np.array([{"x": 1}, [2]], dtype=object))
    return {".zarray": json.dumps(meta).encode(), "0": chunk}


def test_pickle_decoding_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numcodecs.pickles, "ALLOW_UNSAFE_PICKLE_DECODE", True, raising=False)
    store = _pickled_array()
    with pytest.raises(PickleCodecDisabledError, match="allow_unsafe_pickle_decode"):
        simplezarr.open_array(store=store, mode="r")[:]
    # control: opted in, the same chunk decodes
    with simplezarr.config.set({"array.allow_unsafe_pickle_decode": True}):
        assert simplezarr.open_array(store=store, mode="r")[:].tolist() == [{"x": 1}, [2]]
    assert simplezarr.config.allow_unsafe_pickle_decode is False


def test_error_names_of_zarr_34() -> None:
    errors = simplezarr.errors
    for name in ["ChunkNotFoundError", "PickleCodecDisabledError", "UnknownCodecError"]:
        assert issubclass(getattr(errors, name), BaseZarrError)
        assert issubclass(getattr(errors, name), ValueError)
    assert issubclass(errors.DataTypeValidationError, ValueError)


def test_struct_data_type_json_is_read_and_kept() -> None:
    from simplezarr.dtypes import parse_v3_dtype

    t = parse_v3_dtype(
        {
            "name": "struct",
            "configuration": {
                "fields": [
                    {"name": "a", "data_type": "int8"},
                    {"name": "b", "data_type": "float32"},
                ]
            },
        }
    )
    assert t.numpy == np.dtype([("a", "i1"), ("b", "<f4")])
    fill = t.fill_value_from_json({"b": "NaN"}, 3)  # a missing field: its default
    assert fill["a"] == 0 and np.isnan(fill["b"])
    assert t.fill_value_to_json(np.array([(1, 2.5)], t.numpy)[0], 3) == {"a": 1, "b": 2.5}
    assert t.to_json(3)["name"] == "struct"
    # control: the legacy form simplezarr writes keeps its base64 fill value
    legacy = parse_v3_dtype(
        {"name": "structured", "configuration": {"fields": [["a", "int8"], ["b", "float32"]]}}
    )
    assert isinstance(legacy.fill_value_to_json(np.zeros((), legacy.numpy)[()], 3), str)


def test_zarr_34_struct_arrays_read_and_written(tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    if not hasattr(zarr.dtype, "Struct"):
        pytest.skip("zarr-python < 3.4 writes only the legacy 'structured' form")
    dtype = np.dtype([("a", "i1"), ("b", "<f4")])
    a = zarr.create_array(str(tmp_path), shape=(3,), chunks=(2,), dtype=dtype, fill_value=(1, 2.5))
    a[:2] = np.array([(3, 4.5), (5, 6.5)], dtype=dtype)
    before = json.loads((tmp_path / "zarr.json").read_text())
    ours = simplezarr.open_array(str(tmp_path), mode="r+")
    assert ours[:].tolist() == [(3, 4.5), (5, 6.5), (1, 2.5)]
    ours[2] = (9, 9.5)
    ours.attrs["k"] = 1  # rewrites zarr.json
    after = json.loads((tmp_path / "zarr.json").read_text())
    assert after["data_type"] == before["data_type"] and after["codecs"] == before["codecs"]
    assert after["fill_value"] == before["fill_value"] == {"a": 1, "b": 2.5}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zarr-python warns on a struct without an endian
        assert zarr.open_array(str(tmp_path))[:].tolist() == [(3, 4.5), (5, 6.5), (9, 9.5)]


def _shard_bytes(lib: Any, order: str) -> tuple[bytes, Any, list[int]]:
    d: dict[str, Any] = {}
    codec = lib.codecs.ShardingCodec(chunk_shape=(2, 2), subchunk_write_order=order)
    a = lib.create_array(
        store=d, shape=(4, 4), chunks=(4, 4), dtype="u1", compressors=None, serializer=codec
    )
    a[:] = np.arange(16).reshape(4, 4)
    meta = json.loads(bytes(d["zarr.json"].to_bytes()))
    return d["c/0/0"].to_bytes(), meta["codecs"], a[:].ravel().tolist()


@pytest.mark.parametrize("order", ["morton", "unordered", "lexicographic", "colexicographic"])
def test_subchunk_write_order(order: str) -> None:
    ours = _shard_bytes(simplezarr, order)
    assert ours[2] == list(range(16))  # every order reads back the same values
    assert "subchunk_write_order" not in json.dumps(ours[1])  # a write setting, not metadata
    if order == "lexicographic":  # control: the order shows in the bytes (2x2: morton = F)
        assert ours[0] != _shard_bytes(simplezarr, "morton")[0]
    zarr = pytest.importorskip("zarr")
    if not hasattr(zarr.codecs, "SubchunkWriteOrder"):
        pytest.skip("zarr-python < 3.4 has no subchunk_write_order")
    assert ours == _shard_bytes(zarr, order)  # the same shard bytes as zarr-python 3.4


def test_subchunk_write_order_is_checked() -> None:
    with pytest.raises(ValueError, match="subchunk_write_order"):
        simplezarr.codecs.ShardingCodec(chunk_shape=(2,), subchunk_write_order="random")


_SCALE_OFFSET_CASES = [
    ("i2", 10, 2, [10, 11, 15, 20], 0),
    ("f4", 1.5, 4.0, [1.5, 2.0, 3.25, -1.0], 0),
    ("u8", 3, 5, [3, 4, 2**40], 3),
    ("f8", "0x3fe0000000000000", 0.25, [1.0, 2.0], 0.5),  # offset 0.5 in hex
    ("i1", -5, 1, [-100, 100], 0),
]


def _scale_offset_array(lib: Any, dt: str, off: Any, sc: Any, vals: list[Any], fill: Any) -> Any:
    d: dict[str, Any] = {}
    codec = lib.codecs.ScaleOffset(offset=off, scale=sc)
    a = lib.create_array(
        store=d, shape=(len(vals),), dtype=dt, compressors=None, filters=[codec], fill_value=fill
    )
    a[:] = np.array(vals, dt)
    return d, a


@pytest.mark.parametrize("case", _SCALE_OFFSET_CASES, ids=[c[0] for c in _SCALE_OFFSET_CASES])
def test_scale_offset_round_trip(case: tuple[Any, ...]) -> None:
    d, a = _scale_offset_array(simplezarr, *case)
    assert a[:].tolist() == np.array(case[3], case[0]).tolist()
    stored = np.frombuffer(d["c/0"].to_bytes(), dtype=np.dtype(case[0]).newbyteorder("<"))
    if case[2] != 1:  # control: the stored values are the encoded ones
        assert stored.tolist() != np.array(case[3], case[0]).tolist()
    meta = json.loads(d["zarr.json"].to_bytes())
    assert meta["codecs"][0]["name"] == "scale_offset"
    zarr = pytest.importorskip("zarr")
    if not hasattr(zarr.codecs, "ScaleOffset"):
        pytest.skip("zarr-python < 3.4 has no ScaleOffset")
    theirs, _ = _scale_offset_array(zarr, *case)
    assert theirs["c/0"].to_bytes() == d["c/0"].to_bytes()
    assert json.loads(theirs["zarr.json"].to_bytes())["codecs"] == meta["codecs"]
    assert zarr.open_array(store=d)[:].tolist() == a[:].tolist()
    assert simplezarr.open_array(store=theirs)[:].tolist() == a[:].tolist()


def test_scale_offset_refuses_inexact_or_overflowing_values() -> None:
    codecs = simplezarr.codecs
    assert codecs.ScaleOffset().to_dict() == {"name": "scale_offset"}
    with pytest.raises(ValueError, match="range"):
        _scale_offset_array(simplezarr, "i1", 0, 100, [1, 2], 0)  # 200 does not fit int8
    d, _ = _scale_offset_array(simplezarr, "i2", 0, 3, [1, 2], 0)
    d["c/0"] = np.array([3, 4], "<i2").tobytes()  # 4 is not a multiple of 3
    with pytest.raises(ValueError, match="non-zero remainder"):
        simplezarr.open_array(store=d)[:]
    with pytest.raises(ValueError, match="integer and floating"):
        simplezarr.create_array({}, shape=(1,), dtype="bool", filters=[codecs.ScaleOffset()])
    with pytest.raises(TypeError):
        codecs.ScaleOffset(offset=[1])


def _missing_chunk_reads(lib: Any, **config_kw: Any) -> list[Any]:
    from tests.dropin.conftest import raised

    d: dict[str, Any] = {}
    a = lib.create_array(store=d, shape=(6,), chunks=(2,), dtype="i2", fill_value=7)
    a[:2] = 1
    s = lib.create_array(
        store={}, shape=(8,), chunks=(2,), shards=(4,), dtype="i2", fill_value=7, **config_kw
    )
    s[0] = 1
    b = lib.open_array(store=d, **config_kw)
    return [
        b[:2].tolist(),
        raised(lambda: b[:]),
        s[:4].tolist(),  # a missing inner chunk of a stored shard: the fill value
        raised(lambda: s[4:]),  # a missing shard
    ]


def test_read_missing_chunks() -> None:
    off = {"config": {"read_missing_chunks": False}}
    ours = _missing_chunk_reads(simplezarr, **off)
    assert ours == [[1, 1], simplezarr.errors.ChunkNotFoundError, [1, 7, 7, 7], ours[3]]
    assert ours[3] is simplezarr.errors.ChunkNotFoundError
    assert _missing_chunk_reads(simplezarr)[1::2] == [None, None]  # control: the default fills
    with simplezarr.config.set({"array.read_missing_chunks": False}):
        assert _missing_chunk_reads(simplezarr)[1] is simplezarr.errors.ChunkNotFoundError
    zarr = pytest.importorskip("zarr")
    if not hasattr(zarr.errors, "ChunkNotFoundError"):
        pytest.skip("zarr-python < 3.4 has no read_missing_chunks")
    theirs = _missing_chunk_reads(zarr, **off)
    assert [t.__name__ if isinstance(t, type) else t for t in theirs] == [
        t.__name__ if isinstance(t, type) else t for t in ours
    ]
    # zarr-python 3.4's ArrayConfig (five keys) is taken as config
    cfg = zarr.core.array_spec.ArrayConfig.from_dict({"read_missing_chunks": False})
    a = simplezarr.create_array({}, shape=(2,), dtype="u1", config=cfg)
    with pytest.raises(simplezarr.errors.ChunkNotFoundError):
        a[:]


def _needs_cast_value(lib: Any) -> None:
    if lib is not simplezarr:
        if not hasattr(lib.codecs, "CastValue"):
            pytest.skip("zarr-python < 3.4 has no CastValue")
        pytest.importorskip("cast_value_rs")


def test_cast_value_user_guide_use(lib: Any) -> None:
    # float64 data stored as uint8, NaN as 255 and back
    _needs_cast_value(lib)
    codec = lib.codecs.CastValue(
        data_type="uint8",
        rounding="nearest-even",
        out_of_range="clamp",
        scalar_map={"encode": [("NaN", 255)], "decode": [(255, "NaN")]},
    )
    assert codec.rounding == "nearest-even" and codec.scalar_map == {
        "encode": {"NaN": 255},
        "decode": {255: "NaN"},
    }
    assert lib.codecs.CastValue.from_dict(codec.to_dict()) == codec
    a = lib.create_array(store={}, shape=(4,), dtype="f8", fill_value=np.nan, filters=[codec])
    a[:] = [np.nan, 1.4, -3.0, 1000.0]  # 1000 clamps to 255, which decodes to NaN
    assert np.array_equal(a[:], [np.nan, 1.0, 0.0, np.nan], equal_nan=True)


@pytest.mark.parametrize(
    ("dtype", "kwargs"),
    [
        ("f8", {"data_type": "complex64"}),
        ("f8", {"data_type": "bfloat16"}),
        ("c16", {"data_type": "float64"}),
        ("i4", {"data_type": "float32", "out_of_range": "wrap"}),
        ("i4", {"data_type": "int8", "scalar_map": {"encode": [("NaN", 0)]}}),
        ("f8", {"data_type": "uint8", "rounding": "up"}),
    ],
)
def test_cast_value_refusals_are_value_errors(dtype: str, kwargs: dict[str, Any]) -> None:
    def make(lib: Any) -> Any:
        _needs_cast_value(lib)
        return raised(
            lambda: lib.create_array(
                store={}, shape=(2,), dtype=dtype, filters=[lib.codecs.CastValue(**kwargs)]
            )
        )

    theirs, ours = both(make)
    assert theirs is not None and ours is not None
    assert issubclass(theirs, ValueError) and issubclass(ours, ValueError)
