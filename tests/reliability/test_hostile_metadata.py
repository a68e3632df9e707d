"""The hostile-metadata table of issue 13: duplicate JSON keys, hostile consolidated
members, huge strings in messages. Each case is refused with InvalidMetadata saying why."""

from __future__ import annotations

import json

import pytest

import simplezarr as sz
from simplezarr.errors import InvalidMetadata
from simplezarr.metadata.json import parse_document
from simplezarr.stores import MemoryStore

ARRAY = (
    '{"zarr_format": 3, "node_type": "array", "shape": [8], "data_type": "int32", '
    '"chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}}, '
    '"chunk_key_encoding": {"name": "default"}, "fill_value": 0, '
    '"codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]%s}'
)

# -- duplicate keys (item 5) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (', "shape": [16]', "shape"),  # top level
        (', "attributes": {"a": 1, "a": 2}', "a"),  # nested object
    ],
)
def test_duplicate_keys_are_refused_naming_key_and_document(extra: str, key: str) -> None:
    store = MemoryStore({"x/zarr.json": (ARRAY % extra).encode()})
    with pytest.raises(InvalidMetadata) as info:
        sz.open_array(store, path="x")
    message = str(info.value)
    assert f"key {key!r} twice" in message and "/x: zarr.json" in message, message


def test_duplicate_keys_in_v2_documents_are_refused() -> None:
    with pytest.raises(InvalidMetadata, match="'zarr_format' twice"):
        parse_document('{"zarr_format": 2, "zarr_format": 3}', ".zgroup")


def test_control_json_loads_accepts_the_duplicate_silently() -> None:
    # The control: the standard parser keeps the last value, the behaviour refused above.
    assert json.loads(ARRAY % ', "shape": [16]')["shape"] == [16]
    assert parse_document(ARRAY % "", "zarr.json")["shape"] == [8]


# -- hostile consolidated members (item 6) -------------------------------------------------

GROUP = '{"zarr_format": 3, "node_type": "group", "attributes": {}}'
HOSTILE = ["../../x", "../outside/x", "/etc/x", "a//b", "a/./b", "a/", "", "a\\\\b"]


def _consolidated(name: str, nested: bool = False) -> bytes:
    member = json.loads(GROUP)
    members = {name: member}
    if nested:  # the hostile name one level down, inside a child group's document
        members = {"sub": {**member, "consolidated_metadata": _inline(members)}}
    doc = {**json.loads(GROUP), "consolidated_metadata": _inline(members)}
    return json.dumps(doc).encode()


def _inline(members: dict[str, object]) -> dict[str, object]:
    return {"kind": "inline", "must_understand": False, "metadata": members}


@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_consolidated_members_refuse_the_document(name: str, nested: bool) -> None:
    store = MemoryStore({"g/zarr.json": _consolidated(name, nested)})
    with pytest.raises(InvalidMetadata, match="is not a path below the group") as info:
        sz.open_group(store, path="g", use_consolidated=True).members()
    assert "consolidated_metadata" in str(info.value) and "/g" in str(info.value)


@pytest.mark.parametrize("name", ["../../x/.zarray", "/abs/.zgroup", "a//b/.zgroup"])
def test_hostile_v2_consolidated_members_refuse_the_document(name: str) -> None:
    zmeta = {"metadata": {".zgroup": {"zarr_format": 2}, name: {"zarr_format": 2}}}
    store = MemoryStore(
        {".zgroup": b'{"zarr_format": 2}', ".zmetadata": json.dumps(zmeta).encode()}
    )
    with pytest.raises(InvalidMetadata, match="is not a path below the group"):
        sz.open_consolidated(store, zarr_format=2).members()


def test_control_plain_member_names_are_listed() -> None:
    # The control: the same document with a plain name opens, and the member is listed, so
    # the tests above fail if a hostile name is hidden rather than refused.
    store = MemoryStore({"g/zarr.json": _consolidated("x")})
    assert [n for n, _ in sz.open_group(store, path="g", use_consolidated=True).members()] == ["x"]


# -- huge strings in messages (item 7) ---------------------------------------------------

HUGE = "x" * (1 << 20)
FIELDS: dict[str, dict[str, object]] = {
    "data_type": {"data_type": HUGE},
    "data_type name": {"data_type": {"name": HUGE}},
    "codec name": {"codecs": [{"name": HUGE}]},
    "codec configuration": {"codecs": [{"name": "bytes", "configuration": {"endian": HUGE}}]},
    "fill_value": {"fill_value": HUGE},
    "shape": {"shape": [HUGE]},
    "chunk_key_encoding": {"chunk_key_encoding": {"name": HUGE}},
    "chunk_grid": {"chunk_grid": {"name": HUGE}},
    "node_type": {"node_type": HUGE},
    "zarr_format": {"zarr_format": HUGE},
    "extension name": {HUGE: {"must_understand": True}},
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_messages_quote_huge_input_briefly(field: str) -> None:
    doc = {**json.loads(ARRAY % ""), **FIELDS[field]}
    store = MemoryStore({"zarr.json": json.dumps(doc).encode()})
    with pytest.raises(InvalidMetadata) as info:
        sz.open_array(store)
    assert len(str(info.value)) < 4000, field  # 1 MiB of input, a few lines of message


def test_messages_of_huge_keys_are_brief() -> None:
    with pytest.raises(ValueError) as info:
        MemoryStore().get(HUGE + "/..")
    assert len(str(info.value)) < 1000


def test_control_an_unbounded_message_is_huge() -> None:
    # The control: a message that quotes the input with !r is as long as the input.
    assert len(str(ValueError(f"unknown data type {HUGE!r}"))) > 1 << 20
