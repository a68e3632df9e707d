"""Helpers of the pipeline tests: arrays made through zarr-python with either pipeline."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

zarr = pytest.importorskip("zarr")

OURS = "simplezarr.ZarrCodecPipeline"
DEFAULT = "zarr.core.codec_pipeline.BatchedCodecPipeline"


@contextlib.contextmanager
def pipeline(path: str) -> Iterator[None]:
    """Arrays created or opened inside use the pipeline at ``path``."""
    with zarr.config.set({"codec_pipeline.path": path}):
        yield


def stored(store: object) -> dict[str, bytes]:
    """Every value of a zarr-python MemoryStore, as bytes."""
    return {k: v.to_bytes() for k, v in store._store_dict.items()}  # type: ignore[attr-defined]
