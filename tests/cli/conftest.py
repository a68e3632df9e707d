"""Fixtures of the command-line tool's tests: a small hierarchy on disk, the CLI run
in-process (``main([...])``) with its output captured, and moto's S3 server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import simplezarr
from simplezarr.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("info", path)``: the exit status and what the command printed."""

    def call(*argv: object) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as e:  # argparse: --version, --help, usage errors
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


def make_hierarchy(root: Path, zarr_format: int = 3) -> Path:
    """A group with a 2-d float array ``temp`` (10x10 chunks) and ``sub/b`` (int32)."""
    g = simplezarr.open_group(str(root), mode="w", zarr_format=zarr_format, attributes={"t": 1})
    dims = {"dimension_names": ["y", "x"]} if zarr_format == 3 else {}
    g.create_array(
        "temp", data=np.arange(10_000.0).reshape(100, 100), chunks=(10, 10), **dims
    ).attrs["units"] = "K"
    g.create_group("sub").create_array("b", data=np.arange(10, dtype="i4"), chunks=(5,))
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_hierarchy(tmp_path / "data.zarr")


@pytest.fixture(scope="session")
def s3() -> Iterator[object]:
    pytest.importorskip("s3fs")
    from tests.stores.store_servers import moto_server, stop_started_servers

    yield moto_server()
    stop_started_servers()
