"""Data written by other implementations (the shared external fixtures) reads as in zarr-python.

The expected values of every array are what zarr-python 3.1.6 returns for the same path
(``zarr.open_array(path, mode="r")[...]``). For each array document in the tree:

- zarr-python reads it: simplezarr gives the same dtype and identical values (whole array and
  strided selections), shape and attributes;
- zarr-python cannot read it (bitround, the experimental ``optional`` type, zfpy/pcodec
  without their packages): simplezarr raises a :class:`~simplezarr.errors.ZarrError` saying
  what is unsupported, never another exception and never data.

Directories holding both ``zarr.json`` and ``.zarray`` are tested once per document: the v2
document through a copy without ``zarr.json``. The string arrays are also checked against
``cities.csv``, and every group lists the members zarr-python lists.

The fixtures live outside the project (``../shared/fixtures/external``); without them every
test here is skipped.
"""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simplezarr.errors import ZarrError
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import LocalStore
from tests.external_fixtures import EXTERNAL, require

zarr = pytest.importorskip("zarr")

ROOT = EXTERNAL

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: Words one of which an "unsupported" error message must contain.
UNSUPPORTED_WORDS = ("unsupported", "not supported", "unknown", "no codec", "not installed")


def _node_type(doc: Path) -> str:
    if doc.name == ".zarray":
        return "array"
    if doc.name == ".zgroup":
        return "group"
    try:
        return str(json.loads(doc.read_text(encoding="utf-8")).get("node_type"))
    except (ValueError, UnicodeDecodeError):
        return "invalid"


def _documents(kind: str) -> list[Any]:
    if not ROOT.is_dir():
        return [pytest.param(None, id="no-fixtures")]
    names = {"zarr.json", ".zarray", ".zgroup"}
    docs = sorted(p for p in ROOT.rglob("*") if p.name in names and p.is_file())
    out = [d.relative_to(ROOT).as_posix() for d in docs if _node_type(d) == kind]
    return [pytest.param(d, id=d) for d in out]


def _require_fixtures() -> None:
    require()


def _array_dir(doc: str, tmp_path: Path) -> tuple[Path, int]:
    """The directory to open for ``doc`` and its zarr format.

    A .zarray next to a zarr.json is read from a copy without the zarr.json, so that both
    libraries read the v2 document."""
    path = ROOT / doc
    directory = path.parent
    if path.name == "zarr.json":
        return directory, 3
    if (directory / "zarr.json").exists():
        copy = tmp_path / directory.name
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns("zarr.json"))
        return copy, 2
    return directory, 2


def _zarr_read(directory: Path, fmt: int) -> tuple[Any, np.ndarray] | Exception:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            z = zarr.open_array(str(directory), mode="r", zarr_format=fmt)
            return z, z[...]
        except Exception as e:  # zarr-python cannot read it: simplezarr must refuse too
            return e


def _scalar_ok(value: Any, dtype: np.dtype) -> bool:
    if dtype.kind == "T":
        return type(value) is str
    if dtype.kind == "O":
        return type(value) is bytes
    return type(value) is dtype.type


def assert_same(actual: Any, expected: Any, dtype: np.dtype, what: str) -> None:
    """Same dtype, shape and values (bit for bit for fixed-size types); a scalar on either
    side may face a 0-d array (zarr-python returns 0-d arrays, simplezarr numpy scalars)."""
    for value in (actual, expected):
        if isinstance(value, np.ndarray):
            assert value.dtype == dtype, f"{what}: dtype {value.dtype} != {dtype}"
        else:
            assert _scalar_ok(value, dtype), f"{what}: {type(value)} {value!r} for a {dtype}"
    actual, expected = np.asarray(actual, dtype=dtype), np.asarray(expected, dtype=dtype)
    assert actual.shape == expected.shape, what
    if dtype.kind in "OT":
        assert actual.tolist() == expected.tolist(), what
    else:
        assert np.ascontiguousarray(actual).tobytes() == np.ascontiguousarray(expected).tobytes(), (
            what
        )


