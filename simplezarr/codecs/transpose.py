"""The ``transpose`` codec: permute a chunk's axes before it is serialised.

``order`` is a permutation of ``range(ndim)``: encoded axis ``i`` is decoded axis
``order[i]`` (``numpy.transpose`` semantics).

Example:
    >>> import numpy as np
    >>> from simplezarr.dtypes import from_numpy
    >>> codec = TransposeCodec(order=(1, 0))
    >>> spec = ChunkSpec((2, 3), from_numpy("int8"), 0)
    >>> codec.encoded_spec(spec).shape
    (3, 2)
    >>> codec.encode(np.arange(6, dtype="i1").reshape(2, 3), spec).tolist()
    [[0, 3], [1, 4], [2, 5]]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from simplezarr.codecs.base import ArrayArrayCodec, ChunkSpec
from simplezarr.codecs.options import check_config
from simplezarr.errors import InvalidMetadata, quote

if TYPE_CHECKING:
    from typing import Self

__all__ = ["TransposeCodec"]


@dataclass(frozen=True, kw_only=True)
class TransposeCodec(ArrayArrayCodec):
    """Array to array: ``numpy.transpose(chunk, order)``."""

    name: ClassVar[str] = "transpose"

    order: tuple[int, ...]

    def __post_init__(self) -> None:
        order = self.order
        if isinstance(order, (str, bytes)) or not isinstance(order, (list, tuple)):
            raise InvalidMetadata(
                f"codec 'transpose': order must be a list of axis numbers, got {quote(order)}"
            )
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in order):
            raise InvalidMetadata(
                f"codec 'transpose': order must contain only integers, got {quote(list(order))}"
            )
        object.__setattr__(self, "order", tuple(int(a) for a in order))

    @classmethod
    def from_config(cls, configuration: dict[str, Any]) -> Self:
        cfg = check_config(cls.name, configuration, ["order"], required=["order"])
        return cls(order=cfg["order"])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"order": list(self.order)}}

    def resolve(self, spec: ChunkSpec) -> Self:
        ndim = len(spec.shape)
        if sorted(self.order) != list(range(ndim)):
            raise InvalidMetadata(
                f"codec 'transpose': order {list(self.order)} must be a permutation of "
                f"{list(range(ndim))} for {ndim}-dimensional chunks"
            )
        return self

    def encoded_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return dataclasses.replace(spec, shape=tuple(spec.shape[a] for a in self.order))

    def encode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return np.transpose(chunk, self.order)

    def decode(self, chunk: np.ndarray, spec: ChunkSpec) -> np.ndarray:
        return np.transpose(chunk, np.argsort(self.order))
