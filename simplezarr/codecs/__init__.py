"""Codecs: the three codec kinds, the registry, the bound codec chain and built-in codecs.

Example:
    >>> from simplezarr.codecs import codec_from_json
    >>> codec_from_json({"name": "zstd", "configuration": {"level": 3, "checksum": False}})
    ZstdCodec(level=3, checksum=False)
"""

from simplezarr.codecs import numcodecs
from simplezarr.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
)
from simplezarr.codecs.blosc import BloscCname, BloscCodec, BloscShuffle
from simplezarr.codecs.bytes import BytesCodec, Endian
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.crc32c import Crc32cCodec
from simplezarr.codecs.gzip import GzipCodec
from simplezarr.codecs.numcodecs_codecs import (
    NumcodecsArrayArrayCodec,
    NumcodecsArrayBytesCodec,
    NumcodecsBytesBytesCodec,
    NumcodecsCodec,
    numcodecs_codec_class,
)
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
from simplezarr.codecs.v2 import V2Codec
from simplezarr.codecs.vlen import VLenBytesCodec, VLenUTF8Codec
from simplezarr.codecs.zstd import ZstdCodec

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BloscCname",
    "BloscCodec",
    "BloscShuffle",
    "BytesBytesCodec",
    "BytesCodec",
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
