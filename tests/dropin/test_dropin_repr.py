"""Printed forms zarr-python's docs show, compared after masking store ids and temp paths."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from tests.dropin.conftest import both


def _mask(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp), "TMP")
    return re.sub(r"memory://(\d+/?)?", "memory://", text)


def test_array_and_group_repr(tmp_path: Path) -> None:
    def run(lib: ModuleType) -> list[str]:
        root = tmp_path / lib.__name__
        local = lib.create_array(str(root), name="x/y", shape=(2, 3), dtype="f4")
        group = lib.open_group(str(root))
        mem = lib.group().create_array("q", shape=(1,), dtype="u1")
        return [_mask(repr(n), root) for n in (local, group, mem)]

    theirs, ours = both(run)
    assert ours == theirs


def _info_lines(text: object) -> list[str]:
    # zarr-python 3.1.6 prints codec settings as enum members (<Endian.little: 'little'>),
    # 3.4 (and simplezarr) as their strings: the one difference between the two, masked.
    return re.sub(r"<\w+\.\w+: ('\w+')>", r"\1", str(text)).splitlines()


def test_info_and_info_complete() -> None:
    def run(lib: ModuleType) -> list[list[str]]:
        out = []
        for shards in (None, (50, 50)):
            a = lib.create_array(
                lib.storage.MemoryStore(),
                shape=(100, 100),
                chunks=(10, 10),
                shards=shards,
                dtype="f4",
                compressors=lib.codecs.BloscCodec(cname="zstd", clevel=3),
            )
            a[:20] = 1
            out += [_info_lines(a.info), _info_lines(a.info_complete())]
        g = lib.group(lib.storage.MemoryStore())
        g.create_array("x", shape=(2,), dtype="i1")
        out += [_info_lines(g.info), _info_lines(g.info_complete())]
        return out

    theirs, ours = both(run)
    assert ours == theirs


def test_info_of_each_kind_of_array() -> None:
    import numcodecs

    def run(lib: ModuleType) -> list[list[str]]:
        arrays = [
            lib.create_array(
                {}, shape=(4, 4), dtype="f8", filters=[lib.codecs.TransposeCodec(order=(1, 0))]
            ),
            lib.create_array(
                {}, shape=(10,), dtype=">i8", zarr_format=2, compressors=numcodecs.Zstd(level=1)
            ),
            lib.create_array({}, shape=(3,), dtype=str),
            lib.create_array({}, shape=(3,), dtype="u1", compressors=lib.codecs.BloscCodec()),
        ]
        return [_info_lines(a.info) for a in arrays]

    theirs, ours = both(run)
    assert any("Float64(endianness='little')" in line for line in theirs[0])
    assert ours == theirs
