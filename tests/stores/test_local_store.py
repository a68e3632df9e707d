"""LocalStore specifics: never escaping the root, atomic writes, temporary files."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

import simplezarr.stores.local as local_module
from simplezarr.errors import InvalidKey, StoreError
from simplezarr.stores import LocalStore
from simplezarr.stores.local import TEMP_PREFIX

ESCAPING_KEYS = [
    "../x",
    "a/../../x",
    "..",
    "/etc/passwd",
    "a\\b",
    "..\\x",
    "a\x00b",
    "C:/x",
    "",
]

needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every file (its bytes), directory and link under ``directory``."""
    tree: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = str(path.relative_to(directory))
            if path.is_symlink():
                tree[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                tree[rel] = "dir"
            else:
                tree[rel] = path.read_bytes()
    return tree


def all_files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory next to the store root with a file someone cares about."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x").write_bytes(b"precious")
    (tmp_path / "x").write_bytes(b"precious too")
    return tmp_path / "outside"


@pytest.fixture
def store(tmp_path: Path, outside: Path) -> LocalStore:
    store = LocalStore(tmp_path / "root")
    store.set("a/b", b"inside")
    return store


# -- never escaping the root ----------------------------------------------------------------


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_escaping_keys_are_refused(store: LocalStore, tmp_path: Path, key: str) -> None:
    before = snapshot(tmp_path)
    calls = [
        lambda: store.set(key, b"evil"),
        lambda: store.get(key),
        lambda: store.get(key, (0, 4)),
        lambda: store.exists(key),
        lambda: store.getsize(key),
        lambda: store.delete(key),
        lambda: store.set_partial_values([(key, 0, b"evil")]),
        lambda: store.erase_prefix(key + "/"),
        lambda: store.list_prefix(key + "/"),
        lambda: store.list_dir(key + "/"),
    ]
    if key:  # erase_prefix("") is legal: it clears the store
        calls.append(lambda: store.erase_prefix(key))
    for call in calls:
        with pytest.raises(InvalidKey):
            call()
    assert snapshot(tmp_path) == before


@needs_symlinks
def test_symlink_out_of_root_is_not_written_through(
    store: LocalStore, tmp_path: Path, outside: Path
) -> None:
    (store.root / "link").symlink_to(outside, target_is_directory=True)
    (store.root / "a" / "deep").symlink_to(outside, target_is_directory=True)
    before = snapshot(tmp_path)
    calls = [
        lambda: store.set("link/x", b"evil"),
        lambda: store.set("link/new/y", b"evil"),
        lambda: store.set("a/deep/x", b"evil"),
        lambda: store.delete("link/x"),
        lambda: store.set_partial_values([("link/x", 0, b"evil")]),
        lambda: store.erase_prefix("link/"),
        lambda: store.erase_prefix("link/sub/"),
        lambda: store.erase_values(["a/deep/x"]),
    ]
    for call in calls:
        with pytest.raises(InvalidKey, match="symbolic link"):
            call()
    assert snapshot(tmp_path) == before


@needs_symlinks
def test_symlinks_are_followed_for_reading_only(
    store: LocalStore, tmp_path: Path, outside: Path
) -> None:
    (store.root / "link").symlink_to(outside, target_is_directory=True)
    assert store.get("link/x") == b"precious"  # the directory's own links are trusted
    assert store.list_dir("link/") == ["link/x"]
    assert store.list() == ["a/b"]  # recursive listing does not descend into links
    store.clear()  # removes the link, not what it points to
    assert not (store.root / "link").exists()
    assert (outside / "x").read_bytes() == b"precious"


@needs_symlinks
def test_symlink_to_a_file_outside_is_replaced_not_written_through(
    store: LocalStore, outside: Path
) -> None:
    (store.root / "f").symlink_to(outside / "x")
    store.set("f", b"new")
    assert (outside / "x").read_bytes() == b"precious"
    assert not (store.root / "f").is_symlink()
    store.delete("f")
    assert (outside / "x").read_bytes() == b"precious"


