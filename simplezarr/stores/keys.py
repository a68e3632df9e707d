"""What a legal store key is.

A key is a ``/``-separated path relative to the store root, such as ``"a/b/zarr.json"`` or
``"arr/c/0/1"``. Keys come from metadata and from users, so every store checks every key
before using it: a key must never be able to name something outside the store.

A key is rejected when it

- is not a ``str`` or is empty,
- starts with ``/`` (absolute) or with a Windows drive letter such as ``C:``,
- has an empty segment (``"a//b"``, a trailing ``/``) or a ``.`` / ``..`` segment,
- contains a backslash, NUL or another control character (``\\x00``-``\\x1f``, ``\\x7f``).

Everything else is legal, including spaces, unicode, ``%``, ``#``, ``~``, ``=``, ``+`` and
dots inside names (``"a.b"``, ``".zarray"``, ``"..."``).

A *prefix* names a "directory" of keys: it is ``""`` (the root) or a legal key followed by
``/``.

Example:
    >>> from simplezarr.stores.keys import validate_key, is_valid_key
    >>> validate_key("group/array/.zarray")
    'group/array/.zarray'
    >>> is_valid_key("a/../b")
    False
    >>> validate_key("../x")
    Traceback (most recent call last):
    ...
    simplezarr.errors.InvalidKey: invalid store key '../x': it has a '..' segment
"""

from __future__ import annotations

import re

from simplezarr.errors import InvalidKey

__all__ = [
    "all_plain_keys",
    "is_valid_key",
    "key_problem",
    "validate_key",
    "validate_prefix",
    "validate_unreserved_key",
]

_FORBIDDEN_CHAR = re.compile(r"[\\\x00-\x1f\x7f]")
_DRIVE = re.compile(r".:")  # any "X:" prefix is a drive to Windows path joining


#: Keys made only of segments that start with a letter, digit, "_" or "-" and go on with
#: those or "." (every chunk key, most metadata paths) are legal: checked in one match.
_PLAIN_KEY = re.compile(r"[\w\-][\w.\-]*(?:/[\w\-][\w.\-]*)*", re.ASCII)


def _problem(key: object) -> str | None:
    """Why ``key`` is not a legal key, or None if it is."""
    if type(key) is str and _PLAIN_KEY.fullmatch(key):  # the fast path: chunk keys
        return None
    if not isinstance(key, str):
        return f"keys must be str, not {type(key).__name__}"
    if not key:
        return "it is empty"
    if key[0] == "/":
        return "it starts with '/'; keys are relative to the store root"
    bad = _FORBIDDEN_CHAR.search(key)
    if bad is not None:
        what = "a backslash" if bad.group() == "\\" else f"control character {bad.group()!r}"
        return f"it contains {what} at position {bad.start()}"
    if _DRIVE.match(key):
        return "it starts with a Windows drive prefix ('X:')"
    for segment in key.split("/"):
        if not segment:
            return "it has an empty segment ('//' or a trailing '/')"
        if segment in (".", ".."):
            return f"it has a {segment!r} segment"
    return None


def all_plain_keys(keys: list[str]) -> bool:
    """Whether every key of a batch is made of plain segments (see ``_PLAIN_KEY``), so
    legal, in one regular expression match: their segments joined by ``/`` are plain
    segments too. False says only that some key needs the full check.

    Example:
        >>> all_plain_keys(["c/0/1", "c/0/2"]), all_plain_keys(["c/0", "../x"])
        (True, False)
    """
    try:
        joined = "/".join(keys)
    except TypeError:  # a key that is no str
        return False
    return bool(keys) and _PLAIN_KEY.fullmatch(joined) is not None


def key_problem(key: object) -> str | None:
    """Why ``key`` is not a legal key (a phrase: "it starts with '/'..."), or None if it is.

    Example:
        >>> key_problem("a/../b")
        "it has a '..' segment"
    """
    return _problem(key)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def is_valid_key(key: object) -> bool:
    """Whether ``key`` is a legal store key (see the module docstring).

    Example:
        >>> is_valid_key("c/0/0"), is_valid_key("/etc/passwd")
        (True, False)
    """
    return _problem(key) is None


def validate_key(key: object) -> str:
    """Return ``key`` if it is a legal store key; raise :class:`InvalidKey` saying why if not.

    Example:
        >>> validate_key("a b/ünïcode/.zattrs")
        'a b/ünïcode/.zattrs'
    """
    problem = _problem(key)
    if problem is None and isinstance(key, str):
        return key
    raise InvalidKey(f"invalid store key {_shown(key)}: {problem}")


def validate_unreserved_key(key: object, reserved: str, owner: str) -> str:
    """:func:`validate_key`, and no segment may start with ``reserved`` (the names of a
    store's temporary files, which ``owner`` names in the error).

    Example:
        >>> validate_unreserved_key("c/0/.tmp-x", ".tmp-", "MyStore")
        Traceback (most recent call last):
        ...
        simplezarr.errors.InvalidKey: invalid store key 'c/0/.tmp-x': names starting with '.tmp-' are reserved for MyStore's temporary files
    """
    key = validate_key(key)
    if reserved in key and any(s.startswith(reserved) for s in key.split("/")):
        raise InvalidKey(
            f"invalid store key {key!r}: names starting with {reserved!r} are reserved "
            f"for {owner}'s temporary files"
        )
    return key


def validate_prefix(prefix: object) -> str:
    """Return ``prefix`` if it is ``""`` or a legal key followed by ``/``; else raise InvalidKey.

    Example:
        >>> validate_prefix("a/b/"), validate_prefix("")
        ('a/b/', '')
    """
    if prefix == "":
        return ""
    if not isinstance(prefix, str) or not prefix.endswith("/"):
        raise InvalidKey(
            f"invalid store prefix {_shown(prefix)}: a prefix is '' (the root) "
            "or a key followed by '/', such as 'a/b/'"
        )
    problem = _problem(prefix[:-1])
    if problem is not None:
        raise InvalidKey(f"invalid store prefix {_shown(prefix)}: {problem}")
    return prefix
