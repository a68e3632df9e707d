"""``simplezarr copy`` and the API under it (``simplezarr.convert``): formats, rechunking,
resharding, recompression, ZIP files, progress, and resuming an interrupted copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import ContainsNode, CopyError, InvalidArgument
from simplezarr.stores import LocalStore, ZipStore
from tests.cli.conftest import Run, make_hierarchy

EXPECTED = np.arange(10_000.0).reshape(100, 100)


def _same_data(path: str | Path, store: object = None) -> None:
    g = simplezarr.open_group(store if store is not None else str(path), mode="r")
    np.testing.assert_array_equal(g["temp"][:], EXPECTED)
    np.testing.assert_array_equal(g["sub/b"][:], np.arange(10, dtype="i4"))
    assert g.attrs["t"] == 1 and g["temp"].attrs["units"] == "K"


def test_copy_as_stored(data: Path, tmp_path: Path, run: Run) -> None:
    r = run("copy", data, tmp_path / "out.zarr", "-q")
    assert r.code == 0, r.err
    assert r.out.strip() == "copied 2 array(s) and 2 group(s): 102 stored chunk(s) written"
    _same_data(tmp_path / "out.zarr")
    a, b = (data / "temp" / "c" / "3" / "4"), (tmp_path / "out.zarr" / "temp" / "c" / "3" / "4")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("src_format", [2, 3])
def test_convert_the_format(src_format: int, tmp_path: Path, run: Run) -> None:
    src = make_hierarchy(tmp_path / "src.zarr", src_format)
    dst_format = 5 - src_format
    r = run("copy", src, tmp_path / "out.zarr", "--zarr-format", dst_format, "-q")
    assert r.code == 0, r.err
    _same_data(tmp_path / "out.zarr")
    a = simplezarr.open_array(str(tmp_path / "out.zarr"), path="temp", mode="r")
    assert a.metadata.zarr_format == dst_format and a.chunks == (10, 10)
    if dst_format == 2:  # v3 dimension names kept as xarray's v2 attribute
        assert a.attrs["_ARRAY_DIMENSIONS"] == ["y", "x"]
        back = tmp_path / "back.zarr"
        assert run("copy", tmp_path / "out.zarr", back, "--zarr-format", "3", "-q").code == 0
        b = simplezarr.open_array(str(back), path="temp", mode="r")
        assert b.metadata.dimension_names == ("y", "x") and "_ARRAY_DIMENSIONS" not in b.attrs


def test_rechunk_reshard_recompress(data: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "out.zarr"
    r = run(
        "copy", data / "temp", out, "--chunks", "20,20", "--shards", "40,100",
        "--compressor", "blosc:cname=lz4,clevel=3", "-q",
    )  # fmt: skip
    assert r.code == 0, r.err
    a = simplezarr.open_array(str(out), mode="r")
    assert (a.chunks, a.shards) == ((20, 20), (40, 100))
    (blosc,) = a.compressors
    assert (blosc.cname, blosc.clevel) == ("lz4", 3)
    np.testing.assert_array_equal(a[:], EXPECTED)
    assert sorted(p.name for p in (out / "c").iterdir()) == ["0", "1", "2"]
    # and back: unshard, no compression
    r = run("copy", out, tmp_path / "raw.zarr", "--shards", "none", "--compressor", "none", "-q")
    b = simplezarr.open_array(str(tmp_path / "raw.zarr"), mode="r")
    assert r.code == 0 and b.shards is None and b.compressors == () and b.chunks == (20, 20)
    assert (tmp_path / "raw.zarr" / "c" / "0" / "0").stat().st_size == 20 * 20 * 8
    np.testing.assert_array_equal(b[:], EXPECTED)


def test_compressor_for_zarr_v2(data: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "v2.zarr"
    r = run("copy", data, out, "--zarr-format", "2", "--compressor", "zstd:level=7", "-q")
    assert r.code == 0, r.err
    meta = json.loads((out / "temp" / ".zarray").read_text())
    assert meta["compressor"]["id"] == "zstd" and meta["compressor"]["level"] == 7
    _same_data(out)


def test_options_that_fit_no_array_fail_before_writing(
    data: Path, tmp_path: Path, run: Run
) -> None:
    r = run("copy", data, tmp_path / "out.zarr", "--chunks", "50,50")  # sub/b is 1-d
    assert r.code == 1 and "sub/b" in r.err and "2 dimensions" in r.err
    assert not (tmp_path / "out.zarr").exists()


def test_to_and_from_a_zip_file(data: Path, tmp_path: Path, run: Run) -> None:
    archive = tmp_path / "out.zip"
    assert run("copy", data, archive, "-q").code == 0
    with ZipStore(archive) as store:
        _same_data("", store)
    assert run("copy", archive, tmp_path / "back.zarr", "--zarr-format", "2", "-q").code == 0
    _same_data(tmp_path / "back.zarr")
    assert run("verify", archive, "-q").code == 0


def test_an_existing_destination_is_refused_unless_asked(
    data: Path, tmp_path: Path, run: Run
) -> None:
    out = tmp_path / "out.zarr"
    assert run("copy", data, out, "-q").code == 0
    r = run("copy", data / "temp", out, "-q")
    assert r.code == 1 and "already exists" in r.err and "--resume" not in r.out
    r = run("copy", data / "temp", out, "--overwrite", "-q")
    assert r.code == 0
    assert simplezarr.open_array(str(out), mode="r").shape == (100, 100)
    assert not (out / "sub").exists()  # the old group's members went with it


def test_progress_lines_without_a_bar(data: Path, tmp_path: Path, run: Run) -> None:
    r = run("copy", data, tmp_path / "out.zarr", "--progress", "lines")
    assert r.code == 0 and r.err.splitlines()[-1] == "copy: 102/102 chunks (100 %)"
    r = run("copy", data, tmp_path / "quiet.zarr", "-q")
    assert r.err == ""


def test_progress_bar_with_tqdm(data: Path, tmp_path: Path, run: Run) -> None:
    pytest.importorskip("tqdm")
    r = run("copy", data, tmp_path / "out.zarr", "--progress", "bar")
    assert r.code == 0 and "102/102" in r.err and "copy" in r.err


def test_progress_without_tqdm_is_lines(
    data: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # not installed
    r = run("copy", data, tmp_path / "out.zarr", "--progress", "bar")
    assert r.code == 0 and r.err.splitlines() == ["copy: 102/102 chunks (100 %)"]


# ------------------------------------------------------------------------ API and resume


class Interrupt(KeyboardInterrupt):
    pass


def _interrupt_after(n: int) -> object:
    def progress(done: int, total: int) -> None:
        if done >= n:
            raise Interrupt

    return progress


@pytest.mark.parametrize("options", [{}, {"chunks": (20, 20), "compressors": None}])
def test_an_interrupted_copy_resumes(
    options: dict[str, object], data: Path, tmp_path: Path, run: Run
) -> None:
    out = tmp_path / "out.zarr"
    calls: list[tuple[int, int]] = []
    total = 25 if options else 100
    with pytest.raises(Interrupt):
        simplezarr.convert(str(data / "temp"), str(out), progress=_interrupt_after(8), **options)
    done_before = len(list((out / "c").rglob("*/*")))
    assert 8 <= done_before < total  # interrupted part way: some chunks there, not all
    report = simplezarr.convert(
        str(data / "temp"), str(out), resume=True, progress=lambda d, t: calls.append((d, t)),
        **options,
    )  # fmt: skip
    assert report.chunks_kept == done_before and report.chunks_copied == total - done_before
    assert [d for d, _ in calls] == list(range(1, total + 1)) and calls[-1][1] == total
    np.testing.assert_array_equal(simplezarr.open_array(str(out))[:], EXPECTED)


def test_resume_through_the_cli_counts_kept_chunks(data: Path, tmp_path: Path, run: Run) -> None:
    out = tmp_path / "out.zarr"
    with pytest.raises(Interrupt):
        simplezarr.convert(str(data), str(out), progress=_interrupt_after(30))
    r = run("copy", data, out, "--resume", "-q")
    assert r.code == 0, r.err
    kept = int(r.out.split(", ")[-1].split()[0])
    assert kept >= 30 and "written" in r.out
    _same_data(out)


def test_resume_rewrites_chunks_that_are_not_valid(tmp_path: Path) -> None:
    src = simplezarr.create_array(str(tmp_path / "src"), data=np.arange(400.0), chunks=(100,))
    out = tmp_path / "out"
    simplezarr.convert(src, str(out))
    good = (out / "c" / "1").read_bytes()
    (out / "c" / "1").write_bytes(good[:-3])  # truncated: another size
    flipped = bytearray((out / "c" / "2").read_bytes())
    flipped[5] ^= 0xFF  # same size, does not decode
    (out / "c" / "2").write_bytes(bytes(flipped))
    (out / "c" / "3").unlink()  # missing
    report = simplezarr.convert(src, str(out), resume=True)
    assert (report.chunks_kept, report.chunks_copied) == (1, 3)
    np.testing.assert_array_equal(simplezarr.open_array(str(out))[:], np.arange(400.0))
    # control: an undamaged destination is kept whole
    again = simplezarr.convert(src, str(out), resume=True)
    assert (again.chunks_kept, again.chunks_copied) == (4, 0)


def test_resume_refuses_other_metadata(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.zarr"
    simplezarr.convert(str(data / "temp"), str(out), chunks=(20, 20))
    with pytest.raises(CopyError, match="chunk_grid"):
        simplezarr.convert(str(data / "temp"), str(out), resume=True)
    report = simplezarr.convert(str(data / "temp"), str(out), chunks=(20, 20), resume=True)
    assert report.chunks_kept == 25
    with pytest.raises(ContainsNode):
        simplezarr.convert(str(data / "temp"), str(out))
    with pytest.raises(InvalidArgument):
        simplezarr.convert(str(data), str(out), resume=True, overwrite=True)


def test_copy_store_and_copy_report_progress(data: Path) -> None:
    seen: list[tuple[int, int]] = []
    dst: dict[str, bytes] = {}
    n, _, nbytes = simplezarr.copy_store(
        LocalStore(data), dst, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (n, n) and len(seen) == n and nbytes == sum(map(len, dst.values()))
    _same_data("", dst)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_consolidated_metadata_is_consolidated_in_the_copy(
    zarr_format: int, tmp_path: Path, run: Run
) -> None:
    data = make_hierarchy(tmp_path / "data.zarr", 5 - zarr_format)  # the other format
    simplezarr.consolidate_metadata(str(data))
    out = tmp_path / "out.zarr"
    assert run("copy", data, out, "--zarr-format", zarr_format, "-q").code == 0
    g = simplezarr.open_consolidated(str(out), mode="r")
    assert sorted(k for k, _ in g.members(max_depth=None)) == ["sub", "sub/b", "temp"]
    _same_data(out)
    # control: an unconsolidated source gives an unconsolidated copy
    plain = make_hierarchy(tmp_path / "plain.zarr")
    assert run("copy", plain, tmp_path / "p2.zarr", "-q").code == 0
    facts = json.loads(run("info", tmp_path / "p2.zarr", "--json").out)
    assert facts["consolidated"] is False
    assert json.loads(run("info", out, "--json").out)["consolidated"] is True


def test_nodes_inside_a_store(data: Path, tmp_path: Path, run: Run) -> None:
    archive = tmp_path / "data.zip"
    assert run("copy", data, archive, "-q").code == 0
    facts = json.loads(run("info", archive, "--path", "sub/b", "--json").out)
    assert facts["shape"] == [10]
    out = tmp_path / "out.zarr"
    r = run("copy", archive, out, "--src-path", "temp", "--dst-path", "x/y", "-q")
    assert r.code == 0, r.err
    np.testing.assert_array_equal(simplezarr.open_array(str(out), path="x/y")[:], EXPECTED)
    assert run("ls", out, "--path", "x").out.strip() == "y  array (100, 100) float64"
    assert run("verify", out, "--path", "x/y", "-q").out.startswith("ok: 1 array, 0 groups")
    r = run("ls", archive, "--path", "nope")
    assert r.code == 1 and "'nope'" in r.err


@pytest.mark.parametrize("client", ["obstore", "fsspec"])
def test_between_s3_and_a_zip_file(
    client: str, data: Path, tmp_path: Path, s3: Any, run: Run
) -> None:
    if client == "obstore":
        pytest.importorskip("obstore")
    url = f"s3://{s3.new_prefix()}/data.zarr"
    options = [f"-o={k}={json.dumps(v)}" for k, v in s3.fsspec_options().items()]
    r = run("copy", data, url, "--client", client, "--chunks", "50,50", *options, "-q")
    assert r.code == 1 and "sub/b" in r.err  # refused before writing anything ...
    r = run("ls", url, "--client", client, *options)
    assert r.code == 1  # ... so nothing is there
    r = run("copy", data, url, "--client", client, "--zarr-format", "2", *options, "-q")
    assert r.code == 0, r.err
    archive = tmp_path / "back.zip"
    r = run("copy", url, archive, "--client", client, "--zarr-format", "3", *options, "-q")
    assert r.code == 0, r.err
    with ZipStore(archive) as store:
        _same_data("", store)
    assert run("verify", url, "--client", client, *options, "-q").code == 0


def test_copy_and_copy_all_report_progress_per_array(data: Path) -> None:
    seen: list[tuple[int, int]] = []
    dst = simplezarr.group({})
    simplezarr.copy_all(str(data), dst, progress=lambda d, t: seen.append((d, t)))
    assert sorted({t for _, t in seen}) == [2, 100] and len(seen) == 102
    seen.clear()
    src = simplezarr.open_array(str(data), path="temp", mode="r")
    simplezarr.copy(
        src, simplezarr.group({}), chunks=(50, 50), progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_copy_onto_or_into_its_source_is_refused(data: Path, run: Run) -> None:
    for dst in (data, data / "temp", data / "inside.zarr"):
        r = run("copy", data, dst, "--overwrite", "-q")
        assert r.code == 1 and "one is inside the other" in r.err, dst
    r = run("copy", data / "temp", data, "--overwrite", "-q")
    assert r.code == 1 and "one is inside the other" in r.err
    _same_data(data)  # nothing was touched
    store: dict[str, bytes] = {}
    g = simplezarr.group(store)
    g.create_array("a", shape=(2,), dtype="u1")
    with pytest.raises(InvalidArgument, match="inside"):
        simplezarr.convert(g, store, overwrite=True)
    # control: a sibling in the same store is fine
    simplezarr.convert(g["a"], simplezarr.storage.StorePath(g.store, "b"))
    assert sorted(simplezarr.open_group(store).keys()) == ["a", "b"]
