"""create_hierarchy: the same nodes written as zarr-python writes them, implicit parent
groups included, and the same refusal to overwrite."""

from __future__ import annotations

from typing import Any

import pytest

import simplezarr
from simplezarr.errors import ContainsGroupError
from tests.api.conftest import metadata_docs, zarr


def nodes_for(lib: Any) -> dict[str, Any]:
    if lib is zarr:
        from zarr.core.group import GroupMetadata

        array = zarr.create_array({}, shape=(4,), dtype="i2", chunks=(2,)).metadata
        return {"a/b": GroupMetadata(attributes={"k": 1}), "a/x": array}
    array = simplezarr.create_array({}, shape=(4,), dtype="i2", chunks=(2,)).metadata
    return {"a/b": {"zarr_format": 3, "node_type": "group", "attributes": {"k": 1}}, "a/x": array}


def test_create_hierarchy_matches_zarr_python(quiet: None) -> None:
    theirs: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    t = dict(zarr.create_hierarchy(store=zarr.storage.MemoryStore(theirs), nodes=nodes_for(zarr)))
    o = dict(simplezarr.create_hierarchy(store=ours, nodes=nodes_for(simplezarr)))
    assert sorted(t) == sorted(o) == ["", "a", "a/b", "a/x"]
    assert metadata_docs(ours) == metadata_docs(theirs)
    with pytest.raises(ContainsGroupError):
        list(
            simplezarr.create_hierarchy(
                store=ours, nodes={"a/b": {"zarr_format": 3, "node_type": "group"}}
            )
        )
    out = dict(
        simplezarr.create_hierarchy(
            store=ours, nodes={"a/b": {"zarr_format": 3, "node_type": "group"}}, overwrite=True
        )
    )
    assert list(out) == ["a/b"] and dict(out["a/b"].attrs) == {}


def test_zarr_python_metadata_objects_are_accepted(quiet: None) -> None:
    store: dict[str, Any] = {}
    out = dict(simplezarr.create_hierarchy(store=store, nodes=nodes_for(zarr)))
    assert out["a/x"].chunks == (2,) and out["a/b"].attrs["k"] == 1
