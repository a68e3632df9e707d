"""Codec registry: codec name -> codec class, and building codecs from their JSON.

Built-in codecs are listed by module path and imported on first use. Third-party codecs
register with :func:`register_codec` or through the entry point group ``simplezarr.codecs``
(``name = "package.module:CodecClass"``), which is loaded the first time a name is unknown.
Any name ``numcodecs.<id>`` maps to a wrapper around the numcodecs codec ``<id>``.

Example:
    >>> codec_from_json({"name": "gzip", "configuration": {"level": 1}})
    GzipCodec(level=1)
    >>> codec_from_json("crc32c").to_dict()
    {'name': 'crc32c'}
    >>> get_codec_class("bytes").__name__
    'BytesCodec'
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from simplezarr.codecs.base import Codec
from simplezarr.errors import InvalidMetadata, UnknownCodec, quote
from simplezarr.named import parse_named

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = [
    "ENTRY_POINT_GROUP",
    "codec_from_json",
    "get_codec_class",
    "known_codec_names",
    "register_codec",
]

ENTRY_POINT_GROUP = "simplezarr.codecs"

#: Built-in codecs, imported lazily so importing the registry stays cheap and the sharding
#: codec (which itself builds codecs through this registry) can live in its own module.
_BUILTIN: dict[str, str] = {
    "bytes": "simplezarr.codecs.bytes:BytesCodec",
    # "endian" is the name the bytes codec had in early drafts of the v3 spec; zarr-python
    # still registers it. It is written back as "bytes".
    "endian": "simplezarr.codecs.bytes:BytesCodec",
    "transpose": "simplezarr.codecs.transpose:TransposeCodec",
    "gzip": "simplezarr.codecs.gzip:GzipCodec",
    "zstd": "simplezarr.codecs.zstd:ZstdCodec",
    "blosc": "simplezarr.codecs.blosc:BloscCodec",
    "crc32c": "simplezarr.codecs.crc32c:Crc32cCodec",
    "vlen-utf8": "simplezarr.codecs.vlen:VLenUTF8Codec",
    "vlen-bytes": "simplezarr.codecs.vlen:VLenBytesCodec",
    "sharding_indexed": "simplezarr.codecs.sharding:ShardingCodec",
    "scale_offset": "simplezarr.codecs.scale_offset:ScaleOffset",
    "cast_value": "simplezarr.codecs.cast_value:CastValue",
}

NUMCODECS_PREFIX = "numcodecs."

# name -> codec class, "module:attr" path, or an entry point (loaded on first use)
_registry: dict[str, type[Codec] | str | EntryPoint] = dict(_BUILTIN)
_entry_points_loaded = False
_lock = threading.RLock()


def register_codec(cls: type[Codec], name: str | None = None) -> type[Codec]:
    """Register a codec class under ``name`` (default ``cls.name``); usable as a decorator.

    Registering a name again replaces the previous class.

    Example:
        >>> from dataclasses import dataclass
        >>> from simplezarr.codecs.base import BytesBytesCodec
        >>> @register_codec
        ... @dataclass(frozen=True)
        ... class Identity(BytesBytesCodec):
        ...     name = "example.identity"
        ...     def encode(self, data): return data
        ...     def decode(self, data, max_size): return data
        >>> codec_from_json({"name": "example.identity"})
        Identity()
    """
    if not (isinstance(cls, type) and issubclass(cls, Codec)):
        raise TypeError(f"register_codec expects a Codec subclass, got {quote(cls)}")
    key = name if name is not None else getattr(cls, "name", None)
    if not isinstance(key, str) or not key:
        raise TypeError(f"codec class {cls.__name__} needs a non-empty str `name`")
    if getattr(cls, "kind", None) not in ("array_array", "array_bytes", "bytes_bytes"):
        raise TypeError(
            f"codec class {cls.__name__} must derive from ArrayArrayCodec, ArrayBytesCodec "
            "or BytesBytesCodec"
        )
    with _lock:
        _registry[key] = cls
    return cls


def known_codec_names() -> list[str]:
    """The registered codec names, sorted (``numcodecs.<id>`` names are implicit)."""
    with _lock:
        return sorted(_registry)


def entry_points(group: str) -> Iterable[EntryPoint]:
    """The installed entry points of ``group``.

    importlib.metadata costs about 15 ms to import and the scan as much again, so it is
    imported here, when a codec name is unknown, never by ``import simplezarr``.
    """
    from importlib import metadata

    return metadata.entry_points(group=group)


def _load_entry_points() -> None:
    global _entry_points_loaded
    with _lock:
        if _entry_points_loaded:
            return
        _entry_points_loaded = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            # Explicit registrations and built-ins win over installed plugins.
            _registry.setdefault(ep.name, ep)


def _materialise(name: str, entry: type[Codec] | str | EntryPoint) -> type[Codec]:
    if isinstance(entry, type):
        return entry
    try:
        if isinstance(entry, str):
            module, _, attr = entry.partition(":")
            cls = getattr(importlib.import_module(module), attr)
        else:
            cls = entry.load()
    except Exception as e:
        raise UnknownCodec(f"codec {quote(name)} is registered but could not be loaded: {e}") from e
    if not (isinstance(cls, type) and issubclass(cls, Codec)):
        raise UnknownCodec(
            f"codec {quote(name)} is registered as {quote(cls)}, which is not a Codec class"
        )
    with _lock:
        _registry[name] = cls
    return cls


def get_codec_class(name: str) -> type[Codec]:
    """The class registered under ``name``; UnknownCodec (listing known names) if none.

    Example:
        >>> get_codec_class("numcodecs.zlib").kind
        'bytes_bytes'
    """
    if not isinstance(name, str):
        raise InvalidMetadata(f"codec name must be a string, got {quote(name)}")
    with _lock:
        entry = _registry.get(name)
    numcodecs_error: UnknownCodec | None = None
    if entry is None and name.startswith(NUMCODECS_PREFIX):
        from simplezarr.codecs.numcodecs_codecs import numcodecs_codec_class

        try:
            return numcodecs_codec_class(name)
        except UnknownCodec as e:
            numcodecs_error = e  # a plugin may still provide it
    if entry is None and not _entry_points_loaded:
        _load_entry_points()
        with _lock:
            entry = _registry.get(name)
    if entry is None and numcodecs_error is not None:
        raise numcodecs_error
    if entry is None:
        raise UnknownCodec(
            f"unknown codec {quote(name)}; known codecs: {', '.join(known_codec_names())}, and "
            f"numcodecs.<id> for any numcodecs codec. Install the package that provides "
            f"{quote(name)} (entry point group {quote(ENTRY_POINT_GROUP)}) or call register_codec()."
        )
    return _materialise(name, entry)


def codec_from_json(data: Any) -> Codec:
    """Build a codec from ``{"name": ..., "configuration": {...}}`` or a bare name string.

    Example:
        >>> codec_from_json({"name": "bytes", "configuration": {"endian": "big"}})
        BytesCodec(endian='big')
    """
    name, configuration = parse_named(data, "codec")
    cls = get_codec_class(name)
    try:
        return cls.from_config(configuration)
    except InvalidMetadata:
        raise
    except (TypeError, ValueError, KeyError) as e:
        raise InvalidMetadata(
            f"codec {quote(name)}: invalid configuration {quote(configuration)}: {e}"
        ) from e
