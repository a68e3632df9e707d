"""Codecs: the three codec kinds, the registry, the bound codec chain and built-in codecs.

Example:
    >>> from simplezarr.codecs import codec_from_json
    >>> codec_from_json({"name": "zstd", "configuration": {"level": 3, "checksum": False}})
    ZstdCodec(level=3, checksum=False)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simplezarr.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
)
from simplezarr.codecs.bytes import BytesCodec, Endian
from simplezarr.codecs.cast_value import CastValue
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.crc32c import Crc32cCodec
from simplezarr.codecs.gzip import GzipCodec
from simplezarr.codecs.registry import (
    codec_from_json,
    get_codec_class,
    known_codec_names,
    register_codec,
)
from simplezarr.codecs.scale_offset import ScaleOffset
from simplezarr.codecs.sharding import (
    ShardingCodec,
    ShardingCodecIndexLocation,
    SubchunkWriteOrder,
)
from simplezarr.codecs.transpose import TransposeCodec

if TYPE_CHECKING:
    from simplezarr.codecs import numcodecs
    from simplezarr.codecs.blosc import BloscCname, BloscCodec, BloscShuffle
    from simplezarr.codecs.numcodecs_codecs import (
        NumcodecsArrayArrayCodec,
        NumcodecsArrayBytesCodec,
        NumcodecsBytesBytesCodec,
        NumcodecsCodec,
        numcodecs_codec_class,
    )
    from simplezarr.codecs.v2 import V2Codec
    from simplezarr.codecs.vlen import VLenBytesCodec, VLenUTF8Codec
    from simplezarr.codecs.zstd import ZstdCodec

#: Names whose modules import numcodecs (about 30 ms after numpy), imported on first access
#: so that ``import simplezarr`` does not pay for it: an array of uncompressed, gzip or
#: crc32c chunks never needs numcodecs.
_LAZY = {
    "numcodecs": "simplezarr.codecs.numcodecs",
    "BloscCname": "simplezarr.codecs.blosc",
    "BloscCodec": "simplezarr.codecs.blosc",
    "BloscShuffle": "simplezarr.codecs.blosc",
    "NumcodecsArrayArrayCodec": "simplezarr.codecs.numcodecs_codecs",
    "NumcodecsArrayBytesCodec": "simplezarr.codecs.numcodecs_codecs",
    "NumcodecsBytesBytesCodec": "simplezarr.codecs.numcodecs_codecs",
    "NumcodecsCodec": "simplezarr.codecs.numcodecs_codecs",
    "numcodecs_codec_class": "simplezarr.codecs.numcodecs_codecs",
    "V2Codec": "simplezarr.codecs.v2",
    "VLenBytesCodec": "simplezarr.codecs.vlen",
    "VLenUTF8Codec": "simplezarr.codecs.vlen",
    "ZstdCodec": "simplezarr.codecs.zstd",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simplezarr.codecs' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if name == "numcodecs" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "BytesBytesCodec",
    "BytesCodec",
    "CastValue",
    "ChunkSpec",
    "Codec",
    "CodecChain",
    "Crc32cCodec",
    "Endian",
    "GzipCodec",
    "NumcodecsArrayArrayCodec",
    "NumcodecsArrayBytesCodec",
    "NumcodecsBytesBytesCodec",
    "NumcodecsCodec",
    "ScaleOffset",
    "ShardingCodec",
    "ShardingCodecIndexLocation",
    "SubchunkWriteOrder",
    "TransposeCodec",
    "V2Codec",
    "VLenBytesCodec",
    "VLenUTF8Codec",
    "ZstdCodec",
    "codec_from_json",
    "get_codec_class",
    "known_codec_names",
    "numcodecs",
    "numcodecs_codec_class",
    "register_codec",
]
