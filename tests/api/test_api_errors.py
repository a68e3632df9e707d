"""Errors: for a missing node, an existing node under ``w-`` or without ``overwrite``, and a
write through a read-only node, simplezarr raises a simplezarr error that is also an
instance of every builtin exception type zarr-python 3.1.6's error is an instance of, so
``except`` clauses written for zarr-python keep working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import ReadOnlyError, ZarrError
from tests.api.conftest import zarr

BUILTINS = (
    KeyError,
    FileNotFoundError,
    FileExistsError,
    ValueError,
    PermissionError,
    TypeError,
    IndexError,
)


def _setup(lib: Any, root: Path) -> None:
    g = lib.open_group(str(root), mode="w")
    g.create_array("arr", shape=(4,), dtype="i4", chunks=(2,))
    g.create_group("grp")


SCENARIOS: dict[str, Any] = {
    "open_array missing": lambda lib, p: lib.open_array(str(p), path="nope", mode="r"),
    "open_array missing r+": lambda lib, p: lib.open_array(str(p), path="nope", mode="r+"),
    "open_group missing": lambda lib, p: lib.open_group(str(p), path="nope", mode="r"),
    "open missing": lambda lib, p: lib.open(str(p), path="nope", mode="r"),
    "open missing r+": lambda lib, p: lib.open(str(p), path="nope", mode="r+"),
    "open store missing": lambda lib, p: lib.open(str(p / "absent.zarr"), mode="r"),
    "group getitem missing": lambda lib, p: lib.open_group(str(p), mode="r")["nope"],
    "open_array on a group": lambda lib, p: lib.open_array(str(p), path="grp", mode="r"),
    "open_group on an array": lambda lib, p: lib.open_group(str(p), path="arr", mode="r"),
    "create_array existing": lambda lib, p: lib.create_array(
        str(p), name="arr", shape=(2,), dtype="i1"
    ),
    "create_array over group": lambda lib, p: lib.create_array(
        str(p), name="grp", shape=(2,), dtype="i1"
    ),
    "create_group existing": lambda lib, p: lib.create_group(str(p), path="grp"),
    "create_group over array": lambda lib, p: lib.create_group(str(p), path="arr"),
    "open_array w- existing": lambda lib, p: lib.open_array(
        str(p), path="arr", mode="w-", shape=(2,), dtype="i1"
    ),
    "open_group w- existing": lambda lib, p: lib.open_group(str(p), path="grp", mode="w-"),
    "create w- existing": lambda lib, p: lib.create((2,), store=str(p), path="arr", mode="w-"),
    "read-only attrs": lambda lib, p: lib.open_array(str(p), path="arr", mode="r").attrs.update(
        {"x": 1}
    ),
    "read-only update_attributes": lambda lib, p: lib.open_group(
        str(p), mode="r"
    ).update_attributes({"x": 1}),
    "read-only resize": lambda lib, p: lib.open_array(str(p), path="arr", mode="r").resize((8,)),
    "read-only create_group": lambda lib, p: lib.open_group(str(p), mode="r").create_group("n"),
    "read-only create_array": lambda lib, p: lib.open_group(str(p), mode="r").create_array(
        "n", shape=(2,), dtype="i1"
    ),
    "read-only store, mode a": lambda lib, p: lib.open_group(
        (zarr.storage.LocalStore if lib is zarr else simplezarr.storage.LocalStore)(
            str(p), read_only=True
        ),
        mode="a",
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_errors_are_caught_as_zarr_python_errors(name: str, tmp_path: Path, quiet: None) -> None:
    call = SCENARIOS[name]
    _setup(zarr, tmp_path / "theirs")
    _setup(simplezarr, tmp_path / "ours")
    with pytest.raises(Exception) as theirs:
        call(zarr, tmp_path / "theirs")
    with pytest.raises(ZarrError) as ours:
        call(simplezarr, tmp_path / "ours")
    expected = {b.__name__ for b in BUILTINS if isinstance(theirs.value, b)}
    got = {b.__name__ for b in BUILTINS if isinstance(ours.value, b)}
    assert expected <= got, (theirs.value, ours.value)
    assert str(ours.value)  # a message that says what was wrong


def test_writing_data_through_a_read_only_array_raises(tmp_path: Path) -> None:
    """zarr-python raises ValueError; simplezarr's ReadOnlyError is one (and a
    PermissionError). Both refuse, and nothing is written."""
    simplezarr.save_array(str(tmp_path), np.arange(4))
    a = simplezarr.open_array(str(tmp_path), mode="r")
    with pytest.raises(ReadOnlyError):
        a[:] = 0
    with pytest.raises(ValueError):  # what zarr-python users catch
        a[:] = 0
    assert simplezarr.load(str(tmp_path)).tolist() == [0, 1, 2, 3]


def test_bad_arguments_name_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="mode"):
        simplezarr.open_group({}, mode="x")
    with pytest.raises(ValueError, match="zarr_format"):
        simplezarr.create((2,), zarr_format=4)
    with pytest.raises(TypeError, match="unsupported store"):
        simplezarr.open_group(3.5)
    with pytest.raises(ValueError, match="storage_options"):
        simplezarr.open_group({}, storage_options={"anon": True})
    with pytest.raises(ValueError, match="compressor"):
        simplezarr.create((2,), compressor={"id": "zlib"})  # v3: use codecs
    with pytest.raises(ValueError, match="shape and dtype"):
        simplezarr.create_array({}, shape=(2,))
    with pytest.raises(ValueError, match="not both"):
        simplezarr.create_array({}, data=np.ones(2), shape=(2,))
    with pytest.raises(TypeError, match="unexpected keyword"):
        simplezarr.create((2,), bogus=1)
    with pytest.raises(ValueError, match="max_depth"):
        simplezarr.group().members(max_depth=-1)


def test_load_does_not_create_anything(tmp_path: Path) -> None:
    """zarr-python's load opens with mode 'a' (creating an empty group, then raising
    NotImplementedError); simplezarr opens read-only and says nothing is there."""
    with pytest.raises(FileNotFoundError):
        simplezarr.load(str(tmp_path / "absent"))
    store: dict[str, Any] = {}
    with pytest.raises(KeyError):
        simplezarr.load(store, path="nothing")
    assert store == {}


# The creation errors below also compare OverflowError (a fill value out of range).
BUILTINS_AND_OVERFLOW = (*BUILTINS, OverflowError)


def _array_and_group(lib: Any, d: dict[str, Any], fmt: int = 3) -> None:
    g = lib.group(d, zarr_format=fmt)
    g.create_array("arr", shape=(2,), dtype="i1")
    g.create_group("grp")


ERRORS: dict[str, Any] = {
    "consolidate_metadata missing": lambda lib, d: lib.consolidate_metadata(d, path="nope"),
    "consolidate_metadata empty store": lambda lib, d: lib.consolidate_metadata({}),
    "create_array below an array": lambda lib, d: lib.create_array(
        d, name="arr/b", shape=(2,), dtype="i1"
    ),
    "create_group below an array": lambda lib, d: lib.create_group(d, path="arr/b"),
    "require_group on an array": lambda lib, d: lib.open_group(d).require_group("arr"),
    "require_array on a group": lambda lib, d: lib.open_group(d).require_array(
        "grp", shape=(2,), dtype="i1"
    ),
    "open_array on a v2 group": lambda lib, d: (
        d.clear(),
        _array_and_group(lib, d, 2),
        lib.open_array(d, mode="r"),
    ),
    "open_array on a v2 group r+": lambda lib, d: (
        d.clear(),
        _array_and_group(lib, d, 2),
        lib.open_array(d, mode="r+"),
    ),
    "open_array on a v3 group": lambda lib, d: lib.open_array(d, mode="r"),
    "open_group on a v2 array": lambda lib, d: (
        d.clear(),
        lib.create_array(d, shape=(2,), dtype="i1", zarr_format=2),
        lib.open_group(d, mode="r"),
    ),
    "open_group on a v3 array": lambda lib, d: lib.open_group(d, path="arr", mode="r"),
    "bad dtype": lambda lib, d: lib.create_array(d, name="x", shape=(2,), dtype="nonsense"),
    "bad dtype v2": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="nope", zarr_format=2
    ),
    "fill_value out of range": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="int8", fill_value=1000
    ),
    "negative fill_value for uint8": lambda lib, d: lib.create_array(
        d, name="x", shape=(2,), dtype="uint8", fill_value=-1, zarr_format=2
    ),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_are_the_builtin_types_zarr_python_raises(name: str, quiet: None) -> None:
    call = ERRORS[name]
    theirs: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    _array_and_group(zarr, theirs)
    _array_and_group(simplezarr, ours)
    with pytest.raises(Exception) as e_theirs:
        call(zarr, theirs)
    with pytest.raises(ZarrError) as e_ours:
        call(simplezarr, ours)
    expected = {b.__name__ for b in BUILTINS_AND_OVERFLOW if isinstance(e_theirs.value, b)}
    got = {b.__name__ for b in BUILTINS_AND_OVERFLOW if isinstance(e_ours.value, b)}
    assert expected <= got, (e_theirs.value, e_ours.value)
