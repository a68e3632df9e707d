"""URLs of object stores open through obstore when it is installed and through fsspec
otherwise, or as ``client=`` / ``config.remote_client`` says; tried on moto's S3 server."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr import config
from simplezarr.errors import InvalidArgument
from simplezarr.stores import FsspecStore, ObjectStore, from_url


def _options(s3: Any) -> dict[str, Any]:
    return s3.fsspec_options()  # fsspec's names: key, secret, endpoint_url, client_kwargs


def test_auto_takes_obstore_with_fsspec_options(s3: Any) -> None:
    pytest.importorskip("obstore")
    url = f"s3://{s3.new_prefix()}/a.zarr"
    store = from_url(url, storage_options=_options(s3))
    assert isinstance(store, ObjectStore)
    a = simplezarr.create_array(store, shape=(20,), chunks=(5,), dtype="i2")
    a[:] = np.arange(20)
    # read back through the other client: the same bytes under the same keys
    other = from_url(url, storage_options=_options(s3), client="fsspec", read_only=True)
    assert isinstance(other, FsspecStore)
    np.testing.assert_array_equal(simplezarr.open_array(other, mode="r")[:], np.arange(20))
    assert sorted(other.list()) == sorted(store.list())


def test_choosing_the_client(s3: Any) -> None:
    pytest.importorskip("obstore")
    url = f"s3://{s3.new_prefix()}/x.zarr"
    with config.set(remote_client="fsspec"):
        assert isinstance(from_url(url, storage_options=_options(s3)), FsspecStore)
        assert isinstance(
            from_url(url, storage_options=_options(s3), client="obstore"), ObjectStore
        )
    # an fsspec option obstore has no meaning for: auto falls back, obstore refuses
    odd = {**_options(s3), "default_block_size": 2**20}
    assert isinstance(from_url(url, storage_options=odd), FsspecStore)
    with pytest.raises(InvalidArgument, match="no obstore meaning"):
        from_url(url, storage_options=odd, client="obstore")
    with pytest.raises(InvalidArgument, match="client"):
        from_url(url, client="boto")
    # obstore's own options pass as they are
    assert isinstance(from_url(url, storage_options=s3.obstore_options()), ObjectStore)
    # other schemes stay with fsspec
    assert isinstance(from_url("memory://remote-client-test"), FsspecStore)


def test_the_environment_variable_sets_the_default() -> None:
    code = "from simplezarr import config; print(config.remote_client)"
    env = {"SIMPLEZARR_REMOTE_CLIENT": "fsspec", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "fsspec", out.stderr
    env["SIMPLEZARR_REMOTE_CLIENT"] = "nope"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "SIMPLEZARR_REMOTE_CLIENT" in out.stderr


def test_without_obstore_auto_is_fsspec(s3: Any) -> None:
    code = f"""
import sys
sys.modules["obstore"] = None
from simplezarr.stores import from_url
print(type(from_url("s3://{s3.new_prefix()}", storage_options={_options(s3)!r})).__name__)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "FsspecStore", out.stderr
