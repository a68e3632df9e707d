"""``simplezarr info``, ``ls``, ``tree``; the tool's errors, ``--version`` and ``--debug``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import simplezarr
from tests.cli.conftest import Run


def test_info_of_an_array_as_json(data: Path, run: Run) -> None:
    r = run("info", data / "temp", "--json")
    assert r.code == 0 and r.err == ""
    facts = json.loads(r.out)
    assert facts["node_type"] == "array" and facts["shape"] == [100, 100]
    assert facts["chunks"] == [10, 10] and facts["chunks_stored"] == facts["nchunks"] == 100
    assert facts["dimension_names"] == ["y", "x"] and facts["dtype"] == "float64"
    assert facts["bytes"] == 80_000
    a = simplezarr.open_array(str(data / "temp"), mode="r")
    assert facts["bytes_stored"] == a.nbytes_stored()
    assert facts["compression_ratio"] == round(80_000 / a.nbytes_stored(), 2)


def test_info_counts_only_stored_chunks(tmp_path: Path, run: Run) -> None:
    a = simplezarr.create_array(str(tmp_path / "a"), shape=(100,), chunks=(10,), dtype="u1")
    a[:25] = 1
    facts = json.loads(run("info", tmp_path / "a", "--json").out)
    assert (facts["chunks_stored"], facts["nchunks"]) == (3, 10)


def test_info_of_a_sharded_array_counts_shards(tmp_path: Path, run: Run) -> None:
    simplezarr.create_array(
        str(tmp_path / "s"), data=np.ones((20, 20)), chunks=(5, 5), shards=(10, 20)
    )
    facts = json.loads(run("info", tmp_path / "s", "--json").out)
    assert (facts["shards"], facts["nshards"], facts["shards_stored"]) == ([10, 20], 2, 2)


def test_info_of_a_group_totals_its_arrays(data: Path, run: Run) -> None:
    r = run("info", data)
    assert r.code == 0
    lines = dict(line.split(" : ", 1) for line in r.out.splitlines())
    assert lines["node_type ".ljust(len(next(iter(lines))))].strip() == "group"
    facts = json.loads(run("info", data, "--json").out)
    assert (facts["arrays"], facts["groups"], facts["chunks_stored"]) == (2, 1, 102)
    assert facts["bytes"] == 80_000 + 40


def test_ls_and_tree(data: Path, run: Run) -> None:
    assert run("ls", data).out.splitlines() == ["sub/  group", "temp  array (100, 100) float64"]
    tree = run("tree", data).out
    assert "b (10,) int32" in tree and "temp (100, 100) float64" in tree
    assert "b (10,)" not in run("tree", data, "--depth", "0").out
    assert run("ls", data / "temp").out.strip() == ". array (100, 100) float64"


def test_errors_are_one_line_with_status_1(tmp_path: Path, run: Run) -> None:
    r = run("info", tmp_path / "nothing")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("simplezarr: error: ") and r.err.count("\n") == 1
    assert "nothing" in r.err and "Traceback" not in r.err
    (tmp_path / "empty").mkdir()
    r = run("info", tmp_path / "empty")
    assert r.code == 1 and r.err.startswith("simplezarr: error: ") and "Traceback" not in r.err


def test_usage_errors_have_status_2(data: Path, run: Run) -> None:
    r = run("copy", data)
    assert r.code == 2 and "simplezarr: error:" in r.err
    r = run("copy", data, data.parent / "x", "--chunks", "10,zero")
    assert r.code == 2 and "not a shape" in r.err
    assert run("frobnicate").code == 2


def test_debug_shows_the_traceback(tmp_path: Path, run: Run) -> None:
    import pytest

    from simplezarr.errors import InvalidArgument

    with pytest.raises(InvalidArgument):
        run("--debug", "info", tmp_path / "nothing")
    with pytest.raises(InvalidArgument):
        run("info", tmp_path / "nothing", "--debug")


def test_version(run: Run) -> None:
    r = run("--version")
    assert r.code == 0 and r.out.strip() == f"simplezarr {simplezarr.__version__}"
