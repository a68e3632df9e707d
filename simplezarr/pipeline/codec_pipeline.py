"""simplezarr as zarr-python's codec pipeline: :class:`ZarrCodecPipeline`.

zarr-python stays in charge of metadata, groups and indexing; each batch of chunks it
reads or writes is translated into the engine's batch (:mod:`simplezarr.engine.batch`)
and run off zarr-python's event loop in one hop: chunks are fetched, decoded and
scattered (or merged, encoded and stored) by simplezarr's engine, codecs and pool.

Example:
    >>> import numpy as np
    >>> zarr = __import__("pytest").importorskip("zarr")
    >>> with zarr.config.set({"codec_pipeline.path": "simplezarr.ZarrCodecPipeline"}):
    ...     a = zarr.create_array({}, shape=(6,), dtype="int32", chunks=(4,))
    ...     a[:] = np.arange(6)
    ...     print(type(a._async_array.codec_pipeline).__name__, a[1:5].tolist())
    ZarrCodecPipeline [1, 2, 3, 4]
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from zarr.abc.codec import CodecPipeline

from simplezarr.concurrency import off_loop
from simplezarr.dtypes.casting import astype
from simplezarr.engine.batch import ChunkRequest, read_batch, write_batch
from simplezarr.errors import CorruptChunk
from simplezarr.pipeline.batches import extent, projection, with_axes
from simplezarr.pipeline.chains import Chains
from simplezarr.pipeline.sources import GetterSource, array_coalescing, source_for

if TYPE_CHECKING:
    from typing import Self

__all__ = ["ZarrCodecPipeline"]

_PRESENT = {"status": "present"}
_MISSING = {"status": "missing"}


class ZarrCodecPipeline(CodecPipeline):
    """zarr-python's ``CodecPipeline`` run by simplezarr's engine (zarr-python 3.1 and 3.4).

    Enable it with ``zarr.config.set({"codec_pipeline.path":
    "simplezarr.ZarrCodecPipeline"})`` or ``ZARR_CODEC_PIPELINE__PATH``; zarr-python
    builds one per array (``from_codecs``). See docs/pipeline.md.
    """

    # zarr-python finds pipelines by qualified name (this entry point's class registers as
    # "simplezarr.ZarrCodecPipeline", the path users write); pickles find it there too.
    __module__ = "simplezarr"

    def __init__(self, codecs: Iterable[Any]) -> None:
        self.codecs: tuple[Any, ...] = tuple(codecs)
        self._chains = Chains(self.codecs)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.codecs,))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.codecs)

    def __repr__(self) -> str:
        return f"ZarrCodecPipeline({list(self.codecs)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ZarrCodecPipeline) and other.codecs == self.codecs

    def __hash__(self) -> int:
        return hash(self.codecs)

    # -- construction, as zarr-python's BatchedCodecPipeline -----------------------------

    @classmethod
    def from_codecs(cls, codecs: Iterable[Any]) -> Self:
        from zarr.core.codec_pipeline import codecs_from_list

        codecs = tuple(codecs)
        codecs_from_list(codecs)  # zarr-python's checks of kinds and order, same errors
        return cls(codecs)

    def evolve_from_array_spec(self, array_spec: Any) -> Self:
        from zarr.abc.codec import ArrayArrayCodec

        evolved = []
        spec = array_spec
        for codec in self.codecs:
            codec = codec.evolve_from_array_spec(array_spec=spec)
            evolved.append(codec)
            if isinstance(codec, ArrayArrayCodec):
                spec = codec.resolve_metadata(spec)
        return type(self)(evolved)

    @property
    def supports_partial_decode(self) -> bool:
        return False

    @property
    def supports_partial_encode(self) -> bool:
        return False

    def validate(self, *, shape: tuple[int, ...], dtype: Any, chunk_grid: Any) -> None:
        for codec in self.codecs:
            codec.validate(shape=shape, dtype=dtype, chunk_grid=chunk_grid)

    def compute_encoded_size(self, byte_length: int, array_spec: Any) -> int:
        for codec in self.codecs:
            byte_length = codec.compute_encoded_size(byte_length, array_spec)
            array_spec = codec.resolve_metadata(array_spec)
        return byte_length

    # -- whole chunks: decode / encode ---------------------------------------------------

    async def decode(self, chunk_bytes_and_specs: Iterable[tuple[Any, Any]]) -> list[Any]:
        items = list(chunk_bytes_and_specs)

        def run() -> list[Any]:
            out: list[Any] = []
            _check_decodable(self.codecs)
            for data, spec in items:
                if data is None:
                    out.append(None)
                    continue
                chunk = self._chains.bind(spec).decode(data.to_bytes())
                out.append(spec.prototype.nd_buffer.from_numpy_array(chunk))
            return out

        return await _off_loop(run)

    async def encode(self, chunk_arrays_and_specs: Iterable[tuple[Any, Any]]) -> list[Any]:
        items = list(chunk_arrays_and_specs)

        def run() -> list[Any]:
            out: list[Any] = []
            for chunk, spec in items:
                if chunk is None:
                    out.append(None)
                    continue
                data = self._chains.bind(spec).encode(np.asarray(chunk.as_numpy_array()))
                out.append(None if data is None else spec.prototype.buffer.from_bytes(bytes(data)))
            return out

        return await _off_loop(run)

    # -- batches: read / write -----------------------------------------------------------

    def _requests(
        self, batch: list[Any], drop_axes: tuple[int, ...], loop: asyncio.AbstractEventLoop
    ) -> list[ChunkRequest]:
        requests = []
        getters: GetterSource | None = None
        # Per batch: a regular grid's chunks share one spec object and one store, so the
        # chain and the source are looked up once, not once per chunk.
        chains: dict[int, Any] = {}
        sources: dict[int, Any] = {}
        for getter, spec, chunk_selection, out_selection, is_complete in batch:
            chain = chains.get(id(spec))
            if chain is None:
                chain = chains[id(spec)] = self._chains.bind(spec)
            p = projection(chunk_selection, out_selection, is_complete, drop_axes, chain.spec.shape)
            store = getattr(getter, "store", None)
            if store is not None and isinstance(getattr(getter, "path", None), str):
                source = sources.get(id(store))
                if source is None:
                    source = sources[id(store)] = source_for(
                        store, loop, spec.prototype, array_coalescing(spec)
                    )
                key = getter.path
            else:
                if getters is None:
                    getters = GetterSource(loop, spec.prototype)
                source, key = getters, getters.add(getter)
            requests.append(ChunkRequest(source, key, chain, p))
        return requests

    # zarr-python 3.4 returns a GetResult per chunk, 3.1 nothing (its type, checked here).
    async def read(  # type: ignore[override]
        self, batch_info: Iterable[Any], out: Any, drop_axes: tuple[int, ...] = ()
    ) -> tuple[dict[str, str], ...]:
        batch = list(batch_info)
        if not batch:
            return ()
        loop = asyncio.get_running_loop()
        try:
            return await _off_loop(lambda: self._read(batch, out, drop_axes, loop))
        except CorruptChunk as e:
            # numcodecs' own refusal to unpickle is zarr-python's error too, not corruption.
            refusal = _unsafe_decode(e)
            if refusal is not None:
                raise refusal from None
            raise

    def _read(
        self,
        batch: list[Any],
        out: Any,
        drop_axes: tuple[int, ...],
        loop: asyncio.AbstractEventLoop,
    ) -> tuple[dict[str, str], ...]:
        _check_decodable(self.codecs)
        requests = self._requests(batch, drop_axes, loop)
        statuses = _statuses(batch, requests)
        target = with_axes(out.as_numpy_array(), drop_axes)
        dtype = requests[0].chain.spec.dtype.numpy
        if target.dtype == dtype:
            read_batch(requests, target)
        else:
            # zarr-python's buffer holds another in-memory type (a field, object strings):
            # read in simplezarr's and convert only the parts the batch covers.
            tmp = np.empty(target.shape, dtype=dtype)
            read_batch(requests, tmp)
            for r in requests:
                target[r.projection.out_selection] = tmp[r.projection.out_selection]
        return statuses

    async def write(
        self, batch_info: Iterable[Any], value: Any, drop_axes: tuple[int, ...] = ()
    ) -> None:
        batch = list(batch_info)
        if not batch:
            return
        loop = asyncio.get_running_loop()
        await _off_loop(lambda: self._write(batch, value, drop_axes, loop))

    def _write(
        self,
        batch: list[Any],
        value: Any,
        drop_axes: tuple[int, ...],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        array = np.asarray(value.as_numpy_array())
        # The value's shape is the selection's (or broadcasts to it): a scalar, or zarr-
        # python's value before broadcasting. The engine takes it at the selection's shape.
        ndim = max(len(_out(b)) for b in batch)
        shape = extent([_out(b) for b in batch], ndim)
        if array.ndim != len(shape) or any(a < n for a, n in zip(array.shape, shape, strict=True)):
            array = np.broadcast_to(array, shape)
        requests = self._requests(batch, drop_axes, loop)
        dtype = requests[0].chain.spec.dtype.numpy
        if array.dtype != dtype:
            array = astype(array, dtype)
        if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
            # A wholly written chunk goes to the codecs as a view of the value, and codecs
            # that flatten in memory order (numcodecs filters, vlen) would see it transposed.
            array = np.ascontiguousarray(array)
        empty = bool(batch[0][1].config.write_empty_chunks)
        write_batch(requests, with_axes(array, drop_axes), write_empty_chunks=empty)


def _check_decodable(codecs: tuple[Any, ...]) -> None:
    """zarr-python 3.4 refuses to decode with the pickle codec unless
    ``array.allow_unsafe_pickle_decode`` is set: the same check, the same error."""
    if len(codecs) != 1 or type(codecs[0]).__name__ != "V2Codec":
        return
    import zarr.codecs._v2 as v2

    check = getattr(v2, "_check_pickle_allowed", None)
    if check is not None:
        check((codecs[0].compressor, *(codecs[0].filters or ())))


def _unsafe_decode(error: BaseException) -> BaseException | None:
    """numcodecs' UnsafeDecodeError among the causes of ``error``, if there."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return None
        if type(seen).__name__ == "UnsafeDecodeError":
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _out(item: Any) -> tuple[Any, ...]:
    sel = item[3]
    return sel if isinstance(sel, tuple) else (sel,)


def _statuses(batch: list[Any], requests: list[ChunkRequest]) -> tuple[dict[str, str], ...]:
    """zarr-python 3.4's per-chunk GetResult. Whether a chunk is stored is looked up only
    when the array asks for it (``read_missing_chunks=False``); otherwise every chunk is
    reported present, which zarr-python does not use."""
    if all(getattr(spec.config, "read_missing_chunks", True) for _, spec, *_ in batch):
        return tuple(_PRESENT for _ in batch)
    return tuple(_PRESENT if r.source.exists(r.key) else _MISSING for r in requests)


async def _off_loop(fn: Any) -> Any:
    """Run ``fn`` in simplezarr's async-edge pool: one hop per batch, never per chunk; the
    event loop stays free to serve the stores that go through it."""
    return await off_loop(fn)