@needs_symlinks
def test_symlink_inside_root_can_be_written_through(store: LocalStore) -> None:
    (store.root / "alias").symlink_to(store.root / "a", target_is_directory=True)
    store.set("alias/c", b"via link")
    assert store.get("a/c") == b"via link"
    store.erase_prefix("alias/")  # removes the link only
    assert store.list() == ["a/b", "a/c"]


@needs_symlinks
def test_root_may_be_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "root").symlink_to(tmp_path / "real", target_is_directory=True)
    store = LocalStore(tmp_path / "root")
    store.set("a/b", b"1")
    assert (tmp_path / "real" / "a" / "b").read_bytes() == b"1"
    assert store == LocalStore(tmp_path / "real")


# -- atomic writes and temporary files --------------------------------------------------


def test_no_temporary_files_after_writes(store: LocalStore) -> None:
    store.set("a/b", b"again")
    store.set_many([("c", b"1"), ("d/e/f", b"2")])
    store.set_partial_values([("c", 3, b"x")])
    # the one hidden file: the lock file of partial writes (never a key)
    assert all_files(store.root) == [".simplezarr-lock", "a/b", "c", "d/e/f"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_replace_keeps_old_value(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def failing_replace(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"new value"  # the temp file was fully written
        raise error

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(StoreError if isinstance(error, OSError) else KeyboardInterrupt) as info:
        store.set("a/b", b"new value")
    if isinstance(error, OSError):
        assert info.value.__cause__ is error
        assert "'a/b'" in str(info.value)
    monkeypatch.undo()
    assert store.get("a/b") == b"inside"
    assert all_files(store.root) == ["a/b"]


def test_failed_write_keeps_old_value(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStore(store.root, fsync=True)

    def failing_fsync(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StoreError, match="I/O error"):
        store.set("a/b", b"new value")
    with pytest.raises(StoreError):
        store.set("new/key", b"new value")
    monkeypatch.undo()
    assert store.get("a/b") == b"inside"
    assert all_files(store.root) == ["a/b"]


def test_fsync_writes(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root", fsync=True)
    store.set("a/b", b"durable")
    assert store.get("a/b") == b"durable"


def test_temporary_files_are_never_listed(store: LocalStore) -> None:
    (store.root / "a" / (TEMP_PREFIX + "0123abcd")).write_bytes(b"half written")
    (store.root / (TEMP_PREFIX + "dir")).mkdir()
    (store.root / (TEMP_PREFIX + "dir") / "x").write_bytes(b"?")
    (store.root / "t").mkdir()
    (store.root / "t" / (TEMP_PREFIX + "1")).write_bytes(b"half written")
    assert store.list() == ["a/b"]
    assert store.list_prefix("a/") == ["a/b"]
    assert store.list_dir("") == ["a/"]
    assert store.list_dir("a/") == ["a/b"]
    assert store.is_empty("t/")


@pytest.mark.parametrize("key", [TEMP_PREFIX + "x", "a/" + TEMP_PREFIX, "a/" + TEMP_PREFIX + "1/b"])
def test_temporary_names_are_reserved(store: LocalStore, key: str) -> None:
    for call in (lambda: store.set(key, b"1"), lambda: store.get(key), lambda: store.delete(key)):
        with pytest.raises(InvalidKey, match="reserved"):
            call()


def test_files_respect_umask(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    umask = os.umask(0o022)
    os.umask(umask)
    store = LocalStore(tmp_path / "root")
    store.set("k", b"1")
    assert (store.root / "k").stat().st_mode & 0o777 == 0o666 & ~umask


def test_unlistable_file_names_are_skipped(store: LocalStore) -> None:
    if os.name != "posix":
        pytest.skip("such names cannot exist on Windows")
    (store.root / "back\\slash").write_bytes(b"1")
    (store.root / "a" / "ctrl\x01").write_bytes(b"1")
    (store.root / "C:").mkdir()
    (store.root / "C:" / "x").write_bytes(b"1")
    assert store.list() == ["a/b"]
    assert store.list_dir("") == ["a/"]


# -- the directory -----------------------------------------------------------------------


def test_root_is_created_lazily(tmp_path: Path) -> None:
    read_only = LocalStore(tmp_path / "ro", read_only=True)
    writable = LocalStore(tmp_path / "rw" / "nested")
    for store in (read_only, writable):
        assert store.get("a") is None
        assert store.list() == []
        assert store.list_dir("") == []
        assert store.is_empty()
    assert not (tmp_path / "ro").exists()
    assert not (tmp_path / "rw").exists()
    writable.clear()
    writable.delete("x/y")
    assert not (tmp_path / "rw").exists()
    writable.set("k", b"1")
    assert (tmp_path / "rw" / "nested" / "k").read_bytes() == b"1"


def test_root_must_not_be_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"1")
    with pytest.raises(StoreError, match="not a directory"):
        LocalStore(tmp_path / "file")


def test_clear_keeps_the_root(store: LocalStore) -> None:
    store.clear()
    assert store.root.is_dir()
    assert list(store.root.iterdir()) == []


def test_directory_is_not_a_key(store: LocalStore) -> None:
    assert store.get("a") is None
    assert store.get("a", (0, 1)) is None
    assert not store.exists("a")
    with pytest.raises(FileNotFoundError):
        store.getsize("a")
    store.delete("a")
    assert store.get("a/b") == b"inside"


def test_key_and_prefix_collide_on_disk(store: LocalStore) -> None:
    with pytest.raises(StoreError, match="'a'"):
        store.set("a", b"file where a directory is")
    with pytest.raises(StoreError, match="'a/b/c'"):
        store.set("a/b/c", b"directory where a file is")
    assert all_files(store.root) == ["a/b"]


def test_read_only_store_reads_existing_data(store: LocalStore) -> None:
    reader = LocalStore(store.root, read_only=True)
    assert reader.get("a/b") == b"inside"
    assert reader.read_only and not store.read_only


def test_byte_range_reads_only_the_range(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    store.set("small", b"x")
    size = 64 * 2**20
    with open(store.root / "big", "wb") as f:  # sparse: cheap to create
        f.truncate(size)
        f.seek(size - 4)
        f.write(b"tail")
    tracemalloc.start()
    try:
        assert store.get("big", (-4, None)) == b"tail"
        assert store.get("big", (size - 6, 4)) == b"\x00\x00ta"
        assert store.get("big", (size - 2, None)) == b"il"
        assert store.get_partial_values([("big", size - 3, 100)]) == [b"ail"]
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


def test_read_failure_is_a_store_error(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_open(*args: object, **kwargs: object) -> None:
        raise PermissionError("permission denied")

    monkeypatch.setattr(local_module.os, "open", failing_open)
    with pytest.raises(StoreError, match="'a/b'") as info:
        store.get("a/b")
    assert isinstance(info.value.__cause__, PermissionError)


def test_reading_a_device_or_fifo_is_a_store_error(store: LocalStore) -> None:
    os.makedirs(store.root / "a", exist_ok=True)
    os.symlink("/dev/zero", store.root / "a" / "zero")
    os.mkfifo(store.root / "a" / "fifo")
    for key in ("a/zero", "a/fifo"):  # must neither allocate forever nor hang
        with pytest.raises(StoreError, match="not a regular file"):
            store.get(key)


def test_eq_hash_repr(tmp_path: Path) -> None:
    a = LocalStore(tmp_path / "root")
    b = LocalStore(str(tmp_path / "x" / ".." / "root"), read_only=True)
    assert a == b and hash(a) == hash(b)
    assert a != LocalStore(tmp_path / "other")
    assert a.root == (tmp_path / "root").resolve()
    assert repr(a) == f"LocalStore({str(a.root)!r})"
    assert repr(b).endswith("read_only=True)")
