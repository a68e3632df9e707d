"""A group's members are read in batches: a remote store serves their documents
concurrently, so listing 1,000 arrays does not cost 1,000 round trips; and a Zarr v3 group
asks only for its children's ``zarr.json`` (v2 documents only of a child without one)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import simplezarr as sz
from simplezarr.errors import InvalidMetadata
from simplezarr.stores import LocalStore, MemoryStore, WrapperStore


class Counting(WrapperStore):
    """Records every ``get_many`` batch (its keys) and every single ``get``."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.batches: list[list[str]] = []
        self.gets: list[str] = []

    def get_many(self, requests: Any) -> list[bytes | None]:
        requests = list(requests)
        self.batches.append([k for k, _ in requests])
        return super().get_many(requests)

    def get(self, key: str, byte_range: Any = None) -> bytes | None:
        self.gets.append(key)
        return super().get(key, byte_range)

    def clear(self) -> None:  # type: ignore[override]
        self.batches.clear()
        self.gets.clear()


def _group(n: int, zarr_format: int = 3, stray: bool = True) -> Counting:
    store = Counting(MemoryStore())
    g = sz.open_group(store, mode="w", zarr_format=zarr_format)
    for i in range(n):
        g.create_array(f"a{i}", shape=(2,), dtype="i1")
    g.create_group("sub")
    if stray:
        store.set("not-a-node/x", b"")  # a directory without node documents is no member
    store.clear()
    return store


def test_v3_members_cost_one_zarr_json_each_and_v2_probes_only_where_missing() -> None:
    store = _group(20)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.clear()
    members = g.members()
    assert [n for n, _ in members] == sorted([f"a{i}" for i in range(20)] + ["sub"])
    assert store.gets == []
    first, second = store.batches
    assert sorted(first) == sorted(f"{n}/zarr.json" for n in [*(n for n, _ in members), "not-a-node"])  # fmt: skip
    assert sorted(second) == ["not-a-node/.zarray", "not-a-node/.zattrs", "not-a-node/.zgroup"]
    assert [a.shape for _, a in g.arrays()] == [(2,)] * 20


def test_a_v3_hierarchy_is_read_in_one_batch_of_zarr_json() -> None:
    store = _group(20, stray=False)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.clear()
    assert len(g.members()) == 21
    assert len(store.batches) == 1 and all(k.endswith("/zarr.json") for k in store.batches[0])
    store.clear()
    assert len(g.keys()) == 21 and len(store.batches) == 1 and len(store.batches[0]) == 21


def test_v2_members_are_read_in_one_batch() -> None:
    store = _group(5, zarr_format=2)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.clear()
    assert [n for n, _ in g.members()] == ["a0", "a1", "a2", "a3", "a4", "sub"]
    assert len(store.batches) == 1 and store.gets == []


def test_keys_check_presence_in_batches() -> None:
    store = _group(20)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.clear()
    assert len(g.keys()) == 21
    first, second = store.batches
    assert len(first) == 22 and sorted(second) == ["not-a-node/.zarray", "not-a-node/.zgroup"]


def test_a_v2_child_of_a_v3_group_is_still_a_member() -> None:
    store = MemoryStore()
    root = sz.open_group(store, mode="w")
    root.create_array("new", shape=(2,), dtype="i1")
    sz.open_group(store, path="old", mode="w", zarr_format=2).create_array(
        "x", shape=(3,), dtype="i2"
    )
    g = sz.open_group(store, mode="r")
    assert [(n, m.zarr_format) for n, m in g.members(max_depth=None)] == [
        ("new", 3),
        ("old", 2),
        ("old/x", 2),
    ]
    assert g.keys() == ["new", "old"]
    assert "old\n" in g.tree() and "x (3,) int16" in g.tree()


def test_zarr_json_wins_over_v2_documents_of_the_same_child() -> None:
    store = MemoryStore()
    root = sz.open_group(store, mode="w")
    root.create_array("both", shape=(4,), dtype="i1")
    store.set("both/.zgroup", b'{"zarr_format": 2}')
    ((name, node),) = root.members()
    assert name == "both" and node.zarr_format == 3 and node.shape == (4,)


def test_an_unreadable_member_raises_and_tree_draws_it_from_one_batch() -> None:
    store = _group(3, stray=False)
    store.set("bad/zarr.json", b"{not json")
    g = sz.open_group(store, mode="r")
    with pytest.raises(InvalidMetadata, match="/bad: zarr.json: metadata is not valid JSON"):
        g.members()
    assert g.keys() == ["a0", "a1", "a2", "bad", "sub"]
    store.clear()
    drawing = g.tree()
    assert "bad <unreadable: InvalidMetadata" in drawing and "a2 (2,) int8" in drawing
    assert store.gets == [] and len(store.batches) == 1  # the root's children; sub is empty


def test_consolidate_metadata_reads_each_child_group_once() -> None:
    store = _group(3, stray=False)
    sz.open_group(store, path="sub", mode="a").create_array("deep", shape=(1,), dtype="i1")
    store.clear()
    g = sz.consolidate_metadata(store)
    assert "sub/deep" in g.metadata.consolidated_metadata["metadata"]
    read = [k for batch in store.batches for k in batch] + store.gets
    assert read.count("sub/zarr.json") == 1


def test_empty_directories_are_no_members_of_a_local_group(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "g.zarr")
    g = sz.open_group(store, mode="w")
    g.create_array("x", shape=(1,), dtype="i1")
    (tmp_path / "g.zarr" / "empty" / "deeper").mkdir(parents=True)
    assert g.keys() == ["x"] and [n for n, _ in g.members()] == ["x"]


# -- over HTTP: what the server sees ---------------------------------------------------


class _Recording(http.server.SimpleHTTPRequestHandler):
    seen: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(self.path)
        super().do_GET()


@pytest.fixture
def http_group(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    pytest.importorskip("aiohttp")
    g = sz.open_group(str(tmp_path / "g.zarr"), mode="w")
    for i in range(30):
        g.create_array(f"a{i:02d}", shape=(8,), dtype="f4")
    (tmp_path / "g.zarr" / "empty").mkdir()
    seen: list[str] = []
    handler = type("Handler", (_Recording,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/g.zarr", seen
    finally:
        server.shutdown()
        server.server_close()


def test_members_over_http_cost_one_listing_and_one_request_per_array(
    http_group: tuple[str, list[str]],
) -> None:
    from simplezarr.stores import FsspecStore

    url, seen = http_group
    g = sz.open_group(FsspecStore.from_url(url, read_only=True), mode="r", use_consolidated=False)
    seen.clear()
    arrays = g.arrays()
    assert [n for n, _ in arrays] == [f"a{i:02d}" for i in range(30)]
    listings = [p for p in seen if p.endswith("/")]
    assert listings == ["/g.zarr/"]  # one listing, no redirect, no listing per child
    docs = sorted(p.rsplit("/", 1)[1] for p in seen if not p.endswith("/"))
    # 30 arrays and the empty directory: a zarr.json each; v2 probes only for "empty"
    assert docs == sorted(["zarr.json"] * 31 + [".zarray", ".zattrs", ".zgroup"])
    assert len(json.dumps(arrays[0][1].metadata.to_json())) > 0
