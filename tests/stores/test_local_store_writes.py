"""LocalStore's two write paths, on disk and on a tmpfs: unnamed temporary files (Linux's
``O_TMPFILE``, linked in as the key once written; renamed over the key only where it
exists) and the fallback, named temporary files renamed over the key. Either way a key
holds its old value or its new one, whole; no temporary file is ever listed; a writer
killed in the middle leaves the old value (and, on the unnamed path, nothing at all)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import simplezarr.stores.local as local_module
from simplezarr.errors import InvalidKey, StoreError
from simplezarr.stores import LocalStore
from simplezarr.stores.local import TEMP_PREFIX, remove_stale_temporaries
from tests.store_helpers import disk_or_tmpfs

linux_only = pytest.mark.skipif(
    not getattr(os, "O_TMPFILE", 0), reason="unnamed temporary files are Linux's O_TMPFILE"
)


def _files(root: Path) -> list[str]:
    return sorted(str(Path(d, n).relative_to(root)) for d, _, names in os.walk(root) for n in names)


@pytest.fixture(params=["disk", "tmpfs"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A directory on the disk of ``tmp_path``, or on a tmpfs (``/dev/shm``)."""
    yield from disk_or_tmpfs(request.param, tmp_path, "simplezarr-writes-")


def _store(root: Path, unnamed: bool, **kwargs: Any) -> LocalStore:
    store = LocalStore(root, **kwargs)
    if not unnamed:
        store._unnamed = False  # the fallback, forced
    return store


@pytest.fixture(params=["unnamed", "named"])
def unnamed(request: pytest.FixtureRequest, place: Path) -> bool:
    if request.param == "named":
        return False
    probe = LocalStore(place / "probe")
    probe.set("k", b"1")
    if not probe.unnamed_temporaries:
        pytest.skip("no unnamed temporary files (O_TMPFILE) on this file system")
    shutil.rmtree(place / "probe")
    return True


def test_new_and_existing_keys_are_written_whole(place: Path, unnamed: bool) -> None:
    store = _store(place / "s", unnamed)
    store.set("zarr.json", b"{}")
    store.set("c/0/0", b"first")
    store.set("c/0/0", b"second, longer")  # an existing key: renamed over it
    store.set("c/0/0", b"3")
    store.set_many([("c/1/0", b"a"), ("c/0/0", b"b")])
    assert store.get("c/0/0") == b"b" and store.get("c/1/0") == b"a"
    assert store.unnamed_temporaries is unnamed
    assert _files(store.root) == ["c/0/0", "c/1/0", "zarr.json"]
    assert store.list() == ["c/0/0", "c/1/0", "zarr.json"]


def test_files_respect_the_umask(place: Path, unnamed: bool) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    old = os.umask(0o027)
    try:
        store = _store(place / "s", unnamed)
        store.set("c/0", b"1")
        store.set("c/0", b"2")
    finally:
        os.umask(old)
    assert (store.root / "c" / "0").stat().st_mode & 0o777 == 0o640


def test_fsync_flushes_the_file_and_its_directory(
    place: Path, unnamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.isdir("/proc") else "?")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store = _store(place / "s", unnamed, fsync=True)
    store.set("c/0", b"durable")
    store.set("c/0", b"durable again")
    assert store.get("c/0") == b"durable again"
    assert len(synced) == 4  # the file, then its directory, twice
    if os.path.isdir("/proc"):
        assert synced[1] == synced[3] == str(store.root / "c")


def test_a_failed_write_keeps_the_old_value_and_leaves_no_file(
    place: Path, unnamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(place / "s", unnamed)
    store.set("c/0", b"old")

    def disk_full(fd: int, data: Any) -> None:
        os.write(fd, bytes(data)[:1])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local_module, "_write_all", disk_full)
    for key in ("c/0", "c/1", "new/dir/k"):
        with pytest.raises(StoreError, match="No space left") as info:
            store.set(key, b"new value")
        assert f"{key!r}" in str(info.value)
    monkeypatch.undo()
    assert store.get("c/0") == b"old" and store.get("c/1") is None
    assert [f for f in _files(store.root) if TEMP_PREFIX in f] == []
    assert store.list() == ["c/0"]


def test_no_temporary_file_is_ever_listed_or_read_while_writing(place: Path, unnamed: bool) -> None:
    # One thread rewrites keys (new ones and existing ones) with values that are one
    # repeated byte; another lists and reads meanwhile: every listed name is a key and
    # every value read is whole.
    store = _store(place / "s", unnamed)
    reader = LocalStore(store.root, read_only=True)
    store.set("c/0", b"\x00" * 65536)
    stop = threading.Event()
    problems: list[str] = []

    def read() -> None:
        while not stop.is_set():
            for key in reader.list():
                if TEMP_PREFIX in key:
                    problems.append(f"listed {key}")
                value = reader.get(key)
                if value is not None and len(set(value)) > 1:
                    problems.append(f"torn {key}")

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(300):
            store.set(f"c/{i % 7}", bytes([i % 256]) * 65536)
    finally:
        stop.set()
        thread.join()
    assert problems == []
    assert sorted(store.list()) == [f"c/{i}" for i in range(7)]