def _selections(shape: tuple[int, ...]) -> list[Any]:
    if not shape:
        return [()]
    return [
        tuple(slice(1, None, 3) for _ in shape),
        tuple(slice(None, None, -2) for _ in shape),
        tuple(-1 for _ in shape),
        (shape[0] // 2,),
    ]


@pytest.mark.parametrize("doc", _documents("array"))
def test_array_reads_as_in_zarr_python(doc: str | None, tmp_path: Path) -> None:
    _require_fixtures()
    assert doc is not None
    directory, fmt = _array_dir(doc, tmp_path)
    result = _zarr_read(directory, fmt)
    store = LocalStore(str(directory), read_only=True)
    if isinstance(result, Exception):
        with pytest.raises(ZarrError) as info:
            open_zarr(store)[...]
        message = str(info.value).lower()
        assert any(word in message for word in UNSUPPORTED_WORDS), (
            f"zarr-python fails with {result!r}; simplezarr's error does not say what is "
            f"unsupported: {info.value}"
        )
        return
    z, expected = result
    a = open_zarr(store)
    assert isinstance(a, ZarrArray)
    assert a.shape == z.shape
    assert a.dtype == z.dtype
    assert a.attrs.asdict() == z.attrs.asdict()
    assert_same(a[...], expected, z.dtype, "whole array")
    for sel in _selections(a.shape):
        assert_same(a[sel], expected[sel], z.dtype, f"selection {sel!r}")


def _csv_cities() -> list[str]:
    with open(ROOT / "cities.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert all(len(row) == 1 for row in rows)
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    "name",
    ["zarr_python_compat/cities_v2.zarr", "zarr_python_compat/cities_v3.zarr", "v3/cities.zarr"],
)
def test_cities_match_csv(name: str) -> None:
    _require_fixtures()
    a = open_zarr(LocalStore(str(ROOT / name), read_only=True))
    assert isinstance(a, ZarrArray)
    assert a.dtype == np.dtypes.StringDType()
    values = a[...]
    cities = _csv_cities()
    assert a.shape == (len(cities),)
    assert values.tolist() == cities
    assert a[100:110].tolist() == cities[100:110]
    assert a[-1] == cities[-1]


@pytest.mark.parametrize("doc", _documents("group"))
def test_group_lists_members_as_zarr_python(doc: str | None) -> None:
    _require_fixtures()
    assert doc is not None
    directory = (ROOT / doc).parent
    g = open_zarr(LocalStore(str(directory), read_only=True))
    assert isinstance(g, ZarrGroup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zg = zarr.open_group(str(directory), mode="r")
        expected = {
            name: "group" if isinstance(node, zarr.Group) else "array"
            for name, node in zg.members()
        }
        expected_attrs = zg.attrs.asdict()
    members = {
        name: "group" if isinstance(node, ZarrGroup) else "array" for name, node in g.members()
    }
    assert members == expected
    assert g.keys() == sorted(expected)
    assert g.attrs.asdict() == expected_attrs
    for name in expected:
        assert name in g
        assert g[name].path == (f"{g.path}/{name}" if g.path else name)


def test_hierarchy_tree() -> None:
    _require_fixtures()
    root = open_zarr(LocalStore(str(ROOT / "hierarchy.zarr"), read_only=True))
    assert isinstance(root, ZarrGroup)
    assert root.keys() == ["a", "b"]
    assert [name for name, _ in root.groups()] == ["a", "b"]
    a = root["a"]
    assert isinstance(a, ZarrGroup)
    assert [name for name, _ in a.arrays()] == ["baz", "foo"]
    foo = root["a/foo"]
    assert isinstance(foo, ZarrArray)
    assert foo.shape == (10000, 1000)
    assert foo.attrs.asdict() == {"foo": 42, "bar": "apples", "baz": [1, 2, 3, 4]}
    assert root["b"].keys() == []
    tree = root.tree()
    for name in ("a", "b", "baz", "foo"):
        assert name in tree
