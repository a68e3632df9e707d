"""Readers racing a shard rewriter on S3 (moto; issue 13, item 1). A remote store reads a
shard's index and its inner chunks in separate requests; each request after the first
names the version the first one saw (``If-Match: <ETag>``), so a rewrite in between is
refused by the service, and the read is repeated (the shard read whole), never answered
with bytes of two versions. The control reads unpinned (by key, as before) and gets
neighbours' bytes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import simplezarr as sz
from simplezarr.engine.batch import MAX_REREADS
from simplezarr.errors import ConcurrentModification, CorruptChunk
from simplezarr.stores import FsspecStore, ObjectStore
from simplezarr.stores.values import PinnedValue
from tests.stores.store_servers import S3Server

REWRITES = 40


def _version(v: int) -> np.ndarray:
    data = np.repeat(np.arange(4, dtype="i4"), 8) + 10 * v  # inner chunk k holds k + 10 v
    if v % 2:
        data[:8] = np.random.default_rng(v).integers(0, 10**6, 8) * 10  # chunk 0 grows
    return data


def _obstore(s3: S3Server, prefix: str) -> ObjectStore:
    return ObjectStore.from_url(f"s3://{prefix}", s3.obstore_options())


def _s3fs(s3: S3Server, prefix: str) -> FsspecStore:
    return FsspecStore.from_url(f"s3://{prefix}", s3.fsspec_options())


MAKERS: dict[str, Callable[[S3Server, str], Any]] = {"obstore": _obstore, "s3fs": _s3fs}


def race(make: Callable[[], Any]) -> tuple[int, int]:
    """(wrong reads, reads) of inner chunk 2 by 2 threads, each through its own store,
    while the shard is rewritten REWRITES times through another: a wrong read returned
    values of no one version, or raised CorruptChunk."""
    writer = make()
    a = sz.create_array(
        writer, shape=(32,), chunks=(8,), shards=(32,), dtype="i4", compressors=[{"name": "zstd"}]
    )
    a[:] = _version(0)
    done = threading.Event()
    wrong: list[Any] = []
    reads = [0]

    def read() -> None:
        b = sz.open_array(make())
        while not done.is_set():
            try:
                got = b[16:24]  # inner chunk 2
            except CorruptChunk as e:  # a spurious error: bytes of two versions mixed
                wrong.append(str(e))
                continue
            reads[0] += 1
            if not (got % 10 == 2).all() or len(set(got.tolist())) != 1:
                wrong.append(got)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        for v in range(1, REWRITES):
            a[:] = _version(v)
    finally:
        done.set()
        for r in readers:
            r.join()
    return len(wrong), reads[0]


@pytest.mark.parametrize("client", list(MAKERS))
def test_readers_of_a_remote_shard_being_rewritten_never_see_two_versions(
    s3: S3Server, client: str
) -> None:
    prefix = s3.new_prefix()
    wrong, reads = race(lambda: MAKERS[client](s3, prefix))
    assert reads > 0
    assert wrong == 0


@pytest.mark.parametrize("client", list(MAKERS))
def test_control_unpinned_remote_reads_mix_versions(
    s3: S3Server, client: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control: the same race with the version not pinned (each inner chunk read by
    # key, as before this change) serves a neighbour's bytes.
    cls = type(MAKERS[client](s3, s3.new_prefix()))
    monkeypatch.setattr(cls, "pins_versions", property(lambda self: False))
    wrong = 0
    for _ in range(3):
        prefix = s3.new_prefix()
        wrong = max(wrong, race(lambda p=prefix: MAKERS[client](s3, p))[0])
        if wrong:
            break
    assert wrong > 0


def _rewriting_after_open(cls: type, times: int) -> type:
    """A store that rewrites the shard behind the reader right after each of its first
    ``times`` opens (deterministic: every such read sees a change)."""

    class Rewriting(cls):  # type: ignore[misc, valid-type]
        rewrites = 0

        def _open_one(self, key: str, byte_range: Any) -> Any:
            opened = super()._open_one(key, byte_range)
            if key.endswith("c/0") and type(self).rewrites < times:
                type(self).rewrites += 1
                sz.open_array(self.twin, path=self.twin_path)[:32] = _version(type(self).rewrites)
            return opened

    return Rewriting


@pytest.mark.parametrize("client", list(MAKERS))
def test_a_change_between_index_and_chunks_is_read_again_whole(s3: S3Server, client: str) -> None:
    prefix = s3.new_prefix()
    plain = MAKERS[client](s3, prefix)
    sz.create_array(plain, shape=(32,), chunks=(8,), shards=(32,), dtype="i4")[:] = _version(0)
    store = MAKERS[client](s3, prefix)
    store.__class__ = _rewriting_after_open(type(store), 1)
    store.twin, store.twin_path = plain, ""
    got = sz.open_array(store)[:]
    assert type(store).rewrites == 1
    np.testing.assert_array_equal(got, _version(1))  # the new version, whole


@pytest.mark.parametrize("client", list(MAKERS))
def test_a_shard_that_keeps_changing_raises_naming_the_array_and_key(
    s3: S3Server, client: str
) -> None:
    # A whole read is one request, so one version: it cannot see a change. To reach the
    # bound, every read here is pinned (whole ones too) and every open is followed by a
    # rewrite, so each of the 1 + MAX_REREADS reads sees a change.
    prefix = s3.new_prefix()
    plain = MAKERS[client](s3, prefix)
    a = sz.create_array(plain, name="grp/arr", shape=(32,), chunks=(8,), shards=(32,), dtype="i4")
    a[:] = _version(0)
    store = MAKERS[client](s3, prefix)
    cls = _rewriting_after_open(type(store), 10**6)

    class AlwaysPinned(cls):  # type: ignore[misc, valid-type]
        def _open_pinned(self, requests: Any) -> Any:
            return [
                (PinnedValue(self, key, size, version), data)
                for (key, r), (data, size, version) in zip(
                    requests, [self._open_one(k, r) for k, r in requests], strict=True
                )
            ]

    store.__class__ = AlwaysPinned
    store.twin, store.twin_path = plain, "grp/arr"
    with pytest.raises(ConcurrentModification) as info:
        sz.open_array(store, path="grp/arr")[:]
    message = str(info.value)
    assert "'grp/arr'" in message and "grp/arr/c/0" in message
    assert type(store).rewrites == 1 + MAX_REREADS


def test_fsspec_file_systems_without_if_match_compare_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # FsspecStore over memory:// (no If-Match): the value's info is compared before and
    # after the reads. The control reads unpinned and mixes versions.
    pytest.importorskip("fsspec")
    import uuid

    def make(root: str) -> Any:
        return FsspecStore.from_url(f"memory://{root}")

    root = f"pin-{uuid.uuid4().hex[:8]}"
    wrong, reads = race(lambda: make(root))
    assert reads > 0 and wrong == 0
    monkeypatch.setattr(FsspecStore, "pins_versions", property(lambda self: False))
    worst = 0
    for _ in range(3):
        other = f"unpinned-{uuid.uuid4().hex[:8]}"
        worst = max(worst, race(lambda o=other: make(o))[0])
        if worst:
            break
    assert worst > 0


@pytest.mark.parametrize("client", list(MAKERS))
def test_only_the_shard_that_changed_is_read_again_whole(s3: S3Server, client: str) -> None:
    prefix = s3.new_prefix()
    plain = MAKERS[client](s3, prefix)
    a = sz.create_array(plain, shape=(64,), chunks=(8,), shards=(32,), dtype="i4")
    a[:] = np.concatenate([_version(0), _version(0)])
    store = MAKERS[client](s3, prefix)
    cls = _rewriting_after_open(type(store), 1)
    opens: list[tuple[str, object]] = []

    class Counting(cls):  # type: ignore[misc, valid-type]
        def _open_one(self, key: str, byte_range: Any) -> Any:
            opens.append((key, byte_range))
            return super()._open_one(key, byte_range)

    store.__class__ = Counting
    store.twin, store.twin_path = plain, ""
    got = sz.open_array(store)[:]
    np.testing.assert_array_equal(got[:32], _version(1))
    whole = [key for key, byte_range in opens if byte_range is None]
    assert whole == ["c/0"]  # c/1 did not change: its ranged read stands


def test_pinned_ranges_are_coalesced_and_sliced_back() -> None:
    # Ranges of one value close together are one request (as obstore's get_ranges would
    # make them), each caller still gets exactly its bytes; a stale version is refused.
    pytest.importorskip("obstore")
    from simplezarr.errors import ValueChanged

    store = ObjectStore.from_url("memory:///")
    data = bytes(range(256)) * 16
    store.set("s", data)
    store.set("t", b"other")
    [(value, _)] = store.open_values([("s", (-4, None))])
    version = value.version  # type: ignore[attr-defined]
    ranges = [(10, 20), (0, 5), (3000, 3004), (5, 5), (4000, 5000)]
    got = store.get_pinned([("s", r, version) for r in ranges])
    assert got == [data[a:b] for a, b in ranges]
    store.set("s", data[::-1])
    with pytest.raises(ValueChanged) as info:
        store.get_pinned([("s", (0, 4), version)])
    assert info.value.key == "s"
