"""Same call, same stored metadata: every creating API function, through zarr-python 3.1.6
and simplezarr, over a matrix of arguments; then the values read back agree."""

from __future__ import annotations

from typing import Any

import numcodecs
import numpy as np
import pytest

from tests.api.conftest import _bytes, both, chunk_keys, metadata_docs, zarr

CREATE_ARRAY: list[tuple[str, dict[str, Any]]] = [
    ("int32 v3 defaults", dict(shape=(100, 50), dtype="i4")),
    ("int8 v2 defaults", dict(shape=(1000,), dtype="i1", zarr_format=2)),
    ("uint16 v3 chunks", dict(shape=(64, 64), dtype="u2", chunks=(10, 7))),
    ("float64 big-endian v2 F", dict(shape=(30, 20), dtype=">f8", zarr_format=2, order="F")),
    ("float32 v2 null fill", dict(shape=(9,), dtype="f4", zarr_format=2, fill_value=None)),
    ("float32 v3 None fill", dict(shape=(9,), dtype="f4", fill_value=None)),
    ("float32 nan fill", dict(shape=(9,), dtype="f4", fill_value=np.nan)),
    ("complex fill", dict(shape=(4,), dtype="c16", fill_value=1 + 2j)),
    ("bool fill", dict(shape=(4,), dtype="bool", fill_value=True)),
    ("datetime", dict(shape=(4,), dtype="M8[s]")),
    ("fixed text v2", dict(shape=(4,), dtype="U7", zarr_format=2)),
    ("string v3", dict(shape=(4,), dtype=str)),
    ("string v2", dict(shape=(4,), dtype=str, zarr_format=2)),
    ("fixed bytes", dict(shape=(4,), dtype="S3")),
    ("sharded", dict(shape=(1000, 1000), dtype="u2", shards=(500, 500), chunks=(100, 100))),
    ("sharded auto", dict(shape=(1000, 100), dtype="f8", shards="auto", chunks=(10, 10))),
    (
        "sharded index start",
        dict(
            shape=(40,), dtype="i2", chunks=(5,), shards={"shape": (20,), "index_location": "start"}
        ),
    ),
    ("dimension names", dict(shape=(4, 5), dtype="i2", dimension_names=["y", None])),
    (
        "dot separator",
        dict(shape=(4, 5), dtype="i2", chunk_key_encoding={"name": "default", "separator": "."}),
    ),
    (
        "v2 slash separator",
        dict(
            shape=(4, 5),
            dtype="i2",
            zarr_format=2,
            chunk_key_encoding={"name": "v2", "separator": "/"},
        ),
    ),
    ("no compressor", dict(shape=(10,), dtype="i2", compressors=None)),
    (
        "gzip dict",
        dict(
            shape=(10,), dtype="i2", compressors=[{"name": "gzip", "configuration": {"level": 3}}]
        ),
    ),
    ("blosc object v3", dict(shape=(10,), dtype="i4", compressors="BLOSC_V3")),
    (
        "numcodecs blosc v2",
        dict(
            shape=(10,),
            dtype="i4",
            zarr_format=2,
            compressors=numcodecs.Blosc(cname="zstd", clevel=3),
        ),
    ),
    (
        "numcodecs zlib dict v2",
        dict(shape=(10,), dtype="i4", zarr_format=2, compressors={"id": "zlib", "level": 2}),
    ),
    (
        "v2 filters",
        dict(shape=(10,), dtype="f8", zarr_format=2, filters=[numcodecs.Delta(dtype="f8")]),
    ),
    (
        "transpose filter",
        dict(
            shape=(4, 6),
            dtype="u1",
            filters=[{"name": "transpose", "configuration": {"order": [1, 0]}}],
        ),
    ),
    (
        "crc32c after zstd",
        dict(
            shape=(10,),
            dtype="u4",
            compressors=[{"name": "zstd", "configuration": {"level": 1}}, {"name": "crc32c"}],
        ),
    ),
    ("attributes", dict(shape=(3,), dtype="u1", attributes={"units": "m", "n": [1, 2]})),
    ("0-d", dict(shape=(), dtype="f8", fill_value=3.0)),
    ("empty axis", dict(shape=(0, 5), dtype="i8")),
]


def _resolve(kwargs: dict[str, Any], lib: Any) -> dict[str, Any]:
    out = dict(kwargs)
    if out.get("compressors") == "BLOSC_V3":
        out["compressors"] = zarr.codecs.BloscCodec(cname="lz4", clevel=4)
    return out


@pytest.mark.parametrize(("label", "kwargs"), CREATE_ARRAY, ids=[c[0] for c in CREATE_ARRAY])
def test_create_array_writes_what_zarr_python_writes(label: str, kwargs: dict[str, Any]) -> None:
    theirs, ours, a_t, a_o = both(
        lambda lib, s: lib.create_array(s, name="a", **_resolve(kwargs, lib))
    )
    assert metadata_docs(ours) == metadata_docs(theirs)
    assert a_o.shape == a_t.shape and a_o.chunks == a_t.chunks and a_o.shards == a_t.shards
    assert a_o.dtype == a_t.dtype and a_o.nchunks == a_t.nchunks
    assert a_o.path == a_t.path and a_o.name == a_t.name and a_o.basename == a_t.basename


