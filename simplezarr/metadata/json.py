"""Safe JSON reading and writing for metadata documents.

Reading accepts what real writers produce: UTF-8 (with or without a byte order mark), and the
bare ``NaN`` / ``Infinity`` / ``-Infinity`` tokens some writers emit although JSON forbids
them. A JSON object that names one key twice is refused (json.loads would keep the last
value, other parsers the first). Anything else that is not a JSON object -- invalid UTF-8, invalid JSON, nesting deep
enough to exhaust the parser, a top level that is a list or a number -- raises
:class:`~simplezarr.errors.InvalidMetadata` naming the document.

Writing matches zarr-python's layout (``indent=2``, ASCII only, keys in insertion order) so
documents written by either library look alike. Fill values reach this module already
encoded by their data type (``"NaN"``, ``"Infinity"``, hex strings, as the spec says); any
other non-finite float (in attributes) is written as a bare ``NaN`` / ``Infinity`` token,
exactly as zarr-python writes and reads it. numpy scalars and arrays become plain JSON.

Example:
    >>> parse_document(b'{"zarr_format": 3, "fill_value": NaN}', "zarr.json")
    {'zarr_format': 3, 'fill_value': nan}
    >>> parse_document(b'{"shape": [8], "shape": [16]}', "a/zarr.json")
    Traceback (most recent call last):
    ...
    simplezarr.errors.InvalidMetadata: a/zarr.json: metadata names the key 'shape' twice in one JSON object; readers disagree about which value counts, so the document is refused: remove one of them
    >>> dump_document({"a": float("inf"), "fill_value": "NaN"})
    b'{\\n  "a": Infinity,\\n  "fill_value": "NaN"\\n}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from simplezarr.config import config
from simplezarr.errors import InvalidMetadata, quote

__all__ = ["MAX_NESTING", "check_nesting", "dump_document", "parse_document", "to_jsonable"]

#: The indentation zarr-python uses for metadata documents (``config.json_indent`` default).
JSON_INDENT = 2

#: The deepest nesting of JSON containers (objects and arrays, the document itself counting
#: as one) a metadata document may have. Copying, freezing and writing metadata recurse about
#: two Python frames per level, so this keeps them well below Python's recursion limit.
MAX_NESTING = 256


class _DuplicateKey(Exception):
    """A JSON object names one key twice (not a ValueError: json.loads must not wrap it)."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Refuse what json.loads would resolve silently (the last one wins): other parsers
    # keep the first, so two readers of one document would disagree about it.
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return doc


def _parse_constant(name: str) -> float:
    # json.loads calls this only for NaN, Infinity and -Infinity.
    return float(name.replace("Infinity", "inf"))


def parse_document(data: bytes | bytearray | memoryview | str, where: str) -> dict[str, Any]:
    """Parse a metadata document that must be a JSON object.

    ``where`` names the document (a store key or node path) in error messages.

    Example:
        >>> parse_document('{"zarr_format": 2}', ".zgroup")
        {'zarr_format': 2}
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InvalidMetadata(
                f"{where}: metadata is not valid UTF-8 ({e}); rewrite the document as UTF-8 JSON"
            ) from e
    elif isinstance(data, str):
        text = data
    else:
        raise InvalidMetadata(f"{where}: metadata must be bytes or str, got {type(data).__name__}")
    try:
        doc = json.loads(text, parse_constant=_parse_constant, object_pairs_hook=_unique_object)
    except _DuplicateKey as e:
        raise InvalidMetadata(
            f"{where}: metadata names the key {quote(e.args[0])} twice in one JSON object; "
            "readers disagree about which value counts, so the document is refused: "
            "remove one of them"
        ) from None
    except RecursionError as e:
        raise InvalidMetadata(f"{where}: metadata JSON is nested too deeply to parse") from e
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        raise InvalidMetadata(f"{where}: metadata is not valid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise InvalidMetadata(f"{where}: metadata must be a JSON object, got {type(doc).__name__}")
    check_nesting(doc, where)
    return doc


def check_nesting(value: Any, where: str, limit: int = MAX_NESTING) -> None:
    """Raise InvalidMetadata if JSON containers in ``value`` nest more than ``limit`` deep.

    Iterative, so it cannot itself exhaust the recursion limit.

    Example:
        >>> check_nesting({"a": [[1]]}, "attributes", limit=3)
        >>> check_nesting({"a": [[[]]]}, "attributes", limit=3)
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidMetadata: attributes: JSON is nested more than 3 levels deep
    """
    containers = (Mapping, list, tuple)
    if not isinstance(value, containers):
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise InvalidMetadata(f"{where}: JSON is nested more than {limit} levels deep")
        children = item.values() if type(item) is dict or isinstance(item, Mapping) else item
        for child in children:
            # JSON leaves by their exact type first: an isinstance check against the
            # Mapping ABC for each of the 60,000 values of 1,000 arrays' consolidated
            # metadata was a quarter of opening the group.
            kind = type(child)
            if kind in _LEAVES:
                continue
            if kind is dict or kind is list or kind is tuple or isinstance(child, containers):
                stack.append((child, depth + 1))


_LEAVES = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any, where: str = "metadata") -> Any:
    """Convert ``value`` to plain JSON types (dict, list, str, int, float, bool, None).

    numpy scalars and arrays become Python values and lists, tuples become lists. Mapping
    keys must be strings. Anything else raises InvalidMetadata naming ``where``. Non-finite
    floats stay floats: in attributes zarr-python writes them as bare ``NaN`` / ``Infinity``
    tokens and reads them back as floats, so we do too (fill values are encoded as the
    spec's strings by the data type before they get here).

    Example:
        >>> to_jsonable({"a": (np.int64(1), 2.5)})
        {'a': [1, 2.5]}
    """
    return _to_jsonable(value, where, 0)


_MAX_DEPTH = MAX_NESTING


def _to_jsonable(value: Any, where: str, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise InvalidMetadata(f"{where}: value is nested more than {_MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.generic):
        return _to_jsonable(value.item(), where, depth + 1)
    if isinstance(value, np.ndarray):
        return _to_jsonable(value.tolist(), where, depth + 1)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidMetadata(
                    f"{where}: JSON object keys must be strings, got {k!r} ({type(k).__name__})"
                )
            out[k] = _to_jsonable(v, where, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v, where, depth + 1) for v in value]
    raise InvalidMetadata(f"{where}: {value!r} ({type(value).__name__}) cannot be stored as JSON")


def dump_document(doc: Mapping[str, Any], where: str = "metadata") -> bytes:
    """Serialize a metadata document the way zarr-python does (indent 2, ASCII), as bytes.

    Example:
        >>> dump_document({"zarr_format": 2})
        b'{\\n  "zarr_format": 2\\n}'
    """
    plain = to_jsonable(doc, where)
    return json.dumps(plain, indent=config.json_indent, allow_nan=True).encode("ascii")
