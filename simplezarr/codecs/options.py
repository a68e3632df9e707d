"""Checking a codec's ``configuration`` object: the helpers every codec's ``from_config`` uses.

They live below the registry (which builds codecs) and the codec modules (which use them), so
neither imports the other for them.

Example:
    >>> check_config("gzip", {"level": 1}, ["level"])
    {'level': 1}
    >>> config_int("gzip", "level", 10, 0, 9)
    Traceback (most recent call last):
    ...
    simplezarr.errors.InvalidMetadata: codec 'gzip': level must be in the range 0..9, got 10
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from simplezarr.errors import InvalidMetadata, quote

__all__ = ["check_config", "config_bool", "config_choice", "config_int", "enum_value"]


def check_config(
    codec: str,
    configuration: Any,
    allowed: Iterable[str],
    required: Iterable[str] = (),
) -> dict[str, Any]:
    """Check a configuration object's keys; return it as a dict.

    Example:
        >>> check_config("gzip", {"level": 1}, ["level"])
        {'level': 1}
    """
    if not isinstance(configuration, Mapping):
        raise InvalidMetadata(
            f"codec {quote(codec)}: configuration must be an object, got {quote(configuration)}"
        )
    allowed = set(allowed)
    unknown = set(configuration) - allowed
    if unknown:
        raise InvalidMetadata(
            f"codec {quote(codec)}: unknown configuration keys {sorted(map(str, unknown))}; "
            f"expected {sorted(allowed)}"
        )
    missing = [k for k in required if k not in configuration]
    if missing:
        raise InvalidMetadata(f"codec {quote(codec)}: configuration needs {missing}")
    return dict(configuration)


def config_int(
    codec: str, field: str, value: Any, lo: int | None = None, hi: int | None = None
) -> int:
    """Validate an integer configuration field (booleans are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMetadata(
            f"codec {quote(codec)}: {field} must be an integer, got {quote(value)}"
        )
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        lo_s = "-inf" if lo is None else lo
        hi_s = "inf" if hi is None else hi
        raise InvalidMetadata(
            f"codec {quote(codec)}: {field} must be in the range {lo_s}..{hi_s}, got {value}"
        )
    return int(value)


def config_bool(codec: str, field: str, value: Any) -> bool:
    """Validate a boolean configuration field."""
    if not isinstance(value, bool):
        raise InvalidMetadata(
            f"codec {quote(codec)}: {field} must be true or false, got {quote(value)}"
        )
    return value


def config_choice(codec: str, field: str, value: Any, choices: Iterable[Any]) -> Any:
    """Validate a configuration field that takes one of a few string values."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise InvalidMetadata(
            f"codec {quote(codec)}: {field} must be one of {list(choices)}, got {quote(value)}"
        )
    return value


def enum_value(value: Any) -> Any:
    """The string behind an enum member (ours, or zarr-python's ``BloscShuffle.shuffle``),
    so codec fields hold the JSON value whichever form the caller gave; anything else as is.

    Example:
        >>> from simplezarr.codecs.blosc import BloscShuffle
        >>> enum_value(BloscShuffle.shuffle), enum_value("zstd")
        ('shuffle', 'zstd')
    """
    return value.value if isinstance(value, Enum) else value
