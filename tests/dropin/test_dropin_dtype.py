"""zarr.dtype: data type objects, parse_dtype, the registry, and create_array(dtype=ZDType),
run against both libraries."""

from __future__ import annotations

import json
from types import ModuleType

import numpy as np
import pytest

from tests.dropin.conftest import ZARR_34, both, zarr

SPECS = ["int8", "<i2", ">f8", "uint64", "bool", "complex64", "U4", "S3", "V2", "M8[s]",
         "m8[10ms]", [("a", "i1"), ("b", "<f4")]]  # fmt: skip


def _plain(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("fmt", [2, 3])
def test_parse_dtype(spec: object, fmt: int) -> None:
    def run(lib: ModuleType) -> object:
        z = lib.dtype.parse_dtype(spec, zarr_format=fmt)
        return (
            repr(z),
            z.to_native_dtype(),
            _plain(z.to_json(zarr_format=fmt)),
            repr(type(z).from_native_dtype(z.to_native_dtype())),
            str(z.default_scalar()),
        )

    theirs, ours = both(run)
    if isinstance(spec, list):  # zarr-python 3.4's Struct (3.1: Structured), see docs/api.md
        struct = "Struct(fields=(('a', Int8()), ('b', Float32(endianness='little'))))"
        spelled = {
            2: {"name": [["a", "|i1"], ["b", "<f4"]], "object_codec_id": None},
            3: {
                "name": "struct",
                "configuration": {
                    "fields": [
                        {"name": "a", "data_type": "int8"},
                        {"name": "b", "data_type": "float32"},
                    ]
                },
            },
        }[fmt]
        newest = (struct, np.dtype(spec), spelled, struct, "(0, 0.0)")  # type: ignore[call-overload]
        assert ours == newest
        if not ZARR_34:
            return
    assert ours == theirs


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d.Int16(endianness="big"),
        lambda d: d.FixedLengthUTF32(length=5),
        lambda d: d.DateTime64(unit="ms", scale_factor=1),
        lambda d: d.VariableLengthUTF8(),
        lambda d: d.Float32(),
    ],
)
def test_create_array_with_a_data_type_object(make: object) -> None:
    def run(lib: ModuleType) -> object:
        store: dict[str, object] = {}
        a = lib.create_array(store, shape=(2,), dtype=make(lib.dtype))  # type: ignore[operator]
        raw = store["zarr.json"]
        doc = json.loads(raw.to_bytes() if hasattr(raw, "to_bytes") else raw)  # type: ignore[attr-defined, arg-type]
        # the name only: zarr-python keeps a v3 array's byte order in memory, simplezarr
        # reads into the native order (docs/api.md)
        return a.dtype.name, doc["data_type"], _plain(doc["fill_value"])

    theirs, ours = both(run)
    assert ours == theirs


@pytest.mark.skipif(not ZARR_34, reason="zarr-python 3.1's parse_dtype gives Structured")
def test_create_array_with_a_struct_object() -> None:
    def run(lib: ModuleType) -> object:
        store: dict[str, object] = {}
        t = lib.dtype.parse_dtype([("a", "i1"), ("b", "<f4")], zarr_format=3)
        a = lib.create_array(store, shape=(2,), dtype=t, fill_value=(1, 2.5))
        a[1] = (3, -0.5)
        raw = store["zarr.json"]
        doc = json.loads(raw.to_bytes())  # type: ignore[attr-defined]
        chunk = store["c/0"].to_bytes()  # type: ignore[attr-defined]
        return doc["data_type"], doc["fill_value"], doc["codecs"][0], chunk, a[:].tolist()

    theirs, ours = both(run)
    assert ours == theirs


def test_a_struct_object_creates_the_struct_spelling_a_numpy_dtype_the_older_one() -> None:
    import simplezarr

    record = np.dtype([("a", "i1"), ("b", "<f4")])
    for dtype, name in ((simplezarr.dtype.parse_dtype(record), "struct"), (record, "structured")):
        store: dict[str, object] = {}
        a = simplezarr.create_array(store, shape=(2,), dtype=dtype, fill_value=(1, 2.5))
        a[0] = (7, 0.25)
        doc = json.loads(store["zarr.json"].to_bytes())  # type: ignore[attr-defined]
        assert doc["data_type"]["name"] == name
        again = simplezarr.open_array(store)
        assert again[:].tolist() == [(7, 0.25), (1, 2.5)]
        assert again.metadata.to_dict()["data_type"]["name"] == name


def test_zarr_pythons_objects_are_accepted() -> None:
    import simplezarr

    a = simplezarr.create_array({}, shape=(2,), dtype=zarr.dtype.Int32(endianness="big"))
    assert a.dtype == np.dtype("int32")


def test_names_and_registry(lib: ModuleType) -> None:
    public = {n for n in zarr.dtype.__all__ if "JSON" not in n}
    assert public <= set(dir(lib.dtype))
    assert lib.dtype.data_type_registry.get("int8") is lib.dtype.Int8
    assert lib.dtype.Float64() == lib.dtype.Float64(endianness="little")


SCALARS = [
    (lambda d: d.Int8(), 42),
    (lambda d: d.Float32(), float("nan")),
    (lambda d: d.Float64(), -0.0),
    (lambda d: d.Float64(), float("inf")),
    (lambda d: d.Complex64(), 1 + 2j),
    (lambda d: d.Bool(), True),
    (lambda d: d.UInt64(), 2**63),
    (lambda d: d.DateTime64(unit="s", scale_factor=1), np.datetime64(5, "s")),
    (lambda d: d.FixedLengthUTF32(length=3), "ab"),
    (lambda d: d.RawBytes(length=2), b"\x01\x02"),
    (lambda d: d.NullTerminatedBytes(length=3), b"ab"),
    (lambda d: d.VariableLengthUTF8(), "h\u00e9"),
]


@pytest.mark.skipif(not hasattr(zarr.dtype.Int8, "to_json_scalar"), reason="zarr-python 3.4's")
@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize(("make", "value"), SCALARS, ids=[str(v) for _, v in SCALARS])
def test_json_scalars(make: object, value: object, fmt: int) -> None:
    def run(lib: ModuleType) -> object:
        t = make(lib.dtype)  # type: ignore[operator]
        j = t.to_json_scalar(value, zarr_format=fmt)
        back = t.from_json_scalar(j, zarr_format=fmt)
        return repr(j), repr(back), type(back).__name__, repr(t.cast_scalar(value))

    theirs, ours = both(run)
    assert ours == theirs
