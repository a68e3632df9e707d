"""The examples of docs/cli.md, run in order in one empty directory: ``python`` blocks as
scripts, ``console`` blocks line by line in bash (``$ `` starts a command; the lines after
it are its expected output, stdout and stderr together; ``...`` matches any text)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
BLOCK = re.compile(r"^```(python|console)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOC.read_text())]


def commands(block: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line)
    return out


def matches(expected: list[str], got: list[str]) -> bool:
    if len(expected) != len(got):
        return False
    for e, g in zip(expected, got, strict=True):
        pattern = ".*".join(re.escape(part) for part in e.split("..."))
        if not re.fullmatch(pattern, g):
            return False
    return True


def test_the_page_has_examples_of_every_command() -> None:
    text = "\n".join(b for kind, b in blocks() if kind == "console")
    for command in ("info", "ls", "tree", "copy", "verify", "--resume", "s3://", "--version"):
        assert f"{command}" in text, command


def test_the_examples_run_as_shown(tmp_path: Path, s3: Any) -> None:
    pytest.importorskip("tqdm")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["S3_ENDPOINT"] = s3.endpoint
    env["COLUMNS"] = "200"
    n = 0
    for kind, text in blocks():
        if kind == "python":
            done = subprocess.run(
                [sys.executable, "-c", text], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            continue
        for command, expected in commands(text):
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            got = (done.stderr + done.stdout).splitlines()
            assert matches(expected, got), f"$ {command}\n" + "\n".join(got)
            n += 1
    shown = sum(len(commands(b)) for kind, b in blocks() if kind == "console")
    assert n == shown >= 15
