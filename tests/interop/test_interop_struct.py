"""Structured data types with zarr-python, both ways: ``struct`` (zarr-python 3.4, the
zarr-extensions spec) and ``structured`` (zarr-python 3.0-3.3), every multi-byte field in the
``bytes`` codec's byte order.

Run in both test environments: .venv (zarr-python 3.1.6, which writes ``structured``) and
.venv312 (3.4.2, which writes ``struct``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")

from zarr.codecs import BytesCodec  # noqa: E402

import simplezarr  # noqa: E402
from simplezarr.codecs import BytesCodec as OurBytesCodec  # noqa: E402

ZARR_VERSION = tuple(int(p) for p in zarr.__version__.split(".")[:2])
OLD_ZARR_BUG = (
    "zarr-python < 3.4 neither swaps big-endian struct fields nor reads the bytes codec's "
    "endian for them (zarr-python issue 4141)"
)


def skip_old_zarr_bug(dtype: np.dtype | None, endian: str) -> None:
    """Skip where zarr-python < 3.4 gets it wrong: a big-endian codec, or (writing) input."""
    big_input = dtype is not None and dtype["mask"].byteorder == ">"
    if ZARR_VERSION < (3, 4) and (endian == "big" or big_input):
        pytest.skip(OLD_ZARR_BUG)


def records(dtype: np.dtype) -> np.ndarray:
    data = np.zeros((6,), dtype)
    data["flux"] = np.arange(6) * 1.5
    data["mask"] = np.arange(6) + 256
    return data


CASES = [
    (
        f"{order}-input-{endian}-codec",
        np.dtype([("flux", order + "f4"), ("mask", order + "i4")]),
        endian,
    )
    for order in ("<", ">")
    for endian in ("little", "big")
]


def zarr_create(path: Path, dtype: np.dtype, endian: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "structured" has no stable spec in zarr-python 3.1
        return zarr.create_array(
            zarr.storage.LocalStore(path), shape=(6,), chunks=(4,), dtype=dtype,
            fill_value=0, compressors=None, serializer=BytesCodec(endian=endian),
        )  # fmt: skip


@pytest.mark.parametrize("dtype, endian", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_zarr_writes_simplezarr_reads(dtype: np.dtype, endian: str, tmp_path: Path) -> None:
    skip_old_zarr_bug(dtype, endian)
    data = records(dtype)
    zarr_create(tmp_path, dtype, endian)[:] = data
    doc = json.loads((tmp_path / "zarr.json").read_text())
    assert doc["data_type"]["name"] == ("struct" if ZARR_VERSION >= (3, 4) else "structured")
    ours = simplezarr.open_array(str(tmp_path), mode="r")
    assert ours[:].tolist() == data.tolist()
    assert ours[4:].tolist() == data[4:].tolist()  # the second chunk: a partial one
    assert ours.fill_value.tolist() == (0.0, 0)


@pytest.mark.parametrize("dtype, endian", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_simplezarr_writes_zarr_reads(dtype: np.dtype, endian: str, tmp_path: Path) -> None:
    skip_old_zarr_bug(None, endian)  # ours swaps the input
    data = records(dtype)
    a = simplezarr.create_array(
        str(tmp_path), shape=(6,), chunks=(4,), dtype=dtype, fill_value=0,
        compressors=None, serializer=OurBytesCodec(endian=endian),
    )  # fmt: skip
    a[:] = data
    stored = (tmp_path / "c" / "0").read_bytes()
    order = ">" if endian == "big" else "<"
    assert stored == data[:4].astype(data.dtype.newbyteorder(order)).tobytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.open_array(zarr.storage.LocalStore(tmp_path), mode="r")
        assert theirs[:].tolist() == data.tolist()


def test_both_write_the_same_little_endian_chunks(tmp_path: Path) -> None:
    dtype = np.dtype([("flux", "<f4"), ("mask", "<i4")])
    data = records(dtype)
    zarr_create(tmp_path / "zarr", dtype, "little")[:] = data
    simplezarr.create_array(
        str(tmp_path / "ours"), shape=(6,), chunks=(4,), dtype=dtype, fill_value=0,
        compressors=None,
    )[:] = data  # fmt: skip
    for key in ("c/0", "c/1"):
        assert (tmp_path / "ours" / key).read_bytes() == (tmp_path / "zarr" / key).read_bytes()
    ours = json.loads((tmp_path / "ours" / "zarr.json").read_text())
    assert ours["data_type"]["name"] == "structured"  # what every zarr-python 3 reads
    assert ours["codecs"] == [{"name": "bytes"}]  # as zarr-python 3.1 writes it
