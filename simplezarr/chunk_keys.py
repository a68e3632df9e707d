"""Chunk key encodings: how chunk grid coordinates become store keys.

Two encodings exist (Zarr v3 core spec, "chunk key encoding"):

- ``default``: ``"c"`` followed by the coordinates, all joined by the separator
  (``"/"`` unless configured ``"."``): ``(1, 2)`` -> ``"c/1/2"``; a 0-d array's only chunk
  is ``"c"``.
- ``v2``: the coordinates joined by the separator (``"."`` unless configured ``"/"``):
  ``(1, 2)`` -> ``"1.2"``; a 0-d array's only chunk is ``"0"``. Zarr v2 arrays always use it,
  with their ``dimension_separator``.

Keys are relative to the array's own path.

Example:
    >>> ChunkKeyEncoding("default").encode((1, 2))
    'c/1/2'
    >>> ChunkKeyEncoding("v2").encode(())
    '0'
    >>> v2 = ChunkKeyEncoding.from_json({"name": "v2", "configuration": {"separator": "/"}})
    >>> v2.encode((3, 4))
    '3/4'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from simplezarr.errors import InvalidMetadata, UnsupportedFeature, quote
from simplezarr.named import parse_named

__all__ = ["ChunkKeyEncoding"]

_DEFAULT_SEPARATORS: dict[str, str] = {"default": "/", "v2": "."}


@dataclass(frozen=True)
class ChunkKeyEncoding:
    """A chunk key encoding: ``name`` "default" or "v2", ``separator`` "/" or ".".

    ``separator=None`` picks the encoding's default separator.

    Example:
        >>> ChunkKeyEncoding("default", ".").encode((0, 5))
        'c.0.5'
    """

    name: Literal["default", "v2"] = "default"
    separator: Literal["/", "."] | None = None

    def __post_init__(self) -> None:
        if self.name not in _DEFAULT_SEPARATORS:
            raise UnsupportedFeature(
                f"chunk_key_encoding: unknown name {quote(self.name)}; supported: "
                f"{sorted(_DEFAULT_SEPARATORS)}"
            )
        if self.separator is None:
            object.__setattr__(self, "separator", _DEFAULT_SEPARATORS[self.name])
        elif self.separator not in ("/", "."):
            raise InvalidMetadata(
                f"chunk_key_encoding: separator must be '/' or '.', got {quote(self.separator)}"
            )

    def encode(self, coords: tuple[int, ...]) -> str:
        """The key of the chunk at grid coordinates ``coords``, relative to the array."""
        sep = str(self.separator)
        if self.name == "default":
            return sep.join(["c", *map(str, coords)])
        return sep.join(map(str, coords)) if coords else "0"

    def decode(self, key: str) -> tuple[int, ...]:
        """Inverse of :meth:`encode`; raise ValueError if ``key`` is not a chunk key.

        Example:
            >>> ChunkKeyEncoding("default").decode("c/1/2")
            (1, 2)
        """
        sep = str(self.separator)
        if self.name == "default":
            if key == "c":
                return ()
            if not key.startswith("c" + sep):
                raise ValueError(f"{quote(key)} is not a chunk key of {self}")
            parts = key[2:].split(sep)
        else:
            parts = key.split(sep)
        try:
            coords = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"{quote(key)} is not a chunk key of {self}") from None
        if any(c < 0 or str(c) != p for c, p in zip(coords, parts, strict=True)):
            raise ValueError(f"{quote(key)} is not a chunk key of {self}")
        return coords

    def to_json(self) -> dict[str, Any]:
        """The ``chunk_key_encoding`` object of ``zarr.json``."""
        return {"name": self.name, "configuration": {"separator": self.separator}}

    @classmethod
    def from_json(cls, data: Any) -> ChunkKeyEncoding:
        """Parse ``{"name", "configuration": {"separator"}}``; also a bare name string,
        ``{"name", "separator"}`` (zarr-python's shorthand) and a ChunkKeyEncoding.

        Example:
            >>> ChunkKeyEncoding.from_json("v2")
            ChunkKeyEncoding(name='v2', separator='.')
        """
        if isinstance(data, ChunkKeyEncoding):
            return data
        if isinstance(data, str):
            return cls(data)  # type: ignore[arg-type]
        name, config = parse_named(
            data, "chunk_key_encoding", extra_keys=frozenset({"separator"}), allow_string=False
        )
        unknown = set(config) - {"separator"}
        if unknown:
            raise InvalidMetadata(
                f"chunk_key_encoding: unexpected configuration keys {sorted(unknown)}"
            )
        separator = config.get("separator", data.get("separator"))
        return cls(name, separator)  # type: ignore[arg-type]
