"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_example_runs(index: int, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    block = python_blocks()[index]
    if re.search(r"^import zarr\b", block, re.M):
        pytest.importorskip("zarr", reason="this example uses zarr-python (simplezarr[zarr])")
    if re.search(r"^import xarray\b", block, re.M):
        pytest.importorskip("xarray", reason="this example uses xarray (simplezarr[xarray])")
    exec(compile(block, f"README.md block {index}", "exec"), {})


def test_readme_names_both_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "bash scripts/demo.sh" in text and "bash scripts/test.sh" in text
    assert "scripts/test.sh" in (README.parent / ".ci" / "run").read_text()
