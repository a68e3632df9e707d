"""simplezarr.storage: StorePath, make_store_path, store-likes and the store classes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simplezarr
from simplezarr import storage
from simplezarr.errors import ContainsNode, ReadOnlyNodeError, UnsupportedStoreError
from simplezarr.storage import DictStore, StorePath, make_store_path


def test_store_likes(tmp_path: Path) -> None:
    assert isinstance(make_store_path(None).store, storage.MemoryStore)
    assert isinstance(make_store_path(str(tmp_path)).store, storage.LocalStore)
    assert isinstance(make_store_path(tmp_path, mode="r").store, storage.LocalStore)
    assert make_store_path(tmp_path, mode="r").read_only
    d: dict[str, Any] = {}
    sp = make_store_path(d, path="/a/b/")
    assert isinstance(sp.store, storage.MemoryStore) and sp.path == "a/b"
    assert sp.store.store_dict is d
    sp2 = make_store_path(sp, path="c")
    assert sp2.path == "a/b/c" and sp2.store is sp.store
    assert make_store_path(storage.MemoryStore(), mode="r").read_only  # a read-only view


def test_store_path_operations() -> None:
    sp = StorePath(storage.MemoryStore(), "g")
    key = sp / "k"
    assert key.get() is None and not key.exists() and sp.is_empty()
    key.set(b"v")
    key.set_if_not_exists(b"w")
    assert key.get() == b"v" and key.exists() and not sp.is_empty()
    key.delete()
    assert not key.exists()
    (sp / "x/y").set(b"1")
    sp.delete_dir()
    assert sp.is_empty()
    assert sp == StorePath(sp.store, "g") and "g" in repr(sp)


def test_modes() -> None:
    store: dict[str, Any] = {"a/zarr.json": b"{}"}
    with pytest.raises(ContainsNode):
        make_store_path(store, path="a", mode="w-")
    make_store_path(store, path="a", mode="w")
    assert store == {}
    ro = DictStore(store, read_only=True)
    with pytest.raises(ReadOnlyNodeError):
        make_store_path(ro, mode="a")
    with pytest.raises(ValueError, match="mode"):
        make_store_path(store, mode="rw")


def test_dict_store_is_the_callers_dict() -> None:
    store: dict[str, Any] = {}
    simplezarr.save(store, np.array([1, 2, 3]))
    assert "zarr.json" in store and simplezarr.load(store).tolist() == [1, 2, 3]


def test_urls_need_the_stores_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    import simplezarr.stores as stores

    monkeypatch.delattr(stores, "from_url", raising=False)
    with pytest.raises(UnsupportedStoreError, match="remote"):
        simplezarr.open_group("s3://bucket/x.zarr", mode="r")
    seen: dict[str, Any] = {}

    def from_url(url: str, *, storage_options: Any = None, read_only: bool = False) -> Any:
        seen.update(url=url, storage_options=storage_options, read_only=read_only)
        return storage.MemoryStore(read_only=read_only)

    monkeypatch.setattr(stores, "from_url", from_url, raising=False)
    g = simplezarr.open_group("s3://bucket/x.zarr", mode="a", storage_options={"anon": True})
    assert seen == {
        "url": "s3://bucket/x.zarr",
        "storage_options": {"anon": True},
        "read_only": False,
    }
    assert g.zarr_format == 3


def test_file_urls_are_local(tmp_path: Path) -> None:
    simplezarr.save(f"file://{tmp_path}", np.array([5]))
    assert simplezarr.load(str(tmp_path)).tolist() == [5]


def test_optional_store_classes() -> None:
    for name in ("ZipStore", "LoggingStore", "FsspecStore", "ObjectStore"):
        try:
            cls = getattr(storage, name)
        except AttributeError as e:
            assert name in str(e)
        else:
            assert isinstance(cls, type)
    with pytest.raises(AttributeError):
        _ = storage.NoSuchStore  # type: ignore[attr-defined]
