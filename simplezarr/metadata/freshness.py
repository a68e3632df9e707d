"""Is an array's metadata still what is stored? The check before a write (issue 13, item 9).

An open array keeps the metadata it read. Another process may resize or recreate the array
meanwhile; a write under the old shape would put chunks where the new metadata does not
expect them (or into the wrong grid). :class:`MetadataCheck` reads the one document that
holds the array's structure (v3 ``zarr.json``, v2 ``.zarray``: ``.zattrs`` does not matter
to a write) once per write call and compares it with what the array holds:

- the same bytes as last time: fresh (the common case; one small read);
- other bytes: parsed, and the structure compared (everything but the attributes, as the
  canonical document), so a change of attributes or of formatting is not a change of shape;
  the bytes are then remembered;
- another structure, or no document: :class:`~simplezarr.errors.StaleMetadata`.

Example:
    >>> from simplezarr.metadata.store_io import write_metadata
    >>> from simplezarr.stores import MemoryStore
    >>> store = MemoryStore()
    >>> meta = parse_node_v3(b'''{"zarr_format": 3, "node_type": "array", "shape": [4],
    ...     "data_type": "int8", "chunk_grid": {"name": "regular", "configuration":
    ...     {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"},
    ...     "fill_value": 0, "codecs": ["bytes"]}''', "a")
    >>> write_metadata(store, "a", meta)
    >>> check = MetadataCheck(store, "a", meta)
    >>> check.check()
    >>> write_metadata(store, "a", meta.with_shape((8,)))
    >>> check.check()
    Traceback (most recent call last):
    ...
    simplezarr.errors.StaleMetadata: array 'a' in MemoryStore(...): its stored metadata changed since it was read (shape (4,) -> (8,)); call refresh() (or open it again) and repeat the write
"""

from __future__ import annotations

import dataclasses

from simplezarr.errors import InvalidMetadata, StaleMetadata
from simplezarr.metadata.json import parse_document
from simplezarr.metadata.model import ArrayMetadata
from simplezarr.metadata.store_io import V2_ARRAY, V3_KEY, prefix
from simplezarr.metadata.v2 import documents as v2_documents
from simplezarr.metadata.v2 import parse_array_v2
from simplezarr.metadata.v3 import document_bytes, parse_node_v3
from simplezarr.stores.base import BaseStore, readable

__all__ = ["MetadataCheck", "structure"]


def structure(metadata: ArrayMetadata) -> bytes:
    """The canonical document of an array without its attributes: what a write depends on.

    Example:
        >>> m = parse_node_v3(b'''{"zarr_format": 3, "node_type": "array", "shape": [4],
        ...     "data_type": "int8", "chunk_grid": {"name": "regular", "configuration":
        ...     {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"},
        ...     "fill_value": 0, "codecs": ["bytes"]}''', "")
        >>> structure(m) == structure(m.with_attributes({"a": 1}))
        True
    """
    bare = dataclasses.replace(metadata, attributes={})
    if bare.zarr_format == 3:
        return document_bytes(bare)
    return v2_documents(bare)[V2_ARRAY]


class MetadataCheck:
    """Checks that the stored metadata of the array at ``path`` is still ``metadata``
    (see the module docstring); one instance per bound array, not thread-bound (the
    remembered bytes are replaced whole)."""

    def __init__(self, store: BaseStore, path: str, metadata: ArrayMetadata) -> None:
        self.store, self.path, self.metadata = store, path, metadata
        self.key = prefix(path) + (V3_KEY if metadata.zarr_format == 3 else V2_ARRAY)
        self._fresh: bytes | None = None  # the stored bytes last found to match

    def check(self) -> None:
        """Raise StaleMetadata unless the stored document still describes ``metadata``."""
        data = readable(self.store, f"read {self.key!r}").get(self.key)
        if data is not None and data == self._fresh:
            return
        where = f"array {self.path or '/'!r} in {self.store!r}"
        if data is None:
            raise StaleMetadata(
                f"{where}: its metadata ({self.key!r}) is not in the store: the array was "
                "deleted since it was read (or never stored); open it again (or create it) "
                "before writing"
            )
        try:
            if self.metadata.zarr_format == 3:
                stored = parse_node_v3(data, self.path, gated=False)
            else:
                stored = parse_array_v2(parse_document(data, self.key), None, self.path)
        except InvalidMetadata as e:
            raise StaleMetadata(
                f"{where}: its stored metadata changed since it was read and is no longer "
                f"valid ({e}); refusing to write under the old metadata"
            ) from e
        if not isinstance(stored, ArrayMetadata) or structure(stored) != structure(self.metadata):
            raise StaleMetadata(f"{where}: {_difference(self.metadata, stored)}")
        self._fresh = data


def _difference(old: ArrayMetadata, new: object) -> str:
    what = "its stored metadata changed since it was read"
    if not isinstance(new, ArrayMetadata):
        what = "a group replaced it since it was read"
    elif old.shape != new.shape:
        what += f" (shape {old.shape} -> {new.shape})"
    elif old.chunk_shape != new.chunk_shape:
        what += f" (chunks {old.chunk_shape} -> {new.chunk_shape})"
    elif old.dtype != new.dtype:
        what += f" (data type {old.dtype.name} -> {new.dtype.name})"
    else:
        what += " (recreated with other codecs or settings)"
    return what + "; call refresh() (or open it again) and repeat the write"
