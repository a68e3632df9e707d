"""Fixtures for the reliability tests: moto's S3 server (shared with the store tests'
helpers), started on first use and stopped at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stores.store_servers import S3Server, moto_server, stop_started_servers


@pytest.fixture(scope="session", autouse=True)
def _stop_s3_at_end() -> Iterator[None]:
    yield
    stop_started_servers()


@pytest.fixture(scope="session")
def s3() -> S3Server:
    """moto's S3 server (one per test process), with the bucket ``simplezarr-test``."""
    pytest.importorskip("s3fs")
    pytest.importorskip("obstore")
    return moto_server()
