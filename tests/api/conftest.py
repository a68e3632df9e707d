"""Helpers for the API tests: run the same call through zarr-python 3.1.6 and simplezarr
and compare what they store."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import simplezarr

zarr = pytest.importorskip("zarr")

METADATA_NAMES = ("zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata")


def _bytes(value: Any) -> bytes:
    return value.to_bytes() if hasattr(value, "to_bytes") else bytes(value)


def metadata_docs(store: dict[str, Any]) -> dict[str, Any]:
    """The parsed metadata documents of a dict store (both libraries write a v2 ``.zattrs``,
    ``{}`` when there are no attributes)."""
    return {
        key: json.loads(_bytes(value))
        for key, value in store.items()
        if key.rsplit("/", 1)[-1] in METADATA_NAMES
    }


def chunk_keys(store: dict[str, Any]) -> set[str]:
    return {k for k in store if k.rsplit("/", 1)[-1] not in METADATA_NAMES}


@pytest.fixture
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def both(
    call: Callable[[Any, dict[str, Any]], Any],
) -> tuple[dict[str, Any], dict[str, Any], Any, Any]:
    """Run ``call(lib, store)`` with zarr-python and with simplezarr, each on a new dict
    store; returns (zarr store, simplezarr store, zarr result, simplezarr result)."""
    theirs: dict[str, Any] = {}
    ours: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_theirs = call(zarr, theirs)
        r_ours = call(simplezarr, ours)
    return theirs, ours, r_theirs, r_ours
