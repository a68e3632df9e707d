"""The tool as users start it: ``python -m simplezarr`` and the ``simplezarr`` console
script, in their own processes (the other tests call ``main`` in-process, to stay fast)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
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


def test_ctrl_c_stops_a_copy_that_resume_finishes(tmp_path: Path) -> None:
    a = simplezarr.create_array(
        str(tmp_path / "a"), shape=(1000, 1000), chunks=(1, 1000), dtype="f8"
    )  # 1,000 chunks at gzip level 9: seconds of work, so the signal comes mid-copy under load
    a[:] = np.random.default_rng(0).random(a.shape)
    argv = [sys.executable, "-m", "simplezarr", "copy", tmp_path / "a", tmp_path / "b"]
    argv += ["--compressor", "gzip:level=9", "-q"]  # slow enough to interrupt
    env = {**os.environ, "SIMPLEZARR_THREADS": "1"}
    # A pytest-xdist worker ignores SIGINT, and a child inherits that (Python then installs
    # no KeyboardInterrupt handler): the copy starts with the default disposition.
    proc = subprocess.Popen(
        [str(x) for x in argv],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(list((tmp_path / "b").glob("c/*"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    written = len(list((tmp_path / "b").glob("c/*")))
    assert proc.returncode == 130 and err.strip() == (
        "simplezarr: interrupted; run it again with --resume to continue"
    )
    assert 5 <= written < 1000  # stopped part way
    done = _run(*argv, "--resume")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"{1000 - written} stored chunk(s) written, {written} kept")
    np.testing.assert_array_equal(simplezarr.open_array(str(tmp_path / "b"))[:], a[:])
