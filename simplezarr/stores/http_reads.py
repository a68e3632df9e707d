"""Reading values over plain HTTP(S), for FsspecStore over fsspec's HTTP file system.

fsspec's HTTP ``cat_file`` cannot tell a server that honoured a ``Range`` header (206)
from one that ignored it and sent the whole value (200), and it follows a redirect from
``.../dir`` to ``.../dir/`` into a directory listing. Both would return wrong bytes, so
reads go through the file system's own aiohttp session here and look at the answer:

- 200 or 206 → the bytes; a 200 to a ranged request is the whole value, sliced here;
- 404 or 410, or a redirect to the same path ending in ``/`` (a directory) → missing;
- 416 (range starts past the end) → ``b""``;
- anything else → :class:`HttpStatusError` (its ``status`` tells transient 5xx/429 apart).

Retries and the mapping to simplezarr errors are the caller's (FsspecStore).

Example:
    >>> range_header((2, 3)), range_header((5, None)), range_header((-4, None))
    ('bytes=2-4', 'bytes=5-', 'bytes=-4')
"""

from __future__ import annotations

from typing import Any

from simplezarr.stores.base import ByteRange, slice_byte_range

__all__ = ["HttpStatusError", "http_get", "http_size", "range_header"]


class HttpStatusError(Exception):
    """An HTTP answer that is neither a value nor "missing".

    Example:
        >>> HttpStatusError(503, "Service Unavailable", "http://h/x").status
        503
    """

    def __init__(self, status: int, reason: str, url: str) -> None:
        super().__init__(f"HTTP {status} {reason} for {url}")
        self.status = status


def range_header(byte_range: ByteRange) -> str:
    """The ``Range`` header of a checked, non-empty byte range.

    Example:
        >>> range_header((0, 1))
        'bytes=0-0'
    """
    if byte_range is None:
        raise ValueError("the whole value needs no Range header")
    start, length = byte_range
    if start < 0:
        return f"bytes={start}"
    return f"bytes={start}-" if length is None else f"bytes={start}-{start + length - 1}"


def _is_directory_redirect(response: Any, url: str) -> bool:
    if not response.history:
        return False
    final = response.url.path
    requested = response.history[0].url.path
    return final.endswith("/") and final.rstrip("/") == requested.rstrip("/")


async def _request(fs: Any, method: str, url: str, headers: dict[str, str]) -> Any:
    import yarl

    session = await fs.set_session()
    kwargs = dict(fs.kwargs)
    merged = {**(kwargs.pop("headers", None) or {}), **headers}
    # encoded=True: the URL is already percent-encoded (FsspecStore quotes each key).
    return session.request(method, yarl.URL(url, encoded=True), headers=merged, **kwargs)


async def http_get(fs: Any, url: str, byte_range: ByteRange) -> bytes | None:
    """The value at ``url`` (or the part ``byte_range`` selects), or None if missing.

    Example (not run: needs a server):
        >>> await http_get(fs, "http://127.0.0.1:8000/a/zarr.json", None)  # doctest: +SKIP
        b'{...}'
    """
    headers = {} if byte_range is None else {"Range": range_header(byte_range)}
    async with await _request(fs, "GET", url, headers) as response:
        status = response.status
        if status in (404, 410) or _is_directory_redirect(response, url):
            return None
        if status == 416:
            return b""
        if status not in (200, 206):
            raise HttpStatusError(status, str(response.reason), url)
        body = bytes(await response.read())
    if status == 200 and byte_range is not None:
        return slice_byte_range(body, byte_range)  # the server ignored Range: whole value
    return body


async def http_size(fs: Any, url: str) -> int | None:
    """The size of the value at ``url`` (a HEAD request), or None if missing.

    Example (not run: needs a server):
        >>> await http_size(fs, "http://127.0.0.1:8000/a/zarr.json")  # doctest: +SKIP
        312
    """
    async with await _request(fs, "HEAD", url, {"Accept-Encoding": "identity"}) as response:
        status = response.status
        if status in (404, 410) or _is_directory_redirect(response, url):
            return None
        if status != 200:
            raise HttpStatusError(status, str(response.reason), url)
        length = response.headers.get("Content-Length")
    if length is not None and length.isdigit():
        return int(length)
    data = await http_get(fs, url, None)  # no length given: count the bytes
    return None if data is None else len(data)
