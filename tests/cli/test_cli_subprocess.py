"""The tool as users start it: ``python -m simplezarr`` and the ``simplezarr`` console
script, in their own processes (the other tests call ``main`` in-process, to stay fast)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

import simplezarr


def _run(*argv: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120)


def test_python_m_simplezarr(tmp_path: Path) -> None:
    done = _run(sys.executable, "-m", "simplezarr", "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"simplezarr {simplezarr.__version__}"
    done = _run(sys.executable, "-m", "simplezarr", "info", tmp_path / "nothing")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("simplezarr: error: ") and "Traceback" not in done.stderr
    done = _run(sys.executable, "-m", "simplezarr", "--debug", "info", tmp_path / "nothing")
    assert done.returncode == 1 and "Traceback" in done.stderr


def test_the_console_script_copies_and_verifies(tmp_path: Path) -> None:
    script = shutil.which("simplezarr", path=str(Path(sys.executable).parent))
    assert script is not None, "the console script is installed with the package"
    a = simplezarr.create_array(
        str(tmp_path / "a"), shape=(30,), chunks=(10,), dtype="i8",
        compressors=[{"name": "zstd"}, {"name": "crc32c"}],
    )  # fmt: skip
    a[:] = np.arange(30)
    done = _run(script, "copy", tmp_path / "a", tmp_path / "b.zip", "--progress", "lines")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "copy: 3/3 chunks (100 %)"
    assert _run(script, "verify", tmp_path / "b.zip", "-q").returncode == 0
    chunk = tmp_path / "a" / "c" / "1"
    raw = chunk.read_bytes()
    chunk.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # one bit of the checksum flipped
    done = _run(script, "verify", tmp_path / "a", "-q")
    assert done.returncode == 1 and done.stdout.startswith("corrupt: c/1 (array '/'): ")
