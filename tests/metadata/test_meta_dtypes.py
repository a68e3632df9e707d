"""Data types: v3 / v2 JSON round trips, fill value encodings, numpy mapping vs zarr-python."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.dtypes import (
    DataType,
    ObjectType,
    from_numpy,
    from_numpy_with_endian,
    parse_v2_dtype,
    parse_v3_dtype,
)
from simplezarr.errors import InvalidMetadata, UnknownDataType, UnsupportedFeature

zarr = pytest.importorskip("zarr")
from zarr.core.dtype import get_data_type_from_json, parse_dtype  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")

DT = {"name": "numpy.datetime64", "configuration": {"unit": "ns", "scale_factor": 1}}
TD = {"name": "numpy.timedelta64", "configuration": {"unit": "s", "scale_factor": 10}}
U4 = {"name": "fixed_length_utf32", "configuration": {"length_bytes": 16}}
S4 = {"name": "null_terminated_bytes", "configuration": {"length_bytes": 4}}
V2B = {"name": "raw_bytes", "configuration": {"length_bytes": 2}}
ST = {"name": "structured", "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}}

#: (v3 data_type, v2 typestr (little endian) or None, fill values as JSON that round-trip
#: exactly in both formats, extra v3-only fill encodings)
CASES = [
    ("bool", "|b1", [True, False], []),
    ("int8", "|i1", [0, -128, 127], []),
    ("int16", "<i2", [0, -32768, 32767], []),
    ("int32", "<i4", [0, -(2**31), 2**31 - 1], []),
    ("int64", "<i8", [0, -(2**63), 2**63 - 1], []),
    ("uint8", "|u1", [0, 255], []),
    ("uint16", "<u2", [0, 65535], []),
    ("uint32", "<u4", [0, 2**32 - 1], []),
    ("uint64", "<u8", [0, 2**64 - 1], []),
    ("float16", "<f2", [0.0, 1.5, -0.0, 65504.0, "NaN", "Infinity", "-Infinity"], ["0x7e01"]),
    ("float32", "<f4", [0.0, 0.5, 2.0**100, "NaN", "-Infinity"], ["0x7fc00001"]),
    ("float64", "<f8", [0.1, 1e300, -2.5, "NaN", "Infinity"], ["0x7ff8000000000001"]),
    ("complex64", "<c8", [[0.0, 1.0], ["NaN", "Infinity"], [-0.5, 2.0]], []),
    ("complex128", "<c16", [[0.1, -2.5], ["-Infinity", 0.0]], []),
    (DT, "<M8[ns]", [-(2**63), 0, 1577836800000000000], []),
    (TD, "<m8[10s]", [-(2**63), 5, -7], []),
    (U4, "<U4", ["", "abcd", "🎉"], []),
    (S4, "|S4", ["", "YWI=", "YWJjZA=="], []),
    (V2B, "|V2", ["AAA=", "AQI="], []),
    (ST, [["a", "<i4"], ["b", "<f8"]], ["AAAAAAAAAAAAAAAA", "AQAAAAAAAAAAAPA/"], []),
    ("string", None, ["", "héllo", "0"], []),
    ("variable_length_bytes", None, ["", "YWI="], []),
]
RAW_BITS = [("r8", [[0], [255]]), ("r16", [[1, 2]]), ("r24", [[1, 2, 3]]), ("r64", [[0] * 8])]


def _ids(case):
    d = case[0]
    return d if isinstance(d, str) else d["name"]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_v3_dtype_json_round_trip(case):
    data_type = case[0]
    dt = parse_v3_dtype(data_type)
    assert isinstance(dt, DataType)
    assert dt.to_json(3) == data_type
    assert parse_v3_dtype(json.loads(json.dumps(dt.to_json(3)))) == dt


@pytest.mark.parametrize("case", [c for c in CASES if c[1] is not None], ids=_ids)
def test_v2_dtype_json_round_trip(case):
    data_type, typestr = case[0], case[1]
    dt, endian = parse_v2_dtype(typestr)
    assert dt == parse_v3_dtype(data_type)
    assert dt.to_json(2, endian or "little") == typestr


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_fill_value_round_trip(case, zarr_format):
    dt = parse_v3_dtype(case[0])
    for value in case[2]:
        scalar = dt.fill_value_from_json(value, zarr_format)
        assert dt.fill_value_to_json(scalar, zarr_format) == value
        # what we decode is what zarr-python decodes
        z = parse_dtype(case[0], zarr_format=3)
        expected = z.from_json_scalar(value, zarr_format=zarr_format)
        assert _same(scalar, expected), (value, scalar, expected)


@pytest.mark.parametrize("case", [c for c in CASES if c[3]], ids=_ids)
def test_hex_floats_are_bit_exact(case):
    dt = parse_v3_dtype(case[0])
    for value in case[3]:
        scalar = dt.fill_value_from_json(value, 3)
        bits = np.array(scalar).view(f"u{dt.item_size}")[()]
        assert bits == int(value, 16)
        assert dt.fill_value_to_json(scalar, 3) == value  # non-canonical NaN kept as hex
        assert dt.fill_value_to_json(scalar, 2) == "NaN"  # v2 has no hex floats


def test_hex_float_forms():
    f32 = parse_v3_dtype("float32")
    assert f32.fill_value_from_json("0x3f800000", 3) == 1.0
    assert math.isnan(f32.fill_value_from_json("0x7fc00000", 3))
    assert f32.fill_value_to_json(f32.fill_value_from_json("0x7fc00000", 3), 3) == "NaN"
    # zarr-python: a hex of another width is read by value
    assert f32.fill_value_from_json("0x3ff0000000000000", 3) == 1.0
    f64 = parse_v3_dtype("float64")
    assert f64.fill_value_from_json("0x3c00", 3) == 1.0
    c64 = parse_v3_dtype("complex64")
    v = c64.fill_value_from_json(["0x7fc00001", "0x3f800000"], 3)
    assert np.array([v]).view("u4").tolist() == [0x7FC00001, 0x3F800000]
    assert c64.fill_value_to_json(v, 3) == ["0x7fc00001", 1.0]


@pytest.mark.parametrize("name,values", RAW_BITS)
def test_raw_bits(name, values):
    dt = parse_v3_dtype(name)
    n = int(name[1:]) // 8
    assert dt.numpy == np.dtype(f"V{n}") and dt.item_size == n
    assert dt.to_json(3) == name
    assert dt.default_fill_value().tobytes() == bytes(n)
    for value in values:
        scalar = dt.fill_value_from_json(value, 3)
        assert scalar.tobytes() == bytes(value)
        assert dt.fill_value_to_json(scalar, 3) == value


def _same(a, b):
    if isinstance(a, (str, bytes)) or isinstance(b, (str, bytes)):
        return type(a) is type(b) and a == b
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if a_arr.dtype != b_arr.dtype:
        return False
    return a_arr.tobytes() == b_arr.tobytes() or (
        a_arr.dtype.kind in "fc" and np.array_equal(a_arr, b_arr, equal_nan=True)
    )


# ---------------------------------------------------------------- numpy mapping vs zarr

NATIVE_INPUTS = [
    "bool",
    "int8",
    "i2",
    np.int32,
    "<i8",
    "uint8",
    "u2",
    "uint32",
    "u8",
    "f2",
    "float32",
    float,
    int,
    complex,
    "c8",
    "complex128",
    "M8[ns]",
    "m8[10s]",
    "M8",
    "M8[Y]",
    "U10",
    "S5",
    "V16",
    str,
    "string",
    "str",
    [("a", "<i4"), ("b", "<f8")],
]


@pytest.mark.parametrize("dtype_like", NATIVE_INPUTS, ids=repr)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_from_numpy_matches_zarr(dtype_like, zarr_format):
    ours = from_numpy(dtype_like, zarr_format)
    theirs = parse_dtype(dtype_like, zarr_format=zarr_format)
    assert ours.numpy == theirs.to_native_dtype()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if zarr_format == 3:
            assert ours.to_json(3) == theirs.to_json(3)
        else:
            assert ours.to_json(2) == theirs.to_json(2)["name"]
    ours_default, theirs_default = ours.default_fill_value(), theirs.default_scalar()
    if ours.numpy.kind in "mM":  # zarr-python's is a generic NaT; ours has the array's unit
        assert np.isnat(ours_default) and np.isnat(theirs_default)
        assert ours_default.dtype == ours.numpy
    else:
        assert _same(ours_default, theirs_default)
    if theirs.__class__.__name__ not in ("VariableLengthUTF8", "VariableLengthBytes"):
        assert ours.item_size == theirs.item_size
    else:
        assert ours.item_size is None and ours.is_variable_length


@pytest.mark.parametrize(
    "typestr,codec_id",
    [
        ("<i2", None),
        (">i2", None),
        (">f8", None),
        ("<c16", None),
        (">U4", None),
        ("|S7", None),
        ("|V3", None),
        ("<M8[10ms]", None),
        (">m8[us]", None),
        ("|O", "vlen-utf8"),
        ("|O", "vlen-bytes"),
        ("|b1", None),
        ("|u1", None),
    ],
)
def test_parse_v2_matches_zarr(typestr, codec_id):
    ours, endian = parse_v2_dtype(typestr, codec_id)
    theirs = get_data_type_from_json({"name": typestr, "object_codec_id": codec_id}, zarr_format=2)
    native = theirs.to_native_dtype()
    if native.kind not in "OT":
        assert endian == {"<": "little", ">": "big", "|": None, "=": "little"}[native.byteorder]
        native = native.newbyteorder("=")
    assert ours.numpy == native
    assert ours.to_json(2, endian or "little") == typestr


def test_v2_object_codecs():
    assert parse_v2_dtype("|O", "vlen-utf8")[0].name == "string"
    assert parse_v2_dtype("|O", "vlen-bytes")[0].name == "variable_length_bytes"
    for cid in ("vlen-array", "pickle", "json2", "msgpack2"):
        dt, endian = parse_v2_dtype("|O", cid)
        assert isinstance(dt, ObjectType) and dt.object_codec_id == cid and endian is None
        assert dt.numpy == np.dtype(object) and dt.to_json(2) == "|O"
        assert dt.fill_value_from_json(0, 2) == 0
        with pytest.raises(UnsupportedFeature):
            dt.to_json(3)
    with pytest.raises(InvalidMetadata):
        parse_v2_dtype("|O", None)


def test_string_numpy_dtypes_match_zarr_reads(tmp_path):
    """The numpy dtype we promise is the one zarr-python returns when reading."""
    for fmt in (2, 3):
        for dtype, expected in (
            (str, "string"),
            ("variable_length_bytes", "variable_length_bytes"),
        ):
            if fmt == 2 and expected == "variable_length_bytes":
                continue
            a = zarr.create_array(
                tmp_path / f"{fmt}{expected}", shape=(2,), dtype=dtype, zarr_format=fmt
            )
            assert a[...].dtype == parse_v3_dtype(expected).numpy


def test_big_endian_v2():
    dt, endian = parse_v2_dtype(">f8")
    assert dt.numpy == np.dtype("<f8" if np.little_endian else ">f8") and endian == "big"
    assert dt.stored_numpy("big") == np.dtype(">f8")
    assert dt.to_json(2, "big") == ">f8"
    assert parse_v2_dtype(">U4") == (parse_v3_dtype(U4), "big")
    st, endian = parse_v2_dtype([["a", ">i4"], ["b", "|u1"]])
    assert endian == "big" and st.to_json(2, "big") == [["a", ">i4"], ["b", "|u1"]]
    with pytest.raises(UnsupportedFeature):
        parse_v2_dtype([["a", ">i4"], ["b", "<i4"]])


def test_from_numpy_aliases_and_endianness():
    assert from_numpy(str).name == "string"
    assert from_numpy("bytes").name == "variable_length_bytes"
    assert from_numpy(bytes).name == "variable_length_bytes"
    assert from_numpy(np.dtypes.StringDType()).name == "string"
    assert from_numpy(DT) == parse_v3_dtype(DT)
    assert from_numpy("r16").numpy == np.dtype("V2")
    assert from_numpy_with_endian(">f8") == (parse_v3_dtype("float64"), "big")
    assert from_numpy_with_endian("|u1")[1] is None
    assert isinstance(from_numpy(object, zarr_format=2), ObjectType)
    for bad in (object, "O"):
        with pytest.raises(UnknownDataType):
            from_numpy(bad, zarr_format=3)
    for bad in ("foo", "float128" if hasattr(np, "float128") else "q9", "r7"):
        with pytest.raises(InvalidMetadata):
            from_numpy(bad)
    with pytest.raises(InvalidMetadata):
        from_numpy("U")  # no length


# ---------------------------------------------------------------- errors


BAD_FILLS = [
    ("int8", "abc"),
    ("int8", 300),
    ("uint8", -1),
    ("int16", 1.5),
    ("int32", [1]),
    ("int64", True),
    ("float32", "abc"),
    ("float32", [1.0]),
    ("float64", True),
    ("float16", "0x123"),
    ("float32", "0x7fc0000"),
    ("bool", "yes"),
    ("bool", 2),
    ("complex64", 1.0),
    ("complex64", [1.0]),
    ("complex128", ["a", 0]),
    ("r16", [1]),
    ("r8", [256]),
    ("r8", "AA=="),
    (DT, 1.5),
    (DT, "2020-01-01"),
    (DT, 2**63),
    (U4, 5),
    (S4, "!!!"),
    (S4, 3),
    (V2B, "AAAA"),
    (ST, "AAAA"),
    ("string", [1]),
    ("variable_length_bytes", 5),
]


@pytest.mark.parametrize("data_type,value", BAD_FILLS, ids=repr)
def test_bad_fill_values(data_type, value):
    dt = parse_v3_dtype(data_type)
    with pytest.raises(InvalidMetadata) as e:
        dt.fill_value_from_json(value, 3)
    assert type(e.value) is InvalidMetadata
    assert "fill_value" in str(e.value) and repr(value)[:20] in str(e.value)


def test_null_fill():
    dt = parse_v3_dtype("int32")
    assert dt.fill_value_from_json(None, 2) is None
    assert dt.fill_value_to_json(None, 2) is None
    with pytest.raises(InvalidMetadata):
        dt.fill_value_from_json(None, 3)


def test_zarr_v2_compat_fills():
    assert parse_v3_dtype("string").fill_value_from_json(0, 2) == "0"  # as zarr-python
    assert parse_v3_dtype("int32").fill_value_from_json(2.0, 2) == 2
    assert parse_v3_dtype("int32").fill_value_from_json("7", 2) == 7
    assert math.isnan(parse_v3_dtype("float32").fill_value_from_json("NaN", 2))
    assert np.isnat(parse_v3_dtype(DT).fill_value_from_json("NaT", 2))
    assert parse_v3_dtype("bool").fill_value_from_json(0, 2) == np.False_


CASTS = [
    ("uint8", 255, np.uint8(255)),
    ("int16", -5, np.int16(-5)),
    ("int32", 2.0, np.int32(2)),
    ("int64", np.int8(3), np.int64(3)),
    ("float32", 0.5, np.float32(0.5)),
    ("float64", "NaN", np.float64("nan")),
    ("float16", np.float64(1.5), np.float16(1.5)),
    ("complex64", 1 + 2j, np.complex64(1 + 2j)),
    ("complex128", (1, 2), np.complex128(1 + 2j)),
    ("bool", True, np.True_),
    ("bool", 0, np.False_),
    (DT, "2020-01-01", np.datetime64("2020-01-01", "ns")),
    (DT, 0, np.datetime64(0, "ns")),
    (TD, np.timedelta64(20, "s"), np.timedelta64(2, "10s")),
    (U4, "ab", np.str_("ab")),
    (S4, b"ab", np.bytes_(b"ab")),
    (V2B, b"\x01\x02", np.void(b"\x01\x02")),
    ("r16", [1, 2], np.void(b"\x01\x02")),
    ("string", "x", "x"),
    ("variable_length_bytes", b"x", b"x"),
    ("variable_length_bytes", "é", "é".encode()),
]


@pytest.mark.parametrize("data_type,value,expected", CASTS, ids=repr)
def test_cast_fill_value(data_type, value, expected):
    got = parse_v3_dtype(data_type).cast_fill_value(value)
    assert _same(got, expected), (got, expected)


BAD_CASTS = [
    ("uint8", 300),
    ("uint8", -1),
    ("int8", 1.5),
    ("int32", "x"),
    ("int32", None),
    ("float32", 1e300),
    ("float32", "abc"),
    ("bool", 5),
    ("bool", "x"),
    (U4, "abcde"),
    (S4, b"abcde"),
    (V2B, b"\x01"),
    ("r16", [1, 2, 3]),
    ("string", 5),
    (DT, 1.5),
    ("variable_length_bytes", 5),
    ("complex64", "x"),
]


@pytest.mark.parametrize("data_type,value", BAD_CASTS, ids=repr)
def test_bad_casts(data_type, value):
    with pytest.raises(InvalidMetadata):
        parse_v3_dtype(data_type).cast_fill_value(value)


BAD_DTYPES = [
    ("foo", UnknownDataType),
    ("optional", UnknownDataType),
    ("r12", InvalidMetadata),
    ("r0", InvalidMetadata),
    (5, InvalidMetadata),
    ({"name": "int8", "configuration": {"x": 1}}, InvalidMetadata),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 6}}, InvalidMetadata),
    ({"name": "fixed_length_utf32", "configuration": {}}, InvalidMetadata),
    ({"name": "raw_bytes", "configuration": {"length_bytes": 0}}, InvalidMetadata),
    (
        {"name": "numpy.datetime64", "configuration": {"unit": "xs", "scale_factor": 1}},
        InvalidMetadata,
    ),
    (
        {"name": "numpy.datetime64", "configuration": {"unit": "s", "scale_factor": 0}},
        InvalidMetadata,
    ),
    ({"name": "numpy.datetime64", "configuration": {"unit": "s"}}, InvalidMetadata),
    ({"name": "structured", "configuration": {"fields": [["a", "string"]]}}, InvalidMetadata),
    ({"name": "structured", "configuration": {"fields": []}}, InvalidMetadata),
    ({"configuration": {}}, InvalidMetadata),
]


@pytest.mark.parametrize("data_type,error", BAD_DTYPES, ids=repr)
def test_bad_v3_dtypes(data_type, error):
    with pytest.raises(error) as e:
        parse_v3_dtype(data_type)
    assert type(e.value) is error


@pytest.mark.parametrize("typestr", ["foo", "<U0", "|S0", "T", 5, [["a"]], [], "<r8"])
def test_bad_v2_dtypes(typestr):
    with pytest.raises(InvalidMetadata):
        parse_v2_dtype(typestr)


# ---------------------------------------------------------------- properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.sampled_from([2, 4, 8]), st.data())
def test_any_float_bit_pattern_round_trips_in_v3(width, data):
    bits = data.draw(st.integers(0, 2 ** (8 * width) - 1))
    dt = parse_v3_dtype(f"float{8 * width}")
    value = np.array(bits, dtype=f"u{width}").view(dt.numpy)[()]
    encoded = json.loads(json.dumps(dt.fill_value_to_json(value, 3)))
    back = dt.fill_value_from_json(encoded, 3)
    assert np.array(back).view(f"u{width}")[()] == bits


@given(
    st.sampled_from(["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]),
    st.data(),
)
def test_any_integer_round_trips(name, data):
    dt = parse_v3_dtype(name)
    info = np.iinfo(dt.numpy)
    v = data.draw(st.integers(int(info.min), int(info.max)))
    for fmt in (2, 3):
        assert dt.fill_value_from_json(dt.fill_value_to_json(dt.cast_fill_value(v), fmt), fmt) == v
    with pytest.raises(InvalidMetadata):
        dt.cast_fill_value(int(info.max) + 1)


STRUCT = {
    "name": "struct",
    "configuration": {
        "fields": [{"name": "a", "data_type": "int32"}, {"name": "b", "data_type": "float64"}]
    },
}


def test_struct_is_the_zarr_extensions_spelling_and_keeps_its_name() -> None:
    dt = parse_v3_dtype(STRUCT)
    assert dt.numpy == np.dtype([("a", "<i4"), ("b", "<f8")])
    assert dt.to_json(3) == STRUCT  # written back as read: zarr-python 3.4's document
    assert parse_v3_dtype(ST).to_json(3) == ST  # and the 3.0-3.3 spelling as it was
    # Either field spelling under either name, as zarr-python 3.4 reads them.
    mixed = {"name": "structured", "configuration": {"fields": STRUCT["configuration"]["fields"]}}
    assert parse_v3_dtype(mixed).numpy == dt.numpy
    assert dt.has_endianness and not parse_v3_dtype(ST).has_endianness


def test_struct_fill_values_are_objects_of_fields() -> None:
    dt = parse_v3_dtype(STRUCT)
    fill = dt.fill_value_from_json({"a": 7, "b": "NaN"}, 3)
    assert fill["a"] == 7 and math.isnan(fill["b"])
    assert dt.fill_value_to_json(fill, 3) == {"a": 7, "b": "NaN"}
    assert dt.fill_value_from_json({"b": 1.5}, 3).tolist() == (0, 1.5)  # missing: the default
    assert dt.fill_value_from_json("BwAAAAAAAAAAAPg/", 3).tolist() == (7, 1.5)  # base64
    assert dt.cast_fill_value(0).tolist() == (0, 0.0)  # an integer sets every field
    with pytest.raises(InvalidMetadata, match="no field named 'c'"):
        dt.fill_value_from_json({"c": 1}, 3)
    with pytest.raises(InvalidMetadata, match="fill_value"):
        dt.fill_value_from_json([7, 1.5], 3)
    # The older spelling keeps base64.
    assert parse_v3_dtype(ST).fill_value_to_json(fill, 3) == "BwAAAAAAAAAAAPh/"


@pytest.mark.parametrize(
    "fields",
    [
        [{"name": "a"}],
        [{"name": 1, "data_type": "int8"}],
        [["a"]],
        [{"name": "a", "data_type": "int8", "x": 1}],
    ],
)
def test_malformed_struct_fields_are_refused(fields: list[Any]) -> None:
    with pytest.raises(InvalidMetadata, match="field must be"):
        parse_v3_dtype({"name": "struct", "configuration": {"fields": fields}})


@pytest.mark.parametrize("kind", ["M8", "m8"])
@pytest.mark.parametrize("order", ["<", ">"])
def test_generic_time_units_keep_their_count_and_byte_order(kind: str, order: str) -> None:
    # numpy keeps a count with the generic unit ("M8[3generic]"), as zarr-python 3.4 does;
    # numpy's .str drops it and its astype does not swap such bytes: both are worked around.
    name = "numpy.datetime64" if kind == "M8" else "numpy.timedelta64"
    dt = parse_v3_dtype({"name": name, "configuration": {"unit": "generic", "scale_factor": 3}})
    assert np.datetime_data(dt.numpy) == ("generic", 3)
    typestr = dt.to_json(2, endian="big" if order == ">" else "little")
    assert typestr == f"{order}{kind}[3generic]"
    assert parse_v2_dtype(typestr)[0] == dt
    # Written and read back from big- or little-endian input: the counts, not swapped bytes.
    # (count 1: numpy <= 2.5 drops other counts of the generic unit in new arrays)
    counts = np.array([0, 1, -2, 100], f"{order}i8")
    a = simplezarr.create_array({}, shape=(4,), chunks=(2,), dtype=kind, compressors=None)
    a[:] = counts.view(f"{order}{kind}")
    back = a[:]
    assert back.view(back.dtype.byteorder.replace("=", "") + "i8").tolist() == counts.tolist()