@linux_only
def test_writes_fall_back_where_the_file_system_has_no_unnamed_files(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []
    real_open = os.open

    def no_tmpfile(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            tries.append(flags)
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_tmpfile)
    store = LocalStore(place / "s")
    store.set("c/0", b"1")
    store.set("c/0", b"2")
    store.set("c/1", b"3")
    assert store.unnamed_temporaries is False
    assert len(tries) == 1  # found out once, on the first write
    monkeypatch.undo()
    assert store.get("c/0") == b"2" and store.get("c/1") == b"3"
    assert _files(store.root) == ["c/0", "c/1"]


@linux_only
@pytest.mark.parametrize("refusal", [errno.EPERM, errno.EXDEV, errno.EOPNOTSUPP])
def test_writes_fall_back_where_unnamed_files_cannot_be_linked(
    place: Path, monkeypatch: pytest.MonkeyPatch, refusal: int
) -> None:
    real_link = os.link

    def refuse(src: str, dst: str, **kwargs: Any) -> None:
        if src.startswith("/proc/self/fd/"):
            raise OSError(refusal, os.strerror(refusal))
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", refuse)
    store = LocalStore(place / "s")
    store.set("c/0", b"1")
    store.set("c/0", b"2")
    assert store.unnamed_temporaries is False
    monkeypatch.undo()
    assert store.get("c/0") == b"2"
    assert _files(store.root) == ["c/0"]


@linux_only
def test_writes_fall_back_without_proc(place: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No /proc mounted: the unnamed file can be neither located nor linked.
    real_readlink, real_link = os.readlink, os.link

    def no_proc(path: str, *args: Any, **kwargs: Any) -> Any:
        if str(path).startswith("/proc/self/fd/"):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return real_readlink(path, *args, **kwargs)

    def no_proc_link(src: str, dst: str, **kwargs: Any) -> None:
        if src.startswith("/proc/self/fd/"):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", src)
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "readlink", no_proc)
    monkeypatch.setattr(os, "link", no_proc_link)
    monkeypatch.setattr(os.path, "isdir", lambda p: p != "/proc/self/fd" and os.path.exists(p))
    for key in ("top", "c/0"):  # a key in the root needs no readlink: the link fails
        store = LocalStore(place / key.replace("/", "-"))
        store.set(key, b"1")
        store.set(key, b"2")
        assert store.unnamed_temporaries is False
        assert store.get(key) == b"2"


@linux_only
def test_an_unnamed_write_leaves_nothing_until_it_is_linked(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(place / "s")
    store.set("c/0", b"old")
    if not store.unnamed_temporaries:
        pytest.skip("no unnamed temporary files (O_TMPFILE) on this file system")
    seen: list[list[str]] = []
    real_write_all = local_module._write_all

    def look_while_writing(fd: int, data: Any) -> None:
        real_write_all(fd, data)
        seen.append(os.listdir(store.root / "c"))  # written, not yet linked

    monkeypatch.setattr(local_module, "_write_all", look_while_writing)
    store.set("c/0", b"new")
    store.set("c/1", b"new")
    assert seen == [["0"], ["0"]]


@linux_only
def test_a_key_leading_out_of_the_root_is_refused_before_anything_is_written(
    place: Path,
) -> None:
    outside = place / "outside"
    outside.mkdir()
    store = LocalStore(place / "s")
    store.set("c/0", b"1")
    (store.root / "link").symlink_to(outside, target_is_directory=True)
    (store.root / "inner").symlink_to(store.root / "c", target_is_directory=True)
    for key in ("link/x", "link/deeper/x"):
        with pytest.raises(InvalidKey, match="outside the root"):
            store.set(key, b"secret")
    store.set("inner/x", b"inside")  # a link to a directory inside the root is fine
    assert (store.root / "c" / "x").read_bytes() == b"inside"
    assert list(outside.iterdir()) == []


# -- a writer killed in the middle of a write ------------------------------------------


def _killed_writer(root: str, unnamed: bool, midway: Any) -> None:
    """Overwrite ``c/0`` and write the new key ``c/1``, stopping for good in the middle of
    writing each value's bytes (half of them written) until killed."""
    store = LocalStore(root)
    if not unnamed:
        store._unnamed = False

    def half_then_hang(fd: int, data: Any) -> None:
        data = bytes(data)
        os.write(fd, data[: len(data) // 2])
        midway.release()
        threading.Event().wait()  # until SIGKILL

    local_module._write_all = half_then_hang
    threading.Thread(target=store.set, args=("c/1", b"N" * 4096), daemon=True).start()
    store.set("c/0", b"N" * 4096)


def test_a_writer_killed_mid_write_leaves_the_old_value(place: Path, unnamed: bool) -> None:
    store = LocalStore(place / "s")
    store.set("c/0", b"O" * 4096)
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    midway = ctx.Semaphore(0)  # released by each write once halfway
    p = ctx.Process(target=_killed_writer, args=(str(store.root), unnamed, midway))
    p.start()
    try:
        for _ in range(2):
            assert midway.acquire(timeout=60), "a write never got halfway"
        left_open = [
            os.readlink(f"/proc/{p.pid}/fd/{fd}")
            for fd in os.listdir(f"/proc/{p.pid}/fd")
            if os.path.isdir("/proc")
        ]
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.join(30)
    assert store.get("c/0") == b"O" * 4096  # the old value, whole
    assert store.get("c/1") is None  # the new key never appeared
    assert store.list() == ["c/0"]
    leftovers = [f for f in _files(store.root) if TEMP_PREFIX in f]
    if unnamed:
        # The writer held two unnamed files in c/, and they vanished with it.
        assert sum(t.startswith(str(store.root / "c" / "#")) for t in left_open) == 2
        assert leftovers == []
    else:
        assert len(leftovers) == 2  # named temporaries, never listed, and cleaned up:
        assert sorted(remove_stale_temporaries(store.root)) == leftovers
    assert _files(store.root) == ["c/0"]
