"""ZipStore beyond the conformance suite: modes, compaction, hostile archives, closing,
threads, and zarr-python 3.1.6 reading and writing the same archives."""

from __future__ import annotations

import os
import pickle
import stat
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from simplezarr.errors import InvalidArgument, InvalidKey, ReadOnlyError, StoreError
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import ZipStore, from_url


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [info.filename for info in archive.infolist()]


def test_overwrite_and_delete_leave_no_stale_members(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with ZipStore(path, mode="w") as store:
        for i in range(5):
            store.set("k", f"value {i}".encode())
        store.set("gone", b"x")
        store.delete("gone")
        store.set("kept", b"y")
        assert store.get("k") == b"value 4"
    assert sorted(names(path)) == ["k", "kept"]
    with ZipStore(path, mode="a") as store:
        store.set("kept", b"z")
        store.set("new", b"n")
    assert sorted(names(path)) == ["k", "kept", "new"]
    with ZipStore(path) as store:
        assert store.get("kept") == b"z" and store.get("k") == b"value 4"


def test_no_rewrite_when_nothing_was_replaced(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with ZipStore(path, mode="w") as store:
        store.set("a", b"1")
    inode = path.stat().st_ino
    with ZipStore(path, mode="a") as store:
        store.set("b", b"2")
    assert path.stat().st_ino == inode  # appended in place, not compacted
    assert sorted(names(path)) == ["a", "b"]


@pytest.mark.parametrize(
    "bad_name", ["../evil", "a/../../evil", "/etc/passwd", "a\\..\\evil", "C:/x", "c:evil", "../d/"]
)
def test_hostile_archive_is_refused(tmp_path: Path, bad_name: str) -> None:
    path = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ok", b"1")
        archive.writestr(zipfile.ZipInfo(bad_name), b"payload")
    for mode in ("r", "a"):
        with pytest.raises(InvalidKey, match="refusing") as info:
            ZipStore(path, mode=mode)  # type: ignore[arg-type]
        assert str(path) in str(info.value)
    assert sorted(names(path)) == sorted(["ok", bad_name])  # the archive is left as it was
    with pytest.raises(InvalidKey):
        from_url(str(path), read_only=True)


@pytest.mark.parametrize("bad_key", ["../x", "/abs", "a\\b", "C:/x", "a/./b"])
def test_escaping_names_are_never_written(tmp_path: Path, bad_key: str) -> None:
    with ZipStore(tmp_path / "a.zip", mode="w") as store, pytest.raises(InvalidKey):
        store.set(bad_key, b"x")
    assert names(tmp_path / "a.zip") == []


def test_directory_entries_are_not_keys(tmp_path: Path) -> None:
    path = tmp_path / "dirs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("group/", b"")
        archive.writestr("group/zarr.json", b"{}")
    with ZipStore(path) as store:
        assert store.list() == ["group/zarr.json"]
        assert store.list_dir("") == ["group/"]


def test_modes(tmp_path: Path) -> None:
    path = tmp_path / "m.zip"
    with pytest.raises(StoreError, match="no ZIP archive"):
        ZipStore(path)
    with ZipStore(path, mode="x") as store:
        store.set("a", b"1")
    with pytest.raises(StoreError, match="mode 'x'"):
        ZipStore(path, mode="x")
    with ZipStore(path, mode="r") as store:
        assert store.read_only
        with pytest.raises(ReadOnlyError, match="read-only"):
            store.set("b", b"2")
    with ZipStore(path, mode="a", read_only=True) as store, pytest.raises(ReadOnlyError):
        store.delete("a")
    with ZipStore(path, mode="w") as store:  # truncates
        assert store.list() == []
    with pytest.raises(InvalidArgument, match="mode"):
        ZipStore(path, mode="rw")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="read-only"):
        ZipStore(path, mode="r", read_only=False)
    (tmp_path / "not.zip").write_bytes(b"not a zip archive")
    with pytest.raises(StoreError, match="cannot open ZIP archive"):
        ZipStore(tmp_path / "not.zip")


def test_closed_store_raises_and_close_twice_is_fine(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "c.zip", mode="w")
    store.set("a", b"1")
    store.close()
    store.close()
    assert store.closed
    for call in (lambda: store.get("a"), lambda: store.set("b", b"2"), store.list):
        with pytest.raises(StoreError, match="closed"):
            call()


def test_byte_ranges_of_compressed_members(tmp_path: Path) -> None:
    data = bytes(range(256)) * 64
    with ZipStore(tmp_path / "d.zip", mode="w", compression=zipfile.ZIP_DEFLATED) as store:
        store.set("v", data)
    with ZipStore(tmp_path / "d.zip") as store:
        assert store.get("v", (1000, 10)) == data[1000:1010]
        assert store.get("v", (-5, None)) == data[-5:]
        assert store.get_many([("v", (16000, None)), ("w", None)]) == [data[16000:], None]


def test_threads_share_one_store(tmp_path: Path) -> None:
    with ZipStore(tmp_path / "t.zip", mode="w") as store:

        def work(i: int) -> bytes | None:
            store.set(f"k/{i % 5}", str(i).encode())  # overwrites, from many threads
            store.set(f"u/{i}", str(i).encode())
            return store.get(f"u/{i}")

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(work, range(100))) == [str(i).encode() for i in range(100)]
    assert len(names(tmp_path / "t.zip")) == 105


