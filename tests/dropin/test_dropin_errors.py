"""zarr.errors: zarr-python's names exist, derive from the same builtins, and
``except zarr.errors.X`` catches what each library raises in the same situation."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import simplezarr
from tests.dropin.conftest import zarr

_BUILTINS = (ValueError, TypeError, KeyError, IndexError, FileNotFoundError, OSError)
_WARNINGS = (UserWarning, DeprecationWarning, RuntimeWarning, FutureWarning)


@pytest.mark.parametrize("name", sorted({*zarr.errors.__all__, "UnknownCodecError"}))
def test_name_exists_with_the_same_builtin_bases(name: str) -> None:
    theirs = getattr(zarr.errors, name)
    ours = getattr(simplezarr.errors, name)
    for base in _BUILTINS + _WARNINGS:
        if issubclass(theirs, base):
            assert issubclass(ours, base), f"{name} should be a {base.__name__}"


def test_warnings_are_zarr_pythons_kinds() -> None:
    with pytest.warns(simplezarr.errors.ZarrDeprecationWarning):
        simplezarr.create((2,), store={}, zarr_version=3)
    with pytest.warns(simplezarr.errors.ZarrRuntimeWarning):
        simplezarr.open_group({}, synchronizer=object())


def _write(tmp_path: Path, key: str, doc: object) -> str:
    (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / key).write_text(json.dumps(doc))
    return str(tmp_path)


def _catches(lib: ModuleType, name: str, fn: object) -> bool:
    try:
        fn()  # type: ignore[operator]
    except getattr(lib.errors, name):
        return True
    return False


def test_missing_group(lib: ModuleType, tmp_path: Path) -> None:
    assert _catches(lib, "GroupNotFoundError", lambda: lib.open_group(str(tmp_path), mode="r"))
    assert _catches(lib, "NodeNotFoundError", lambda: lib.open_group(str(tmp_path), mode="r"))


def test_missing_array(lib: ModuleType, tmp_path: Path) -> None:
    assert _catches(lib, "ArrayNotFoundError", lambda: lib.open_array(str(tmp_path), mode="r"))


def test_array_where_an_array_is(lib: ModuleType, tmp_path: Path) -> None:
    lib.create_array(str(tmp_path), shape=(1,), dtype="i1")
    assert _catches(
        lib, "ContainsArrayError", lambda: lib.create_array(str(tmp_path), shape=(1,), dtype="i1")
    )


def test_group_where_a_group_is(lib: ModuleType, tmp_path: Path) -> None:
    lib.create_group(str(tmp_path))
    assert _catches(lib, "ContainsGroupError", lambda: lib.create_group(str(tmp_path)))


def test_bad_node_type(lib: ModuleType, tmp_path: Path) -> None:
    root = _write(tmp_path, "zarr.json", {"zarr_format": 3, "node_type": "banana"})
    assert _catches(lib, "NodeTypeValidationError", lambda: lib.open_array(root, mode="r"))
    assert _catches(lib, "MetadataValidationError", lambda: lib.open_array(root, mode="r"))
    assert _catches(lib, "BaseZarrError", lambda: lib.open_array(root, mode="r"))


@pytest.mark.parametrize("shape", [(2.0, 3), (2.5,), "ab"])
def test_non_integer_shape_is_a_type_error(lib: ModuleType, shape: object) -> None:
    with pytest.raises(TypeError):
        lib.create_array({}, shape=shape, dtype="i1")


def test_auto_shards_warn(lib: ModuleType) -> None:
    with pytest.warns(lib.errors.ZarrUserWarning):
        a = lib.create_array({}, shape=(1000, 1000), dtype="i1", shards="auto")
    assert a.shards == (500, 500)


def test_overwrite_clears_what_is_below_the_path(lib: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more").write_text("y")
    lib.create_array(str(tmp_path), shape=(2,), dtype="i1", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zarr.json"]
