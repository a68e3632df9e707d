"""The examples of docs/cli.md, run in order in one empty directory: ``python`` blocks as
scripts, ``console`` blocks line by line (``$ `` starts a command; the lines after it are
its expected output, stdout and stderr together; ``...`` matches any text).

Commands run in-process (``main``, argv split as a shell would, ``$S3_ENDPOINT`` the moto
server's address, a trailing ``; echo "exit status $?"`` printing the status), to stay
fast; tests/cli/test_cli_subprocess.py starts the real executables."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from simplezarr.cli import main

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


ECHO_STATUS = '; echo "exit status $?"'


def run_command(command: str, endpoint: str) -> list[str]:
    echo = command.endswith(ECHO_STATUS)
    argv = shlex.split(command.removesuffix(ECHO_STATUS).replace("$S3_ENDPOINT", endpoint))
    assert argv[0] == "simplezarr", command
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            status = main(argv[1:])
        except SystemExit as e:  # --version
            status = int(e.code or 0)
    lines = output.getvalue().splitlines()
    return lines + [f"exit status {status}"] if echo else lines


def test_the_examples_run_as_shown(
    tmp_path: Path, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    n = 0
    for kind, text in blocks():
        if kind == "python":
            exec(compile(text, str(DOC), "exec"), {"__name__": "__docs__"})
            continue
        for command, expected in commands(text):
            got = run_command(command, s3.endpoint)
            assert matches(expected, got), f"$ {command}\n" + "\n".join(got)
            n += 1
    shown = sum(len(commands(b)) for kind, b in blocks() if kind == "console")
    assert n == shown >= 15