LEGACY: list[tuple[str, Any]] = [
    ("create defaults", lambda z, s: z.create(100, store=s)),
    ("create v2 chunks None", lambda z, s: z.create((100, 20), dtype="i2", zarr_format=2, store=s)),
    (
        "create v2 partial chunks",
        lambda z, s: z.create(
            (100, 20),
            chunks=(10, None),
            dtype="i2",
            zarr_format=2,
            fill_value=None,
            dimension_separator="/",
            store=s,
        ),
    ),
    (
        "create v2 compressor",
        lambda z, s: z.create(
            (10,),
            chunks=5,
            dtype="f4",
            zarr_format=2,
            compressor=numcodecs.Zlib(level=1),
            filters=[numcodecs.Delta(dtype="f4")],
            store=s,
        ),
    ),
    (
        "create v2 no compressor",
        lambda z, s: z.create((10,), chunks=5, zarr_format=2, compressor=None, store=s, order="F"),
    ),
    (
        "create v3 codecs",
        lambda z, s: z.create(
            (10,),
            chunks=5,
            dtype="i4",
            store=s,
            codecs=[
                {"name": "bytes", "configuration": {"endian": "big"}},
                {"name": "gzip", "configuration": {"level": 1}},
            ],
        ),
    ),
    (
        "create v3 cke tuple",
        lambda z, s: z.create(
            (10, 10),
            chunks=(5, 5),
            store=s,
            chunk_key_encoding=("default", "."),
            dimension_names=["a", "b"],
            attributes={"x": 1},
        ),
    ),
    ("create chunks True", lambda z, s: z.create((2000, 2000), chunks=True, dtype="u1", store=s)),
    ("create chunks False", lambda z, s: z.create((20, 20), chunks=False, store=s)),
    ("zeros v2", lambda z, s: z.zeros((10, 10), chunks=5, zarr_format=2, store=s)),
    ("ones", lambda z, s: z.ones((10, 10), chunks=5, dtype="i8", store=s)),
    ("full", lambda z, s: z.full((10, 10), 3.5, chunks=5, store=s, path="p/q")),
    ("empty", lambda z, s: z.empty((7,), dtype="u2", store=s)),
    ("array", lambda z, s: z.array(np.arange(20).reshape(4, 5), store=s, chunks=(2, 2))),
    ("array v2", lambda z, s: z.array(np.arange(6, dtype=">i4"), store=s, zarr_format=2)),
    ("open shape", lambda z, s: z.open(s, mode="w", shape=(5,), dtype="u1")),
    (
        "open_array create",
        lambda z, s: z.open_array(s, mode="a", shape=(5, 2), dtype="f2", path="x"),
    ),
    ("save_array", lambda z, s: z.save_array(s, np.arange(5))),
    ("save", lambda z, s: z.save(s, np.arange(5), np.ones(3), x=np.zeros(2), zarr_format=2)),
    ("save_group", lambda z, s: z.save_group(s, a=np.arange(3), path="g")),
    ("group v2", lambda z, s: z.group(s, attributes={"a": 1}, zarr_format=2)),
    ("group overwrite", lambda z, s: z.group(s, overwrite=True, path="x/y")),
    ("create_group", lambda z, s: z.create_group(s, path="a/b", attributes={"k": "v"})),
    ("open_group", lambda z, s: z.open_group(s, mode="w-", zarr_format=2, path="g")),
    ("from_array numpy", lambda z, s: z.from_array(s, data=np.arange(10, dtype="f4"), chunks=(3,))),
    ("create_array data", lambda z, s: z.create_array(s, data=np.eye(3), name="e")),
]


@pytest.mark.parametrize(("label", "call"), LEGACY, ids=[c[0] for c in LEGACY])
def test_other_functions_write_what_zarr_python_writes(label: str, call: Any) -> None:
    if label in REFUSED_BY_ZARR_34 and ZARR_34:
        # zarr-python 3.4 refuses chunks=True and a None in chunks; simplezarr keeps taking
        # them as zarr-python 3.1 did (docs/api.md), checked against 3.1 in the 3.11 run
        with pytest.raises((TypeError, ValueError)):
            call(zarr, {})
        import simplezarr

        call(simplezarr, {})
        return
    theirs, ours, _, _ = both(call)
    assert metadata_docs(ours) == metadata_docs(theirs)
    assert chunk_keys(ours) == chunk_keys(theirs)


#: Legacy calls zarr-python 3.4 refuses and 3.1 (and simplezarr) take.
REFUSED_BY_ZARR_34 = {"create v2 partial chunks", "create chunks True"}
ZARR_34 = tuple(int(p) for p in zarr.__version__.split(".")[:2]) >= (3, 4)

