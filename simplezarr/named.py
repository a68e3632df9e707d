"""The ``{"name": ..., "configuration": {...}}`` objects of Zarr v3 metadata, parsed in one place.

Codecs, chunk grids, chunk key encodings and data type extensions are all written as such an
object (or as a bare name string, for the ones without configuration). :func:`parse_named`
checks the shape once, with messages that say which field was wrong, and returns the name
and a plain ``dict`` of the configuration; what the configuration means is up to the caller.

Example:
    >>> parse_named({"name": "gzip", "configuration": {"level": 5}}, "codec")
    ('gzip', {'level': 5})
    >>> parse_named("bytes", "codec")
    ('bytes', {})
    >>> parse_named({"configuration": {}}, "chunk grid")
    Traceback (most recent call last):
    ...
    simplezarr.errors.InvalidMetadata: chunk grid {'configuration': {}} has no 'name'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simplezarr.errors import InvalidMetadata, quote

__all__ = ["NAMED_KEYS", "parse_named"]

NAMED_KEYS = frozenset({"name", "configuration", "must_understand"})
"""The top-level keys such an object may hold."""


def parse_named(
    data: Any,
    what: str,
    *,
    extra_keys: frozenset[str] = frozenset(),
    allow_string: bool = True,
) -> tuple[str, dict[str, Any]]:
    """``(name, configuration)`` of a named object; ``what`` names it in errors ("codec").

    ``extra_keys`` are further top-level keys the caller reads itself (zarr-python's
    ``{"name": "v2", "separator": "/"}`` shorthand, say). A missing or ``null``
    configuration is ``{}``; ``must_understand`` must be a boolean when present.
    """
    if isinstance(data, str):
        if not allow_string:
            raise InvalidMetadata(f"{what} must be an object with a 'name', got {quote(data)}")
        return data, {}
    if not isinstance(data, Mapping):
        raise InvalidMetadata(
            f"a {what} must be an object with a 'name' or a name string, got {quote(data)}"
        )
    extra = set(data) - NAMED_KEYS - extra_keys
    if extra:
        raise InvalidMetadata(
            f"{what} {quote(data.get('name'))}: unexpected keys {sorted(map(str, extra))}; a "
            f"{what} is an object with 'name' and optionally 'configuration'"
        )
    if "name" not in data:
        raise InvalidMetadata(f"{what} {quote(dict(data))} has no 'name'")
    name = data["name"]
    if not isinstance(name, str):
        raise InvalidMetadata(f"{what} 'name' must be a string, got {quote(name)}")
    configuration = data.get("configuration")
    if configuration is None:
        configuration = {}
    if not isinstance(configuration, Mapping):
        raise InvalidMetadata(
            f"{what} {quote(name)}: 'configuration' must be an object, got {quote(configuration)}"
        )
    must_understand = data.get("must_understand", True)
    if not isinstance(must_understand, bool):
        raise InvalidMetadata(
            f"{what} {quote(name)}: 'must_understand' must be a boolean, got {quote(must_understand)}"
        )
    return name, dict(configuration)
