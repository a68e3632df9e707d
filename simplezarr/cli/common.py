"""What the commands share: opening the stores that paths and URLs name, and parsing the
values of options (shapes, compressors, storage options, sizes)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any

from simplezarr.errors import InvalidArgument
from simplezarr.nodes import ZarrNode, open_zarr
from simplezarr.stores import from_url
from simplezarr.stores.base import BaseStore
from simplezarr.stores.zip import ZipStore

__all__ = [
    "add_path_option",
    "add_store_options",
    "open_node",
    "open_store",
    "parse_compressor",
    "parse_shape",
    "parse_size",
    "storage_options",
]


def add_store_options(parser: argparse.ArgumentParser, dest: bool = False) -> None:
    """``-o/--storage-option`` (and ``--dst-option`` for a command with a destination)."""
    parser.add_argument(
        "-o",
        "--storage-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option of the stores of URLs (credentials, endpoint_url, ...; local paths "
        "take none); VALUE is read as JSON when it parses (true, 3, {...}), else as text; "
        "repeat for several",
    )
    if dest:
        parser.add_argument(
            "--dst-option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="an option for the destination only (added to --storage-option's)",
        )
    parser.add_argument(
        "--client",
        choices=("auto", "obstore", "fsspec"),
        default=None,
        help="the library for s3://, gs://, az:// and https:// URLs (default: "
        "config.remote_client, 'auto': obstore when installed)",
    )


def storage_options(pairs: list[str]) -> dict[str, Any]:
    """``["key=value", ...]`` as a dict; values JSON when they parse.

    Example:
        >>> storage_options(["anon=true", "endpoint_url=http://h:9000"])
        {'anon': True, 'endpoint_url': 'http://h:9000'}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InvalidArgument(f"a storage option is KEY=VALUE, got {pair!r}")
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def _is_zip(location: str) -> bool:
    return "://" not in location and location.lower().endswith(".zip")


def open_store(
    location: str,
    options: dict[str, Any],
    *,
    write: bool = False,
    client: str | None = None,
) -> BaseStore:
    """The store a path or URL names; a local ``.zip`` file is a ZipStore (read, or
    appended to when ``write``: close it to finish the archive). ``options`` apply to URLs
    only (a command's ``-o`` serves both sides of a copy, one of which may be local)."""
    if "://" not in location:
        options = {}
    if _is_zip(location):
        if not write and not os.path.isfile(location):
            raise InvalidArgument(f"no ZIP file at {location!r}")
        return ZipStore(location, mode="a" if write else "r")
    if not write and "://" not in location and not os.path.exists(location):
        raise InvalidArgument(f"nothing at {location!r}: no such file or directory")
    return from_url(location, storage_options=options or None, read_only=not write, client=client)


def add_path_option(parser: argparse.ArgumentParser, name: str = "--path") -> None:
    """``--path NODE`` (attribute ``node``), or ``--src-path`` / ``--dst-path``."""
    parser.add_argument(
        name,
        dest="node" if name == "--path" else name.lstrip("-").replace("-", "_"),
        default="",
        metavar="NODE",
        help="the node inside the store (a .zip file's or URL's), e.g. group/array; "
        "default: the root",
    )


@contextlib.contextmanager
def open_node(
    location: str, options: dict[str, Any], client: str | None, path: str = ""
) -> Iterator[ZarrNode]:
    """The array or group at ``path`` of the store at ``location``, opened read-only."""
    store = open_store(location, options, client=client)
    try:
        yield open_zarr(store, path)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def parse_shape(text: str) -> tuple[int, ...]:
    """``"100,200"`` as ``(100, 200)``.

    Example:
        >>> parse_shape("100, 20")
        (100, 20)
    """
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a shape: write positive integers separated by commas (100,100)"
        ) from None
    if not shape or any(n < 1 for n in shape):
        raise argparse.ArgumentTypeError(f"{text!r}: every length must be at least 1")
    return shape


def parse_shards(text: str) -> tuple[int, ...] | None:
    """``"none"`` (no sharding) or a shape."""
    return None if text.lower() == "none" else parse_shape(text)


_UNITS = {"": 1, "b": 1, "k": 2**10, "kib": 2**10, "m": 2**20, "mib": 2**20, "g": 2**30}
_UNITS["gib"] = 2**30


def parse_size(text: str) -> int:
    """``"64MiB"``, ``"512k"``, ``"1000"`` in bytes.

    Example:
        >>> parse_size("64MiB"), parse_size("2k")
        (67108864, 2048)
    """
    raw = text.strip().lower()
    digits = raw.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = raw[len(digits) :]
    if unit not in _UNITS or not digits.strip().isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 64MiB, 512k, 1000)")
    return int(digits) * _UNITS[unit]


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_compressor(text: str) -> tuple[str, dict[str, Any]] | None:
    """``"none"``, or ``name[:key=value,...]`` as (name, configuration).

    Example:
        >>> parse_compressor("zstd:level=3"), parse_compressor("none")
        (('zstd', {'level': 3}), None)
        >>> parse_compressor("blosc:cname=lz4,clevel=5")
        ('blosc', {'cname': 'lz4', 'clevel': 5})
    """
    if text.lower() == "none":
        return None
    name, _, rest = text.partition(":")
    config: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(
                f"{text!r}: compressor settings are key=value (zstd:level=3)"
            )
        config[key.strip()] = _value(raw.strip())
    if not name:
        raise argparse.ArgumentTypeError(f"{text!r} names no compressor (zstd, blosc, gzip, none)")
    return name.strip(), config


def compressor_for(spec: tuple[str, dict[str, Any]] | None, zarr_format: int) -> Any:
    """A parsed compressor as ``compressors=`` takes it for an array of ``zarr_format``."""
    if spec is None:
        return None
    name, config = spec
    if zarr_format == 2:
        return [{"id": name, **config}]
    return [{"name": name, "configuration": config}]
