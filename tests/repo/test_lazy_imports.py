"""``import simplezarr`` stays light: optional and heavy packages load only when used.

numcodecs (about 30 ms of a fresh process after numpy), zarr-python, fsspec, asyncio and
importlib.metadata are imported by the code that needs them (a numcodecs-backed codec, the
codec pipeline, a remote store, the async API, an entry-point scan), never by the import of the
package. Each check runs in a fresh interpreter; the controls show the same check sees the
module once something uses it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numcodecs", "zarr", "fsspec", "asyncio", "importlib.metadata", "crc32c")


def _loaded_after(code: str) -> set[str]:
    """Which of HEAVY are in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_simplezarr_loads_none_of_the_heavy_packages() -> None:
    assert _loaded_after("import simplezarr") == set()


def test_reading_an_uncompressed_array_loads_none_of_them(tmp_path: object) -> None:
    code = (
        "import simplezarr\n"
        f"a = simplezarr.create_array({str(tmp_path)!r}, shape=(8,), chunks=(4,), dtype='i2',"
        " compressors=None)\n"
        "a[:] = 1\n"
        f"assert simplezarr.open_array({str(tmp_path)!r}, mode='r')[...].sum() == 8"
    )
    assert _loaded_after(code) == set()


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("import simplezarr; simplezarr.codecs.BloscCodec", "numcodecs"),
        ("import simplezarr; simplezarr.codecs.ZstdCodec(level=1).encode(b'x')", "numcodecs"),
        ("import simplezarr; simplezarr.stores.FsspecStore", "asyncio"),
        ("import simplezarr; simplezarr.codecs.Crc32cCodec().encode(b'x')", "crc32c"),
        ("import simplezarr; simplezarr.codecs.get_codec_class('no.such')", "importlib.metadata"),
    ],
    ids=["blosc", "zstd-encode", "fsspec-store", "crc32c", "entry-points"],
)
def test_control_the_check_sees_a_module_once_used(code: str, module: str) -> None:
    # get_codec_class raises UnknownCodec after scanning the entry points: catch it.
    guarded = f"try:\n    {code}\nexcept Exception:\n    pass"
    assert module in _loaded_after(guarded)


def test_opening_a_zstd_array_does_not_load_numcodecs(tmp_path: object) -> None:
    path = str(tmp_path)
    code = (
        "import simplezarr\n"
        f"a = simplezarr.open_array({path!r}, mode='r')\n"
        "b = a[0:2]\n"  # a partial read decodes through zstandard only
        "assert b.tolist() == [1, 1]"
    )
    write = (
        "import simplezarr\n"
        f"a = simplezarr.create_array({path!r}, shape=(8,), chunks=(4,), dtype='i2')\n"
        "a[:] = 1"
    )
    subprocess.run([sys.executable, "-c", write], check=True)
    assert "numcodecs" not in _loaded_after(code)
    assert "numcodecs" in _loaded_after(write.replace(path, path + "-control"))  # encoding does
