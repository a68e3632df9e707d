"""The ``bytes`` codec: a fixed-size array as its raw bytes in C order, with a byte order.

``endian`` ("little" or "big") is needed only by types whose items have a byte order
(multi-byte integers, floats, complex, datetimes, fixed-length UTF-32); for the others it is
dropped when the codec is resolved, as zarr-python does (``{"name": "bytes"}``). Raw
(``r<N>``/``raw_bytes``), structured and 1-byte types are stored as they are in memory.

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import from_numpy
    >>> spec = ChunkSpec((2,), from_numpy("uint16"), 0)
    >>> bytes(BytesCodec(endian="big").encode(np.array([1, 2], "u2"), spec))
    b'\\x00\\x01\\x00\\x02'
    >>> BytesCodec(endian="big").decode(b"\\x00\\x01\\x00\\x02", spec).tolist()
    [1, 2]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from simplezarr.codecs.base import ArrayBytesCodec, BytesLike, ChunkSpec
from simplezarr.codecs.options import check_config, config_choice, enum_value
from simplezarr.errors import CorruptChunk, InvalidMetadata, quote

if TYPE_CHECKING:
    from typing import Self

__all__ = ["BytesCodec", "Endian", "has_byte_order", "stored_dtype"]


class Endian(Enum):
    """Byte orders of the ``bytes`` codec, as zarr-python's ``zarr.codecs.Endian``."""

    big = "big"
    little = "little"


_ORDER_CHAR: dict[str, Literal["<", ">"]] = {"little": "<", "big": ">"}


def has_byte_order(dtype: np.dtype) -> bool:
    """True if items of ``dtype`` are stored with a byte order (the same rule as zarr-python).

    Example:
        >>> [has_byte_order(np.dtype(t)) for t in ("i2", "u1", "V4")]
        [True, False, False]
    """
    return dtype.itemsize > 1 and dtype.kind in "iufcmMU"


def stored_dtype(dtype: np.dtype, endian: str | None) -> np.dtype:
    """``dtype`` with the byte order of stored data (unchanged for types without one)."""
    if endian is None or not has_byte_order(dtype):
        return dtype
    return dtype.newbyteorder(_ORDER_CHAR[endian])


@dataclass(frozen=True, kw_only=True)
class BytesCodec(ArrayBytesCodec):
    """Array to bytes: the raw bytes of a fixed-size array, C order, ``endian`` byte order."""

    name: ClassVar[str] = "bytes"

    endian: Literal["little", "big"] | None = "little"

    def __post_init__(self) -> None:
        object.__setattr__(self, "endian", enum_value(self.endian))
        if self.endian is not None:
            config_choice(self.name, "endian", self.endian, _ORDER_CHAR)

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        cfg = check_config(cls.name, configuration, ["endian"])
        # A missing endian reads as little endian, like zarr-python (its default); an
        # explicit null is kept and rejected at resolve for multi-byte types.
        return cls(endian=cfg.get("endian", "little"))

    def to_dict(self) -> dict[str, Any]:
        if self.endian is None:
            return {"name": self.name}
        return {"name": self.name, "configuration": {"endian": self.endian}}

    def resolve(self, spec: ChunkSpec) -> Self:
        dtype = spec.dtype
        if dtype.is_variable_length or dtype.item_size is None:
            raise InvalidMetadata(
                f"the 'bytes' codec cannot encode the variable-length data type {quote(dtype.name)}; "
                "use 'vlen-utf8' (strings) or 'vlen-bytes' (bytes) instead"
            )
        if not has_byte_order(dtype.numpy) and not getattr(dtype, "has_endianness", False):
            # (zarr-python 3.4's "struct" keeps an endian in its bytes codec: kept here too)
            return self if self.endian is None else dataclasses.replace(self, endian=None)
        if self.endian is None:
            raise InvalidMetadata(
                f"the 'bytes' codec needs configuration.endian ('little' or 'big') for the "
                f"multi-byte data type {quote(dtype.name)}"
            )
        return self

    def encoded_size(self, spec: ChunkSpec) -> int | None:
        return spec.nbytes

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> BytesLike:
        target = stored_dtype(spec.dtype.numpy, self.endian)
        if chunk.dtype != target:
            chunk = chunk.astype(target, order="C")
        elif not chunk.flags.c_contiguous:
            chunk = np.ascontiguousarray(chunk)
        # A view, not a copy: the chain copies (or compresses) before the bytes escape.
        return chunk.reshape(-1).view(np.uint8)

    def decode(self, data: BytesLike, spec: ChunkSpec) -> np.ndarray:
        expected = spec.nbytes
        n = memoryview(data).nbytes
        if n != expected:
            raise CorruptChunk(
                f"chunk is {n} bytes but a {spec.shape} chunk of {spec.dtype.name} needs "
                f"{expected} bytes"
            )
        native = spec.dtype.numpy
        stored = stored_dtype(native, self.endian)
        chunk = np.frombuffer(data, dtype=stored).reshape(spec.shape)
        if stored != native:
            chunk = chunk.astype(native)
        return chunk
