"""Key and prefix validation (simplezarr.stores.keys)."""

from __future__ import annotations

import ntpath
import posixpath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simplezarr.errors import InvalidKey
from simplezarr.stores import validate_key
from simplezarr.stores.keys import is_valid_key, validate_prefix

VALID = [
    "a",
    "a/b/c",
    "zarr.json",
    ".zarray",
    "g/.zattrs",
    "c/0/0/0",
    "with space",
    "ünïcode/日本",
    "%#~=+",
    "a.b",
    "...",
    "a..b",
    ".hidden",
    "ab:cd",
    "x/C:/y",
]

# (key, a fragment of the reason in the message)
INVALID = [
    ("", "empty"),
    ("/a", "starts with '/'"),
    ("/etc/passwd", "starts with '/'"),
    ("a/", "empty segment"),
    ("a//b", "empty segment"),
    (".", "'.' segment"),
    ("a/./b", "'.' segment"),
    ("..", "'..' segment"),
    ("../x", "'..' segment"),
    ("a/../../x", "'..' segment"),
    ("a\\b", "backslash"),
    ("..\\x", "backslash"),
    ("a\x00b", "control character"),
    ("a\tb", "control character"),
    ("a\x7f", "control character"),
    ("C:/x", "drive prefix"),
    ("0:", "drive prefix"),
    ("c:x", "drive prefix"),
    (5, "must be str"),
    (None, "must be str"),
    (b"a", "must be str"),
]


@pytest.mark.parametrize("key", VALID)
def test_valid_keys(key: str) -> None:
    assert validate_key(key) == key
    assert is_valid_key(key)


@pytest.mark.parametrize(("key", "reason"), INVALID)
def test_invalid_keys(key: Any, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason) as info:
        validate_key(key)
    assert repr(key) in str(info.value)
    assert isinstance(info.value, ValueError)
    assert not is_valid_key(key)


def test_long_key_is_shortened_in_message() -> None:
    with pytest.raises(InvalidKey) as info:
        validate_key("x" * 1000 + "/../y")
    assert len(str(info.value)) < 250


@pytest.mark.parametrize("prefix", ["", "a/", "a/b/", ".zarr/", "with space/"])
def test_valid_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["a", "/", "//", "/a/", "a//", "../", "a/./", "a\\/", None, 1])
def test_invalid_prefixes(prefix: Any) -> None:
    with pytest.raises(InvalidKey, match="prefix"):
        validate_prefix(prefix)


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("/.\\:C"), max_size=12))
def test_valid_keys_never_leave_the_root(key: str) -> None:
    try:
        validate_key(key)
    except InvalidKey:
        return
    # Joined to a root, on POSIX and on Windows, no segment is interpreted.
    assert posixpath.normpath(posixpath.join("/root", key)) == "/root/" + key
    windows = ntpath.normpath(ntpath.join("C:\\root", key))
    assert windows == "C:\\root\\" + key.replace("/", "\\")
