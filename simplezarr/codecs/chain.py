"""CodecChain: a list of codecs bound once to the spec of the chunks it encodes.

Encoding runs array -> array codecs, then the one array -> bytes codec, then bytes -> bytes
codecs; decoding runs the same list backwards. Every codec is resolved once, against the spec
it actually sees (an array -> array codec such as ``transpose`` changes what comes after it).

Decompression bombs: the array -> bytes codec says how large its encoding can be
(``encoded_bound``); each bytes -> bytes codec turns an input bound into an output bound.
Every decoder is told the largest output it may produce (``max_size``) and fails with
CorruptChunk rather than inflate further.

Example:
    >>> import numpy as np
    >>> from simplezarr.codecs import codec_from_json
    >>> from simplezarr.dtypes import from_numpy
    >>> spec = ChunkSpec((2, 3), from_numpy("int16"), 0)
    >>> chain = CodecChain([codec_from_json(c) for c in ["bytes", "crc32c"]], spec)
    >>> chain.encoded_size
    16
    >>> chain.decode(chain.encode(np.arange(6, dtype="i2").reshape(2, 3))).tolist()
    [[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simplezarr.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    BytesLike,
    ChunkSpec,
    Codec,
)
from simplezarr.codecs.bytes import BytesCodec, stored_dtype
from simplezarr.config import config
from simplezarr.dtypes.casting import astype
from simplezarr.errors import CodecError, CorruptChunk, InvalidMetadata, ZarrError

if TYPE_CHECKING:
    from simplezarr.byte_window import ByteWindow
    from simplezarr.codecs.sharding import ShardLayout

__all__ = ["CodecChain"]


def _describe(codecs: Sequence[Codec]) -> str:
    return (
        "["
        + ", ".join(
            f"{getattr(c, 'name', type(c).__name__)} ({getattr(c, 'kind', '?')})" for c in codecs
        )
        + "]"
    )


class CodecChain:
    """Codecs resolved against a :class:`ChunkSpec`; ``encode``/``decode`` whole chunks.

    ``decode`` returns an array of ``spec.shape`` and ``spec.dtype.numpy``, C-contiguous
    (F-contiguous when ``spec.order == "F"``). It may be a read-only view of the decoded
    bytes: copy it before writing to it.
    """

    def __init__(self, codecs: Sequence[Codec], spec: ChunkSpec) -> None:
        codecs = tuple(codecs)
        self.spec = spec
        self._check_order(codecs)
        resolved: list[Codec] = []

        # array -> array codecs, each with the spec of the array it receives when encoding
        self._array_array: list[tuple[ArrayArrayCodec, ChunkSpec]] = []
        current = spec
        i = 0
        while i < len(codecs) and codecs[i].kind == "array_array":
            codec = codecs[i].resolve(current)
            self._array_array.append((codec, current))  # type: ignore[arg-type]
            resolved.append(codec)
            current = codec.encoded_spec(current)  # type: ignore[attr-defined]
            i += 1

        self._array_bytes_spec = current
        # A chain that is one sharding codec reads and writes inner chunks through the
        # codec's layout; building the layout resolves the codec, so it is built once.
        layout = codecs[i].shard_layout(current) if len(codecs) == 1 else None  # type: ignore[attr-defined]
        self._array_bytes: ArrayBytesCodec = (
            layout.codec if layout is not None else codecs[i].resolve(current)  # type: ignore[assignment]
        )
        resolved.append(self._array_bytes)
        i += 1

        # bytes -> bytes codecs; bounds[k] is the largest valid *output* of decoder k
        self._bytes_bytes: list[tuple[BytesBytesCodec, int | None]] = []
        bound = self._array_bytes.encoded_bound(current)
        if bound is None and current.dtype.is_variable_length:
            # No natural bound for variable-length items: the configured cap stops bombs.
            bound = config.max_variable_chunk_bytes
        size = self._array_bytes.encoded_size(current)
        for codec in codecs[i:]:
            codec = codec.resolve(current)
            self._bytes_bytes.append((codec, bound))  # type: ignore[arg-type]
            resolved.append(codec)
            bound = codec.encoded_bound(bound)  # type: ignore[attr-defined]
            size = None if size is None else codec.encoded_size(size)  # type: ignore[attr-defined]

        #: The codecs after resolution (chunk-dependent defaults filled in), in order.
        self.codecs: tuple[Codec, ...] = tuple(resolved)
        #: When the chain is one sharding codec: its :class:`~simplezarr.codecs.sharding.
        #: ShardLayout`, through which the engine reads and writes inner chunks on their
        #: own; None otherwise (a chain with codecs around the sharding codec encodes and
        #: decodes whole shards).
        self.shard: ShardLayout | None = layout
        self._encoded_size = size
        self._encoded_bound = bound
        #: The stored item dtype when a chunk is plain C-ordered items (only the ``bytes``
        #: codec, possibly behind bytes -> bytes codecs), so a selection's elements lie in
        #: one byte window (see simplezarr.byte_window); None otherwise.
        self.window_dtype: np.dtype | None = None
        native = spec.dtype.numpy
        if (
            not self._array_array
            and isinstance(self._array_bytes, BytesCodec)
            and spec.order == "C"
            and spec.dtype.item_size is not None
            and native.kind not in "OT"
        ):
            self.window_dtype = stored_dtype(native, self._array_bytes.endian)
        #: True when encoded chunks are the raw items themselves: a window can be read
        #: from the store as a byte range.
        self.is_raw = self.window_dtype is not None and not self._bytes_bytes
        #: True when reading a window of a chunk saves work: fewer bytes fetched (raw), or
        #: decoding stops early (a stream codec that can, on chunks large enough to gain).
        self.windowed = self.window_dtype is not None and (
            self.is_raw or self._bytes_bytes[0][0].prefix_saves(spec.nbytes or 0)
        )
        #: The fast path of ``decode``: chunks that are plain native-order C items after the
        #: bytes -> bytes codecs become an array view of the decoded bytes, nothing else.
        self._plain = self.window_dtype is not None and self.window_dtype == native
        self._bytes_bytes_reversed = tuple(reversed(self._bytes_bytes))
        #: True when stored chunks are compressed (or otherwise transformed after the
        #: array -> bytes codec), so decoding is real work worth handing to other threads.
        self.compressed = bool(self._bytes_bytes)
        self._nbytes = spec.nbytes
        #: True when ``decode_into`` can decode a whole chunk straight into a caller's
        #: C-contiguous array (plain items behind one codec that decodes into a buffer).
        self.direct_decode = (
            self._plain and len(self._bytes_bytes) == 1 and self._bytes_bytes[0][0].can_decode_into
        )

    @staticmethod
    def _check_order(codecs: tuple[Codec, ...]) -> None:
        kinds = [getattr(c, "kind", None) for c in codecs]
        if any(k not in ("array_array", "array_bytes", "bytes_bytes") for k in kinds):
            raise InvalidMetadata(f"not a codec in codec list {_describe(codecs)}")
        n_ab = kinds.count("array_bytes")
        if n_ab != 1:
            raise InvalidMetadata(
                f"a codec list needs exactly one array -> bytes codec (e.g. 'bytes'), got {n_ab} "
                f"in {_describe(codecs)}"
            )
        ab = kinds.index("array_bytes")
        if any(k != "array_array" for k in kinds[:ab]) or any(
            k != "bytes_bytes" for k in kinds[ab + 1 :]
        ):
            raise InvalidMetadata(
                "codecs must be array -> array codecs, then one array -> bytes codec, then "
                f"bytes -> bytes codecs; got {_describe(codecs)}"
            )

    @property
    def encoded_size(self) -> int | None:
        """The exact size of every encoded chunk, or None if it varies (compression)."""
        return self._encoded_size

    @property
    def encoded_bound(self) -> int | None:
        """The largest size a valid encoded chunk can have, or None if unknown."""
        return self._encoded_bound

    def decode(self, data: BytesLike) -> np.ndarray:
        """Decode one stored chunk; CorruptChunk if the bytes are not a valid encoding."""
        if self._plain:
            return self._decode_plain(data)
        try:
            for bytes_codec, max_size in reversed(self._bytes_bytes):
                data = bytes_codec.decode(data, max_size)
            chunk = self._array_bytes.decode(data, self._array_bytes_spec)
            for array_codec, spec in reversed(self._array_array):
                chunk = array_codec.decode(chunk, spec)
        except (ZarrError, MemoryError):
            raise
        except Exception as e:  # a codec library's own error: say which chain failed
            raise self._failure(CorruptChunk, "decode", e) from e
        return self._finish(chunk)

    def decode_many(self, datas: Sequence[BytesLike]) -> list[np.ndarray]:
        """``[decode(d) for d in datas]``, in one native call where the codec can batch
        (zstd decodes a list of frames with the GIL released once).

        Example:
            >>> import numpy as np
            >>> from simplezarr.codecs import codec_from_json
            >>> from simplezarr.dtypes import from_numpy
            >>> spec = ChunkSpec((3,), from_numpy("uint8"), 0)
            >>> chain = CodecChain([codec_from_json(c) for c in ["bytes", "zstd"]], spec)
            >>> [c.tolist() for c in chain.decode_many([chain.encode(np.arange(3, dtype="u1"))] * 2)]
            [[0, 1, 2], [0, 1, 2]]
        """
        if not self._plain or len(self._bytes_bytes) != 1 or len(datas) < 2:
            return [self.decode(d) for d in datas]
        codec, _ = self._bytes_bytes[0]
        # Each decoded chunk must be exactly nbytes long: the codec may allocate that much
        # and no more (a frame claiming more is corrupt).
        raws = self._guarded(codec.decode_many, datas, self._nbytes)
        return [self._plain_view(raw) for raw in raws]

    def decode_many_raw(self, datas: Sequence[BytesLike]) -> list[BytesLike] | None:
        """The decoded bytes of each chunk (C-ordered items of ``window_dtype``, unchecked
        length) when the chain is plain items behind at most one bytes -> bytes codec: the
        stored bytes themselves, or one batched codec call; None for other chains.

        Example:
            >>> from simplezarr.codecs import codec_from_json
            >>> from simplezarr.dtypes import from_numpy
            >>> spec = ChunkSpec((3,), from_numpy("uint8"), 0)
            >>> CodecChain([codec_from_json("bytes")], spec).decode_many_raw([b"abc"])
            [b'abc']
        """
        if not self._plain or len(self._bytes_bytes) > 1:
            return None
        if not self._bytes_bytes:
            return list(datas)
        codec, _ = self._bytes_bytes[0]
        return self._guarded(codec.decode_many, datas, self._nbytes)

    def decode_into(self, data: BytesLike, target: np.ndarray) -> None:
        """Decode one whole chunk into ``target``, a C-contiguous array of the chunk's
        shape and stored dtype, without an intermediate buffer (``direct_decode`` chains
        only). CorruptChunk if the bytes are not a valid encoding of exactly that size.

        Example:
            >>> import numpy as np
            >>> from simplezarr.codecs import codec_from_json
            >>> from simplezarr.dtypes import from_numpy
            >>> spec = ChunkSpec((3,), from_numpy("uint8"), 0)
            >>> chain = CodecChain([codec_from_json(c) for c in ["bytes", "zstd"]], spec)
            >>> target = np.empty(3, "u1")
            >>> chain.decode_into(chain.encode(np.arange(3, dtype="u1")), target)
            >>> target.tolist()
            [0, 1, 2]
        """
        codec, _ = self._bytes_bytes[0]
        self._guarded(codec.decode_into, data, target.reshape(-1).view(np.uint8))

    def _failure(self, error: type[ZarrError], verb: str, cause: Exception) -> ZarrError:
        return error(
            f"could not {verb} chunk with codecs {_describe(self.codecs)}: "
            f"{type(cause).__name__}: {cause}"
        )

    def _guarded(self, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except (ZarrError, MemoryError):
            raise
        except Exception as e:  # a codec library's own error: say which chain failed
            raise self._failure(CorruptChunk, "decode", e) from e

    def _decode_plain(self, data: BytesLike) -> np.ndarray:
        try:
            for codec, max_size in self._bytes_bytes_reversed:
                data = codec.decode(data, max_size)
        except (ZarrError, MemoryError):
            raise
        except Exception as e:  # a codec library's own error: say which chain failed
            raise self._failure(CorruptChunk, "decode", e) from e
        return self._plain_view(data)

    def _plain_view(self, data: BytesLike) -> np.ndarray:
        n = len(data) if type(data) is bytes else memoryview(data).nbytes
        if n != self._nbytes:
            spec = self.spec
            raise CorruptChunk(
                f"chunk is {n} bytes but a {spec.shape} chunk of {spec.dtype.name} needs "
                f"{spec.nbytes} bytes (codecs {_describe(self.codecs)})"
            )
        return np.frombuffer(data, dtype=self.window_dtype).reshape(self.spec.shape)

    def decode_window(self, data: BytesLike, window: ByteWindow) -> np.ndarray:
        """The selection a window describes, decoding only as far as it reaches.

        ``data`` is the window's bytes when the chain is raw (read as a byte range),
        else the whole encoded chunk: the last decoder stops after ``window.hi`` bytes.
        """
        try:
            if self._bytes_bytes:
                outer, (inner, inner_max) = self._bytes_bytes[1:], self._bytes_bytes[0]
                for codec, max_size in reversed(outer):
                    data = codec.decode(data, max_size)
                data = memoryview(inner.decode_prefix(data, window.hi, inner_max))[window.lo :]
            if len(data) != window.size:
                raise CorruptChunk(
                    f"chunk is truncated: {len(data)} bytes where the selection needs "
                    f"{window.size} (codecs {_describe(self.codecs)})"
                )
            return window.view(data)
        except (ZarrError, MemoryError):
            raise
        except Exception as e:  # a codec library's own error: say which chain failed
            raise self._failure(CorruptChunk, "decode", e) from e

    def _finish(self, chunk: np.ndarray) -> np.ndarray:
        spec = self.spec
        if not isinstance(chunk, np.ndarray):
            chunk = np.asarray(chunk)
        if chunk.shape != spec.shape:
            if chunk.size != spec.size:
                raise CorruptChunk(
                    f"decoded chunk has shape {chunk.shape}, expected {spec.shape} "
                    f"(codecs {_describe(self.codecs)})"
                )
            chunk = chunk.reshape(spec.shape, order=spec.order)
        target = spec.dtype.numpy
        if chunk.dtype != target:
            try:
                chunk = astype(chunk, target)
            except (TypeError, ValueError) as e:
                raise CorruptChunk(
                    f"decoded chunk has data type {chunk.dtype}, expected {target}"
                ) from e
        if spec.order == "F":
            if not chunk.flags.f_contiguous:
                chunk = np.asfortranarray(chunk)
        elif not chunk.flags.c_contiguous:
            chunk = np.ascontiguousarray(chunk)
        return chunk

    def encode(self, chunk: np.ndarray) -> BytesLike | None:
        """Encode one chunk of ``spec.shape`` into a bytes-like object.

        Without compression the result may be a view of ``chunk``'s memory (no copy):
        stores copy what they keep.
        """
        spec = self.spec
        chunk = np.asarray(chunk)
        if chunk.shape != spec.shape:
            raise CodecError(f"chunk has shape {chunk.shape}, the codecs expect {spec.shape}")
        if chunk.dtype != spec.dtype.numpy:
            chunk = astype(chunk, spec.dtype.numpy)
        if spec.order == "C" and not chunk.flags.c_contiguous:
            # A chunk's items are encoded in index order whatever the memory layout of the
            # value it came from (numcodecs' vlen encoders walk memory: an F-ordered string
            # value was stored transposed). Copying here costs what the bytes codec's own
            # copy of a non-contiguous chunk would; array -> array codecs (transpose) still
            # hand on views, as zarr-python's do.
            chunk = np.ascontiguousarray(chunk)
        try:
            for array_codec, aspec in self._array_array:
                chunk = array_codec.encode(chunk, aspec)
            data = self._array_bytes.encode(chunk, self._array_bytes_spec)
            for bytes_codec, _ in self._bytes_bytes:
                if data is None:
                    break
                data = bytes_codec.encode(data)
        except (ZarrError, MemoryError):
            raise
        except Exception as e:  # a codec library's own error: say which chain failed
            raise self._failure(CodecError, "encode", e) from e
        if data is None:  # a zarr-python codec stores nothing for this chunk (its contract)
            return None
        if isinstance(data, np.ndarray):  # a flat byte view of the raw items, no copy
            return data.data.cast("B")
        return data

    def __repr__(self) -> str:
        return f"CodecChain({list(self.codecs)!r}, {self.spec!r})"
