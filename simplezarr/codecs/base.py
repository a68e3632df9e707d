"""The three kinds of codec and the chunk description they are resolved against.

A codec is a frozen dataclass built from its JSON (``from_config``) and written back
(``to_dict``). Before use it is *resolved* once against the :class:`ChunkSpec` of the
chunk it will see (``resolve``), which fills chunk-dependent defaults (blosc's typesize)
and rejects combinations that cannot work. After that ``encode``/``decode`` are pure
functions on numpy arrays and bytes-like objects.

Example:
    >>> from simplezarr.codecs import codec_from_json
    >>> codec_from_json({"name": "gzip", "configuration": {"level": 5}}).to_dict()
    {'name': 'gzip', 'configuration': {'level': 5}}
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from simplezarr.errors import CorruptChunk

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Self

    from simplezarr.dtypes import DataType

#: Anything a bytes codec accepts: bytes, bytearray, memoryview or a 1-d uint8 ndarray.
BytesLike = Any

CodecKind = Literal["array_array", "array_bytes", "bytes_bytes"]


@dataclass(frozen=True)
class ChunkSpec:
    """What a codec knows about the chunk it encodes: shape, data type, fill value, order.

    ``order`` is the memory layout of the decoded array: always ``"C"`` for Zarr v3;
    Zarr v2 arrays may be stored in ``"F"`` order.
    """

    shape: tuple[int, ...]
    dtype: DataType
    fill_value: Any
    order: Literal["C", "F"] = "C"

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def nbytes(self) -> int | None:
        """Decoded size in bytes, or None for variable-length data types."""
        item = self.dtype.item_size
        return None if item is None else self.size * item


class Codec:
    """Common surface of every codec. Subclasses are frozen dataclasses."""

    #: The name under which the codec is registered and written to metadata.
    name: ClassVar[str]
    kind: ClassVar[CodecKind]

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        """Build from the ``configuration`` object of the JSON; raise InvalidMetadata if bad."""
        if configuration:
            from simplezarr.errors import InvalidMetadata

            raise InvalidMetadata(
                f"codec {cls.name!r} takes no configuration, got {sorted(configuration)}"
            )
        return cls()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from the codec's JSON (zarr-python's name): ``{"name": ..., "configuration":
        {...}}``, whose name must be this codec's.

        Example:
            >>> from simplezarr.codecs import GzipCodec
            >>> GzipCodec.from_dict({"name": "gzip", "configuration": {"level": 1}}).level
            1
        """
        from simplezarr.errors import InvalidMetadata

        name = data.get("name") if isinstance(data, dict) else None
        if name != cls.name:
            raise InvalidMetadata(f"codec {cls.name!r} cannot be built from {data!r}")
        return cls.from_config(data.get("configuration") or {})

    def to_dict(self) -> dict[str, Any]:
        """The codec's JSON as written to ``zarr.json``."""
        return {"name": self.name}

    def resolve(self, spec: ChunkSpec) -> Self:
        """Return this codec with chunk-dependent defaults filled in; validate against spec."""
        return self


class ArrayArrayCodec(Codec):
    """Array to array (e.g. transpose). May change the shape the next codec sees."""

    kind: ClassVar[CodecKind] = "array_array"

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return spec

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - abstract

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        """Invert encode; ``spec`` describes the *decoded* array."""
        raise NotImplementedError  # pragma: no cover - abstract


class ArrayBytesCodec(Codec):
    """Array to bytes (the serializer): exactly one per chain."""

    kind: ClassVar[CodecKind] = "array_bytes"

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        raise NotImplementedError  # pragma: no cover - abstract

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        """Return an array of ``spec.shape`` and ``spec.dtype``; CorruptChunk if data is bad."""
        raise NotImplementedError  # pragma: no cover - abstract

    def encoded_size(self, spec: ChunkSpec) -> int | None:
        """Exact encoded size if it never varies (needed for shard index codecs), else None."""
        return None

    def shard_layout(self, spec: ChunkSpec) -> Any | None:
        """For a codec that stores many inner chunks in one value (``sharding_indexed``):
        the layout through which each inner chunk is read and written on its own; None
        for every other codec."""
        return None

    def encoded_bound(self, spec: ChunkSpec) -> int | None:
        """Largest size a valid encoding of this chunk can have, or None if unbounded."""
        return self.encoded_size(spec)


class BytesBytesCodec(Codec):
    """Bytes to bytes (compressors, checksums)."""

    kind: ClassVar[CodecKind] = "bytes_bytes"

    def encode(self, data: BytesLike) -> BytesLike:
        raise NotImplementedError  # pragma: no cover - abstract

    def decode(self, data: BytesLike, max_size: int | None) -> BytesLike:
        """Invert encode. Raise CorruptChunk rather than produce more than ``max_size`` bytes."""
        raise NotImplementedError  # pragma: no cover - abstract

    #: Whether ``decode_into`` is implemented (a native decoder that writes into a buffer).
    can_decode_into: ClassVar[bool] = False

    def decode_into(self, data: BytesLike, dest: np.ndarray) -> None:
        """Decode ``data`` into ``dest`` (a flat uint8 array), which it must fill exactly;
        raise CorruptChunk otherwise. Only for codecs with ``can_decode_into``."""
        decoded = memoryview(self.decode(data, dest.nbytes)).cast("B")
        if decoded.nbytes != dest.nbytes:
            raise CorruptChunk(f"chunk decodes to {decoded.nbytes} bytes, expected {dest.nbytes}")
        dest[:] = np.frombuffer(decoded, dtype=np.uint8)

    def decode_many(self, datas: Sequence[BytesLike], size: int) -> list[BytesLike]:
        """Decode several encodings, each of which must decode to exactly ``size`` bytes
        (a longer one is corrupt and may fail before it is decoded). A codec with a
        batched native decoder overrides this; the default decodes one by one."""
        return [self.decode(d, size) for d in datas]

    def decode_prefix(self, data: BytesLike, n: int, max_size: int | None) -> BytesLike:
        """The first ``n`` bytes of the decoded data (fewer only if it is shorter).

        A stream decoder without an integrity check (zstd without checksum) overrides this
        to stop once ``n`` bytes are out; the default decodes (and verifies) everything.
        """
        return memoryview(self.decode(data, max_size)).cast("B")[:n]

    def prefix_saves(self, size: int) -> bool:
        """Whether ``decode_prefix`` of a short prefix of ``size`` decoded bytes does less
        work than ``decode``; the default decodes everything, so no."""
        return False

    def encoded_size(self, n: int | None) -> int | None:
        """Exact encoded size for an input of ``n`` bytes, if the codec is fixed-size."""
        return None

    def encoded_bound(self, n: int | None) -> int | None:
        """Largest encoded size for an input of at most ``n`` bytes, or None if unknown."""
        return self.encoded_size(n)