LIKE = ["empty_like", "zeros_like", "ones_like", "full_like"]


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("name", LIKE)
def test_like_functions(name: str, fmt: int) -> None:
    def call(lib: Any, s: dict[str, Any]) -> Any:
        src = lib.create_array(
            s, name="src", shape=(6, 4), dtype="i2", chunks=(3, 2), fill_value=5, zarr_format=fmt
        )
        kwargs = {"fill_value": 9} if name == "full_like" else {}
        return getattr(lib, name)(src, store=s, path="dst", zarr_format=fmt, **kwargs)

    theirs, ours, a_t, a_o = both(call)
    assert metadata_docs(ours) == metadata_docs(theirs)
    np.testing.assert_array_equal(a_o[...], a_t[...])


def test_like_from_numpy() -> None:
    theirs, ours, _, _ = both(lambda lib, s: lib.zeros_like(np.ones((3, 5), "u1"), store=s))
    assert metadata_docs(ours) == metadata_docs(theirs)


@pytest.mark.parametrize("fmt", [2, 3])
def test_from_array_keeps_the_source_encoding(fmt: int) -> None:
    def call(lib: Any, s: dict[str, Any]) -> Any:
        kw: dict[str, Any] = {"dimension_names": ["y", "x"]} if fmt == 3 else {"order": "F"}
        src = lib.create_array(
            s,
            name="src",
            shape=(8, 6),
            dtype="u4",
            chunks=(4, 3),
            zarr_format=fmt,
            compressors=None,
            fill_value=2,
            **kw,
        )
        src[:2] = 1
        return lib.from_array(s, name="dst", data=src)

    theirs, ours, a_t, a_o = both(call)
    if ZARR_34:
        assert metadata_docs(ours) == metadata_docs(theirs)
        assert chunk_keys(ours) == chunk_keys(theirs)
    else:  # 3.1 gives the new array the default fill value; 3.4 (and simplezarr) keep it
        assert a_o.fill_value == 2 and a_t.fill_value == 0
    np.testing.assert_array_equal(a_o[...], a_t[...])


def test_from_array_sharded_source_to_v2_fails_alike() -> None:
    """zarr-python keeps the shards and then refuses them for v2; so does simplezarr."""
    import simplezarr

    for lib in (zarr, simplezarr):
        src = lib.create_array({}, shape=(16,), dtype="i2", chunks=(2,), shards=(8,))
        with pytest.raises(ValueError, match="(?i)shard"):
            lib.from_array({}, data=src, zarr_format=2)
    ours = simplezarr.from_array({}, data=src, zarr_format=2, shards=None)
    assert ours.chunks == (2,) and ours.metadata.zarr_format == 2


@pytest.mark.parametrize("fmt", [2, 3])
def test_values_read_back_agree_both_ways(fmt: int, tmp_path: Any, quiet: None) -> None:
    """Directories written by one library's API are read by the other's."""
    import simplezarr

    data = np.arange(60, dtype="f8").reshape(6, 10)
    zarr.save_array(str(tmp_path / "theirs"), data, zarr_format=fmt)
    simplezarr.save_array(str(tmp_path / "ours"), data, zarr_format=fmt)
    np.testing.assert_array_equal(zarr.load(str(tmp_path / "ours")), data)
    np.testing.assert_array_equal(simplezarr.load(str(tmp_path / "theirs")), data)

    def files(d):
        return sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())

    assert files(tmp_path / "ours") == files(tmp_path / "theirs")  # v2: .zattrs too


def _v2_group_calls(lib: Any, d: dict[str, Any]) -> None:
    g = lib.group(d, zarr_format=2)
    g.create_array("create_array", shape=(4,), dtype="i2")
    g.create_array("create_array_data", data=np.arange(4))
    g.create_array("create_array_str", shape=(4,), dtype="U5")
    g.require_array("require_array", shape=(4,), dtype="i2")
    g["setitem"] = np.arange(4)
    g.create_array("compressor_none", shape=(4,), dtype="i2", compressor=None)
    lib.create_array(d, name="top_level", shape=(4,), dtype="i2", zarr_format=2)


def test_v2_default_compressors_match_zarr_python_per_entry_point() -> None:
    theirs, ours, _, _ = both(_v2_group_calls)
    assert metadata_docs(ours) == metadata_docs(theirs)
    docs = metadata_docs(ours)
    blosc = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}
    assert docs["create_array/.zarray"]["compressor"] == blosc
    assert docs["require_array/.zarray"]["compressor"] == blosc
    assert docs["top_level/.zarray"]["compressor"] == {"id": "zstd", "level": 0}
    assert docs["setitem/.zarray"]["compressor"] == {"id": "zstd", "level": 0}


def test_v2_nodes_always_have_a_zattrs_document() -> None:
    theirs, ours, _, _ = both(
        lambda lib, d: lib.group(d, zarr_format=2).create_array("a", shape=(2,), dtype="i1")
    )
    assert sorted(ours) == sorted(theirs)
    assert _bytes(ours[".zattrs"]) == _bytes(theirs[".zattrs"]) == b"{}"
    assert _bytes(ours["a/.zattrs"]) == b"{}"
