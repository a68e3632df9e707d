"""zarr-python 3.4's additions: error names, pickle decoding off by default."""

from __future__ import annotations

import json

import numcodecs
import numcodecs.pickles
import numpy as np
import pytest

import simplezarr
from simplezarr.errors import BaseZarrError, PickleCodecDisabledError


def _pickled_array() -> dict[str, bytes]:
    meta = {
        "zarr_format": 2,
        "shape": [2],
        "chunks": [2],
        "dtype": "|O",
        "compressor": None,
        "fill_value": None,
        "filters": [{"id": "pickle"}],
        "order": "C",
    }
    chunk = numcodecs.Pickle().encode(np.array([{"x": 1}, [2]], dtype=object))
    return {".zarray": json.dumps(meta).encode(), "0": chunk}


def test_pickle_decoding_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numcodecs.pickles, "ALLOW_UNSAFE_PICKLE_DECODE", True, raising=False)
    store = _pickled_array()
    with pytest.raises(PickleCodecDisabledError, match="allow_unsafe_pickle_decode"):
        simplezarr.open_array(store=store, mode="r")[:]
    # control: opted in, the same chunk decodes
    with simplezarr.config.set({"array.allow_unsafe_pickle_decode": True}):
        assert simplezarr.open_array(store=store, mode="r")[:].tolist() == [{"x": 1}, [2]]
    assert simplezarr.config.allow_unsafe_pickle_decode is False


def test_error_names_of_zarr_34() -> None:
    errors = simplezarr.errors
    for name in ["ChunkNotFoundError", "PickleCodecDisabledError", "UnknownCodecError"]:
        assert issubclass(getattr(errors, name), BaseZarrError)
        assert issubclass(getattr(errors, name), ValueError)
    assert issubclass(errors.DataTypeValidationError, ValueError)
