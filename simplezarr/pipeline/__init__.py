"""simplezarr as zarr-python's codec pipeline (imports zarr-python; simplezarr itself
never does, ``simplezarr.ZarrCodecPipeline`` loads this package on first use).

- :mod:`.codec_pipeline`: :class:`ZarrCodecPipeline`, the ``zarr.abc.codec.CodecPipeline``
- :mod:`.batches`: zarr-python's batch -> the engine's ChunkRequests
- :mod:`.chains`: zarr-python codecs -> simplezarr's bound CodecChain (unknown codecs run
  through their own zarr-python encode/decode)
- :mod:`.sources`: zarr-python stores -> the engine's sources (direct or async)

Example:
    >>> __import__("pytest").importorskip("zarr")  # doctest: +ELLIPSIS
    <module 'zarr' ...>
    >>> from simplezarr.pipeline import ZarrCodecPipeline
    >>> ZarrCodecPipeline.__name__
    'ZarrCodecPipeline'
"""

from simplezarr.pipeline.codec_pipeline import ZarrCodecPipeline

__all__ = ["ZarrCodecPipeline"]
