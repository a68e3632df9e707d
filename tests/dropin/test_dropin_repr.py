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
    # Data type and Serializer print zarr-python's objects (ZDType, Endian enum): left out.
    return [
        line for line in str(text).splitlines() if not line.startswith(("Data type", "Serializer"))
    ]


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
            )
            a[:20] = 1
            out += [_info_lines(a.info), _info_lines(a.info_complete())]
        g = lib.group(lib.storage.MemoryStore())
        g.create_array("x", shape=(2,), dtype="i1")
        out += [_info_lines(g.info), _info_lines(g.info_complete())]
        return out

    theirs, ours = both(run)
    assert ours == theirs
