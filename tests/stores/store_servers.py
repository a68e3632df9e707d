"""Real servers for the store tests: moto's S3 server and plain HTTP servers on 127.0.0.1.

Each server runs in a subprocess (moto, ``python -m http.server``) or a thread (the HTTP
server with injected latency) and is stopped when the test session ends. Under pytest-xdist
every worker process starts its own. No port is picked in advance (another worker could take
it before the server binds it): every server binds port 0 and the port it got is read back
from its own startup line (subprocesses) or its socket (threads).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
BUCKET = "simplezarr-test"


def closed_port() -> int:
    """A port nothing listened on a moment ago: for tests of refused connections only."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_on_port_zero(
    command: list[str], pattern: str, env: dict[str, str] | None = None, timeout: float = 30
) -> tuple[subprocess.Popen[bytes], int, Any]:
    """Start ``command`` (which binds port 0) with its output in a temporary file and read
    the port it bound from the first match of ``pattern`` there. Returns the process, the
    port and a function that stops the process and removes the file."""
    fd, log_path = tempfile.mkstemp(prefix="simplezarr-server-", suffix=".log")
    proc = subprocess.Popen(command, stdout=fd, stderr=fd, env=env)
    os.close(fd)

    def stop() -> None:
        _stop(proc)
        with contextlib.suppress(OSError):
            os.unlink(log_path)

    deadline = time.monotonic() + timeout
    try:
        while True:
            with open(log_path, "rb") as log:
                match = re.search(pattern.encode(), log.read())
            if match:
                return proc, int(match.group(1)), stop
            if proc.poll() is not None:
                raise RuntimeError(f"{command[:3]} exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[:3]} did not report its port within {timeout} s")
            time.sleep(0.05)
    except BaseException:
        stop()
        raise


def _wait_until_up(url: str, proc: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers: up
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not come up within {timeout} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class S3Server:
    """A moto S3 server in a subprocess and the credentials to use it."""

    endpoint: str
    process: subprocess.Popen[bytes]
    stopper: Any = None
    key: str = "testing"
    secret: str = "testing"
    extra: dict[str, Any] = field(default_factory=dict)

    def fsspec_options(self, key: str | None = None, secret: str | None = None) -> dict[str, Any]:
        return {
            "key": key or self.key,
            "secret": secret or self.secret,
            "endpoint_url": self.endpoint,
            "client_kwargs": {"region_name": REGION},
        }

    def obstore_options(self, key: str | None = None, secret: str | None = None) -> dict[str, Any]:
        return {
            "config": {
                "endpoint": self.endpoint,
                "access_key_id": key or self.key,
                "secret_access_key": secret or self.secret,
                "region": REGION,
            },
            "client_options": {"allow_http": True},
        }

    def boto(self, service: str = "s3", key: str | None = None, secret: str | None = None) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=key or self.key,
            aws_secret_access_key=secret or self.secret,
        )

    def new_prefix(self) -> str:
        """A fresh, empty location in the test bucket: ``BUCKET/<random>``."""
        return f"{BUCKET}/{uuid.uuid4().hex[:12]}"

    def stop(self) -> None:
        if self.stopper is not None:
            self.stopper()
        else:
            _stop(self.process)


def _start_moto(env: dict[str, str] | None = None) -> S3Server:
    pytest.importorskip("moto.server")
    pytest.importorskip("boto3")
    proc, port, stop = _start_on_port_zero(
        [
            sys.executable,
            str(Path(__file__).with_name("moto_atomic.py")),
            "-H",
            "127.0.0.1",
            "-p",
            "0",
        ],
        r"Running on http://127\.0\.0\.1:(\d+)",
        env={**os.environ, **(env or {})},
    )
    server = S3Server(f"http://127.0.0.1:{port}", proc, stop)
    atexit.register(server.stop)
    try:
        _wait_until_up(server.endpoint + "/moto-api/", proc)
    except BaseException:
        server.stop()
        raise
    return server


@functools.cache
def moto_server() -> S3Server:
    """The S3 server of this process (started on first use), with the test bucket."""
    server = _start_moto()
    server.boto().create_bucket(Bucket=BUCKET)
    return server


@functools.cache
def moto_auth_server() -> S3Server:
    """An S3 server that checks credentials: ``key``/``secret`` may do everything, the
    ``extra["reader"]`` credentials may only read and list. Bucket ``secure`` holds
    ``data/zarr.json``."""
    server = _start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    iam = server.boto("iam", "bootstrap", "bootstrap")  # the 3 actions without auth
    iam.create_user(UserName="admin")
    admin = iam.create_access_key(UserName="admin")["AccessKey"]
    allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    iam.put_user_policy(
        UserName="admin",
        PolicyName="all",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow_all]}),
    )
    server.key, server.secret = admin["AccessKeyId"], admin["SecretAccessKey"]
    iam = server.boto("iam")
    iam.create_user(UserName="reader")
    reader = iam.create_access_key(UserName="reader")["AccessKey"]
    read_only = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
    iam.put_user_policy(
        UserName="reader",
        PolicyName="read",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read_only]}),
    )
    server.extra["reader"] = (reader["AccessKeyId"], reader["SecretAccessKey"])
    s3 = server.boto()
    s3.create_bucket(Bucket="secure")
    s3.put_object(Bucket="secure", Key="data/zarr.json", Body=b'{"zarr_format": 3}')
    return server


def stop_started_servers() -> None:
    for getter in (moto_server, moto_auth_server):
        if getter.cache_info().currsize:
            getter().stop()
            getter.cache_clear()


@dataclass
class HttpServer:
    url: str
    stop: Any


def start_directory_server(directory: Path) -> HttpServer:
    """``python -m http.server`` serving ``directory``: plain, no Range support."""
    proc, port, stop = _start_on_port_zero(
        [
            sys.executable,
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
        ],
        r"Serving HTTP on 127\.0\.0\.1 port (\d+)",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", proc)
    except BaseException:
        stop()
        raise
    return HttpServer(url, stop)


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    delay = 0.0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.delay)
        super().do_GET()

    def do_HEAD(self) -> None:
        time.sleep(self.delay)
        super().do_HEAD()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def start_latency_server(directory: Path, delay: float) -> HttpServer:
    """A threaded HTTP server serving ``directory`` that waits ``delay`` s per request."""
    handler = type("Handler", (_SlowHandler,), {"delay": delay})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return HttpServer(f"http://127.0.0.1:{server.server_address[1]}", stop)
