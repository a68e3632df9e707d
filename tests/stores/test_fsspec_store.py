"""FsspecStore details: atomic writes on file systems, the root boundary on local disks,
file systems made for asyncio, arguments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from simplezarr.config import config
from simplezarr.errors import InvalidArgument, InvalidKey, StoreError
from simplezarr.stores import FsspecStore, MemoryStore

fsspec = pytest.importorskip("fsspec")


def local_store(root: Path) -> FsspecStore:
    return FsspecStore.from_url(root.as_uri())


def test_failed_write_keeps_the_old_value_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = local_store(tmp_path / "root")
    store.set("a/k", b"old")

    def broken_move(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(store.fs, "mv", broken_move)
    with pytest.raises(StoreError, match="could not write .*root/a/k.*disk on fire"):
        store.set("a/k", b"new value")
    monkeypatch.undo()
    assert store.get("a/k") == b"old"
    assert os.listdir(tmp_path / "root" / "a") == ["k"]  # the temporary file is gone


def test_temporary_names_are_not_keys(tmp_path: Path) -> None:
    store = local_store(tmp_path / "root")
    with pytest.raises(InvalidKey, match="reserved"):
        store.set("a/.simplezarr-tmp-0123", b"x")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / ".simplezarr-tmp-leftover").write_bytes(b"x")
    assert store.list() == [] and store.list_dir("") == []


def test_symlink_out_of_the_root_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(b"precious")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    store = local_store(root)
    with pytest.raises(InvalidKey, match="outside the root"):
        store.set("link/victim", b"overwritten")
    with pytest.raises(InvalidKey, match="outside the root"):
        store.delete("link/victim")
    with pytest.raises(InvalidKey, match="outside the root"):
        store.erase_prefix("link/")
    assert (outside / "victim").read_bytes() == b"precious"


def test_empty_directories_hold_no_keys(tmp_path: Path) -> None:
    store = local_store(tmp_path / "root")
    store.set("a/b/c", b"1")
    store.delete("a/b/c")
    assert (tmp_path / "root" / "a" / "b").is_dir()
    assert store.list_dir("") == [] and store.is_empty("a/")


def test_candidate_listings_skip_the_empty_directory_check(tmp_path: Path) -> None:
    store = local_store(tmp_path / "root")
    store.set("a/b/c", b"1")
    store.set("x/zarr.json", b"{}")
    store.delete("a/b/c")
    # one listing: the empty directory "a/" is listed, as finding a group's members allows
    assert store.list_dir_candidates("") == ["a/", "x/"] and store.list_dir("") == ["x/"]


def test_file_systems_made_for_asyncio_are_driven_from_threads() -> None:
    s3fs = pytest.importorskip("s3fs")
    fs = s3fs.S3FileSystem(anon=True, asynchronous=True, skip_instance_cache=True)
    store = FsspecStore(fs, path="bucket/x")
    assert store.fs is not fs and store.fs.asynchronous is False
    assert store.path == "bucket/x" and store.url == "s3://bucket/x"


def test_storage_options_asynchronous_is_ignored() -> None:
    store = FsspecStore.from_url(
        "memory://fsspec-options/x", storage_options={"asynchronous": True}
    )
    store.set("k", b"v")
    assert store.get("k") == b"v"


@pytest.mark.parametrize("retries", [-1, 1.5, "3"])
def test_bad_arguments(retries: Any) -> None:
    memory = fsspec.filesystem("memory")
    with pytest.raises(InvalidArgument, match="retries"):
        FsspecStore(memory, path="x", retries=retries)
    with pytest.raises(InvalidArgument, match="fsspec file system"):
        FsspecStore(MemoryStore())  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="path"):
        FsspecStore(memory, path=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="str"):
        FsspecStore.from_url(Path("x"))  # type: ignore[arg-type]


def test_read_batch_size_follows_io_concurrency() -> None:
    store = FsspecStore.from_url("memory://batch-size")
    with config.set(io_concurrency=8):
        assert store.read_batch_size == 32
