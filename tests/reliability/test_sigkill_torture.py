"""SIGKILL torture (issue 13): writer processes killed at random points never leave a torn
chunk or shard, and no temporary file is ever listed.

Each writer rewrites whole chunks (or shards) of one array on a LocalStore, in random
order and several at a time, each with versioned content: every element of object ``k``
at version ``v`` is ``1000 * v + k``, compressed and checksummed (zstd + crc32c), so bytes
of two versions, or half a version, cannot decode to one version. After each kill every
stored object must decode to one whole version and the listing must hold keys only. The
control writes in place (no temporary file and rename) and is caught tearing chunks.

Both of LocalStore's write paths are tortured: unnamed temporary files (Linux's
``O_TMPFILE``, linked in once written; the default where the file system has them) and
named ones renamed over the key (the fallback, forced here), on the disk of ``tmp_path``
and on a tmpfs (``/dev/shm``) where there is one. A writer is stopped (SIGSTOP) before it
is killed, so its open files show where the kill landed: inside an unnamed file's write,
or between a named temporary file's write and its rename.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.errors import CodecError
from simplezarr.stores import LocalStore
from simplezarr.stores.local import TEMP_PREFIX
from tests.store_helpers import disk_or_tmpfs

OBJECTS = 6  # chunks (or shards) of the array
SIZE = 4096  # elements per object: big enough that a write takes a while


def _writer(path: str, seed: int, in_place: bool, unnamed: bool, ready: Any) -> None:
    """Rewrite whole objects with rising versions until killed."""
    rng = random.Random(seed)
    store = LocalStore(path)
    if not unnamed:
        store._unnamed = False  # the fallback: named temporary files, renamed over the key
    if in_place:  # the control: no temporary file, no rename

        def set_in_place(key: str, data: Any) -> None:
            target = os.path.join(path, key)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = bytes(data)
            with open(target, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                time.sleep(0.001)
                f.write(data[len(data) // 2 :])

        store._set = set_in_place  # type: ignore[method-assign]
    a = sz.open_array(store, mode="r+")
    version = 1 + seed * 10**4  # every writer its own versions
    while True:
        first = rng.randrange(OBJECTS)
        count = rng.randint(1, OBJECTS - first)
        values = np.concatenate(
            [np.full(SIZE, 1000 * version + k, dtype="i8") for k in range(first, first + count)]
        )
        a[first * SIZE : (first + count) * SIZE] = values
        version += 1
        # Ready after the first write (its codecs loaded): the kills land in writes, not in
        # the import of a codec library.
        ready.set()


def _unnamed_files(pid: int, path: str) -> int:
    """How many unnamed files (O_TMPFILE: ``<dir>/#<inode> (deleted)``) below ``path``
    process ``pid`` holds open."""
    found = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith(path + "/") and target.rpartition("/")[2].startswith("#"):
            found += 1
    return found


def _wait_stopped(pid: int) -> None:
    """Wait (at most a second) until ``pid`` has stopped: SIGSTOP is delivered at once,
    but a process running on another core takes a moment to stop."""
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rpartition(")")[2].split()[0] in ("T", "t"):
                return
        time.sleep(0.0001)


def torn_after_kills(
    root: Path, kills: int, sharded: bool, in_place: bool = False, unnamed: bool = True
) -> dict[str, int]:
    """Kill a writer ``kills`` times (a new one each time, stopped then killed after a
    random 0-60 ms) and count, after each kill, the objects that are not one whole version
    and the temporary files listed; and the kills that landed inside a write: with an
    unnamed file open, or leaving a new named temporary file (killed between writing and
    renaming)."""
    path = os.path.realpath(root / "a.zarr")
    sz.create_array(
        path,
        shape=(OBJECTS * SIZE,),
        chunks=(SIZE // 4,) if sharded else (SIZE,),
        shards=(SIZE,) if sharded else None,
        dtype="i8",
        fill_value=-1,
        # crc32c after zstd: a torn object fails its checksum instead of decoding to garbage
        compressors=[{"name": "zstd"}, {"name": "crc32c"}],
    )
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "simplezarr"])  # each writer starts in milliseconds
    counts = {
        "torn": 0,
        "listed_temporaries": 0,
        "objects_checked": 0,
        "kills_mid_write": 0,  # a new named temporary file left behind
        "kills_mid_unnamed_write": 0,  # an unnamed file open: its write never shows
    }
    seen: set[str] = set()
    rng = random.Random(1)
    for kill in range(kills):
        ready = ctx.Event()
        p = ctx.Process(target=_writer, args=(path, kill, in_place, unnamed, ready))
        p.start()
        assert ready.wait(60), "the writer did not start"
        time.sleep(rng.uniform(0, 0.06))
        os.kill(p.pid, signal.SIGSTOP)  # frozen where it is: its open files say where
        try:
            _wait_stopped(p.pid)
            counts["kills_mid_unnamed_write"] += _unnamed_files(p.pid, path) > 0
        finally:
            os.kill(p.pid, signal.SIGKILL)
        p.join(30)
        assert p.exitcode == -signal.SIGKILL
        store = LocalStore(path, read_only=True)
        listed = store.list()
        counts["listed_temporaries"] += sum(TEMP_PREFIX in key for key in listed)
        temporaries = {
            name for _, _, names in os.walk(path) for name in names if name.startswith(TEMP_PREFIX)
        }
        counts["kills_mid_write"] += bool(temporaries - seen)  # killed between write and rename
        seen |= temporaries
        a = sz.open_array(store)
        for k in range(OBJECTS):
            counts["objects_checked"] += 1
            try:
                got = a[k * SIZE : (k + 1) * SIZE]
            except CodecError:
                counts["torn"] += 1
                continue
            values = set(np.unique(got).tolist())
            if values == {-1}:
                continue  # never written yet
            if len(values) != 1 or (values.pop() - k) % 1000:
                counts["torn"] += 1
    return counts


@pytest.fixture(params=["disk", "tmpfs"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A directory on the disk of ``tmp_path``, or on a tmpfs (``/dev/shm``)."""
    yield from disk_or_tmpfs(request.param, tmp_path, "simplezarr-torture-")


def _has_unnamed_files(root: Path) -> bool:
    store = LocalStore(root / "probe")
    store.set("k", b"1")
    return bool(store.unnamed_temporaries)


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed", "named"])
@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
def test_killed_writers_never_leave_a_torn_object(root: Path, sharded: bool, unnamed: bool) -> None:
    if unnamed and not _has_unnamed_files(root):
        pytest.skip("no unnamed temporary files (O_TMPFILE) here")
    counts = torn_after_kills(root, 6, sharded, unnamed=unnamed)
    assert counts["objects_checked"] == 6 * OBJECTS
    assert counts["torn"] == 0 and counts["listed_temporaries"] == 0, counts


@pytest.mark.slow
@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed", "named"])
@pytest.mark.parametrize("sharded", [False, True], ids=["chunks", "shards"])
def test_killed_writers_never_leave_a_torn_object_many_kills(
    root: Path, sharded: bool, unnamed: bool
) -> None:
    if unnamed and not _has_unnamed_files(root):
        pytest.skip("no unnamed temporary files (O_TMPFILE) here")
    counts = torn_after_kills(root, 150, sharded, unnamed=unnamed)
    assert counts["torn"] == 0 and counts["listed_temporaries"] == 0, counts
    # The kills do land inside writes: with an unnamed file open (its write never shows),
    # or, on the named path, between writing a temporary file and renaming it.
    hits = counts["kills_mid_unnamed_write"] if unnamed else counts["kills_mid_write"]
    assert hits > 0, counts


def test_control_writing_in_place_tears_chunks(tmp_path: Path) -> None:
    # The control: the same torture with chunks written in place is caught tearing them.
    counts = torn_after_kills(tmp_path, 6, False, in_place=True)
    assert counts["torn"] > 0, counts
