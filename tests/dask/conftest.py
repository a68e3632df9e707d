"""Fixtures for the dask tests: moto's S3 server (shared with tests/stores' helpers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stores.store_servers import S3Server, moto_server, stop_started_servers


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 with the bucket ``simplezarr-test``."""
    pytest.importorskip("s3fs")
    yield moto_server()
    stop_started_servers()
