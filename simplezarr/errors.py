"""The one error hierarchy of simplezarr.

Every error the library raises on bad input or bad data derives from :class:`ZarrError`,
so callers can catch one type. Each subclass also derives from the builtin exception a
Python user would expect (``KeyError`` for a missing node, ``ValueError`` for invalid
metadata, ...), so code written against zarr-python's behaviour keeps working.

Example:
    >>> from simplezarr.errors import ZarrError, NodeNotFound
    >>> issubclass(NodeNotFound, ZarrError) and issubclass(NodeNotFound, KeyError)
    True
"""

from __future__ import annotations

#: How many characters of a quoted value an error message shows at most.
QUOTE_LIMIT = 200


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters: messages
    quote metadata and keys, which can be huge (a 64 MiB ``data_type`` string), and must
    stay readable. The cut says how long the whole was.

    Example:
        >>> quote("c/0")
        "'c/0'"
        >>> quote("x" * 1000, limit=10)
        "'xxxxxxxx... (1002 characters)"
    """
    if isinstance(value, str) and len(value) > 4 * limit:  # repr only a huge string's head
        text = repr(value[: 4 * limit])
        total = f"{len(value) + 2} characters"
    else:
        text = repr(value)
        total = f"{len(text)} characters"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}... ({total})"


#: The longest message an error keeps: a longer one (a message that quoted huge input
#: somewhere :func:`quote` was not used) keeps its head and tail.
MESSAGE_LIMIT = 4000


def _bounded(message: str) -> str:
    if len(message) <= MESSAGE_LIMIT:
        return message
    cut = len(message) - MESSAGE_LIMIT + 1000
    return f"{message[:2500]} ... [{cut} characters cut] ... {message[-500:]}"


class ZarrError(Exception):
    """Base class of every simplezarr error. Messages stay readable: a message longer than
    MESSAGE_LIMIT characters keeps its head and tail (what it quotes is bounded by
    :func:`quote` where it is built).

    Example:
        >>> len(str(ZarrError("x" * 10**6))) < 5000
        True
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (_bounded(args[0]),)
        super().__init__(*args)

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain.
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class BaseZarrError(ZarrError, ValueError):
    """zarr-python's base error (a ValueError): missing and existing nodes and invalid
    metadata, the errors zarr-python derives from its ``BaseZarrError``, derive from it."""


class NodeNotFound(ZarrError, KeyError, FileNotFoundError):
    """No array or group exists at the requested path (a ``KeyError`` for ``group[name]``
    and a ``FileNotFoundError`` for the functions that open a path, as zarr-python raises)."""


class ContainsNode(ZarrError, FileExistsError):
    """A node already exists where a new one was to be created."""


class ContainsArray(ContainsNode):
    """An array exists where a group (or nothing) was expected."""


class ContainsGroup(ContainsNode):
    """A group exists where an array (or nothing) was expected."""


class InvalidMetadata(BaseZarrError):
    """Array or group metadata is malformed, inconsistent or unsupported."""


class InvalidMetadataType(InvalidMetadata, TypeError):
    """A metadata argument of the wrong type, such as a float in a shape (a TypeError too,
    as zarr-python raises)."""


class UnsupportedFeature(InvalidMetadata):
    """The metadata is valid but asks for something simplezarr does not implement."""


class UnknownCodec(InvalidMetadata):
    """A codec name is not in the codec registry."""


class UnknownDataType(InvalidMetadata, TypeError):
    """A data type name is not in the data type registry (a TypeError too, as zarr-python
    raises for a data type it does not understand)."""


class FillValueOutOfRange(InvalidMetadata, OverflowError):
    """A fill value lies outside its data type's range (an OverflowError too, as
    zarr-python raises)."""


class CodecError(ZarrError, ValueError):
    """A codec failed to encode or decode a chunk."""


class CorruptChunk(CodecError):
    """Stored chunk bytes are truncated, inconsistent, fail a checksum, or inflate too far."""


class InvalidKey(ZarrError, ValueError):
    """A store key is malformed or could escape the store's root."""


class ReadOnlyError(ZarrError, PermissionError, ValueError):
    """A write was attempted through a read-only store or node (a ValueError too, as
    zarr-python raises)."""


class StoreError(ZarrError, OSError):
    """A store could not complete an operation (I/O failure, not a missing key)."""


class BoundsCheckError(ZarrError, IndexError):
    """An index is out of the bounds of the array."""


class SelectionError(ZarrError, IndexError):
    """A selection is malformed (wrong type, wrong number of dimensions, zero step)."""


class InvalidArgument(ZarrError, ValueError, TypeError):
    """An argument has the wrong type or value: data that cannot be stored in the array's
    data type or broadcast to the selection, a bad shape for resize, a bad setting."""


# -- the zarr-python-compatible API (simplezarr.api) raises these: each is also the builtin
# -- zarr-python's own error for the same situation derives from, so ``except ValueError``
# -- or ``except FileNotFoundError`` written against zarr-python keeps working.


class NodeNotFoundError(NodeNotFound, BaseZarrError, FileNotFoundError):
    """No node at the path an API call opens (zarr-python: ``NodeNotFoundError``)."""


class ArrayNotFoundError(NodeNotFoundError):
    """No array at the path ``open_array`` (or ``load``) opens."""


class GroupNotFoundError(NodeNotFoundError):
    """No group at the path ``open_group`` opens."""


class ContainsArrayError(ContainsArray, BaseZarrError):
    """An array exists where a new node was to be created (zarr-python's ContainsArrayError)."""


class ContainsGroupError(ContainsGroup, BaseZarrError):
    """A group exists where a new node was to be created (zarr-python's ContainsGroupError)."""


