"""Types of the compiled extension (simplezarr/_native.c); see simplezarr.native."""

from collections.abc import Sequence
from typing import Any

def read_files(
    prefix: str, keys: list[str], ranges: list[tuple[int, int | None] | None] | None
) -> list[bytes | int | None]: ...
def scatter(
    out: Any, chunk_shape: tuple[int, ...], items: list[tuple[Any, Sequence[Any], Sequence[Any]]]
) -> list[int]: ...
def zstd_frames_exact(datas: list[Any]) -> bool: ...