def test_arrays_in_a_zip_and_zarr_python_reads_them(tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    path = tmp_path / "data.zip"
    data = np.arange(30 * 20, dtype="<f4").reshape(30, 20)
    with ZipStore(path, mode="w") as store:
        ZarrGroup.create(store, attributes={"in": "zip"})
        arr = ZarrArray.create(store, "a", shape=data.shape, dtype="f4", chunks=(8, 8))
        arr[...] = 0
        arr[...] = data  # every chunk and the metadata are written more than once
        arr.attrs["units"] = "K"
    assert len(names(path)) == len(set(names(path)))
    zstore = zarr.storage.ZipStore(path, mode="r")
    try:
        np.testing.assert_array_equal(zarr.open_array(zstore, path="a", mode="r")[...], data)
        assert zarr.open_group(zstore, mode="r").attrs["in"] == "zip"
    finally:
        zstore.close()
    store = from_url(str(path), read_only=True)
    assert isinstance(store, ZipStore)
    np.testing.assert_array_equal(open_zarr(store, "a")[...], data)
    store.close()


def test_simplezarr_reads_a_zip_zarr_python_wrote(tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    path = tmp_path / "z.zip"
    data = np.arange(100, dtype="<i8")
    zstore = zarr.storage.ZipStore(path, mode="w")
    zarr.create_array(zstore, name="x", data=data, chunks=(16,), shards=(32,))
    zstore.close()
    with ZipStore(path) as store:
        np.testing.assert_array_equal(open_zarr(store, "x")[10:90], data[10:90])


def test_from_url_refuses_writing_into_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "w.zip"
    ZipStore(path, mode="w").close()
    with pytest.raises(InvalidArgument, match="ZipStore"):
        from_url(str(path))


def duplicated_archive(path: Path) -> None:
    """An archive with two members named ``a`` (as another tool may leave it)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a", b"old")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("a", b"new")
        archive.writestr("b", b"b")


@pytest.mark.parametrize("mode", ["r", "a"])
def test_read_only_store_never_rewrites_the_archive(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "dup.zip"
    duplicated_archive(path)
    path.chmod(0o444)
    before = path.stat()
    content = path.read_bytes()
    store = ZipStore(path, mode=mode, read_only=True)  # type: ignore[arg-type]
    assert store.get("a") == b"new" and store.list() == ["a", "b"]
    store.close()
    after = path.stat()
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o444)
    assert path.read_bytes() == content


def test_read_only_append_mode_needs_an_archive(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no ZIP archive"):
        ZipStore(tmp_path / "none.zip", mode="a", read_only=True)
    assert not (tmp_path / "none.zip").exists()


def test_compaction_keeps_the_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "perm.zip"
    with ZipStore(path, mode="w") as store:
        store.set("a", b"1")
    path.chmod(0o640)
    inode = path.stat().st_ino
    with ZipStore(path, mode="a") as store:
        store.set("a", b"2")  # an overwrite: compacted on close
    assert path.stat().st_ino != inode and names(path) == ["a"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_append_mode_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"important text, not a zip archive")
    with pytest.raises(StoreError, match="not a ZIP archive"):
        ZipStore(path, mode="a")
    assert path.read_bytes() == b"important text, not a zip archive"
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    with ZipStore(empty, mode="a") as store:  # an empty file becomes an archive
        store.set("k", b"v")
    assert names(empty) == ["k"]


def test_harmless_member_names_map_to_keys(tmp_path: Path) -> None:
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a//b", b"1")
        archive.writestr("./c/d", b"2")
        archive.writestr("e/./f", b"3")
        archive.writestr("ctl\x01", b"skipped")
        archive.writestr("./", b"")
    with ZipStore(path) as store:
        assert store.list() == ["a/b", "c/d", "e/f"]
        assert store.get("a/b") == b"1" and store.get("c/d", (0, 1)) == b"2"
        assert store.list_dir("") == ["a/", "c/", "e/"]
    with ZipStore(path, mode="a") as store:
        store.set("c/d", b"22")  # replaces the member named "./c/d"
        store.delete("a/b")
        assert store.get("c/d") == b"22"
    assert sorted(names(path)) == ["c/d", "e/f"]  # compacted under the keys' names
    with ZipStore(path) as store:
        assert store.get("c/d") == b"22" and store.get("e/f") == b"3"


def test_missing_parent_directory_is_reported(tmp_path: Path) -> None:
    for mode in ("w", "x", "a"):
        with pytest.raises(StoreError, match="does not exist") as info:
            ZipStore(tmp_path / "no" / "such" / "x.zip", mode=mode)  # type: ignore[arg-type]
        assert "no ZIP archive" not in str(info.value)


def test_pickle_reopens_by_path_and_never_truncates(tmp_path: Path) -> None:
    path = tmp_path / "p.zip"
    store = ZipStore(path, mode="w", compression=zipfile.ZIP_DEFLATED)
    store.set("a", b"1")
    with pytest.raises(StoreError, match="close the store first"):
        pickle.dumps(store)
    store.close()
    copy = pickle.loads(pickle.dumps(store))  # a "w" store comes back in mode "a"
    assert (copy.mode, copy.read_only, copy.compression) == ("a", False, zipfile.ZIP_DEFLATED)
    assert copy.get("a") == b"1" and not copy.closed
    copy.set("b", b"2")
    copy.close()
    with ZipStore(path) as reader:
        assert reader.list() == ["a", "b"]
        again = pickle.loads(pickle.dumps(reader))
        assert again.read_only and again.mode == "r" and again == reader
        assert again.get("b") == b"2"
        again.close()
    ro = ZipStore(path, mode="a", read_only=True)
    ro_copy = pickle.loads(pickle.dumps(ro))
    assert ro_copy.read_only and ro_copy.list() == ["a", "b"]
    ro.close()
    ro_copy.close()
    assert os.path.getsize(path) > 0
