"""Notebook display of arrays and groups: ``_repr_html_`` parsed with ``html.parser``.

The HTML is well formed (every tag closed), shows what the issue asks (shape, dtype,
chunks, shards, codecs, stored size, ratio; a collapsible tree for groups), escapes every
name and attribute a user controls, and bounds its work: the tree stops at ``max_nodes``,
and an array with many stored objects is not measured.
"""

from __future__ import annotations

import logging
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

from simplezarr.errors import StoreError
from simplezarr.nodes import ZarrArray, ZarrGroup
from simplezarr.nodes import html as node_html
from simplezarr.stores import LoggingStore, MemoryStore
from simplezarr.stores.wrappers import WrapperStore

VOID = {"br", "hr", "img", "input", "meta", "link"}
HOSTILE = "<script>alert('x')</script>"


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag, self.attrs = tag, dict(attrs)
        self.children: list[Element] = []
        self.text: list[str] = []

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    def find_all(self, tag: str) -> list[Element]:
        found = [self] if self.tag == tag else []
        for c in self.children:
            found += c.find_all(tag)
        return found


class TreeBuilder(HTMLParser):
    """A DOM of the HTML; raises on a closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].text.append(data)


def parse(markup: str) -> Element:
    builder = TreeBuilder()
    builder.feed(markup)
    builder.close()
    assert builder.stack == [builder.root], "unclosed tags: " + str(
        [e.tag for e in builder.stack[1:]]
    )
    return builder.root


def rows(root: Element) -> dict[str, str]:
    """The ``th -> td`` rows of the first table."""
    table = root.find_all("table")[0]
    out = {}
    for tr in table.find_all("tr"):
        (th,), (td,) = tr.find_all("th"), tr.find_all("td")
        out[th.all_text()] = td.all_text()
    return out


def test_the_parser_sees_broken_html() -> None:  # control for every test below
    with pytest.raises(AssertionError, match="closes"):
        parse("<div><b>x</div>")
    with pytest.raises(AssertionError, match="unclosed"):
        parse("<div><table>")


def test_array_shows_shape_dtype_chunks_shards_codecs_sizes() -> None:
    a = ZarrArray.create(
        MemoryStore(), "data/t", shape=(100, 80), dtype="float32", chunks=(10, 10),
        shards=(50, 40), attributes={"units": "K"},
    )  # fmt: skip
    a[...] = 1.0
    root = parse(a._repr_html_())
    table = rows(root)
    assert table["Shape"] == "(100, 80)" and "float32" in table["Data type"].lower()
    assert table["Chunk shape"] == "(10, 10)" and table["Shard shape"] == "(50, 40)"
    assert "ShardingCodec" not in table["Serializer"] and "BytesCodec" in table["Serializer"]
    assert "ZstdCodec" in table["Compressors"]
    assert table["No. bytes"] == "32000 (31.2K)"
    stored = int(table["No. bytes stored"].split()[0])
    assert 0 < stored < 32000 and float(table["Storage ratio"]) == round(32000 / stored, 1)
    assert table["Shards Initialized"] == "4"
    assert "/data/t" in root.all_text()
    (attrs,) = root.find_all("details")
    assert "units" in attrs.all_text() and "'K'" in attrs.all_text()


def test_v2_array() -> None:
    a = ZarrArray.create(MemoryStore(), "x", shape=(6,), dtype="<i4", chunks=(2,), zarr_format=2)
    table = rows(parse(a._repr_html_()))
    assert table["Zarr format"] == "2" and "Serializer" not in table
    assert table["Chunks Initialized"] == "0" and "No. bytes stored" in table


def test_names_and_attributes_are_escaped() -> None:
    root = ZarrGroup.create(MemoryStore(), attributes={HOSTILE: HOSTILE, "ok": "a & b"})
    g = root.create_group(HOSTILE, attributes={"note": HOSTILE})
    a = g.create_array("x", shape=(2,), dtype="i1", attributes={HOSTILE: 1})
    for markup in (root._repr_html_(), a._repr_html_()):
        dom = parse(markup)
        assert not dom.find_all("script")  # nothing the user wrote became a tag
        assert "<script>" not in markup.replace("<style>", "")
        assert "&lt;script&gt;" in markup
        assert HOSTILE in dom.all_text()  # shown as text, as typed
    assert "a &amp; b" in root._repr_html_()
    # control: the same markup unescaped would have made a tag
    assert parse(f"<div>{HOSTILE}</div>").find_all("script")


def test_group_tree_is_collapsible_and_complete() -> None:
    root = ZarrGroup.create(MemoryStore(), attributes={"title": "t"})
    root.create_array("a", shape=(3, 4), dtype="int16", chunks=(2, 2))
    sub = root.create_group("sub")
    sub.create_array("b", shape=(5,), dtype="float64", chunks=(5,))
    sub.create_group("deeper").create_array("c", shape=(1,), dtype="u1")
    dom = parse(root._repr_html_())
    details = dom.find_all("details")
    top = details[0]
    assert "open" in top.attrs and "Group" in top.find_all("summary")[0].all_text()
    summaries = [s.all_text() for s in dom.find_all("summary")]
    assert "sub/" in summaries and "deeper/" in summaries
    items = [li.all_text() for li in dom.find_all("li")]
    assert any(t.startswith("a ") and "(3, 4) int16 chunks (2, 2)" in t for t in items)
    assert any(t.startswith("c ") and "uint8" in t for t in items)
    nested = next(d for d in details if d.find_all("summary")[0].all_text() == "sub/")
    assert "open" not in nested.attrs  # members start collapsed
    assert "deeper/" in nested.all_text()


def test_group_tree_is_bounded() -> None:
    root = ZarrGroup.create(MemoryStore())
    for i in range(30):
        root.create_group(f"g{i:02d}")
    markup = node_html.group_html(root, max_nodes=10)
    dom = parse(markup)
    assert len(dom.find_all("li")) == 10 and "truncated at max_nodes=10" in dom.all_text()
    assert len(parse(node_html.group_html(root, max_nodes=100)).find_all("li")) == 30  # control
    shallow = parse(node_html.group_html(root, max_depth=1))
    assert len(shallow.find_all("li")) == 30


def test_a_huge_group_costs_one_listing_and_max_nodes_opens() -> None:
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    root = ZarrGroup.create(store)
    for i in range(60):
        root.create_group(f"g{i:02d}")
    store.set("not-a-node/data", b"x")  # a prefix without a metadata document
    store.counter.clear()
    dom = parse(node_html.group_html(root, max_nodes=5))
    assert len(dom.find_all("li")) == 5
    # one listing for the root and one for each group drawn (all empty), no check per child
    assert store.counter["exists"] == 0 and store.counter["list_dir"] == 1 + 5
    assert store.counter["get"] <= 5 * 3  # each opened child: its documents, tried in turn
    store.counter.clear()
    keys = root.keys()  # control: the group's own listing checks every child (in one batch)
    assert len(keys) == 60 and store.counter["exists"] + store.counter["get_many"] >= 1
    items = [li.all_text() for li in parse(root._repr_html_()).find_all("li")]
    assert len(items) == 60 and not any("not-a-node" in t for t in items)


def test_a_group_that_cannot_be_listed_still_renders() -> None:
    root = ZarrGroup.create(NoListing(MemoryStore()), attributes={"a": 1})
    dom = parse(root._repr_html_())
    assert "members unknown: StoreError" in dom.all_text() and "a" in dom.all_text()


def test_unreadable_member_is_shown_not_raised() -> None:
    root = ZarrGroup.create(MemoryStore())
    root.create_array("good", shape=(2,), dtype="i1")
    root.create_array("bad", shape=(2,), dtype="i1")
    root.store.set("bad/zarr.json", b"{not json")
    items = [li.all_text() for li in parse(root._repr_html_()).find_all("li")]
    assert any(t.startswith("bad") and "unreadable" in t for t in items)
    assert any(t.startswith("good") and "int8" in t for t in items)


def test_a_large_array_is_not_measured() -> None:
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    big = ZarrArray.create(store, "big", shape=(node_html.MAX_MEASURED_OBJECTS + 1,), dtype="u1",
                           chunks=(1,))  # fmt: skip
    small = ZarrArray.create(store, "small", shape=(10,), dtype="u1", chunks=(1,))
    store.counter.clear()
    table = rows(parse(big._repr_html_()))
    assert "No. bytes stored" not in table and store.counter["list_prefix"] == 0
    assert "info_complete" in big._repr_html_()
    store.counter.clear()
    assert "No. bytes stored" in rows(parse(small._repr_html_()))  # control
    assert store.counter["list_prefix"] >= 1


class NoListing(WrapperStore):
    def list_prefix(self, prefix: str) -> Any:
        raise StoreError("this store cannot list (plain HTTP)")

    def list_dir(self, prefix: str) -> Any:
        raise StoreError("this store cannot list (plain HTTP)")


def test_a_store_that_cannot_list_still_renders() -> None:
    store = NoListing(MemoryStore())
    a = ZarrArray.create(store, "x", shape=(4,), dtype="i2", chunks=(2,))
    a[...] = np.arange(4)
    dom = parse(a._repr_html_())
    assert rows(dom)["Shape"] == "(4,)" and "No. bytes stored" not in rows(dom)
    assert "stored size unknown: StoreError" in dom.all_text()


def test_attributes_are_bounded() -> None:
    g = ZarrGroup.create(MemoryStore(), attributes={f"k{i:03d}": "v" * 1000 for i in range(50)})
    dom = parse(g._repr_html_())
    shown = dom.find_all("details")[1].find_all("tr")
    assert len(shown) == node_html.MAX_ATTRIBUTES and "30 more attributes" in dom.all_text()
    assert max(len(td.all_text()) for td in dom.find_all("td")) <= node_html.MAX_VALUE_CHARS


def test_a_groups_children_are_opened_in_one_batch_not_one_by_one() -> None:
    store = LoggingStore(MemoryStore(), log_handler=logging.NullHandler())
    root = ZarrGroup.create(store)
    for i in range(30):
        root.create_array(f"a{i:02d}", shape=(2,), dtype="i1")
    store.set("not-a-node/data", b"x")
    store.counter.clear()
    items = [li.all_text() for li in parse(node_html.group_html(root)).find_all("li")]
    assert len(items) == 30 and not any("not-a-node" in t for t in items)
    # zarr.json of the 31 names, then the v2 documents of "not-a-node": no get per child
    assert store.counter["get"] == 0 and store.counter["get_many"] == 2
    store.counter.clear()
    dom = parse(node_html.group_html(root, max_nodes=7))
    assert len(dom.find_all("li")) == 7 and "truncated at max_nodes=7" in dom.all_text()
    assert store.counter["get_many"] == 1  # only the 7 names that can be drawn are read
