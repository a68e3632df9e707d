"""Progress on stderr: a tqdm bar when tqdm is installed (``pip install
'simplezarr[cli]'``), else a plain line every few seconds ("copy: 120/400 chunks (30 %)")
and one at the end. ``--progress`` chooses: ``auto`` (bar if tqdm, else lines),
``bar``, ``lines``, ``none``."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

__all__ = ["MODES", "Progress"]

MODES = ("auto", "bar", "lines", "none")

#: Seconds between two plain progress lines.
LINE_INTERVAL = 2.0


def _tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class Progress:
    """A progress display for one operation, used as the ``progress(done, total)``
    callback of the API and as a context manager (the display ends with the block).

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> with Progress("copy", "lines", out) as p:
        ...     p(1, 2); p(2, 2)
        >>> out.getvalue()
        'copy: 2/2 chunks (100 %)\\n'
    """

    def __init__(self, label: str, mode: str = "auto", stream: TextIO | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"progress mode must be one of {MODES}, got {mode!r}")
        self.label, self.stream = label, stream or sys.stderr
        tqdm = _tqdm() if mode in ("auto", "bar") else None
        if mode == "bar" and tqdm is None:
            mode = "lines"  # documented: without tqdm, plain lines
        self.mode = "none" if mode == "none" else ("bar" if tqdm is not None else "lines")
        self._tqdm_class: Any = tqdm
        self._bar: Any = None
        self._last_line = time.monotonic()
        self._done = self._total = 0

    def __call__(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        if self.mode == "bar":
            if self._bar is None:
                self._bar = self._tqdm_class(
                    total=total, desc=self.label, unit="chunk", file=self.stream, leave=True
                )
            self._bar.total = total
            self._bar.update(done - self._bar.n)
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self._last_line >= LINE_INTERVAL and done < total:
                self._line()
                self._last_line = now

    def _line(self) -> None:
        percent = 100 * self._done // self._total if self._total else 100
        self.stream.write(f"{self.label}: {self._done}/{self._total} chunks ({percent} %)\n")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.mode == "lines" and self._total:
            self._line()
