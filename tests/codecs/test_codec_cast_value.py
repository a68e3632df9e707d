"""The cast_value codec: its metadata, its checks, and each conversion family (float ->
integer, integer -> integer, float -> float, integer -> float) in every rounding and
out-of-range mode, with values worked out by hand from the zarr-extensions spec (the
comparison with the reference implementation is tests/interop/test_interop_cast_value.py)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import simplezarr
from simplezarr.codecs import CastValue, ChunkSpec, codec_from_json
from simplezarr.codecs.cast_value import parse_scalar_map
from simplezarr.codecs.value_cast import CastFailed, cast_values
from simplezarr.dtypes import from_numpy
from simplezarr.errors import CodecError, InvalidMetadata

MODES = ["nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away"]


def cast(values: Any, src: str, dst: str, rounding: str = "nearest-even", oor: Any = None) -> Any:
    return cast_values(np.array(values, src), np.dtype(dst), rounding, oor)


def bits(a: np.ndarray) -> list[int]:
    return a.view(f"u{a.dtype.itemsize}").tolist()


# -- metadata --------------------------------------------------------------------------


def test_to_dict_writes_only_what_differs_from_the_defaults() -> None:
    assert CastValue(data_type="uint8").to_dict() == {
        "name": "cast_value",
        "configuration": {"data_type": "uint8"},
    }
    full = CastValue(
        data_type="uint8",
        rounding="towards-zero",
        out_of_range="clamp",
        scalar_map={"encode": [("NaN", 0)]},
    )
    assert full.to_dict() == {
        "name": "cast_value",
        "configuration": {
            "data_type": "uint8",
            "rounding": "towards-zero",
            "out_of_range": "clamp",
            "scalar_map": {"encode": [("NaN", 0)]},
        },
    }


def test_json_round_trip_and_equality() -> None:
    codec = CastValue(
        data_type="int16",
        out_of_range="wrap",
        scalar_map={"encode": [("NaN", 0)], "decode": [(0, "NaN")]},
    )
    again = codec_from_json(json.loads(json.dumps(codec.to_dict())))
    assert again == codec and hash(again) == hash(codec)
    assert again != CastValue(data_type="int16", out_of_range="clamp")
    defaults = codec_from_json({"name": "cast_value", "configuration": {"data_type": "float32"}})
    assert (defaults.dtype.name, defaults.rounding, defaults.out_of_range) == (
        "float32",
        "nearest-even",
        None,
    )


def test_data_type_as_a_zarr_dtype_object() -> None:
    assert CastValue(data_type=simplezarr.dtype.UInt8()).dtype.name == "uint8"
    assert CastValue(data_type=from_numpy("f4")).dtype.name == "float32"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data_type": "complex64"},
        {"data_type": "bfloat16"},  # in the spec, but not a data type simplezarr (numpy) has
        {"data_type": "string"},
        {"data_type": "uint8", "rounding": "up"},
        {"data_type": "uint8", "out_of_range": "saturate"},
        {"data_type": "uint8", "scalar_map": {"encode": [("NaN",)]}},
        {"data_type": "uint8", "scalar_map": {"both": []}},
        {"data_type": "uint8", "scalar_map": {"encode": [([1], 0)]}},
    ],
)
def test_construction_rejects(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidMetadata):
        CastValue(**kwargs)


def test_construction_is_keyword_only_and_complex_message() -> None:
    with pytest.raises(TypeError):
        CastValue("uint8")  # type: ignore[misc]
    with pytest.raises(ValueError, match="Invalid target data type"):
        CastValue(data_type="complex64")


def test_parse_scalar_map_keeps_zarr_pythons_mapping_form() -> None:
    assert parse_scalar_map({"encode": [("NaN", 0)]}) == {"encode": {"NaN": 0}}
    assert parse_scalar_map({"encode": {"NaN": 0}, "decode": [[0, "NaN"]]}) == {
        "encode": {"NaN": 0},
        "decode": {0: "NaN"},
    }


@pytest.mark.parametrize(
    ("dtype", "codec", "match"),
    [
        ("complex128", CastValue(data_type="float64"), "only supports integer and floating"),
        ("bool", CastValue(data_type="uint8"), "only supports integer and floating"),
        ("int32", CastValue(data_type="float64", out_of_range="wrap"), "only valid for integer"),
        (
            "int32",
            CastValue(data_type="int8", scalar_map={"encode": [("NaN", 0)]}),
            "not representable in dtype int32",
        ),
        (
            "int32",
            CastValue(data_type="float64", scalar_map={"decode": [(0, "NaN")]}),
            "not representable in dtype int32",
        ),
        (
            "float64",
            CastValue(data_type="int8", scalar_map={"encode": [("NaN", 999)]}),
            "not representable in dtype int8",
        ),
        (
            "float64",
            CastValue(data_type="int8", scalar_map={"encode": [("NaN", 1.5)]}),
            "not representable in dtype int8",
        ),
        ("float64", CastValue(data_type="uint8"), "fill value nan"),  # NaN fill, no map
        ("int32", CastValue(data_type="float16"), "fill value 70000"),  # beyond float16
    ],
)
def test_array_creation_rejects(dtype: str, codec: CastValue, match: str) -> None:
    fill = np.nan if "nan" in match else 70000 if "70000" in match else 0
    with pytest.raises(InvalidMetadata, match=match):
        simplezarr.create_array(
            {}, shape=(4,), dtype=dtype, filters=[codec], compressors=None, fill_value=fill
        )


def test_zarr_json_and_stored_chunks() -> None:
    store: dict[str, Any] = {}
    codec = CastValue(
        data_type="int16",
        rounding="towards-zero",
        out_of_range="clamp",
        scalar_map={"encode": [("NaN", -1)], "decode": [(-1, "NaN")]},
    )
    a = simplezarr.create_array(
        store,
        shape=(4,),
        chunks=(2,),
        dtype="f8",
        fill_value=np.nan,
        filters=[codec],
        compressors=None,
    )
    meta = json.loads(store["zarr.json"].to_bytes())
    assert meta["codecs"][0] == json.loads(json.dumps(codec.to_dict()))
    a[:3] = [np.nan, 1e9, -2.9]
    assert np.frombuffer(store["c/0"].to_bytes(), "<i2").tolist() == [-1, 32767]
    assert np.frombuffer(store["c/1"].to_bytes(), "<i2").tolist() == [-2, -1]  # fill: -1
    assert np.array_equal(a[:], [np.nan, 32767.0, -2.0, np.nan], equal_nan=True)


def test_partial_chunk_holds_the_encoded_fill() -> None:
    store: dict[str, Any] = {}
    codec = CastValue(data_type="uint8", scalar_map={"encode": [("NaN", 255)]})
    a = simplezarr.create_array(
        store, shape=(3,), chunks=(3,), dtype="f4", fill_value=np.nan, filters=[codec],
        compressors=None,
    )  # fmt: skip
    a[0] = 7.0
    assert store["c/0"].to_bytes() == bytes([7, 255, 255])
    # decoding without a decode map gives 255.0 for the sentinel, not NaN
    assert a[:].tolist() == [7.0, 255.0, 255.0]


@pytest.mark.parametrize("endian", ["little", "big"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_with_transpose_and_either_byte_order(endian: str, where: str) -> None:
    data = np.arange(24, dtype="f8").reshape(2, 3, 4) - 5
    cv = CastValue(data_type="int16")
    tr = simplezarr.codecs.TransposeCodec(order=(2, 0, 1))
    a = simplezarr.create_array(
        {},
        shape=data.shape,
        dtype="f8",
        filters=[cv, tr] if where == "before" else [tr, cv],
        serializer=simplezarr.codecs.BytesCodec(endian=endian),
        compressors=None,
    )
    a[:] = data
    assert np.array_equal(a[:], data)


def test_inside_shards_and_after_scale_offset() -> None:
    data = np.arange(100, dtype="f8") * 0.1
    a = simplezarr.create_array(
        {},
        shape=(100,),
        chunks=(10,),
        shards=(50,),
        dtype="f8",
        filters=[
            simplezarr.codecs.ScaleOffset(offset=0, scale=10),
            CastValue(data_type="int16", out_of_range="clamp"),
        ],
    )
    a[:] = data
    assert np.allclose(a[:], data, atol=1e-9)


def test_an_encoding_failure_names_the_value() -> None:
    a = simplezarr.create_array({}, shape=(3,), dtype="f8", filters=[CastValue(data_type="uint8")])
    with pytest.raises(CodecError, match=r"value 256\.0 is out of the range \[0, 255\]"):
        a[:] = [1.0, 256.0, np.nan]  # the first bad element decides the message
    with pytest.raises(ValueError, match="cannot cast nan"):
        a[:] = [np.nan, 256.0, 1.0]


# -- float -> integer ------------------------------------------------------------------

_HALVES = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1.7, -1.7, 0.49999999999999994, 2.0**52 + 1]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("nearest-even", [0, 2, 2, 0, -2, -2, 2, -2, 0, 2**52 + 1]),
        ("towards-zero", [0, 1, 2, 0, -1, -2, 1, -1, 0, 2**52 + 1]),
        ("towards-positive", [1, 2, 3, 0, -1, -2, 2, -1, 1, 2**52 + 1]),
        ("towards-negative", [0, 1, 2, -1, -2, -3, 1, -2, 0, 2**52 + 1]),
        # halves away from zero exactly: not floor(|x| + 0.5), which rounds 0.49999999999999994
        # up and moves odd integers above 2**52
        ("nearest-away", [1, 2, 3, -1, -2, -3, 2, -2, 0, 2**52 + 1]),
    ],
)
def test_float_to_int_rounding(rounding: str, expected: list[int]) -> None:
    assert cast(_HALVES, "f8", "i8", rounding).tolist() == expected


@pytest.mark.parametrize("src", ["f2", "f4", "f8"])
def test_float_to_int_out_of_range(src: str) -> None:
    values = [-129.0, -128.0, 127.0, 128.0, 1000.0]
    assert cast(values, src, "i1", oor="clamp").tolist() == [-128, -128, 127, 127, 127]
    # modulo 2**8, two's complement (the spec's examples: 128.0 -> -128)
    assert cast(values, src, "i1", oor="wrap").tolist() == [127, -128, 127, -128, -24]
    with pytest.raises(CastFailed, match="out of the range"):
        cast(values, src, "i1")
    assert cast([-128.0, 127.0], src, "i1").tolist() == [-128, 127]


def test_float_to_int_bounds_are_exact() -> None:
    # int32's maximum rounds to 2**31 as a float32: 2**31 itself is out of range
    assert cast([2.0**31], "f4", "i4", oor="clamp").tolist() == [2**31 - 1]
    with pytest.raises(CastFailed):
        cast([2.0**31], "f4", "i4")
    assert cast([2.0**31 - 1], "f8", "i4").tolist() == [2**31 - 1]
    assert cast([2.0**63, -(2.0**63)], "f8", "i8", oor="clamp").tolist() == [2**63 - 1, -(2**63)]
    assert cast([2.0**64 + 2**12, -1.0], "f8", "u8", oor="wrap").tolist() == [2**12, 2**64 - 1]
    assert cast([65504.0], "f2", "u2").tolist() == [65504]
    # the spec's int16 wrap examples
    assert cast([32768.0, 32769.0, -32769.0], "f8", "i2", oor="wrap").tolist() == [
        -32768,
        -32767,
        32767,
    ]


@pytest.mark.parametrize("oor", [None, "clamp", "wrap"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_to_int_fails_in_every_mode(oor: Any, value: float) -> None:
    with pytest.raises(CastFailed, match="without a scalar_map entry"):
        cast([1.0, value], "f8", "u1", oor=oor)


def test_scalar_map_comes_first_and_the_first_match_wins() -> None:
    x = np.array([np.nan, -np.inf, 0.0, -0.0, 5.0])
    entries = [
        (np.float64(np.nan), np.int8(-1)),
        (np.float64(-np.inf), np.int8(-2)),
        (np.float64(0.0), np.int8(9)),  # -0.0 equals 0.0
        (np.float64(0.0), np.int8(8)),  # never reached
    ]
    out = cast_values(x, np.dtype("i1"), "nearest-even", None, entries)
    assert out.tolist() == [-1, -2, 9, 9, 5]
    # any NaN matches a NaN key, whatever its payload and sign
    payload = np.array([0xFFF8000000000123], "u8").view("f8")
    assert cast_values(payload, np.dtype("u1"), "nearest-even", None, entries[:1]).tolist() == [255]


# -- integer -> integer ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "dst", "values", "clamp", "wrap"),
    [
        ("i4", "i1", [0, 200, -200, 127], [0, 127, -128, 127], [0, -56, 56, 127]),
        ("i4", "u1", [-1, 256, 255], [0, 255, 255], [255, 0, 255]),
        ("u8", "i8", [2**63, 2**64 - 1, 5], [2**63 - 1] * 2 + [5], [-(2**63), -1, 5]),
        ("i8", "u4", [-(2**63), 2**32, 7], [0, 2**32 - 1, 7], [0, 0, 7]),
        ("u1", "i1", [255, 128, 127], [127, 127, 127], [-1, -128, 127]),
    ],
)
def test_int_to_int(
    src: str, dst: str, values: list[int], clamp: list[int], wrap: list[int]
) -> None:
    assert cast(values, src, dst, oor="clamp").tolist() == clamp
    assert cast(values, src, dst, oor="wrap").tolist() == wrap
    with pytest.raises(CastFailed, match=f"of {np.dtype(dst)}"):
        cast(values, src, dst)
    assert cast(values[-1:], src, dst).tolist() == values[-1:]


def test_int_to_int_widening_never_fails() -> None:
    info = np.iinfo("i8")
    assert cast([info.min, info.max], "i8", "i8").tolist() == [info.min, info.max]
    assert cast([0, 2**32 - 1], "u4", "i8").tolist() == [0, 2**32 - 1]


# -- float -> float --------------------------------------------------------------------


@pytest.mark.parametrize("rounding", MODES)
def test_float64_to_float32_rounds_as_asked(rounding: str) -> None:
    x = np.array([0.1, -0.1, 1.0 + 2.0**-24, -(1.0 + 2.0**-24), 1.0 + 3 * 2.0**-24])
    out = cast_values(x, np.dtype("f4"), rounding, None)
    exact = [np.float32(v) for v in x]  # nearest-even
    lo = [np.float32(v) if np.float32(v) <= v else np.nextafter(np.float32(v), -np.inf) for v in x]
    hi = [np.float32(v) if np.float32(v) >= v else np.nextafter(np.float32(v), np.inf) for v in x]
    want = {
        "nearest-even": exact,
        "towards-negative": lo,
        "towards-positive": hi,
        "towards-zero": [lo[i] if x[i] >= 0 else hi[i] for i in range(len(x))],
        # ties (1 + 2**-24, 1 + 3 * 2**-24) away from zero, the rest to nearest
        "nearest-away": exact[:2]
        + [np.float32(1 + 2.0**-23), np.float32(-(1 + 2.0**-23)), np.float32(1 + 2.0**-22)],
    }[rounding]
    assert bits(out) == bits(np.array(want, "f4"))


def test_float_overflow() -> None:
    big = [1e39, -1e39, 3.4028235e38]
    with pytest.raises(CastFailed, match="out of the range"):
        cast(big, "f8", "f4")
    assert cast(big, "f8", "f4", oor="clamp").tolist() == [np.inf, -np.inf, 3.4028234663852886e38]
    # just above float32's maximum, rounding towards zero stays finite: no overflow
    above_max = float(np.finfo("f4").max) * (1 + 2.0**-30)
    assert cast([above_max], "f8", "f4", "towards-zero").tolist() == [float(np.finfo("f4").max)]
    # beyond max + ulp(max) it overflows whatever the mode
    with pytest.raises(CastFailed):
        cast([1e39], "f8", "f4", "towards-zero")
    assert cast([1e39], "f8", "f4", "towards-zero", "clamp").tolist() == [np.inf]
    assert cast([70000.0, np.inf], "f4", "f2", oor="clamp").tolist() == [np.inf, np.inf]


@pytest.mark.parametrize(("src", "dst"), [("f8", "f4"), ("f4", "f8"), ("f8", "f2"), ("f2", "f8")])
def test_nan_inf_and_signed_zero_survive(src: str, dst: str) -> None:
    out = cast([np.nan, np.inf, -np.inf, 0.0, -0.0], src, dst)
    assert np.isnan(out[0]) and out[1:3].tolist() == [np.inf, -np.inf]
    assert np.signbit(out[3:]).tolist() == [False, True]
    # a NaN stays quiet, sign and payload top bits kept
    nan = np.array([0xFFF4000000000000], "u8").view("f8").astype(src)
    back = cast_values(cast_values(nan, np.dtype(dst), "nearest-even", None), nan.dtype, "towards-zero", None)  # fmt: skip
    assert np.isnan(back[0]) and np.signbit(back[0])


def test_float16_results_are_rounded_once_from_float64() -> None:
    # 1 + 2**-11 + 2**-30 is just above a float16 tie: once rounded it goes up; through
    # float32 (which drops the 2**-30) it would tie and go to even (down)
    x = 1 + 2.0**-11 + 2.0**-30
    assert cast([x], "f8", "f2").tolist() == [float(np.float16(1 + 2.0**-10))]


# -- integer -> float ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("nearest-even", [2.0**53, -(2.0**53), 2.0**53 + 4]),
        ("towards-zero", [2.0**53, -(2.0**53), 2.0**53 + 2]),
        ("towards-positive", [2.0**53 + 2, -(2.0**53), 2.0**53 + 4]),
        ("towards-negative", [2.0**53, -(2.0**53) - 2, 2.0**53 + 2]),
        ("nearest-away", [2.0**53 + 2, -(2.0**53) - 2, 2.0**53 + 4]),
    ],
)
def test_int64_to_float64_rounds_on_the_integers_bits(rounding: str, expected: list[float]) -> None:
    values = [2**53 + 1, -(2**53) - 1, 2**53 + 3]
    assert cast(values, "i8", "f8", rounding).tolist() == expected


def test_int_to_float16_overflows_like_a_float() -> None:
    with pytest.raises(CastFailed, match="float16"):
        cast([70000], "i4", "f2")
    assert cast([70000, -70000], "i4", "f2", oor="clamp").tolist() == [np.inf, -np.inf]
    assert cast([65519], "i4", "f2").tolist() == [65504.0]
    assert cast([65535], "u2", "f2", "towards-zero").tolist() == [65504.0]
    assert cast([2**63 - 1], "i8", "f4").tolist() == [2.0**63]


# -- properties ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["i1", "i2", "i4", "u1", "u2", "u4"]),
    st.sampled_from(["i8", "f8"]),
    st.data(),
)
def test_widening_round_trips_exactly(src: str, dst: str, data: st.DataObject) -> None:
    x = data.draw(hnp.arrays(np.dtype(src), st.integers(0, 20)))
    codec = CastValue(data_type={"i8": "int64", "f8": "float64"}[dst])
    spec = ChunkSpec(x.shape, from_numpy(src), 0)
    assert codec.decode(codec.encode(x, spec), spec).tolist() == x.tolist()


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.dtype("u4"), st.integers(0, 30)))
def test_float32_through_float64_keeps_every_bit(raw: np.ndarray) -> None:
    x = raw.view("f4")
    codec = CastValue(data_type="float64")
    spec = ChunkSpec(x.shape, from_numpy("f4"), 0)
    out = codec.decode(codec.encode(x, spec), spec)
    quiet = np.where(np.isnan(x), raw | np.uint32(0x0040_0000), raw)  # NaNs come back quiet
    assert out.view("u4").tolist() == quiet.tolist()


def test_decoding_a_wrapping_codec_to_a_float_array() -> None:
    # "wrap" only applies to the integer encoding; decoding back to floats fails only on
    # overflow, as without a mode
    codec = CastValue(data_type="int16", out_of_range="wrap")
    spec = ChunkSpec((3,), from_numpy("f2"), 0)
    assert codec.encode(np.array([40000.0, -1.5, 3.0], "f2"), spec).tolist() == [-25536, -2, 3]
    assert codec.decode(np.array([-25536, 7, 32767], "i2"), spec).tolist() == [-25536, 7, 32768]
    with pytest.raises(CastFailed, match="float16"):
        cast_values(np.array([70000], "i4"), np.dtype("f2"), "nearest-even", "wrap")


@pytest.mark.parametrize("rounding", MODES)
@pytest.mark.parametrize(("src", "dst"), [("f8", "f8"), ("f4", "f8"), ("f8", "f4"), ("f2", "f4")])
def test_exact_values_never_move(rounding: str, src: str, dst: str) -> None:
    x = np.array([0.0, -0.0, 1.0, -2.5, 2.0**-14, np.inf, -np.inf], src)
    assert bits(cast_values(x, np.dtype(dst), rounding, None)) == bits(x.astype(dst))
