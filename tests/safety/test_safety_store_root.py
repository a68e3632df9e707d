"""Store root safety: nothing a key, a node path or a symlink says can reach outside the root.

Every escaping key is refused with ``InvalidKey`` by every key-taking store method; node paths
with ``..`` (or other illegal) segments are refused with ``InvalidKey`` by every node entry
point (a malformed path is a bad argument, not a missing node, so ``NodeNotFound`` would be
wrong); and the whole directory around the store root -- paths, sizes, mtimes -- is compared
before and after, so a refused operation that still touched the disk is caught. A symlink
inside the root that points outside is never written or deleted through, and successful (or
failed) writes leave no temporary files behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simplezarr.errors import InvalidKey, StoreError, ZarrError
from simplezarr.nodes import ZarrArray, ZarrGroup, open_zarr
from simplezarr.stores import LocalStore, MemoryStore
from simplezarr.stores.local import TEMP_PREFIX

needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")

#: Keys that could name something outside the root (or are otherwise malformed).
ESCAPING_KEYS = [
    "..",
    "../x",
    "../outside/secret",
    "a/../../x",
    "a/..",
    "./x",
    "a/./b",
    "/abs",
    "/etc/passwd",
    "a\\b",
    "..\\x",
    "a\x00b",
    "a\nb",
    "C:x",
    "C:/x",
    "c:\\x",
    "a//b",
    "//x",
    "a/",
    "a/b/",
    "/",
    "",
    f"a/{TEMP_PREFIX}0123",
]

#: Prefixes (for erase_prefix / list_prefix / list_dir) that could escape the root.
ESCAPING_PREFIXES = [
    "../",
    "../outside/",
    "a/../../",
    "a/../",
    "./",
    "/",
    "/abs/",
    "a\\b/",
    "a\x00b/",
    "C:/",
    "C:x/",
    "a//b/",
    "a//",
    "//",
    "..",  # not ending in '/' either
    "a",  # a key, not a prefix
]

#: Node paths with '..' (or other illegal) segments.
ESCAPING_PATHS = [
    "..",
    "../x",
    "../outside",
    "a/../..",
    "a/../../x",
    "a/..",
    "x/./y",
    "a//b",
    "..\\x",
    "a\x00b",
    "C:x",
]


# -- helpers ---------------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``directory``: kind, size, mtime (ns), and file bytes or link target."""
    tree: dict[str, tuple[Any, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = os.lstat(path)
            rel = str(path.relative_to(directory))
            if path.is_symlink():
                tree[rel] = ("link", os.readlink(path), st.st_mtime_ns)
            elif path.is_dir():
                tree[rel] = ("dir", st.st_mtime_ns)
            else:
                tree[rel] = ("file", st.st_size, st.st_mtime_ns, path.read_bytes())
    st = os.stat(directory)
    tree["."] = ("dir", st.st_mtime_ns)
    return tree


def temp_files(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.rglob(TEMP_PREFIX + "*"))


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A parent directory holding the store root, a sibling directory and a sibling file."""
    parent = tmp_path / "parent"
    outside = parent / "outside"
    outside.mkdir(parents=True)
    (outside / "secret").write_bytes(b"precious")
    (outside / "zarr.json").write_bytes(b"not yours")
    (parent / "x").write_bytes(b"precious too")
    (parent / "abs").write_bytes(b"also precious")
    root = parent / "store.zarr"
    store = LocalStore(root)
    group = ZarrGroup.create(store)
    a = group.create_array("a", shape=(4,), chunks=(2,), dtype="int16", fill_value=0)
    a[:] = np.arange(1, 5, dtype="int16")
    group.create_group("a_group")
    return {"parent": parent, "outside": outside, "root": root, "store": store, "group": group}


def assert_refused(
    world: dict[str, Any], action: Callable[[], Any], expected: type[ZarrError] = InvalidKey
) -> ZarrError:
    """``action`` raises exactly ``expected`` (a ZarrError) and changes nothing on disk."""
    before = snapshot(world["parent"])
    with pytest.raises(ZarrError) as info:
        action()
    assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"
    assert snapshot(world["parent"]) == before
    return info.value


def _outside_root(world: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The snapshot of everything beside the store root (what must never change)."""
    root = world["root"].name
    return {k: v for k, v in snapshot(world["parent"]).items() if k.split("/")[0] != root}


# -- store methods --------------------------------------------------------------------------


KEY_METHODS: dict[str, Callable[[Any, str], Any]] = {
    "set": lambda s, k: s.set(k, b"evil"),
    "get": lambda s, k: s.get(k),
    "get_range": lambda s, k: s.get(k, (0, 4)),
    "get_many": lambda s, k: s.get_many([("a/zarr.json", None), (k, None)]),
    "get_partial_values": lambda s, k: s.get_partial_values([(k, -4, None)]),
    "exists": lambda s, k: s.exists(k),
    "getsize": lambda s, k: s.getsize(k),
    "delete": lambda s, k: s.delete(k),
    "set_many": lambda s, k: s.set_many([(k, b"evil")]),
    "set_partial_values": lambda s, k: s.set_partial_values([(k, 0, b"evil")]),
    "erase_values": lambda s, k: s.erase_values([k]),
}

PREFIX_METHODS: dict[str, Callable[[Any, str], Any]] = {
    "erase_prefix": lambda s, p: s.erase_prefix(p),
    "list_prefix": lambda s, p: s.list_prefix(p),
    "list_dir": lambda s, p: s.list_dir(p),
    "is_empty": lambda s, p: s.is_empty(p),
}


@pytest.mark.parametrize("method", sorted(KEY_METHODS))
def test_local_store_refuses_escaping_keys(world: dict[str, Any], method: str) -> None:
    for key in ESCAPING_KEYS:
        assert_refused(world, lambda key=key: KEY_METHODS[method](world["store"], key))


@pytest.mark.parametrize("method", sorted(PREFIX_METHODS))
def test_local_store_refuses_escaping_prefixes(world: dict[str, Any], method: str) -> None:
    for prefix in ESCAPING_PREFIXES + [k + "/" for k in ESCAPING_KEYS if k and k != "/"]:
        assert_refused(world, lambda prefix=prefix: PREFIX_METHODS[method](world["store"], prefix))


@pytest.mark.parametrize("method", sorted(KEY_METHODS))
def test_memory_store_refuses_escaping_keys(method: str) -> None:
    store = MemoryStore({"a/zarr.json": b"{}"})
    for key in ESCAPING_KEYS:
        if key.startswith("a/" + TEMP_PREFIX):
            continue  # reserved by LocalStore only
        with pytest.raises(ZarrError) as info:
            KEY_METHODS[method](store, key)
        assert type(info.value) is InvalidKey, (key, info.value)
    assert store.list() == ["a/zarr.json"]


@pytest.mark.parametrize("method", sorted(PREFIX_METHODS))
def test_memory_store_refuses_escaping_prefixes(method: str) -> None:
    store = MemoryStore({"a/zarr.json": b"{}"})
    for prefix in ESCAPING_PREFIXES:
        with pytest.raises(ZarrError) as info:
            PREFIX_METHODS[method](store, prefix)
        assert type(info.value) is InvalidKey, (prefix, info.value)
    assert store.list() == ["a/zarr.json"]


def test_read_only_store_checks_keys_first(world: dict[str, Any]) -> None:
    """A read-only store still says InvalidKey (not ReadOnlyError) for a bad key."""
    store = LocalStore(world["root"], read_only=True)
    assert_refused(world, lambda: store.set("../x", b"evil"))
    assert_refused(world, lambda: store.erase_prefix("../"))


# -- node paths -----------------------------------------------------------------------------


NODE_ACTIONS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "open_zarr": lambda w, p: open_zarr(w["store"], p),
    "open_zarr_read_only": lambda w, p: open_zarr(LocalStore(w["root"], read_only=True), p),
    "ZarrGroup.create": lambda w, p: ZarrGroup.create(w["store"], p),
    "ZarrGroup.create_overwrite": lambda w, p: ZarrGroup.create(w["store"], p, overwrite=True),
    "ZarrArray.create": lambda w, p: ZarrArray.create(
        w["store"], p, shape=(2,), dtype="uint8", overwrite=True
    ),
    "ZarrArray.create_v2": lambda w, p: ZarrArray.create(
        w["store"], p, shape=(2,), dtype="uint8", zarr_format=2, overwrite=True
    ),
    "ZarrGroup()": lambda w, p: ZarrGroup(w["store"], p),
    "ZarrArray()": lambda w, p: ZarrArray(w["store"], p),
    "group[...]": lambda w, p: w["group"][p],
    "subgroup[...]": lambda w, p: w["group"]["a_group"][p],
    "create_group": lambda w, p: w["group"].create_group(p, overwrite=True),
    "subgroup.create_group": lambda w, p: w["group"]["a_group"].create_group(p, overwrite=True),
    "require_group": lambda w, p: w["group"].require_group(p),
    "create_array": lambda w, p: w["group"].create_array(
        p, shape=(2,), dtype="uint8", overwrite=True
    ),
    "subgroup.create_array": lambda w, p: w["group"]["a_group"].create_array(
        p, shape=(2,), dtype="uint8", overwrite=True
    ),
}


@pytest.mark.parametrize("action", sorted(NODE_ACTIONS))
def test_node_paths_with_dotdot_are_invalid_keys(world: dict[str, Any], action: str) -> None:
    for path in ESCAPING_PATHS:
        assert_refused(world, lambda path=path: NODE_ACTIONS[action](world, path))
    assert (world["outside"] / "secret").read_bytes() == b"precious"


def test_normalised_node_paths_stay_inside(world: dict[str, Any]) -> None:
    """Leading and trailing slashes are stripped: '/abs' is the child 'abs' of the root."""
    before = snapshot(world["parent"])
    g = ZarrGroup.create(world["store"], "/abs/")
    assert g.path == "abs"
    assert (world["root"] / "abs" / "zarr.json").is_file()
    assert (world["parent"] / "abs").read_bytes() == b"also precious"
    after = snapshot(world["parent"])
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert all(k == "store.zarr" or k.startswith("store.zarr" + os.sep) for k in changed), changed


def test_array_data_survives_refused_paths(world: dict[str, Any]) -> None:
    for path in ESCAPING_PATHS:
        for action in NODE_ACTIONS.values():
            with pytest.raises(InvalidKey):
                action(world, path)
    a = open_zarr(world["store"], "a")
    assert a[...].tolist() == [1, 2, 3, 4]


# -- symlinks -------------------------------------------------------------------------------


@needs_symlinks
def test_array_write_never_goes_through_a_symlinked_chunk_directory(world: dict[str, Any]) -> None:
    root, outside = world["root"], world["outside"]
    # The chunk directory of array 'a' becomes a link to a directory outside the root.
    for f in (root / "a" / "c").iterdir():
        f.unlink()
    (root / "a" / "c").rmdir()
    (root / "a" / "c").symlink_to(outside, target_is_directory=True)
    a = open_zarr(world["store"], "a")
    assert_refused(world, lambda: a.__setitem__(slice(None), np.arange(4, dtype="int16")))
    assert_refused(world, lambda: a.__setitem__(0, 7))  # a partial chunk write
    assert_refused(world, lambda: a.__setitem__(slice(None), 0))  # all fill: deletes chunks
    # resize finds chunks by listing, and listing does not follow a symlink out of the
    # root: the linked chunks are not the store's, so there is nothing to delete
    before = _outside_root(world)
    a.resize(1)
    assert _outside_root(world) == before
    assert_refused(world, lambda: world["store"].erase_prefix("a/c/"))
    assert sorted(os.listdir(outside)) == ["secret", "zarr.json"]


@needs_symlinks
def test_array_write_replaces_a_symlinked_chunk_file_not_its_target(
    world: dict[str, Any],
) -> None:
    root, outside = world["root"], world["outside"]
    chunk = root / "a" / "c" / "0"
    chunk.unlink()
    chunk.symlink_to(outside / "secret")
    a = open_zarr(world["store"], "a")
    a[0:2] = np.array([9, 8], dtype="int16")
    assert (outside / "secret").read_bytes() == b"precious"
    assert not chunk.is_symlink() and chunk.is_file()
    assert a[...].tolist() == [9, 8, 3, 4]
    # Deleting an all-fill chunk removes the link, never the target.
    chunk.unlink()
    chunk.symlink_to(outside / "secret")
    a[0:2] = 0
    assert not chunk.exists() and not chunk.is_symlink()
    assert (outside / "secret").read_bytes() == b"precious"
    assert temp_files(world["parent"]) == []


@needs_symlinks
def test_metadata_write_replaces_a_symlinked_document_not_its_target(
    world: dict[str, Any],
) -> None:
    root, outside = world["root"], world["outside"]
    doc = root / "a_group" / "zarr.json"
    doc.unlink()
    # The link's target is an outside zarr.json; give it valid group metadata to be read.
    (outside / "zarr.json").write_bytes(b'{"zarr_format": 3, "node_type": "group"}')
    doc.symlink_to(outside / "zarr.json")
    g = open_zarr(world["store"], "a_group")
    g.attrs["x"] = 1
    assert (outside / "zarr.json").read_bytes() == b'{"zarr_format": 3, "node_type": "group"}'
    assert not doc.is_symlink()
    assert open_zarr(world["store"], "a_group").attrs["x"] == 1


@needs_symlinks
def test_node_in_a_symlinked_directory_is_never_written_or_erased(world: dict[str, Any]) -> None:
    root, outside = world["root"], world["outside"]
    (outside / "zarr.json").write_bytes(b'{"zarr_format": 3, "node_type": "group"}')
    (root / "linked").symlink_to(outside, target_is_directory=True)
    store = world["store"]
    # Reading through a link placed in the directory is allowed (like every file tool) ...
    assert isinstance(open_zarr(store, "linked"), ZarrGroup)
    # ... but nothing writes or erases through it.
    assert_refused(world, lambda: ZarrGroup.create(store, "linked", overwrite=True))
    assert_refused(
        world,
        lambda: ZarrArray.create(store, "linked", shape=(2,), dtype="u1", overwrite=True),
    )
    assert_refused(world, lambda: ZarrGroup.create(store, "linked/child"))
    assert_refused(world, lambda: open_zarr(store, "linked").attrs.update({"x": 1}))
    assert_refused(world, lambda: store.erase_prefix("linked/"))
    assert sorted(os.listdir(outside)) == ["secret", "zarr.json"]


@needs_symlinks
def test_clearing_the_root_unlinks_symlinks_without_following_them(
    world: dict[str, Any],
) -> None:
    root, outside = world["root"], world["outside"]
    (root / "dirlink").symlink_to(outside, target_is_directory=True)
    (root / "filelink").symlink_to(outside / "secret")
    before_outside = snapshot(outside)
    ZarrGroup.create(world["store"], overwrite=True)  # erases everything in the root
    assert not (root / "dirlink").exists() and not (root / "filelink").exists()
    assert snapshot(outside) == before_outside
    assert (world["parent"] / "x").read_bytes() == b"precious too"


@needs_symlinks
def test_sharded_write_through_symlinked_directory_is_refused(world: dict[str, Any]) -> None:
    root, outside = world["root"], world["outside"]
    s = world["group"].create_array(
        "s", shape=(8,), chunks=(2,), shards=(4,), dtype="uint8", fill_value=0
    )
    (root / "s" / "c").symlink_to(outside, target_is_directory=True)
    assert_refused(world, lambda: s.__setitem__(slice(None), np.arange(1, 9, dtype="uint8")))
    assert_refused(world, lambda: s.__setitem__(1, 5))
    assert sorted(os.listdir(outside)) == ["secret", "zarr.json"]


# -- temporary files --------------------------------------------------------------------------


def test_no_temporary_files_after_successful_writes(world: dict[str, Any]) -> None:
    group, root = world["group"], world["root"]
    a3 = group.create_array(
        "v3",
        shape=(10, 10),
        chunks=(3, 3),
        dtype="float32",
        compressors=[{"name": "zstd", "configuration": {"level": 1}}],
    )
    a3[:] = np.arange(100, dtype="float32").reshape(10, 10)
    a3[1:4, 2] = -1
    a3.attrs["k"] = "v"
    a3.resize(12, 12)
    s = group.create_array("sharded", shape=(16, 16), chunks=(4, 4), shards=(8, 8), dtype="int32")
    s[:] = 1
    s[3, 3] = 2
    s[0:8, 0:8] = 0
    v2 = group.create_array("v2", shape=(7,), chunks=(3,), dtype="<f8", zarr_format=2)
    v2[:] = np.linspace(0, 1, 7)
    v2.attrs.update({"a": 1})
    v2.attrs.put({})
    world["store"].set_partial_values([("v2/0", 0, b"\x00" * 8)])
    group.create_group("g", overwrite=True)
    group.create_group("g", overwrite=True)
    assert temp_files(world["parent"]) == []
    assert open_zarr(world["store"], "sharded")[3, 3] == 0
    assert open_zarr(world["store"], "v3")[1, 2] == -1
    # the one hidden file: the lock file of partial writes (never a key)
    assert [n for n in os.listdir(root) if n.startswith(".simplezarr")] == [".simplezarr-lock"]


def test_no_temporary_files_after_failed_writes(world: dict[str, Any]) -> None:
    """A write that fails at the file system (a directory where the chunk file goes) raises a
    StoreError, keeps the old state and leaves no temporary file."""
    root, store = world["root"], world["store"]
    chunk = root / "a" / "c" / "1"
    chunk.unlink()
    chunk.mkdir()
    (chunk / "keep").write_bytes(b"k")
    a = open_zarr(store, "a")
    with pytest.raises(ZarrError) as info:
        a[2:4] = np.array([5, 6], dtype="int16")
    assert type(info.value) is StoreError
    assert temp_files(world["parent"]) == []
    assert (chunk / "keep").read_bytes() == b"k"
    with pytest.raises(StoreError):
        store.set("a/c/1", b"x")
    assert temp_files(world["parent"]) == []
    assert a[0:2].tolist() == [1, 2]
