"""The compiled hot loop (simplezarr._native) and the pure-Python path give the same
results and errors, and the switch between them works (config.native, SIMPLEZARR_NATIVE).

The rest of the suite runs with the extension when it is built; scripts/test.sh runs the
engine, store, indexing and codec tests once more with SIMPLEZARR_NATIVE=0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from typing import Any

import numpy as np
import pytest

from simplezarr import native
from simplezarr.codecs.zstd import ZstdCodec, _frame_size
from simplezarr.config import config
from simplezarr.errors import CorruptChunk, StoreError
from simplezarr.nodes import ZarrArray
from simplezarr.stores import LocalStore

fast = native._native
needs_native = pytest.mark.skipif(fast is None, reason="simplezarr._native is not built")

ZSTD = [{"name": "zstd", "configuration": {"level": 1, "checksum": False}}]


@pytest.fixture(params=[True, False], ids=["native", "python"])
def path(request):
    """Run a test once through the extension (when built) and once without it."""
    if request.param and fast is None:
        pytest.skip("simplezarr._native is not built")
    with config.set(native=request.param):
        yield request.param


def test_built_where_a_compiler_is():
    # pip install builds it with the machine's compiler; a silent build failure would leave
    # every test on the pure-Python path.
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if not any(
        os.access(os.path.join(d, compiler), os.X_OK) for d in os.environ["PATH"].split(":")
    ):
        pytest.skip(f"no C compiler {compiler!r}")
    assert native.available


def test_switch():
    with config.set(native=False):
        assert native.module() is None
    env = dict(os.environ, SIMPLEZARR_NATIVE="0")
    code = "from simplezarr import native, config; print(config.native, native.module())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "None"], out.stderr


@pytest.mark.parametrize(
    "shape, chunks, compressors, dtype",
    [
        ((40, 30, 20), (16, 8, 8), ZSTD, "uint16"),  # edge chunks on every axis
        ((40, 30, 20), (16, 8, 8), None, "<i4"),
        ((33, 17), (8, 8), None, ">f8"),  # stored big-endian: not a plain byte copy
        ((64,), (16,), ZSTD, "float32"),
        ((), (), ZSTD, "int64"),  # 0-d
        ((12, 10), (4, 5), [{"name": "gzip", "configuration": {"level": 1}}], "uint8"),
    ],
)
@pytest.mark.parametrize(
    "selection",
    [
        Ellipsis,
        (slice(3, 29),),
        (slice(None, None, 3),),
        (slice(None, None, -2),),
        (5,),
        (slice(2, 2),),
    ],
)
def test_reads_agree(tmp_path, path, shape, chunks, compressors, dtype, selection):
    a = ZarrArray.create(
        LocalStore(tmp_path), shape=shape, dtype=dtype, chunks=chunks, compressors=compressors
    )
    data = (np.arange(int(np.prod(shape))) % 251).astype(dtype).reshape(shape)
    a[...] = data
    if shape:  # the first chunk is a directory (a prefix, not a key): the fill value
        first = "c/" + "/".join(["0"] * len(shape))
        a.store.delete(first)
        (tmp_path / first).mkdir()
        data[tuple(slice(0, c) for c in chunks)] = 0
    if not shape and selection is not Ellipsis:
        return
    sel = selection + (Ellipsis,) if isinstance(selection, tuple) else selection
    np.testing.assert_array_equal(a[sel], data[sel])
    np.testing.assert_array_equal(
        a.oindex[(slice(1, None),) * len(shape)], data[(slice(1, None),) * len(shape)]
    )


def test_corrupt_chunk_named_on_both_paths(tmp_path, path):
    a = ZarrArray.create(
        LocalStore(tmp_path), shape=(64,), dtype="uint16", chunks=(8,), compressors=ZSTD
    )
    a[...] = np.arange(64, dtype="uint16")
    (tmp_path / "c" / "3").write_bytes((tmp_path / "c" / "3").read_bytes() + b"x")
    with pytest.raises(CorruptChunk, match="'c/3'"):
        a[...]
    raw = ZarrArray.create(
        LocalStore(tmp_path / "raw"), shape=(64,), dtype="uint16", chunks=(8,), compressors=None
    )
    raw[...] = np.arange(64, dtype="uint16")
    (tmp_path / "raw" / "c" / "5").write_bytes(b"short")
    with pytest.raises(CorruptChunk, match="'c/5'"):
        raw[...]


def test_unreadable_file_named_on_both_paths(tmp_path, path):
    store = LocalStore(tmp_path)
    store.set("a", b"123")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(StoreError, match="'fifo'.*not a regular file"):
        store.get_many([("a", None), ("fifo", None)])
    assert store.get_many([("a", (1, 5)), ("a", (-2, None)), ("b", None), ("a", (9, 1))]) == [
        b"23",
        b"23",
        None,
        b"",
    ]


@needs_native
def test_read_files(tmp_path):
    (tmp_path / "x").write_bytes(b"0123456789")
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "p")
    root = str(tmp_path) + os.sep
    keys = ["x", "x", "x", "x", "missing", "d", "x/under", "p"]
    ranges = [None, (2, 3), (-4, None), (8, 100), None, None, None, None]
    got = fast.read_files(root, keys, ranges)
    assert got[:7] == [b"0123456789", b"234", b"6789", b"89", None, None, None]
    assert got[7] == 0  # not a regular file: the caller reads it to say so
    many = [f"k{i}" for i in range(600)]  # more than one round of descriptors
    for k in many:
        (tmp_path / k).write_bytes(k.encode())
    assert fast.read_files(root, many, None) == [k.encode() for k in many]
    with pytest.raises(ValueError, match="negative"):
        fast.read_files(root, ["x"], [(0, -1)])


@needs_native
def test_scatter_matches_numpy():
    rng = np.random.default_rng(0)
    for _ in range(200):
        ndim = int(rng.integers(1, 5))
        chunk = tuple(int(n) for n in rng.integers(1, 6, ndim))
        out = np.zeros(tuple(int(n) for n in rng.integers(1, 9, ndim)), "u2")
        if rng.integers(2):
            out = out[..., ::2]  # a strided output
        want = out.copy()
        items = []
        for _ in range(3):
            data = rng.integers(0, 1000, chunk).astype("u2")
            lens = [int(rng.integers(0, min(c, o) + 1)) for c, o in zip(chunk, out.shape)]
            cs = tuple(slice(int(rng.integers(0, c - n + 1)), None) for c, n in zip(chunk, lens))
            cs = tuple(slice(s.start, s.start + n) for s, n in zip(cs, lens))
            os_ = tuple(
                slice(int(rng.integers(0, o - n + 1)), None) for o, n in zip(out.shape, lens)
            )
            os_ = tuple(slice(s.start, s.start + n) for s, n in zip(os_, lens))
            want[os_] = data[cs]
            items.append((data.tobytes(), cs, os_))
        assert fast.scatter(out, chunk, items) == []
        np.testing.assert_array_equal(out, want)


@needs_native
def test_scatter_leaves_what_it_does_not_take():
    out = np.zeros((4, 4), "u1")
    whole = (slice(0, 2), slice(0, 2))
    items = [
        (b"abcd", whole, whole),
        (b"abc", whole, whole),  # wrong size
        (b"abcd", (slice(0, 2, 2), slice(0, 2)), whole),  # a step
        (b"abcd", (0, slice(0, 2)), (0, slice(0, 2))),  # an integer
        (b"abcd", whole, (slice(0, 1), slice(0, 2))),  # lengths differ
        (object(), whole, whole),  # no buffer
    ]
    assert fast.scatter(out, (2, 2), items) == [1, 2, 3, 4, 5]
    assert out[:2, :2].tobytes() == b"abcd"
    with pytest.raises(BufferError):
        fast.scatter(b"read-only", (2,), [])


@needs_native
def test_zstd_frames_exact():
    for checksum in (False, True):
        codec = ZstdCodec(level=1, checksum=checksum)
        for size in (0, 1, 1000, 300_000):
            frame = codec.encode(np.random.default_rng(size).bytes(size // 2) + bytes(size // 2))
            assert fast.zstd_frames_exact([frame, frame])
            for cut in (frame + b"x", frame[:-1], frame[: len(frame) // 2], b"", b"\x28\xb5"):
                assert not fast.zstd_frames_exact([frame, cut])
                assert _frame_size(cut) != len(cut)


def test_a_plane_read_decodes_each_chunk_once(monkeypatch: Any) -> None:
    """The native scatter takes slices only: chunks a plane cuts with an integer must not
    be decoded for it and then again on the pure-Python way (planes ran 2x slower)."""
    import simplezarr
    from simplezarr.codecs.chain import CodecChain

    if simplezarr.native.module() is None:
        pytest.skip("the native extension is not built")
    a = simplezarr.create_array({}, shape=(8, 8, 8), chunks=(4, 4, 4), dtype="i4",
                                compressors=[simplezarr.codecs.BloscCodec()])  # fmt: skip
    data = np.arange(512, dtype="i4").reshape(8, 8, 8)
    a[:] = data
    calls: list[int] = []
    for name in ("decode", "decode_many", "decode_many_raw"):
        original = getattr(CodecChain, name)

        def counted(self: Any, arg: Any, _original: Any = original, _name: str = name) -> Any:
            calls.append(len(arg) if _name != "decode" else 1)
            return _original(self, arg)

        monkeypatch.setattr(CodecChain, name, counted)
    np.testing.assert_array_equal(a[5, :, :], data[5])
    assert sum(calls) == 4  # the 4 chunks the plane touches, once each


def test_an_integer_index_reads_through_the_native_scatter(monkeypatch: Any) -> None:
    """An integer's axis is read as a length-1 slice, so a plane's chunks take the same
    native path as ``a[5:6]``'s (they went the pure-Python way, 1.6x slower)."""
    import simplezarr
    from simplezarr.codecs.chain import CodecChain

    if simplezarr.native.module() is None:
        pytest.skip("the native extension is not built")
    a = simplezarr.create_array({}, shape=(8, 8, 8), chunks=(4, 4, 4), dtype="i4",
                                compressors=[simplezarr.codecs.BloscCodec()])  # fmt: skip
    data = np.arange(512, dtype="i4").reshape(8, 8, 8)
    a[:] = data
    calls: dict[str, int] = {}
    for name in ("decode", "decode_many", "decode_many_raw"):
        original = getattr(CodecChain, name)

        def counted(self: Any, arg: Any, _original: Any = original, _name: str = name) -> Any:
            calls[_name] = calls.get(_name, 0) + (len(arg) if _name != "decode" else 1)
            return _original(self, arg)

        monkeypatch.setattr(CodecChain, name, counted)
    for selection in [(5, slice(None), slice(None)), (slice(None), 2, slice(1, 7)), (1, 2, 3)]:
        calls.clear()
        np.testing.assert_array_equal(a[selection], data[selection])
        assert set(calls) == {"decode_many_raw"}, selection
    assert type(a[1, 2, 3]) is np.int32
    assert a[..., 3].shape == (8, 8)
