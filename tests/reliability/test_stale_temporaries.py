"""Temporary files a killed writer leaves behind (issue 13, item 8): never listed, and
removed by ``remove_stale_temporaries`` once their writer is gone; a running writer's are
kept, and so are keys and the lock file."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from simplezarr.errors import ReadOnlyError
from simplezarr.stores import LocalStore
from simplezarr.stores.local import LOCK_NAME, TEMP_PREFIX, _temp_name, remove_stale_temporaries


def _leave_a_temporary(directory: str) -> None:
    """A writer killed between writing its temporary file and renaming it."""
    with open(os.path.join(directory, _temp_name()), "wb") as f:
        f.write(b"half a chunk")
    os._exit(0)


def _killed_writer_leaves(directory: Path) -> str:
    p = multiprocessing.get_context("spawn").Process(
        target=_leave_a_temporary, args=(str(directory),)
    )
    p.start()
    p.join(30)
    [name] = [n for n in os.listdir(directory) if n.startswith(TEMP_PREFIX)]
    return name


def test_a_killed_writers_temporary_is_removed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s")
    store.set("a/c/0", b"chunk")
    store.set_partial_values([("a/c/0", 0, b"C")])  # makes the lock file
    left = _killed_writer_leaves(store.root / "a" / "c")
    assert store.list() == ["a/c/0"]  # never listed
    assert store.remove_stale_temporaries() == [f"a/c/{left}"]
    assert store.list() == ["a/c/0"] and store.get("a/c/0") == b"Chunk"
    assert (store.root / LOCK_NAME).exists()
    assert store.remove_stale_temporaries() == []


def test_a_running_writers_temporary_is_kept(tmp_path: Path) -> None:
    (tmp_path / _temp_name()).write_bytes(b"being written")  # this process: alive
    assert remove_stale_temporaries(tmp_path) == []
    assert remove_stale_temporaries(tmp_path, max_age=-1) != []  # unless older than max_age


def test_unknown_writers_temporaries_go_by_age(tmp_path: Path) -> None:
    old, young = tmp_path / (TEMP_PREFIX + "0" * 32), tmp_path / (TEMP_PREFIX + "1" * 32)
    old.write_bytes(b"x")
    young.write_bytes(b"x")
    hours_ago = time.time() - 48 * 3600
    os.utime(old, (hours_ago, hours_ago))
    assert remove_stale_temporaries(tmp_path) == [old.name]
    assert young.exists()


def test_the_walk_stays_inside_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / (TEMP_PREFIX + "0" * 32)
    victim.write_bytes(b"not ours")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert remove_stale_temporaries(root, max_age=-1) == []
    assert victim.exists()


def test_read_only_stores_remove_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReadOnlyError):
        LocalStore(tmp_path, read_only=True).remove_stale_temporaries()


def test_control_without_the_clean_up_the_temporary_stays(tmp_path: Path) -> None:
    # The control: a killed writer's temporary file survives any later session's writes.
    store = LocalStore(tmp_path / "s")
    store.set("c/0", b"x")
    left = _killed_writer_leaves(store.root / "c")
    LocalStore(tmp_path / "s").set("c/0", b"y")
    assert (store.root / "c" / left).exists()