class IncompatibleNodeError(ContainsNode, TypeError):
    """A node of the other kind is where ``require_group`` / ``require_array`` wanted one
    (zarr-python raises TypeError)."""


class ReadOnlyNodeError(ReadOnlyError, ValueError):
    """A write through a node or store opened read-only (zarr-python raises ValueError)."""


class UnsupportedStoreError(ZarrError, ValueError, TypeError):
    """A store argument cannot be turned into a store (unknown type, or a URL while remote
    stores are not available)."""


# -- stores (simplezarr.stores): remote services and optional dependencies.


class StoreAccessDenied(StoreError, PermissionError):
    """A storage service refused a request: missing or bad credentials, or no permission.

    The message names the URL; fix the credentials (``storage_options``) or the permissions.
    """


class ConcurrentModification(StoreError):
    """A stored object kept changing while it was read or read-modify-written, and the
    bounded retries did not get one consistent version (or did not get the conditional
    write in). The message names the array and the key; retry the operation, or give each
    writer whole chunks (docs/guarantees.md)."""


class ValueChanged(ConcurrentModification):
    """The version of a stored value pinned by a read (its ETag) is gone: another writer
    replaced the value between two requests of one read. The engine catches it and reads
    the value again; it reaches the caller only when the rereads do not settle."""

    #: The store key of the value that changed (None when not known).
    key: str | None = None


class StaleMetadata(ZarrError):
    """The array's stored metadata changed since this handle read it (another process
    resized or recreated the array), so a write under the old shape was refused; call
    ``refresh()`` (or open the array again) and repeat the write."""


class MissingDependency(ZarrError, ImportError):
    """An optional package a feature needs is not installed; the message names the pip extra."""


class CopyError(ContainsNode, RuntimeError):
    """copy / copy_all / copy_store found an object in the destination and ``if_exists`` is
    ``"raise"`` (zarr-python 2's CopyError is a RuntimeError)."""


# -- selections (simplezarr.indexing): numpy raises TypeError or
# -- ValueError, not IndexError, for some bad selections; these are both, so code catching
# -- numpy's builtin or simplezarr's SelectionError keeps working.


class SelectionTypeError(SelectionError, TypeError):
    """A selection item of a type numpy rejects with ``TypeError`` (a float slice bound)."""


class SelectionValueError(SelectionError, ValueError):
    """A selection numpy rejects with ``ValueError`` (a zero slice step, a ragged list)."""


# -- zarr-python's zarr.errors names, on this hierarchy: ``except zarr.errors.X`` written for
# -- zarr-python catches what simplezarr raises in the same situation. Aliases where one of
# -- ours already is the concept; subclasses where zarr-python's is narrower.

#: zarr-python's invalid-metadata error: ours (a ValueError, as zarr-python's).
MetadataValidationError = InvalidMetadata

#: zarr-python's unknown-codec error: ours.
UnknownCodecError = UnknownCodec


class PickleCodecDisabledError(BaseZarrError, CodecError):
    """A chunk is encoded with the ``pickle`` codec and decoding it was not enabled
    (``config.set({"array.allow_unsafe_pickle_decode": True})``, as zarr-python 3.4)."""


class ChunkNotFoundError(BaseZarrError):
    """A chunk expected in the store is not there (zarr-python 3.4's name)."""


class RectilinearChunksDisabledError(UnsupportedFeature):
    """An array with a rectilinear (variable) chunk grid was created, opened or stored while
    ``config.rectilinear_chunks`` (zarr-python 3.4's ``array.rectilinear_chunks``) is off."""


class NoUniformChunkShape(ZarrError, NotImplementedError):
    """An array's chunks (or shards) have no one shape: its chunk grid is rectilinear
    (zarr-python 3.4 raises NotImplementedError there too). Its ``read_chunk_sizes`` /
    ``write_chunk_sizes`` give every chunk's size."""


#: zarr-python 3.4's name (also ``simplezarr.dtype.DataTypeValidationError``).
DataTypeValidationError = UnknownDataType


class NodeTypeValidationError(InvalidMetadata):
    """A ``zarr.json`` whose ``node_type`` is neither ``"array"`` nor ``"group"``."""


class ContainsArrayAndGroupError(InvalidMetadata):
    """Both an array's and a group's documents (``.zarray`` and ``.zgroup``) are at one path."""


class VindexInvalidSelectionError(SelectionError):
    """A selection ``vindex`` cannot take (zarr-python's name)."""


class NegativeStepError(SelectionError):
    """zarr-python's error for a negative slice step; simplezarr reads any step, so it is
    raised only where a step must be positive."""


class ArrayIndexError(SelectionError):
    """zarr-python's error for an index its selections do not support."""


class ZarrFutureWarning(FutureWarning):
    """A behaviour that will change."""


class UnstableSpecificationWarning(ZarrFutureWarning):
    """A feature whose specification may still change (zarr-python's name)."""


class ZarrDeprecationWarning(DeprecationWarning):
    """A deprecated argument or function (``zarr_version``, ``zarr.tree``)."""


class ZarrUserWarning(UserWarning):
    """Something in a call that is probably not what was meant (an ignored ``order``)."""


class ZarrRuntimeWarning(RuntimeWarning):
    """An argument zarr-python accepts and does not use (``synchronizer``, ``cache_attrs``)."""


# -- warnings


class UnsafePartialWrite(ZarrUserWarning):
    """A partial write (a read-modify-write of a chunk or shard) on a store that cannot
    keep out writers in other processes: a concurrent partial write of the same object from
    another process or machine can be lost. Warned once per store type; see
    ``docs/guarantees.md`` (write whole chunks or shards from each writer to be safe)."""
