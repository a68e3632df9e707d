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
