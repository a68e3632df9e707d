"""zarr.config as zarr-python documents it: get / set / reset / pprint and the keys with
their meanings, run against both libraries."""

from __future__ import annotations

import json
from types import ModuleType

import numpy as np
import pytest

import simplezarr
from simplezarr.errors import InvalidArgument
from tests.dropin.conftest import both


@pytest.mark.parametrize(
    "key", ["array.order", "array.write_empty_chunks", "default_zarr_format", "json_indent"]
)
def test_get_defaults(key: str) -> None:
    theirs, ours = both(lambda lib: lib.config.get(key))
    assert ours == theirs


def test_get_missing_key_default_and_keyerror(lib: ModuleType) -> None:
    assert lib.config.get("no.such.key", "fallback") == "fallback"
    with pytest.raises(KeyError):
        lib.config.get("no.such.key")


def test_array_order_f_for_v2_arrays() -> None:
    def run(lib: ModuleType) -> object:
        store: dict[str, object] = {}
        with lib.config.set({"array.order": "F"}):
            a = lib.create_array(store, shape=(2, 3), dtype="i4", zarr_format=2)
            a[:] = np.arange(6).reshape(2, 3)
            inside = lib.config.get("array.order")
        doc = json.loads(bytes(memoryview(_raw(store[".zarray"]))))
        return inside, doc["order"], lib.config.get("array.order"), a[:].tolist()

    theirs, ours = both(run)
    assert ours == theirs == ("F", "F", "C", [[0, 1, 2], [3, 4, 5]])


def test_array_order_f_for_v3_reads() -> None:
    def run(lib: ModuleType) -> object:
        with lib.config.set({"array.order": "F"}):
            a = lib.create_array({}, shape=(2, 3), dtype="i4")
            a[:] = np.arange(6).reshape(2, 3)
            return a.order, a[:].tolist()

    theirs, ours = both(run)
    assert ours == theirs


def test_default_zarr_format() -> None:
    def run(lib: ModuleType) -> object:
        with lib.config.set({"default_zarr_format": 2}):
            return lib.create((2,), store={}).metadata.zarr_format, lib.group(
                {}
            ).metadata.zarr_format

    theirs, ours = both(run)
    assert ours == theirs


def test_json_indent() -> None:
    def run(lib: ModuleType) -> object:
        store: dict[str, object] = {}
        with lib.config.set({"json_indent": 0}):
            lib.create_array(store, shape=(2,), dtype="i1")
        return bytes(memoryview(_raw(store["zarr.json"]))).count(b"\n  ")

    theirs, ours = both(run)
    assert ours == theirs == 0


def test_set_without_with_and_reset(lib: ModuleType) -> None:
    lib.config.set({"array.write_empty_chunks": True})
    try:
        assert lib.config.get("array.write_empty_chunks") is True
    finally:
        lib.config.reset()
    assert lib.config.get("array.write_empty_chunks") is False


def test_pprint(lib: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    lib.config.pprint()
    out = capsys.readouterr().out
    assert "write_empty_chunks" in out and "order" in out


def test_threading_max_workers_none_is_the_default() -> None:
    with simplezarr.config.set({"threading.max_workers": None}):
        assert simplezarr.config.threads >= 1


@pytest.mark.parametrize("key", ["async.timeout", "codec_pipeline.batch_size", "buffer"])
def test_keys_without_meaning_say_so(key: str) -> None:
    with pytest.raises(InvalidArgument, match="no meaning in simplezarr"):
        simplezarr.config.set({key: 1})


def test_bad_order_is_rejected() -> None:
    with pytest.raises(InvalidArgument):
        simplezarr.config.set({"array.order": "K"})


def _raw(value: object) -> object:
    """A stored value as bytes-like: zarr-python's dicts hold Buffers."""
    return value.to_bytes() if hasattr(value, "to_bytes") else value  # type: ignore[attr-defined]


def test_pprint_takes_pprints_arguments() -> None:
    import io

    def run(lib: ModuleType) -> object:
        out = io.StringIO()
        lib.config.pprint(stream=out, width=60)
        text = out.getvalue()
        return "'array'" in text and "write_empty_chunks" in text

    theirs, ours = both(run)
    assert ours == theirs is True
