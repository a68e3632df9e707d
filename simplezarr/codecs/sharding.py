"""The ``sharding_indexed`` codec: many inner chunks stored in one object with an index.

A shard is the inner chunks' encoded bytes, back to back, plus an index: for each inner chunk
(C order) a pair of little-endian uint64 ``(offset, nbytes)``, both ``2**64 - 1`` when the
inner chunk is absent. The index is encoded with its own fixed-size codecs and sits at the
start or the end of the shard.

Sharding changes *where chunk bytes come from*: a :class:`ShardLayout` (the codec bound to one
shard spec) decodes and checks the index, assembles and splits shards, and holds the inner
codec chain. The engine's shard source (:mod:`simplezarr.engine.shards`) reads the index, then
only the inner chunks a selection needs, and decodes them with the ordinary inner chain. The
codec's own ``encode``/``decode`` handle whole shards, which is what a chain with other codecs
around the sharding codec needs.

Example:
    >>> from simplezarr.codecs import codec_from_json
    >>> c = codec_from_json({"name": "sharding_indexed", "configuration": {
    ...     "chunk_shape": [2, 2], "codecs": [{"name": "bytes"}],
    ...     "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}]}})
    >>> c.chunk_shape
    (2, 2)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from math import prod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from simplezarr.codecs.base import ArrayBytesCodec, BytesLike, ChunkSpec, Codec
from simplezarr.codecs.bytes import BytesCodec
from simplezarr.codecs.chain import CodecChain
from simplezarr.codecs.crc32c import Crc32cCodec
from simplezarr.codecs.options import enum_value
from simplezarr.codecs.registry import codec_from_json
from simplezarr.dtypes import from_numpy
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata, quote
from simplezarr.fill import is_all_fill

if TYPE_CHECKING:
    from typing import Self

MISSING = 2**64 - 1


class ShardingCodecIndexLocation(Enum):
    """Where a shard's index is, as zarr-python's ``zarr.codecs.ShardingCodecIndexLocation``."""

    start = "start"
    end = "end"


#: zarr-python 3.4's orders of the inner chunks inside a shard's bytes (a write setting, not
#: metadata: every order reads the same, through the index).
SubchunkWriteOrder = Literal["morton", "unordered", "lexicographic", "colexicographic"]
SUBCHUNK_WRITE_ORDERS: tuple[str, ...] = ("morton", "unordered", "lexicographic", "colexicographic")


@functools.lru_cache(maxsize=64)
def write_order(grid: tuple[int, ...], order: str = "morton") -> tuple[int, ...]:
    """C-order flat indices of a grid's cells in the order ``order`` writes them.

    Example:
        >>> write_order((2, 2), "morton"), write_order((2, 3), "colexicographic")
        ((0, 2, 1, 3), (0, 3, 1, 4, 2, 5))
    """
    if order == "morton":
        return morton_order(grid)
    n = prod(grid)
    if order == "colexicographic":
        return tuple(int(i) for i in np.arange(n).reshape(grid).ravel(order="F"))
    return tuple(range(n))  # lexicographic; "unordered" promises nothing and is the same


@functools.lru_cache(maxsize=64)
def morton_order(grid: tuple[int, ...]) -> tuple[int, ...]:
    """C-order flat indices of a grid's cells in Morton (Z-curve) order.

    Inner chunks are written in this order, as zarr-python writes them, so that shards
    are byte-identical across implementations. A cell's code interleaves the bits of its
    coordinates, lowest bit first, dimension 0 first; dimensions that need fewer bits
    drop out of the higher levels.

    Example:
        >>> morton_order((2, 2))
        (0, 2, 1, 3)
    """
    n = prod(grid)
    if n == 0:
        return ()
    coords = np.indices(grid, dtype=np.int64).reshape(len(grid), n)
    bits = [(g - 1).bit_length() for g in grid]
    code = np.zeros(n, dtype=np.int64)
    out_bit = 0
    for level in range(max(bits, default=0)):
        for dim, nbits in enumerate(bits):
            if level < nbits:
                code |= ((coords[dim] >> level) & 1) << out_bit
                out_bit += 1
    return tuple(int(i) for i in np.argsort(code, kind="stable"))


def _parse_codecs(value: Any, what: str) -> tuple[Codec, ...]:
    if isinstance(value, Iterable) and not isinstance(value, list | tuple | str | dict):
        value = tuple(value)
    if not isinstance(value, list | tuple) or not value:
        raise InvalidMetadata(f"sharding_indexed: {quote(what)} must be a non-empty list of codecs")
    return tuple(
        v
        if isinstance(v, Codec)
        else codec_from_json(v.to_dict() if hasattr(v, "to_dict") else v)  # zarr-python's
        for v in value
    )


@dataclass(frozen=True, kw_only=True)
class ShardingCodec(ArrayBytesCodec):
    """Stores a shard's inner chunks in one value with an index (Zarr v3 sharding).

    Keywords and defaults as zarr-python's: ``codecs`` defaults to ``(BytesCodec(),)``,
    ``index_codecs`` to ``(BytesCodec(), Crc32cCodec())``, ``index_location`` to ``"end"``
    (a :class:`ShardingCodecIndexLocation` too); codecs may be codec objects or JSON dicts.
    ``subchunk_write_order`` (zarr-python 3.4's; not part of the metadata) is the physical
    order of inner chunks in written shards: ``"morton"`` (the default, zarr-python's),
    ``"lexicographic"`` (C order), ``"colexicographic"`` (F order) or ``"unordered"``.

    Example:
        >>> ShardingCodec(chunk_shape=[32, 32]).to_dict()["configuration"]["index_codecs"]
        [{'name': 'bytes', 'configuration': {'endian': 'little'}}, {'name': 'crc32c'}]
    """

    name: ClassVar[str] = "sharding_indexed"

    chunk_shape: tuple[int, ...]
    codecs: tuple[Codec, ...] = (BytesCodec(),)
    index_codecs: tuple[Codec, ...] = (BytesCodec(), Crc32cCodec())
    index_location: Literal["start", "end"] = "end"
    subchunk_write_order: SubchunkWriteOrder = "morton"

    def __post_init__(self) -> None:
        shape = self.chunk_shape
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, list | tuple) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape
        ):
            raise InvalidMetadata(
                f"sharding_indexed: chunk_shape must be a list of positive integers, got {shape!r}"
            )
        object.__setattr__(self, "chunk_shape", tuple(int(s) for s in shape))
        object.__setattr__(self, "codecs", _parse_codecs(self.codecs, "codecs"))
        object.__setattr__(self, "index_codecs", _parse_codecs(self.index_codecs, "index_codecs"))
        location = enum_value(self.index_location)
        if location not in ("start", "end"):
            raise InvalidMetadata(
                f"sharding_indexed: index_location must be 'start' or 'end', got {location!r}"
            )
        object.__setattr__(self, "index_location", location)
        order = enum_value(self.subchunk_write_order)
        if order not in SUBCHUNK_WRITE_ORDERS:
            raise InvalidMetadata(
                f"sharding_indexed: subchunk_write_order must be one of "
                f"{list(SUBCHUNK_WRITE_ORDERS)}, got {quote(order)}"
            )
        object.__setattr__(self, "subchunk_write_order", order)

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        if not isinstance(configuration, dict):
            raise InvalidMetadata("sharding_indexed: configuration must be an object")
        known = {"chunk_shape", "codecs", "index_codecs", "index_location"}
        unknown = set(configuration) - known
        if unknown:
            raise InvalidMetadata(f"sharding_indexed: unknown configuration keys {sorted(unknown)}")
        shape = configuration.get("chunk_shape")
        if not isinstance(shape, list | tuple) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape
        ):
            raise InvalidMetadata(
                f"sharding_indexed: chunk_shape must be a list of positive integers, got {quote(shape)}"
            )
        location = configuration.get("index_location", "end")
        if location not in ("start", "end"):
            raise InvalidMetadata(
                f"sharding_indexed: index_location must be 'start' or 'end', got {quote(location)}"
            )
        if "codecs" not in configuration:
            raise InvalidMetadata("sharding_indexed: configuration needs 'codecs'")
        index_codecs = configuration.get(
            "index_codecs",
            [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
        )
        return cls(
            chunk_shape=tuple(shape),
            codecs=_parse_codecs(configuration["codecs"], "codecs"),
            index_codecs=_parse_codecs(index_codecs, "index_codecs"),
            index_location=location,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "configuration": {
                "chunk_shape": list(self.chunk_shape),
                "codecs": [c.to_dict() for c in self.codecs],
                "index_codecs": [c.to_dict() for c in self.index_codecs],
                "index_location": self.index_location,
            },
        }

    def resolve(self, spec: ChunkSpec) -> Self:
        return ShardLayout(self, spec).codec  # type: ignore[return-value]

    def shard_layout(self, spec: ChunkSpec) -> ShardLayout:
        return ShardLayout(self, spec)

    # Whole shards: what a chain with other codecs around this one needs. The engine reads
    # and writes the shards of a chain that is this codec alone through CodecChain.shard.

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        layout = ShardLayout(self, spec)
        encoded: dict[int, BytesLike] = {}
        for flat, region in enumerate(layout.inner_regions()):
            inner = chunk[region]
            if not layout.is_fill(inner):
                data = layout.inner_chain.encode(inner)
                if data is not None:
                    encoded[flat] = data
        return layout.assemble(encoded)

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        layout = ShardLayout(self, spec)
        buf = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        index = layout.decode_index(layout.index_bytes(buf), len(buf))
        out = np.full(spec.shape, spec.fill_value, dtype=spec.dtype.numpy, order=spec.order)
        for flat, region in enumerate(layout.inner_regions()):
            offset, nbytes = layout.entry(index, flat)
            if offset == MISSING:
                continue
            out[region] = layout.inner_chain.decode(buf[offset : offset + nbytes])
        return out


class ShardLayout:
    """A sharding codec bound to one shard spec: where inner chunks live and how to decode them."""

    def __init__(self, codec: ShardingCodec, spec: ChunkSpec) -> None:
        if len(codec.chunk_shape) != len(spec.shape):
            raise InvalidMetadata(
                f"sharding_indexed: inner chunk_shape {list(codec.chunk_shape)} has rank "
                f"{len(codec.chunk_shape)} but the shard shape {list(spec.shape)} has rank "
                f"{len(spec.shape)}"
            )
        if any(s % c for s, c in zip(spec.shape, codec.chunk_shape, strict=True)):
            raise InvalidMetadata(
                f"sharding_indexed: the shard shape {list(spec.shape)} must be a multiple of the "
                f"inner chunk_shape {list(codec.chunk_shape)} in every dimension"
            )
        self.spec = spec
        self.index_location = codec.index_location
        self.write_order = codec.subchunk_write_order
        self.inner_shape = codec.chunk_shape
        self.chunks_per_shard = tuple(
            s // c for s, c in zip(spec.shape, codec.chunk_shape, strict=True)
        )
        self.n_inner = prod(self.chunks_per_shard)
        inner_spec = ChunkSpec(codec.chunk_shape, spec.dtype, spec.fill_value, "C")
        self.inner_chain: CodecChain = CodecChain(codec.codecs, inner_spec)
        index_spec = ChunkSpec(self.chunks_per_shard + (2,), from_numpy("uint64"), MISSING, "C")
        self.index_chain: CodecChain = CodecChain(codec.index_codecs, index_spec)
        size = self.index_chain.encoded_size
        if size is None:
            raise InvalidMetadata(
                "sharding_indexed: index_codecs must have a fixed encoded size "
                "(e.g. bytes, optionally followed by crc32c); compressors are not allowed"
            )
        self.index_size: int = size
        #: The codec with its inner codecs resolved (blosc typesize, ...), so ``to_dict``
        #: writes what is used; the layout is what validated it.
        self.codec: ShardingCodec = dataclasses.replace(
            codec, codecs=self.inner_chain.codecs, index_codecs=self.index_chain.codecs
        )

    # -- index ------------------------------------------------------------------------

    def index_range(self) -> tuple[int, int | None]:
        """The byte range of the index inside a shard, as a store byte range."""
        if self.index_location == "start":
            return (0, self.index_size)
        return (-self.index_size, None)

    def index_bytes(self, shard: BytesLike) -> BytesLike:
        n = len(shard)
        if n < self.index_size:
            raise CorruptChunk(f"shard is {n} bytes, shorter than its {self.index_size}-byte index")
        return (
            shard[: self.index_size]
            if self.index_location == "start"
            else shard[n - self.index_size :]
        )

    def decode_index(self, data: BytesLike, shard_size: int | None = None) -> np.ndarray:
        """Decode and check an index: a (n_inner, 2) uint64 array of (offset, nbytes).

        With ``shard_size`` known, every entry must lie inside the shard's data region;
        without it (index fetched alone), entries are checked for overflow and later reads
        are checked for truncation.
        """
        if len(data) != self.index_size:
            raise CorruptChunk(f"shard index is {len(data)} bytes, expected {self.index_size}")
        index = self.index_chain.decode(data).reshape(self.n_inner, 2)
        missing = (index[:, 0] == MISSING) & (index[:, 1] == MISSING)
        present = index[~missing] if missing.any() else index  # a full shard: no copy
        if present.size:
            offsets, sizes = present[:, 0], present[:, 1]
            if (offsets > np.uint64(MISSING) - sizes).any():
                raise CorruptChunk("shard index entry overflows: offset + nbytes > 2**64 - 1")
            min_off, max_end = int(offsets.min()), int((offsets + sizes).max())
            lo = self.index_size if self.index_location == "start" else 0
            if shard_size is not None:
                hi = shard_size - (self.index_size if self.index_location == "end" else 0)
                if min_off < lo or max_end > hi:
                    raise CorruptChunk(
                        f"shard index points outside the shard's data (bytes {lo}..{hi}): "
                        f"entries span {min_off}..{max_end}"
                    )
            elif min_off < lo or max_end >= 2**63:
                raise CorruptChunk(
                    f"shard index entries span {min_off}..{max_end}, outside any valid shard"
                )
        return index

    @staticmethod
    def entry(index: np.ndarray, flat: int) -> tuple[int, int]:
        offset, nbytes = int(index[flat, 0]), int(index[flat, 1])
        if offset == MISSING and nbytes == MISSING:
            return MISSING, 0
        return offset, nbytes

    def flat_index(self, local: tuple[int, ...]) -> int:
        return int(np.ravel_multi_index(local, self.chunks_per_shard))

    # -- whole shards -----------------------------------------------------------------

    def inner_regions(self) -> list[tuple[slice, ...]]:
        return [
            tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, self.inner_shape, strict=True))
            for coords in np.ndindex(*self.chunks_per_shard)
        ]

    def is_fill(self, chunk: np.ndarray) -> bool:
        return is_all_fill(chunk, self.spec.fill_value)

    def assemble(self, encoded: dict[int, BytesLike], keep_empty: bool = False) -> bytes | None:
        """Build shard bytes from encoded inner chunks keyed by flat index (C order); the
        chunks are laid out in the codec's ``subchunk_write_order`` (Morton order, as
        zarr-python does, unless told otherwise). None for no chunks, unless
        ``keep_empty`` (then only the index, every entry missing)."""
        if not encoded and not keep_empty:
            return None
        index = np.full((self.n_inner, 2), MISSING, dtype=np.uint64)
        offset = self.index_size if self.index_location == "start" else 0
        parts: list[BytesLike] = []
        for flat in write_order(self.chunks_per_shard, self.write_order):
            data = encoded.get(flat)
            if data is None:
                continue
            index[flat] = (offset, len(data))
            parts.append(data)
            offset += len(data)
        encoded_index = self.index_chain.encode(index.reshape(self.chunks_per_shard + (2,)))
        if encoded_index is None:
            raise CodecError(
                "sharding_indexed: the index codecs encoded the shard index to nothing"
            )
        index_bytes = bytes(encoded_index)
        if self.index_location == "start":
            parts.insert(0, index_bytes)
        else:
            parts.append(index_bytes)
        return b"".join(parts)

    def split(self, shard: BytesLike) -> dict[int, BytesLike]:
        """The encoded inner chunks of a whole shard, keyed by flat index."""
        buf = memoryview(shard).cast("B")
        index = self.decode_index(self.index_bytes(buf), len(buf))
        out: dict[int, BytesLike] = {}
        for flat in range(self.n_inner):
            offset, nbytes = self.entry(index, flat)
            if offset != MISSING:
                out[flat] = buf[offset : offset + nbytes]
        return out
