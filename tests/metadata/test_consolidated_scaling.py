"""Opening the children of a consolidated group checks the consolidated object once, not
once per child (opening 1,000 children took 13 M instructions each before)."""

from __future__ import annotations

import pytest

import simplezarr as sz
from simplezarr.metadata import consolidated as cm
from simplezarr.stores import MemoryStore


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = cm.check_member_names

    def counted(*args: object, **kwargs: object) -> None:
        calls[0] += 1
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cm, "check_member_names", counted)
    return calls


def _group(n: int) -> MemoryStore:
    store = MemoryStore()
    g = sz.open_group(store, mode="w")
    for i in range(n):
        g.create_array(f"a{i}", shape=(2,), dtype="i1")
    sz.consolidate_metadata(store)
    return store


def test_children_of_a_consolidated_group_are_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _group(50)
    g = sz.open_group(store, mode="r")
    assert g.metadata.consolidated_metadata is not None
    calls = _counting(monkeypatch)
    assert len(g.arrays()) == 50
    assert [g[f"a{i}"].shape for i in range(50)] == [(2,)] * 50
    assert calls[0] <= 1
    # Control: a new handle (a new consolidated object) is checked again, once.
    again = sz.open_group(store, mode="r")
    assert len(again.arrays()) == 50 and calls[0] <= 2


def test_a_changed_copy_of_the_entries_leaves_the_group_alone() -> None:
    store = _group(3)
    g = sz.open_group(store, mode="r")
    entries = cm.inline_entries(g.metadata.consolidated_metadata, g.path)  # type: ignore[arg-type]
    entries.clear()
    assert [n for n, _ in g.arrays()] == ["a0", "a1", "a2"]
