"""Fixtures for the store tests: real S3 (moto) and HTTP servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_servers import S3Server, moto_auth_server, moto_server, stop_started_servers


@pytest.fixture(scope="session", autouse=True)
def _stop_servers_at_end() -> Iterator[None]:
    yield
    stop_started_servers()


@pytest.fixture(scope="session")
def s3() -> S3Server:
    """moto's S3 server (one per test process), with the bucket ``simplezarr-test``."""
    pytest.importorskip("s3fs")
    return moto_server()


@pytest.fixture(scope="session")
def s3_auth() -> S3Server:
    """A second moto server that checks credentials (see ``moto_auth_server``)."""
    pytest.importorskip("s3fs")
    return moto_auth_server()
