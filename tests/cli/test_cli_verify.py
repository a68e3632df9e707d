"""``simplezarr verify`` and ``simplezarr.verify``: every stored chunk decoded, each bad
one named by array path and key, exit status 1; ``--repair`` and stale temporary files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simplezarr
from simplezarr.stores.local import TEMP_PREFIX
from tests.cli.conftest import Run


def _checked_array(root: Path, **options: object) -> simplezarr.ZarrArray:
    """A group with ``a``: 4 chunks, each with a crc32c checksum."""
    g = simplezarr.open_group(str(root), mode="w")
    codecs = {"serializer": "auto", "compressors": [{"name": "zstd"}, {"name": "crc32c"}]}
    a = g.create_array("x/a", shape=(40, 10), chunks=(10, 10), dtype="f4", **codecs, **options)
    a[:] = np.arange(400, dtype="f4").reshape(40, 10)
    return a


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_clean_hierarchy_verifies(data: Path, run: Run) -> None:
    r = run("verify", data, "-q")
    assert r.code == 0 and r.out.strip() == "ok: 2 arrays, 2 groups, 102 stored chunks checked"


def test_a_flipped_bit_is_found_by_its_checksum(tmp_path: Path, run: Run) -> None:
    _checked_array(tmp_path / "g")
    _flip(tmp_path / "g" / "x" / "a" / "c" / "2" / "0", at=-2)  # in the checksum's frame
    r = run("verify", tmp_path / "g", "-q")
    assert r.code == 1
    (line,) = [x for x in r.out.splitlines() if x.startswith("corrupt:")]
    assert line.startswith("corrupt: x/a/c/2/0 (array 'x/a'): ") and "crc32c" in line
    assert r.out.splitlines()[-1] == "1 problem(s): 1 array, 2 groups, 4 stored chunks checked"
    report = simplezarr.verify(str(tmp_path / "g"))
    assert [(p.path, p.key) for p in report.problems] == [("x/a", "x/a/c/2/0")]


def test_a_corrupt_shard_and_bad_metadata(tmp_path: Path, run: Run) -> None:
    a = _checked_array(tmp_path / "g", shards=(20, 10))
    shard = tmp_path / "g" / "x" / "a" / "c" / "1" / "0"
    shard.write_bytes(shard.read_bytes()[:-7])  # truncated: its index does not fit
    b = simplezarr.open_group(str(tmp_path / "g")).create_array("y", shape=(2,), dtype="u1")
    (tmp_path / "g" / "y" / "zarr.json").write_text('{"zarr_format": 3, "node_type": "array"}')
    r = run("verify", tmp_path / "g", "--json", "-q")
    assert r.code == 1 and a.shards == (20, 10) and b is not None
    doc = json.loads(r.out)
    assert doc["ok"] is False and doc["chunks"] == 2
    where = sorted((p["path"], p["key"]) for p in doc["problems"])
    assert where == [("x/a", "x/a/c/1/0"), ("y", None)]


def test_progress_of_verify(tmp_path: Path, run: Run) -> None:
    _checked_array(tmp_path / "g")
    seen: list[tuple[int, int]] = []
    simplezarr.verify(str(tmp_path / "g"), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    r = run("verify", tmp_path / "g", "--progress", "lines")
    assert r.err.splitlines()[-1] == "verify: 4/4 chunks (100 %)"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_repair_removes_temporaries_whose_writer_is_gone(tmp_path: Path, run: Run) -> None:
    from simplezarr.stores.local import _HOST  # the host tag in temporary names

    _checked_array(tmp_path / "g")
    where = tmp_path / "g" / "x" / "a" / "c"
    dead = where / f"{TEMP_PREFIX}{_HOST}-{_dead_pid()}-{'a' * 32}"
    alive = where / f"{TEMP_PREFIX}{_HOST}-{os.getpid()}-{'b' * 32}"  # control: running writer
    dead.write_bytes(b"partial")
    alive.write_bytes(b"partial")
    r = run("verify", tmp_path / "g", "-q")
    assert r.code == 0 and f"stale temporary file: x/a/c/{dead.name}" in r.out
    assert dead.exists() and alive.name not in r.out
    r = run("verify", tmp_path / "g", "--repair", "-q")
    assert r.code == 0 and f"removed stale temporary file: x/a/c/{dead.name}" in r.out
    assert not dead.exists() and alive.exists()
    assert "stale" not in run("verify", tmp_path / "g", "-q").out


def test_repair_needs_a_local_store(tmp_path: Path, run: Run) -> None:
    _checked_array(tmp_path / "g")
    assert run("copy", tmp_path / "g", tmp_path / "g.zip", "-q").code == 0
    r = run("verify", tmp_path / "g.zip", "--repair")
    assert r.code == 1 and "local directory" in r.err


def test_verify_of_a_missing_path_is_an_error(tmp_path: Path, run: Run) -> None:
    r = run("verify", tmp_path / "none")
    assert r.code == 1 and r.err.startswith("simplezarr: error:")
    with pytest.raises(simplezarr.errors.NodeNotFound):
        simplezarr.verify(str(tmp_path))
