"""Consolidated metadata as zarr-python exposes it: ``group.metadata.consolidated_metadata``
with ``kind``, ``must_understand``, ``metadata`` and ``flattened_metadata``."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.dropin.conftest import both


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_metadata_object(fmt: int) -> None:
    def run(lib: ModuleType) -> object:
        store = lib.storage.MemoryStore()
        g = lib.group(store, zarr_format=fmt)
        g.create_array("a", shape=(2,), dtype="i1")
        g.create_group("b").create_array("c", shape=(3, 4), dtype="f4")
        lib.consolidate_metadata(store)
        cm = lib.open_group(store).metadata.consolidated_metadata
        return (
            cm.kind,
            cm.must_understand,
            sorted(cm.metadata),
            cm.metadata["a"].shape,
            sorted(cm.flattened_metadata),
            sorted(cm.metadata["b"].consolidated_metadata.metadata),
            cm.flattened_metadata["b/c"].shape,
        )

    theirs, ours = both(run)
    assert ours == theirs
