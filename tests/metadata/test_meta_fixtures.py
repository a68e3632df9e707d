"""Every metadata document in the shared external fixtures parses (or fails as documented),
and agrees with what zarr-python 3.1.6 reads from the same files."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from simplezarr.errors import InvalidMetadata, UnknownCodec, UnknownDataType
from simplezarr.metadata.model import ArrayMetadata
from tests.external_fixtures import EXTERNAL

pytest.importorskip("simplezarr.codecs.registry")
pytest.importorskip("simplezarr.codecs.v2")

from simplezarr.metadata.v2 import parse_array_v2, parse_group_v2
from simplezarr.metadata.v3 import parse_node_v3

ROOT = EXTERNAL

#: Documents simplezarr rejects on purpose, with the error and why.
UNSUPPORTED = {
    "v3/array_optional.zarr/array/zarr.json": UnknownDataType,  # experimental "optional" type
    "v3/array_optional_nested.zarr/array/zarr.json": UnknownDataType,
    "codec/bitround/bitround_uint8.zarr/zarr.json": UnknownCodec,  # "bitround" is not a codec name
    "codec/bitround/bitround_float32.zarr/zarr.json": UnknownCodec,
}


def _documents() -> list[Path]:
    if not ROOT.is_dir():
        return []
    names = {"zarr.json", ".zarray", ".zgroup"}
    found = [p for p in ROOT.rglob("*") if p.name in names and p.is_file()]
    found += [ROOT / "array_metadata.json", ROOT / "group_metadata.json"]
    return sorted(p for p in found if p.is_file())


DOCS = _documents()


def _missing_numcodecs(p: Path) -> str | None:
    """A numcodecs codec id the document needs that this environment lacks (zfpy, pcodec)."""
    import numcodecs

    text = p.read_text()
    for cid in ("zfpy", "pcodec"):
        if f'"{cid}"' in text or f'"numcodecs.{cid}"' in text:
            try:
                numcodecs.get_codec({"id": cid})
            except Exception:
                return cid
    return None


def _parse(p: Path):
    rel = str(p.parent.relative_to(ROOT))
    zattrs = p.parent / ".zattrs"
    attrs = zattrs.read_bytes() if zattrs.is_file() else None
    if p.name == ".zarray":
        return parse_array_v2(p.read_bytes(), attrs, rel)
    if p.name == ".zgroup":
        return parse_group_v2(p.read_bytes(), attrs, rel)
    return parse_node_v3(p.read_bytes(), rel)


@pytest.mark.skipif(not DOCS, reason=f"external fixtures not found: expected {EXTERNAL}")
@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_parses(path):
    rel = str(path.relative_to(ROOT))
    if rel in UNSUPPORTED:
        with pytest.raises(UNSUPPORTED[rel]):
            _parse(path)
        return
    missing = _missing_numcodecs(path)
    if missing:
        with pytest.raises(UnknownCodec, match=missing):
            _parse(path)
        return
    meta = _parse(path)
    doc = json.loads(path.read_bytes())
    out = meta.to_json()
    if path.name == "zarr.json" or path.suffix == ".json":
        # everything we parsed is written back (attributes included, empty lists optional)
        for key, value in doc.items():
            if key == "storage_transformers" or (key == "consolidated_metadata" and value is None):
                continue
            if key == "chunk_key_encoding" and "configuration" not in value:
                continue
            if key == "codecs":  # {"configuration": {}} and no configuration are the same
                value = [_no_empty_config(c) for c in value]
                assert [_no_empty_config(c) for c in out[key]] == value
                continue
            assert out[key] == value, key
    elif path.name == ".zarray":
        for key in ("shape", "chunks", "dtype", "order", "compressor"):
            assert out[key] == doc[key], key
        if out["fill_value"] != doc["fill_value"]:  # e.g. a string array's 0 is written "0"
            assert meta.dtype.fill_value_from_json(doc["fill_value"], 2) == meta.fill_value
    assert _parse_again(meta, path) == meta


def _no_empty_config(codec):
    return {k: v for k, v in codec.items() if not (k == "configuration" and v == {})}


def _parse_again(meta, path):
    rel = str(path.parent.relative_to(ROOT))
    if meta.zarr_format == 3:
        return parse_node_v3(meta.to_json(), rel)
    if isinstance(meta, ArrayMetadata):
        return parse_array_v2(meta.to_json(), dict(meta.attributes), rel)
    return parse_group_v2(meta.to_json(), dict(meta.attributes), rel)


def _zarr_arrays() -> list[Path]:
    out = []
    for p in DOCS:
        rel = str(p.relative_to(ROOT))
        if rel in UNSUPPORTED or p.parent == ROOT:
            continue
        if (
            p.name in ("zarr.json", ".zarray") and '"array"' in p.read_text()
        ) or p.name == ".zarray":
            out.append(p)
    return out


@pytest.mark.skipif(not DOCS, reason=f"external fixtures not found: expected {EXTERNAL}")
@pytest.mark.parametrize("path", _zarr_arrays(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_matches_zarr_python(path):
    zarr = pytest.importorskip("zarr")
    if _missing_numcodecs(path):
        pytest.skip("needs a numcodecs codec that is not installed")
    meta = _parse(path)
    assert isinstance(meta, ArrayMetadata)
    fmt = 2 if path.name == ".zarray" else 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            z = zarr.open_array(str(path.parent), mode="r", zarr_format=fmt)
        except Exception as e:  # zarr-python cannot read it either (e.g. zfpy not installed)
            pytest.skip(f"zarr-python cannot open it: {e}")
    zmeta = z.metadata
    zdtype = zmeta.dtype
    assert meta.shape == z.shape
    native = zdtype.to_native_dtype()
    if native.kind not in "OT" and native.byteorder in "<>":
        assert meta.endian == {"<": "little", ">": "big"}[native.byteorder] or fmt == 3
        native = native.newbyteorder("=")
    assert meta.dtype.numpy == native
    theirs = (
        None
        if zmeta.fill_value is None
        else zdtype.to_json_scalar(zmeta.fill_value, zarr_format=fmt)
    )
    ours = meta.dtype.fill_value_to_json(meta.fill_value, fmt)
    assert ours == theirs or (isinstance(ours, float) and np.isnan(ours))
    # the fill chunks are made of is zarr-python's
    fill = meta.effective_fill_value
    expected = zmeta.fill_value if zmeta.fill_value is not None else zdtype.default_scalar()
    assert np.array(fill, dtype=meta.dtype.numpy).tobytes() == np.array(
        expected, dtype=meta.dtype.numpy
    ).tobytes() or (meta.dtype.numpy.kind in "OT" and fill == expected)


def test_unsupported_errors_are_invalid_metadata():
    for error in set(UNSUPPORTED.values()):
        assert issubclass(error, InvalidMetadata)
