"""zarr-python's ``zarr.codecs.numcodecs``: the numcodecs codecs as Zarr v3 codec classes.

Each class takes the numcodecs codec's settings as keywords (``Delta(dtype="i4")``) and is a
``numcodecs.<id>`` codec (:mod:`simplezarr.codecs.numcodecs_codecs`), usable wherever
``create_array`` takes filters, a serializer or compressors.

Example:
    >>> LZMA(preset=1).to_dict()
    {'name': 'numcodecs.lzma', 'configuration': {'preset': 1}}
    >>> Delta(dtype="i4").kind
    'array_array'
"""

from __future__ import annotations

from typing import Any

from simplezarr.codecs.numcodecs_codecs import (
    PUBLIC_CLASSES,
    NumcodecsCodec,
    generated_codec_class,
)
from simplezarr.errors import MissingDependency, UnknownCodec

__all__ = [
    "BZ2",
    "CRC32",
    "CRC32C",
    "LZ4",
    "LZMA",
    "ZFPY",
    "Adler32",
    "AsType",
    "BitRound",
    "Blosc",
    "Delta",
    "FixedScaleOffset",
    "Fletcher32",
    "GZip",
    "JenkinsLookup3",
    "PCodec",
    "PackBits",
    "Quantize",
    "Shuffle",
    "Zlib",
    "Zstd",
]


def _keyword_class(public: str, codec_id: str) -> type[NumcodecsCodec]:
    try:
        base = generated_codec_class("numcodecs." + codec_id)
    except UnknownCodec as e:  # an optional package (zfpy, pcodec) is not installed
        error = str(e)

        def _missing(self: Any, *args: Any, **kwargs: Any) -> None:
            raise MissingDependency(f"{public}: {error}")

        return type(public, (NumcodecsCodec,), {"__init__": _missing, "__module__": __name__})

    def __init__(self: Any, configuration: dict[str, Any] | None = None, **codec_config: Any):
        # ``configuration=`` keeps dataclasses.replace (used when resolving) working.
        base.__init__(self, configuration={**(configuration or {}), **codec_config})

    cls = type(public, (base,), {"__init__": __init__, "__module__": __name__})
    cls.__doc__ = f"numcodecs' ``{codec_id}`` as a Zarr v3 codec ``numcodecs.{codec_id}``."
    PUBLIC_CLASSES[codec_id] = cls
    return cls


BZ2 = _keyword_class("BZ2", "bz2")
CRC32 = _keyword_class("CRC32", "crc32")
CRC32C = _keyword_class("CRC32C", "crc32c")
LZ4 = _keyword_class("LZ4", "lz4")
LZMA = _keyword_class("LZMA", "lzma")
ZFPY = _keyword_class("ZFPY", "zfpy")
Adler32 = _keyword_class("Adler32", "adler32")
AsType = _keyword_class("AsType", "astype")
BitRound = _keyword_class("BitRound", "bitround")
Blosc = _keyword_class("Blosc", "blosc")
Delta = _keyword_class("Delta", "delta")
FixedScaleOffset = _keyword_class("FixedScaleOffset", "fixedscaleoffset")
Fletcher32 = _keyword_class("Fletcher32", "fletcher32")
GZip = _keyword_class("GZip", "gzip")
JenkinsLookup3 = _keyword_class("JenkinsLookup3", "jenkins_lookup3")
PCodec = _keyword_class("PCodec", "pcodec")
PackBits = _keyword_class("PackBits", "packbits")
Quantize = _keyword_class("Quantize", "quantize")
Shuffle = _keyword_class("Shuffle", "shuffle")
Zlib = _keyword_class("Zlib", "zlib")
Zstd = _keyword_class("Zstd", "zstd")
