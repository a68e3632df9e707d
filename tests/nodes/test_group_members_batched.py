"""A group's members are read in one batch: a remote store serves their documents
concurrently, so listing 1,000 arrays does not cost 1,000 round trips."""

from __future__ import annotations

import logging

import simplezarr as sz
from simplezarr.stores import LoggingStore, MemoryStore


def _group(n: int) -> LoggingStore:
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    g = sz.open_group(store, mode="w")
    for i in range(n):
        g.create_array(f"a{i}", shape=(2,), dtype="i1")
    g.create_group("sub")
    store.set("not-a-node/x", b"")  # a directory without node documents is no member
    store.counter.clear()
    return store


def test_members_read_every_childs_documents_in_one_batch() -> None:
    store = _group(20)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.counter.clear()
    members = g.members()
    assert [n for n, _ in members] == sorted([f"a{i}" for i in range(20)] + ["sub"])
    assert store.counter["get_many"] == 1 and store.counter["get"] == 0
    assert [a.shape for _, a in g.arrays()] == [(2,)] * 20


def test_keys_check_presence_in_one_batch() -> None:
    store = _group(20)
    g = sz.open_group(store, mode="r", use_consolidated=False)
    store.counter.clear()
    assert len(g.keys()) == 21
    assert store.counter["get_many"] == 1 and store.counter["exists"] == 0
