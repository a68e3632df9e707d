"""docs/dask.md runs as written: its ``pycon`` blocks are doctests, run in order in one
namespace and their printed output compared. The block that starts a cluster runs only in
the slow suite; the default run leaves it out (the blocks after it do not need it)."""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("dask.array")

DOC = Path(__file__).resolve().parents[2] / "docs" / "dask.md"


def _blocks() -> list[str]:
    return re.findall(r"```pycon\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def _run(blocks: list[str]) -> tuple[int, int, str]:
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, namespace, f"docs/dask.md block {i}", str(DOC), 0)
        runner.run(test, out=report.write, clear_globs=False)
        namespace.update(test.globs)  # a DocTest runs in a copy: carry its names on
    return runner.failures, runner.tries, report.getvalue()


def test_the_page_has_examples_and_one_starts_a_cluster() -> None:
    blocks = _blocks()
    assert len(blocks) >= 4
    assert sum("LocalCluster(" in b for b in blocks) == 1


def test_the_examples_print_what_the_page_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    failures, tries, report = _run([b for b in _blocks() if "LocalCluster(" not in b])
    assert failures == 0, report
    assert tries >= 20


@pytest.mark.slow
def test_the_examples_with_the_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    failures, _, report = _run(_blocks())
    assert failures == 0, report


def test_a_wrong_output_is_caught() -> None:
    # The control: a block whose printed value differs from the page fails.
    failures, _, report = _run([">>> 1 + 1\n3\n"])
    assert failures == 1 and "Expected" in report
